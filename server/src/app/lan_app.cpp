#include "lan_app.hpp"

#include "backup.hpp"
#include "mail_transport.hpp"
#include "offer_json.hpp"
#include "offer_service.hpp"

#include "api_json.hpp"
#include "appliance_modem.hpp"
#include "certificates.hpp"
#include "crypto.hpp"
#include "customer_service.hpp"
#include "email_address.hpp"
#include "event_hub.hpp"
#include "messages.hpp"
#include "metrics.hpp"
#include "migrations.hpp"
#include "request_body.hpp"
#include "responses.hpp"
#include "settings_api.hpp"
#include "sms_store.hpp"
#include "test_emails.hpp"
#include "text.hpp"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <sys/statvfs.h>

#include <functional>
#include <map>

#ifndef RELAIS_VERSION
#define RELAIS_VERSION "dev"
#endif

namespace relais {
namespace {

using json = nlohmann::json;

enum class RouteAccess {
    anyone,     // no credentials needed
    principal,  // a signed-in user or an API key
    user,       // a signed-in user (not an API key)
    admin,      // a dealer_admin user
};

struct Ctx {
    const HttpRequest& req;
    std::optional<Principal> who;
    std::string lang;
    json body;
    HttpResponse extra;  // cookies set by a handler
};

using Handler = std::function<HttpResponse(Ctx&, const PathParams&)>;

struct Route {
    RouteAccess access;
    Handler handler;
    bool allowed_before_password_change = false;
};

Actor actor_of(const Principal& p) {
    Actor a;
    a.kind = p.kind == Principal::Kind::user ? Actor::Kind::user : Actor::Kind::api_key;
    a.id = p.id;
    a.name = p.display_name;
    return a;
}

std::string etag_of(std::int64_t version) { return "\"" + std::to_string(version) + "\""; }

std::string bearer_token(const HttpRequest& req) {
    const std::string* auth = req.header("authorization");
    if (!auth) return {};
    const std::string_view v = trim(*auth);
    if (v.size() > 7 && ascii_lower(v.substr(0, 7)) == "bearer ") return std::string(trim(v.substr(7)));
    return {};
}

// Requests from a page of another site must not act with the user's cookies (CSRF).
bool same_origin(const HttpRequest& req) {
    if (const std::string* site = req.header("sec-fetch-site")) {
        if (*site != "same-origin") return false;
    }
    if (const std::string* origin = req.header("origin")) {
        const std::string* host = req.header("host");
        if (!host) return false;
        if (*origin != "http://" + *host && *origin != "https://" + *host) return false;
    }
    return true;
}

Error error_of(ErrorKind kind, const char* code) { return make_error(kind, code); }

}  // namespace

struct LanApp::Impl {
    LanAppDeps d;
    Router<Route> router;
    UnixMs started_at;
    AgreementService agreements;

    const Transport transport;

    explicit Impl(LanAppDeps deps)
        : d(std::move(deps)),
          started_at(d.clock.now()),
          agreements(d.db, d.clock),
          transport(transport_of(d.config, Listener::lan)) {
        add_routes();
    }

    // ---- dispatch -----------------------------------------------------------------------

    HttpResponse handle(const HttpRequest& req) {
        HttpResponse res;
        bool api = false;
        if (req.path == "/healthz") {
            res = health();
            api = true;
        } else if (req.path == "/metrics") {
            res = metrics();
            api = true;
        } else if (req.path == "/api" || req.path.rfind("/api/", 0) == 0) {
            res = handle_api(req);
            api = true;
        } else {
            res = workspace(req);
        }
        add_security_headers(res, Listener::lan, transport, api);
        return res;
    }

    HttpResponse handle_api(const HttpRequest& req) {
        Ctx ctx{
            req, std::nullopt, choose_language("", req.header("accept-language"), d.config.dealer.language), {}, {}};
        const auto found = router.match(req.method, req.path);
        if (!found.entry) {
            if (!found.allowed.empty()) {
                std::string allow;
                for (Method meth : found.allowed) allow += (allow.empty() ? "" : ", ") + std::string(to_string(meth));
                HttpResponse r = error_response(make_error(ErrorKind::invalid, "method_not_allowed"), ctx.lang);
                r.status = 405;
                r.header("Allow", allow);
                return r;
            }
            return error_response(not_found_error("route"), ctx.lang);
        }
        const Route& route = *found.entry;

        // Query parameters are text: a control character in one (a NUL, say) is never meant, and
        // would otherwise reach SQLite's full-text parser.
        {
            Problems bad;
            for (const auto& [name, value] : req.query)
                if (has_control_chars(value, false))
                    bad.push_back({"query." + escape_untrusted(name, 40), "control_characters", {}});
            if (!bad.empty()) {
                HttpResponse r = error_response(validation_error(bad), ctx.lang);
                r.status = 400;
                return r;
            }
        }

        // Who is calling. An Authorization header wins over cookies: a DMS never has any.
        const std::string bearer = bearer_token(req);
        bool by_cookie = false;
        if (!bearer.empty()) {
            auto p = d.auth.authenticate_api_key(bearer);
            if (!p) return error_response(p.error(), ctx.lang);
            ctx.who = *p;
        } else if (const std::string* token = req.cookie(session_cookie)) {
            auto p = d.auth.authenticate_session(*token);
            if (p) {
                ctx.who = *p;
                by_cookie = true;
            } else if (route.access != RouteAccess::anyone) {
                HttpResponse r = error_response(p.error(), ctx.lang);
                r.cookies.push_back(expired_cookie(session_cookie));
                return r;
            }
        }
        if (ctx.who)
            ctx.lang = choose_language(ctx.who->language, req.header("accept-language"), d.config.dealer.language);

        if (route.access != RouteAccess::anyone && !ctx.who)
            return error_response(error_of(ErrorKind::unauthorized, "unauthorized"), ctx.lang);
        if (route.access == RouteAccess::user && ctx.who->kind != Principal::Kind::user) {
            return error_response(error_of(ErrorKind::forbidden, "forbidden"), ctx.lang);
        }
        if (route.access == RouteAccess::admin && !ctx.who->is_admin()) {
            return error_response(error_of(ErrorKind::forbidden, "admin_only"), ctx.lang);
        }

        if (!req.is_safe_method()) {
            // Cookies travel with cross-site requests; a header that another site's page cannot
            // set, and the browser's own origin headers, prove the request came from our pages.
            if ((by_cookie || route.access == RouteAccess::anyone) && bearer.empty() && !same_origin(req)) {
                return error_response(error_of(ErrorKind::forbidden, "cross_site"), ctx.lang);
            }
            if (by_cookie) {
                const std::string* token = req.header("x-csrf-token");
                if (!token || !constant_time_equal(*token, ctx.who->csrf_token)) {
                    return error_response(error_of(ErrorKind::forbidden, "csrf_failed"), ctx.lang);
                }
            }
        }
        if (ctx.who && ctx.who->must_change_password && !route.allowed_before_password_change) {
            return error_response(error_of(ErrorKind::forbidden, "password_change_required"), ctx.lang);
        }

        if (req.method == Method::post || req.method == Method::patch || req.method == Method::put) {
            if (auto problem = read_body(ctx)) return *problem;
        }

        HttpResponse res;
        try {
            res = route.handler(ctx, found.params);
        } catch (const std::exception& e) {
            d.log->error("{} {}: {}", to_string(req.method), loggable_path(req.path), escape_untrusted(e.what(), 500));
            res = error_response(internal_error(e.what()), ctx.lang);
        }
        for (auto& c : ctx.extra.cookies) res.cookies.push_back(std::move(c));
        return res;
    }

    std::optional<HttpResponse> read_body(Ctx& ctx) {
        auto body = read_json_object(ctx.req, d.max_body_bytes);
        if (!body) return error_response(body.error(), ctx.lang);
        ctx.body = std::move(*body);
        return std::nullopt;
    }

    HttpResponse respond(const Ctx& ctx, const Error& e) {
        if (e.kind == ErrorKind::internal)
            d.log->error("{} {}: {}", to_string(ctx.req.method), loggable_path(ctx.req.path),
                         escape_untrusted(e.detail, 500));
        return error_response(e, ctx.lang);
    }

    SetCookie expired_cookie(const char* name) {
        SetCookie c;
        c.name = name;
        c.value = "";
        c.max_age_s = 0;
        return c;
    }

    std::optional<std::int64_t> if_match(const Ctx& ctx, std::optional<HttpResponse>& problem) {
        const std::string* h = ctx.req.header("if-match");
        if (!h || trim(*h) == "*") return std::nullopt;
        std::string v(trim(*h));
        if (v.rfind("W/", 0) == 0) v = v.substr(2);
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
        if (v.empty() || v.size() > 15 ||
            !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            problem = error_response(make_error(ErrorKind::invalid, "invalid_if_match"), ctx.lang);
            return std::nullopt;
        }
        return std::stoll(v);
    }

    // ---- routes ---------------------------------------------------------------------------

    void add(Method m, std::string_view pattern, RouteAccess access, HttpResponse (Impl::*fn)(Ctx&, const PathParams&),
             bool before_password_change = false) {
        router.add(m, pattern,
                   Route{access, [this, fn](Ctx& c, const PathParams& p) { return (this->*fn)(c, p); },
                         before_password_change});
    }

    void add_routes() {
        add(Method::post, "/api/v1/session", RouteAccess::anyone, &Impl::login, true);
        add(Method::get, "/api/v1/session", RouteAccess::user, &Impl::current_session, true);
        add(Method::del, "/api/v1/session", RouteAccess::anyone, &Impl::logout, true);
        add(Method::patch, "/api/v1/session", RouteAccess::user, &Impl::update_own_settings, true);
        add(Method::post, "/api/v1/session/password", RouteAccess::user, &Impl::change_password, true);
        add(Method::get, "/api/v1/settings", RouteAccess::anyone, &Impl::settings, true);

        add(Method::get, "/api/v1/events", RouteAccess::principal, &Impl::events);
        add(Method::get, "/api/v1/modem", RouteAccess::principal, &Impl::modem_status);
        add(Method::post, "/api/v1/modem/test-sms", RouteAccess::admin, &Impl::test_sms);
        add(Method::get, "/api/v1/certificate", RouteAccess::principal, &Impl::certificate);
        add(Method::get, "/api/v1/admin/settings", RouteAccess::admin, &Impl::admin_settings);
        add(Method::patch, "/api/v1/admin/settings", RouteAccess::admin, &Impl::update_admin_settings);
        add(Method::post, "/api/v1/admin/setup/done", RouteAccess::admin, &Impl::setup_done);
        add(Method::post, "/api/v1/mail/test-email", RouteAccess::admin, &Impl::test_email);
        add(Method::get, "/api/v1/mail/test-email/{id}", RouteAccess::admin, &Impl::test_email_outcome);
        add(Method::post, "/api/v1/certificate/renew", RouteAccess::admin, &Impl::renew_certificate);
        add(Method::post, "/api/v1/sms/preview", RouteAccess::principal, &Impl::sms_preview);

        add(Method::get, "/api/v1/users", RouteAccess::principal, &Impl::list_users);
        add(Method::post, "/api/v1/users", RouteAccess::admin, &Impl::create_user);
        add(Method::get, "/api/v1/users/{id}", RouteAccess::principal, &Impl::get_user);
        add(Method::patch, "/api/v1/users/{id}", RouteAccess::admin, &Impl::update_user);

        add(Method::get, "/api/v1/agreements", RouteAccess::principal, &Impl::list_agreements);
        add(Method::post, "/api/v1/agreements", RouteAccess::admin, &Impl::create_agreement);
        add(Method::get, "/api/v1/agreements/{id}", RouteAccess::principal, &Impl::get_agreement);
        add(Method::patch, "/api/v1/agreements/{id}", RouteAccess::admin, &Impl::update_agreement);

        add(Method::get, "/api/v1/api-keys", RouteAccess::admin, &Impl::list_keys);
        add(Method::post, "/api/v1/api-keys", RouteAccess::admin, &Impl::create_key);
        add(Method::del, "/api/v1/api-keys/{id}", RouteAccess::admin, &Impl::revoke_key);

        add(Method::get, "/api/v1/repair-orders", RouteAccess::principal, &Impl::list_ros);
        add(Method::post, "/api/v1/repair-orders", RouteAccess::principal, &Impl::create_ro);
        add(Method::get, "/api/v1/repair-orders/{id}", RouteAccess::principal, &Impl::get_ro);
        add(Method::patch, "/api/v1/repair-orders/{id}", RouteAccess::principal, &Impl::update_ro);
        add(Method::del, "/api/v1/repair-orders/{id}", RouteAccess::principal, &Impl::delete_ro);
        add(Method::post, "/api/v1/repair-orders/{id}/handled", RouteAccess::principal, &Impl::mark_handled);
        add(Method::get, "/api/v1/repair-orders/{id}/timeline", RouteAccess::principal, &Impl::timeline);
        add(Method::get, "/api/v1/repair-orders/{id}/replies", RouteAccess::principal, &Impl::replies);
        add(Method::post, "/api/v1/repair-orders/{id}/replies/read", RouteAccess::user, &Impl::mark_replies_read);
        add(Method::get, "/api/v1/repair-orders/{id}/offers", RouteAccess::principal, &Impl::list_offers);
        add(Method::post, "/api/v1/repair-orders/{id}/offers", RouteAccess::principal, &Impl::send_offer);
        add(Method::post, "/api/v1/repair-orders/{id}/offers/preview", RouteAccess::principal, &Impl::preview_offer);
        add(Method::get, "/api/v1/offers/{id}", RouteAccess::principal, &Impl::get_offer);
        add(Method::post, "/api/v1/offers/{id}/lock", RouteAccess::principal, &Impl::lock_offer);
        add(Method::post, "/api/v1/offers/{id}/cancel", RouteAccess::principal, &Impl::cancel_offer);
        add(Method::post, "/api/v1/offers/{id}/resend", RouteAccess::principal, &Impl::resend_offer);
        add(Method::post, "/api/v1/offers/{id}/apply-answers", RouteAccess::principal, &Impl::apply_answers);

        add(Method::get, "/api/v1/repair-orders/{id}/parties", RouteAccess::principal, &Impl::list_parties);
        add(Method::post, "/api/v1/repair-orders/{id}/parties", RouteAccess::principal, &Impl::add_party);
        add(Method::get, "/api/v1/repair-orders/{id}/parties/{pid}", RouteAccess::principal, &Impl::get_party);
        add(Method::patch, "/api/v1/repair-orders/{id}/parties/{pid}", RouteAccess::principal, &Impl::update_party);
        add(Method::del, "/api/v1/repair-orders/{id}/parties/{pid}", RouteAccess::principal, &Impl::remove_party);
        add(Method::get, "/api/v1/repair-orders/{id}/parties/{pid}/contact-points", RouteAccess::principal,
            &Impl::list_contacts);
        add(Method::post, "/api/v1/repair-orders/{id}/parties/{pid}/contact-points", RouteAccess::principal,
            &Impl::add_contact);
        add(Method::patch, "/api/v1/repair-orders/{id}/parties/{pid}/contact-points/{cid}", RouteAccess::principal,
            &Impl::update_contact);
        add(Method::del, "/api/v1/repair-orders/{id}/parties/{pid}/contact-points/{cid}", RouteAccess::principal,
            &Impl::remove_contact);

        add(Method::get, "/api/v1/repair-orders/{id}/interventions", RouteAccess::principal, &Impl::list_items);
        add(Method::post, "/api/v1/repair-orders/{id}/interventions", RouteAccess::principal, &Impl::add_item);
        add(Method::get, "/api/v1/repair-orders/{id}/interventions/{iid}", RouteAccess::principal, &Impl::get_item);
        add(Method::patch, "/api/v1/repair-orders/{id}/interventions/{iid}", RouteAccess::principal,
            &Impl::update_item);
        add(Method::del, "/api/v1/repair-orders/{id}/interventions/{iid}", RouteAccess::principal, &Impl::remove_item);
    }

    // ---- session ----------------------------------------------------------------------------

    HttpResponse session_body(const Principal& p) {
        return json_response(
            200, {{"user", api_json::principal(p)}, {"csrf_token", p.csrf_token}, {"instance", d.instance}});
    }

    HttpResponse login(Ctx& ctx, const PathParams&) {
        LoginRequest lr;
        Problems problems;
        for (auto it = ctx.body.begin(); it != ctx.body.end(); ++it) {
            if (it.key() != "username" && it.key() != "password")
                problems.push_back({it.key(), "unknown_field", {}});
            else if (!it->is_string())
                problems.push_back({it.key(), "invalid_type", {{"expected", "string"}}});
        }
        if (!problems.empty()) return error_response(validation_error(problems), ctx.lang);
        lr.username = ctx.body.value("username", "");
        lr.password = ctx.body.value("password", "");
        lr.ip = ctx.req.peer;
        if (const std::string* ua = ctx.req.header("user-agent")) lr.user_agent = *ua;
        if (const std::string* dev = ctx.req.cookie(device_cookie)) lr.device_token = *dev;
        auto result = d.auth.login(lr);
        if (!result) return respond(ctx, result.error());
        // The old session (another user on this browser) ends with the new sign-in.
        if (const std::string* old = ctx.req.cookie(session_cookie)) (void)d.auth.logout(*old);
        ctx.lang =
            choose_language(result->principal.language, ctx.req.header("accept-language"), d.config.dealer.language);
        HttpResponse res = session_body(result->principal);
        SetCookie session;
        session.name = session_cookie;
        session.value = result->session_token;
        session.max_age_s = static_cast<int>((result->expires_at - d.clock.now()) / 1000);
        res.cookies.push_back(session);
        if (!result->device_token.empty()) {
            SetCookie device;
            device.name = device_cookie;
            device.value = result->device_token;
            device.max_age_s = 400 * 24 * 3600;  // browsers cap cookie lifetime at 400 days
            res.cookies.push_back(device);
        }
        return res;
    }

    HttpResponse current_session(Ctx& ctx, const PathParams&) { return session_body(*ctx.who); }

    // Who a live-update stream is for, so that it ends with that access (EventHub::close_for).
    static std::vector<std::string> stream_owners(const Principal& p) {
        if (p.kind == Principal::Kind::api_key) return {"api_key:" + std::to_string(p.id)};
        return {"user:" + std::to_string(p.id), "session:" + std::to_string(p.session_id)};
    }

    void end_streams(const std::string& owner) {
        if (d.events) d.events->close_for(owner);
    }

    HttpResponse logout(Ctx& ctx, const PathParams&) {
        if (const std::string* token = ctx.req.cookie(session_cookie)) {
            if (auto r = d.auth.logout(*token); !r) return respond(ctx, r.error());
        }
        if (ctx.who) end_streams("session:" + std::to_string(ctx.who->session_id));
        HttpResponse res = no_content();
        res.cookies.push_back(expired_cookie(session_cookie));
        return res;
    }

    HttpResponse change_password(Ctx& ctx, const PathParams&) {
        Problems problems;
        for (auto it = ctx.body.begin(); it != ctx.body.end(); ++it) {
            if (it.key() != "current_password" && it.key() != "new_password")
                problems.push_back({it.key(), "unknown_field", {}});
            else if (!it->is_string())
                problems.push_back({it.key(), "invalid_type", {{"expected", "string"}}});
        }
        if (!problems.empty()) return error_response(validation_error(problems), ctx.lang);
        auto r = d.auth.change_password(*ctx.who, ctx.body.value("current_password", ""),
                                        ctx.body.value("new_password", ""));
        if (!r) return respond(ctx, r.error());
        end_streams("user:" + std::to_string(ctx.who->id));  // its other sessions were signed out
        return no_content();
    }

    // A user's own preferences (today the language of the workspace and of API messages).
    HttpResponse update_own_settings(Ctx& ctx, const PathParams&) {
        Problems problems;
        UserPatch patch;
        for (auto it = ctx.body.begin(); it != ctx.body.end(); ++it) {
            if (it.key() != "language") {
                problems.push_back({it.key(), "unknown_field", {}});
            } else if (!it->is_string()) {
                problems.push_back({"language", "invalid_type", {{"expected", "string"}}});
            } else {
                patch.language = it->get<std::string>();
            }
        }
        if (!problems.empty()) return error_response(validation_error(problems), ctx.lang);
        auto user = d.auth.update_user(ctx.who->id, patch, *ctx.who);
        if (!user) return respond(ctx, user.error());
        Principal p = *ctx.who;
        p.language = user->language;
        ctx.lang = choose_language(p.language, ctx.req.header("accept-language"), d.config.dealer.language);
        return session_body(p);
    }

    HttpResponse settings(Ctx& ctx, const PathParams&) {
        const auto& dl = d.config.dealer;
        if (!ctx.who) {
            // What the sign-in page shows before anyone is signed in.
            return json_response(200, {{"dealer", {{"name", dl.name}, {"language", dl.language}}}});
        }
        return json_response(200, {{"dealer",
                                    {{"name", dl.name},
                                     {"language", dl.language},
                                     {"country", dl.country},
                                     {"currency", dl.currency},
                                     {"timezone", dl.timezone},
                                     {"default_vat_rate_bp", dl.default_vat_rate_bp}}},
                                   {"public_base_url", d.config.http.public_base_url},
                                   {"setup_done", setup_is_done.load()},
                                   {"version", RELAIS_VERSION}});
    }

    // ---- the workspace's settings (first-boot setup, Administration) ---------------------------

    std::atomic<bool> setup_is_done{d.config.setup_done};

    HttpResponse admin_settings(Ctx&, const PathParams&) {
        json j = settings_json(d.config, modem::list_serial_ports());
        j["setup_done"] = setup_is_done.load();
        return json_response(200, j);
    }

    HttpResponse update_admin_settings(Ctx& ctx, const PathParams&) {
        if (!d.save_settings || !d.restart)
            return respond(ctx, make_error(ErrorKind::unavailable, "settings_unavailable"));
        // Saved while relais stops (for another save, or for systemd), a change would apply
        // after a start nobody asked for, or never: the admin saves again once it is back.
        if (stopping()) return respond(ctx, shutting_down());
        SettingsBody body = read_settings_body(ctx.body);
        if (!body.problems.empty()) return error_response(validation_error(body.problems), ctx.lang);
        if (body.changes.empty()) return json_response(200, {{"restarting", false}});
        const ConfigLoad saved = d.save_settings(body.changes);
        if (!saved.config) {
            Problems problems;
            for (const auto& p : saved.problems) problems.push_back(setting_problem(p));
            return error_response(validation_error(problems), ctx.lang);
        }
        d.log->info("settings changed in the workspace by {}: {}; restarting to apply them", actor_of(*ctx.who).name,
                    [&] {
                        std::string keys;
                        for (const auto& c : body.changes) keys += (keys.empty() ? "" : ", ") + c.section + "." + c.key;
                        return keys;
                    }());
        d.restart();
        return json_response(202, {{"restarting", true}});
    }

    HttpResponse setup_done(Ctx& ctx, const PathParams&) {
        if (!d.save_settings) return respond(ctx, make_error(ErrorKind::unavailable, "settings_unavailable"));
        const ConfigLoad saved = d.save_settings({{"setup", "done", true}});
        if (!saved.config) return respond(ctx, internal_error(saved.problems.front().to_string()));
        setup_is_done = true;
        return no_content();
    }

    bool stopping() const { return d.stop && d.stop->stopping(); }

    static Error shutting_down() {
        Error e = make_error(ErrorKind::unavailable, "shutting_down");
        e.retry_after_s = 5;
        return e;
    }

    static json test_email_json(const TestEmail& t) {
        json j = {{"id", t.id}, {"to", t.to}, {"state", to_string(t.state)}, {"at", format_utc(t.at)}};
        // The relay's own words, shown to the admin as they came.
        if (t.state == TestEmail::State::sent) j["answer"] = t.answer;
        if (t.state == TestEmail::State::failed) j["error"] = t.answer;
        return j;
    }

    // {"to"}: 202 at once with the test's id; its outcome is read with GET …/test-email/{id}.
    HttpResponse test_email(Ctx& ctx, const PathParams&) {
        if (!d.test_emails) return respond(ctx, make_error(ErrorKind::unavailable, "settings_unavailable"));
        Problems problems;
        for (auto it = ctx.body.begin(); it != ctx.body.end(); ++it)
            if (it.key() != "to") problems.push_back({it.key(), "unknown_field", {}});
        std::string to;
        if (!ctx.body.contains("to") || !ctx.body["to"].is_string()) {
            problems.push_back({"to", "required", {}});
        } else if (auto address = normalize_email(ctx.body["to"].get<std::string>()); !address) {
            problems.push_back({"to", address.error().code, {{"value", ctx.body["to"].get<std::string>()}}});
        } else {
            to = *address;
        }
        if (!problems.empty()) return error_response(validation_error(problems), ctx.lang);
        // The core loop may stop before it sends: no outcome would ever come.
        if (stopping()) return respond(ctx, shutting_down());
        return json_response(202, test_email_json(d.test_emails->start(to)));
    }

    HttpResponse test_email_outcome(Ctx& ctx, const PathParams& p) {
        if (!d.test_emails) return respond(ctx, make_error(ErrorKind::unavailable, "settings_unavailable"));
        const auto found = d.test_emails->find(p.get("id"));
        if (!found) return respond(ctx, not_found_error("test_email"));
        return json_response(200, test_email_json(*found));
    }

    // ---- the modem ---------------------------------------------------------------------------

    json modem_json() {
        if (!d.modem) return {{"health", "disconnected"}, {"detail", d.modem_problem}};
        const modem::ModemStatus s = d.modem->status();
        json j = {{"health", modem::to_string(s.health)}, {"detail", s.detail},   {"signal", s.signal},
                  {"registered", s.registered},           {"roaming", s.roaming}, {"operator", s.operator_name},
                  {"manufacturer", s.manufacturer},       {"model", s.model},     {"device", d.modem->device()},
                  {"queued", d.modem->queued()}};
        if (const VirtualModem* v = d.modem->virtual_modem()) {
            j["emulated"] = {{"journal", v->journal()}, {"control", v->control()}};
        }
        return j;
    }

    static json cost_json(const modem::SmsCost& c) {
        return {{"encoding", modem::to_string(c.encoding)},
                {"characters", c.characters},
                {"units", c.units},
                {"parts", c.parts},
                {"transliterated", c.transliterated},
                {"text", c.text}};
    }

    // Server-sent events (event_hub.hpp): the workspace's live updates; a DMS may listen too.
    HttpResponse events(Ctx& ctx, const PathParams&) {
        if (!d.events) return respond(ctx, make_error(ErrorKind::unavailable, "events_unavailable"));
        if (d.events->full()) return respond(ctx, make_error(ErrorKind::unavailable, "too_many_streams"));
        if (d.events->full_for(stream_owners(*ctx.who).front())) {
            Error e = make_error(ErrorKind::throttled, "too_many_streams_for_you",
                                 {{"max", std::to_string(d.events->max_per_owner())}});
            e.retry_after_s = 60;
            return respond(ctx, e);
        }
        HttpResponse res;
        res.header("Content-Type", "text/event-stream; charset=utf-8");
        res.header("Cache-Control", "no-store");
        res.header("X-Accel-Buffering", "no");  // a reverse proxy must not hold the events back
        EventHub* hub = d.events;
        res.stream = [hub, owners = stream_owners(*ctx.who)](std::shared_ptr<StreamSink> sink) {
            if (!hub->subscribe(sink, std::chrono::steady_clock::now(), owners)) sink->close();
        };
        return res;
    }

    HttpResponse modem_status(Ctx& ctx, const PathParams&) {
        json j = modem_json();
        if (d.modem) {
            json tests = json::array();
            for (const TestSms& t : d.modem->recent_tests()) {
                tests.push_back({{"id", t.id},
                                 {"to", t.to},
                                 {"text", t.text},
                                 {"state", t.state},
                                 {"detail", t.detail},
                                 {"references", t.references},
                                 {"at", format_utc(t.at)}});
            }
            j["tests"] = tests;
        }
        auto inbound = d.db.read([](Connection& c) { return sms_store::recent_inbound(c, 10); });
        if (!inbound) return respond(ctx, inbound.error());
        json items = json::array();
        for (const auto& m : *inbound) {
            items.push_back(
                {{"from", m.sender}, {"text", m.text}, {"parts", m.parts}, {"received_at", format_utc(m.received_at)}});
        }
        j["inbound"] = items;
        return json_response(200, j);
    }

    // {"text", "transliterate"}: what an SMS would cost, before sending (the send dialog).
    HttpResponse sms_preview(Ctx& ctx, const PathParams&) {
        Problems problems;
        for (auto it = ctx.body.begin(); it != ctx.body.end(); ++it) {
            if (it.key() != "text" && it.key() != "transliterate") problems.push_back({it.key(), "unknown_field", {}});
        }
        if (!ctx.body.contains("text") || !ctx.body["text"].is_string()) problems.push_back({"text", "required", {}});
        if (ctx.body.contains("transliterate") && !ctx.body["transliterate"].is_boolean()) {
            problems.push_back({"transliterate", "invalid_type", {{"expected", "boolean"}}});
        }
        if (!problems.empty()) return error_response(validation_error(problems), ctx.lang);
        const auto t =
            ctx.body.value("transliterate", false) ? modem::Transliteration::to_gsm7 : modem::Transliteration::off;
        auto cost = modem::sms_cost(ctx.body["text"].get<std::string>(), t);
        if (!cost)
            return error_response(validation_error({{"text", cost.error().code, cost.error().params}}), ctx.lang);
        return json_response(200, cost_json(*cost));
    }

    HttpResponse test_sms(Ctx& ctx, const PathParams&) {
        if (!d.modem)
            return respond(ctx, make_error(ErrorKind::unavailable, "modem_unavailable", {{"detail", d.modem_problem}}));
        Problems problems;
        for (auto it = ctx.body.begin(); it != ctx.body.end(); ++it) {
            if (it.key() != "to" && it.key() != "text" && it.key() != "transliterate") {
                problems.push_back({it.key(), "unknown_field", {}});
            }
        }
        std::string to;
        if (!ctx.body.contains("to") || !ctx.body["to"].is_string()) {
            problems.push_back({"to", "required", {}});
        } else if (auto e164 = d.phones.normalize(ctx.body["to"].get<std::string>()); !e164) {
            problems.push_back({"to", e164.error().code, {{"value", ctx.body["to"].get<std::string>()}}});
        } else {
            to = *e164;
        }
        if (!ctx.body.contains("text") || !ctx.body["text"].is_string()) problems.push_back({"text", "required", {}});
        if (!problems.empty()) return error_response(validation_error(problems), ctx.lang);
        // The modem holds its queue while relais stops: the test would never leave.
        if (stopping()) return respond(ctx, shutting_down());
        const auto t =
            ctx.body.value("transliterate", false) ? modem::Transliteration::to_gsm7 : modem::Transliteration::off;
        auto sent = d.modem->send_test(to, ctx.body["text"].get<std::string>(), t);
        if (!sent)
            return error_response(validation_error({{"text", sent.error().code, sent.error().params}}), ctx.lang);
        return json_response(
            202, {{"id", sent->id}, {"to", sent->to}, {"state", sent->state}, {"cost", cost_json(sent->cost)}});
    }

    // ---- offers ------------------------------------------------------------------------------

    // The body of a send or its preview: {"recipients": [contact point ids], "note", "replace_seen"}.
    std::optional<SendOfferRequest> parse_send_request(Ctx& ctx, HttpResponse& problem) {
        Problems problems;
        SendOfferRequest req;
        for (auto it = ctx.body.begin(); it != ctx.body.end(); ++it)
            if (it.key() != "recipients" && it.key() != "note" && it.key() != "replace_seen" && it.key() != "send_at")
                problems.push_back({it.key(), "unknown_field", {}});
        if (!ctx.body.contains("recipients") || !ctx.body["recipients"].is_array()) {
            problems.push_back({"recipients", "required", {}});
        } else {
            const json& list = ctx.body["recipients"];
            for (std::size_t i = 0; i < list.size(); ++i) {
                // Each recipient is a contact point id, or {"contact_point_id": id}.
                const json& r = list[i];
                const json& v = r.is_object() ? r.value("contact_point_id", json()) : r;
                if (!v.is_number_integer()) {
                    problems.push_back({"recipients[" + std::to_string(i) + "]", "expected_contact_point_id", {}});
                } else {
                    req.contact_point_ids.push_back(v.get<Id>());
                }
            }
        }
        if (ctx.body.contains("note")) {
            if (!ctx.body["note"].is_string())
                problems.push_back({"note", "expected_string", {}});
            else
                req.note = ctx.body["note"].get<std::string>();
        }
        if (ctx.body.contains("send_at") && !ctx.body["send_at"].is_null()) {
            const json& v = ctx.body["send_at"];
            auto at = v.is_string() ? parse_date_time(v.get<std::string>(), d.zone) : std::nullopt;
            if (at)
                req.send_at = *at;
            else
                problems.push_back({"send_at", "invalid_date", {}});
        }
        if (ctx.body.contains("replace_seen")) {
            if (!ctx.body["replace_seen"].is_boolean())
                problems.push_back({"replace_seen", "expected_boolean", {}});
            else
                req.replace_seen = ctx.body["replace_seen"].get<bool>();
        }
        if (!problems.empty()) {
            problem = error_response(validation_error(problems), ctx.lang);
            return std::nullopt;
        }
        return req;
    }

    // The id in an offer route's path, once the offer service is known to be running.
    Result<Id> offer_route_id(const PathParams& p, const char* resource) const {
        if (!d.offers) return make_error(ErrorKind::unavailable, "offers_unavailable");
        const auto id = p.id("id");
        if (!id) return not_found_error(resource);
        return *id;
    }

    HttpResponse send_offer(Ctx& ctx, const PathParams& p) {
        const auto id = offer_route_id(p, "repair_order");
        if (!id) return respond(ctx, id.error());
        HttpResponse problem;
        auto req = parse_send_request(ctx, problem);
        if (!req) return problem;
        auto offer = d.offers->send(*id, *req, actor_of(*ctx.who));
        if (!offer) return respond(ctx, offer.error());
        return json_response(201, offer_json::offer(*offer, d.phones));
    }

    HttpResponse preview_offer(Ctx& ctx, const PathParams& p) {
        const auto id = offer_route_id(p, "repair_order");
        if (!id) return respond(ctx, id.error());
        HttpResponse problem;
        auto req = parse_send_request(ctx, problem);
        if (!req) return problem;
        auto preview = d.offers->preview(*id, *req);
        if (!preview) return respond(ctx, preview.error());
        json messages = json::array();
        for (const auto& m : preview->messages) {
            json j = {{"contact_point_id", m.recipient.contact_point_id ? json(*m.recipient.contact_point_id) : json()},
                      {"channel", to_string(m.recipient.channel)},
                      {"address", m.recipient.address},
                      {"name", m.recipient.name},
                      {"language", m.recipient.language},
                      {"subject", m.text.subject},
                      {"text", m.text.text},
                      {"html", m.text.html}};
            if (m.recipient.channel == Channel::sms) {
                auto cost = modem::sms_cost(m.text.text, modem::Transliteration::off);
                if (cost) j["sms"] = cost_json(*cost);
            }
            messages.push_back(std::move(j));
        }
        json offer = offer_json::offer(preview->offer, d.phones);
        return json_response(200, {{"items", offer["items"]},
                                   {"total_incl_cents", offer["total_incl_cents"]},
                                   {"note", offer["note"]},
                                   {"agreements", offer["agreements"]},
                                   {"messages", messages}});
    }

    HttpResponse list_offers(Ctx& ctx, const PathParams& p) {
        const auto id = offer_route_id(p, "repair_order");
        if (!id) return respond(ctx, id.error());
        auto ro = d.repair_orders.get(*id);
        if (!ro) return respond(ctx, ro.error());
        auto offers = d.offers->for_repair_order(*id);
        if (!offers) return respond(ctx, offers.error());
        json items = json::array();
        for (const Offer& o : *offers) items.push_back(offer_json::offer(o, d.phones));
        return json_response(200, {{"items", items}});
    }

    HttpResponse get_offer(Ctx& ctx, const PathParams& p) {
        const auto id = offer_route_id(p, "offer");
        if (!id) return respond(ctx, id.error());
        auto offer = d.offers->get(*id);
        if (!offer) return respond(ctx, offer.error());
        return json_response(200, offer_json::offer(*offer, d.phones));
    }

    // {"drafts": true} applies answers the customer has not confirmed yet; without it they are
    // refused (409), so that a DMS cannot act on drafts by mistake either.
    HttpResponse apply_answers(Ctx& ctx, const PathParams& p) {
        const auto id = offer_route_id(p, "offer");
        if (!id) return respond(ctx, id.error());
        Problems problems;
        for (auto it = ctx.body.begin(); it != ctx.body.end(); ++it) {
            if (it.key() != "drafts") problems.push_back({it.key(), "unknown_field", {}});
        }
        if (ctx.body.contains("drafts") && !ctx.body["drafts"].is_boolean())
            problems.push_back({"drafts", "invalid_type", {{"expected", "boolean"}}});
        if (!problems.empty()) return error_response(validation_error(problems), ctx.lang);
        const auto answers =
            ctx.body.value("drafts", false) ? OfferService::Answers::drafts_too : OfferService::Answers::confirmed_only;
        auto changed = d.offers->apply_answers(*id, actor_of(*ctx.who), answers);
        if (!changed) return respond(ctx, changed.error());
        auto offer = d.offers->get(*id);
        if (!offer) return respond(ctx, offer.error());
        auto ro = d.repair_orders.get(offer->ro_id);
        if (!ro) return respond(ctx, ro.error());
        return json_response(200, {{"changed", *changed}, {"repair_order", api_json::repair_order(*ro, d.phones)}});
    }

    HttpResponse lock_offer(Ctx& ctx, const PathParams& p) {
        const auto id = offer_route_id(p, "offer");
        if (!id) return respond(ctx, id.error());
        auto offer = d.offers->lock(*id, actor_of(*ctx.who));
        if (!offer) return respond(ctx, offer.error());
        return json_response(200, offer_json::offer(*offer, d.phones));
    }

    HttpResponse cancel_offer(Ctx& ctx, const PathParams& p) {
        const auto id = offer_route_id(p, "offer");
        if (!id) return respond(ctx, id.error());
        auto offer = d.offers->cancel(*id, actor_of(*ctx.who));
        if (!offer) return respond(ctx, offer.error());
        return json_response(200, offer_json::offer(*offer, d.phones));
    }

    HttpResponse resend_offer(Ctx& ctx, const PathParams& p) {
        const auto id = offer_route_id(p, "offer");
        if (!id) return respond(ctx, id.error());
        auto offer = d.offers->resend(*id, actor_of(*ctx.who));
        if (!offer) return respond(ctx, offer.error());
        return json_response(200, offer_json::offer(*offer, d.phones));
    }

    // ---- users and API keys ---------------------------------------------------------------

    HttpResponse list_users(Ctx& ctx, const PathParams&) {
        auto users = d.auth.list_users();
        if (!users) return respond(ctx, users.error());
        json items = json::array();
        for (const User& u : *users) items.push_back(api_json::user(u));
        return json_response(200, {{"items", items}});
    }

    HttpResponse get_user(Ctx& ctx, const PathParams& p) {
        auto users = d.auth.list_users();
        if (!users) return respond(ctx, users.error());
        for (const User& u : *users) {
            if (p.id("id") && u.id == *p.id("id")) return json_response(200, api_json::user(u));
        }
        return respond(ctx, not_found_error("user"));
    }

    HttpResponse create_user(Ctx& ctx, const PathParams&) {
        Problems problems;
        NewUser nu = api_json::parse_new_user(ctx.body, problems);
        if (!problems.empty()) return error_response(validation_error(problems), ctx.lang);
        auto user = d.auth.create_user(nu);
        if (!user) return respond(ctx, user.error());
        return json_response(201, api_json::user(*user));
    }

    HttpResponse update_user(Ctx& ctx, const PathParams& p) {
        const auto id = p.id("id");
        if (!id) return respond(ctx, not_found_error("user"));
        Problems problems;
        UserPatch patch = api_json::parse_user_patch(ctx.body, problems);
        if (!problems.empty()) return error_response(validation_error(problems), ctx.lang);
        auto user = d.auth.update_user(*id, patch, *ctx.who);
        if (!user) return respond(ctx, user.error());
        // Disabled, or a new password set by an admin: their open pages stop getting events.
        if (!user->active || patch.password) end_streams("user:" + std::to_string(*id));
        return json_response(200, api_json::user(*user));
    }

    HttpResponse list_keys(Ctx& ctx, const PathParams&) {
        auto keys = d.auth.list_api_keys();
        if (!keys) return respond(ctx, keys.error());
        json items = json::array();
        for (const auto& k : *keys) items.push_back(api_json::api_key(k));
        return json_response(200, {{"items", items}});
    }

    HttpResponse create_key(Ctx& ctx, const PathParams&) {
        Problems problems;
        for (auto it = ctx.body.begin(); it != ctx.body.end(); ++it) {
            if (it.key() != "name") problems.push_back({it.key(), "unknown_field", {}});
        }
        if (ctx.body.contains("name") && !ctx.body["name"].is_string()) {
            problems.push_back({"name", "invalid_type", {{"expected", "string"}}});
        }
        if (!problems.empty()) return error_response(validation_error(problems), ctx.lang);
        auto key = d.auth.create_api_key(ctx.body.value("name", ""), ctx.who->id);
        if (!key) return respond(ctx, key.error());
        return json_response(201, {{"api_key", api_json::api_key(key->record)}, {"key", key->key}});
    }

    HttpResponse revoke_key(Ctx& ctx, const PathParams& p) {
        const auto id = p.id("id");
        if (!id) return respond(ctx, not_found_error("api_key"));
        if (auto r = d.auth.revoke_api_key(*id); !r) return respond(ctx, r.error());
        end_streams("api_key:" + std::to_string(*id));
        return no_content();
    }

    // ---- agreements ("conditions"), written by a dealer admin ----------------------------

    HttpResponse list_agreements(Ctx& ctx, const PathParams&) {
        auto list = agreements.list();
        if (!list) return respond(ctx, list.error());
        json items = json::array();
        for (const auto& a : *list) items.push_back(api_json::agreement(a));
        return json_response(200, {{"items", items}});
    }

    HttpResponse get_agreement(Ctx& ctx, const PathParams& p) {
        const auto id = p.id("id");
        if (!id) return respond(ctx, not_found_error("agreement"));
        auto a = agreements.get(*id);
        if (!a) return respond(ctx, a.error());
        return json_response(200, api_json::agreement(*a));
    }

    HttpResponse create_agreement(Ctx& ctx, const PathParams&) {
        Problems problems;
        AgreementPatch patch = api_json::parse_agreement(ctx.body, problems);
        if (!problems.empty()) return error_response(validation_error(problems), ctx.lang);
        auto a = agreements.create(patch, actor_of(*ctx.who));
        if (!a) return respond(ctx, a.error());
        return json_response(201, api_json::agreement(*a));
    }

    HttpResponse update_agreement(Ctx& ctx, const PathParams& p) {
        const auto id = p.id("id");
        if (!id) return respond(ctx, not_found_error("agreement"));
        Problems problems;
        AgreementPatch patch = api_json::parse_agreement(ctx.body, problems);
        if (!problems.empty()) return error_response(validation_error(problems), ctx.lang);
        auto a = agreements.update(*id, patch, actor_of(*ctx.who));
        if (!a) return respond(ctx, a.error());
        return json_response(200, api_json::agreement(*a));
    }

    // ---- repair orders ----------------------------------------------------------------------

    std::optional<UnixMs> query_date(const Ctx& ctx, const char* name, bool end_of_day, Problems& problems) {
        const std::string* v = ctx.req.query_param(name);
        if (!v || v->empty()) return std::nullopt;
        auto t = parse_date_time(*v, d.zone);
        if (!t) {
            problems.push_back({std::string("query.") + name, "invalid_date", {}});
            return std::nullopt;
        }
        if (end_of_day && v->size() == 10) {
            // "to=2026-11-30" includes the whole of that day: up to the next local midnight.
            CivilTime c = d.zone.to_local(*t + 36 * 3600'000LL);
            c.hour = c.minute = c.second = 0;
            return d.zone.to_utc(c);
        }
        return t;
    }

    std::optional<long long> query_int(const Ctx& ctx, const char* name, long long min, long long max,
                                       Problems& problems) {
        const std::string* v = ctx.req.query_param(name);
        if (!v || v->empty()) return std::nullopt;
        if (v->size() > 9 || !std::all_of(v->begin(), v->end(), [](char c) { return c >= '0' && c <= '9'; }) ||
            std::stoll(*v) < min || std::stoll(*v) > max) {
            problems.push_back({std::string("query.") + name,
                                "out_of_range",
                                {{"min", std::to_string(min)}, {"max", std::to_string(max)}}});
            return std::nullopt;
        }
        return std::stoll(*v);
    }

    HttpResponse list_ros(Ctx& ctx, const PathParams&) {
        RepairOrderQuery q;
        Problems problems;
        if (const std::string* text = ctx.req.query_param("q")) {
            if (text->size() > 200) {
                problems.push_back({"query.q", "too_long", {{"max", "200"}}});
            } else {
                q.text = *text;
            }
        }
        if (const std::string* statuses = ctx.req.query_param("status")) {
            // A list: each value once, and no more values than make sense.
            constexpr std::size_t max_values = 20;
            std::size_t start = 0, values = 0;
            while (start <= statuses->size()) {
                std::size_t end = statuses->find(',', start);
                if (end == std::string::npos) end = statuses->size();
                const std::string name(trim(std::string_view(*statuses).substr(start, end - start)));
                if (!name.empty() && ++values > max_values) {
                    HttpResponse r = error_response(
                        validation_error({{"query.status", "too_many_values", {{"max", std::to_string(max_values)}}}}),
                        ctx.lang);
                    r.status = 400;
                    return r;
                }
                if (!name.empty()) {
                    if (auto st = parse_enum<RoStatus>(name)) {
                        if (std::find(q.statuses.begin(), q.statuses.end(), *st) == q.statuses.end())
                            q.statuses.push_back(*st);
                    } else {
                        problems.push_back({"query.status", "invalid_choice", {{"choices", enum_choices<RoStatus>()}}});
                        break;
                    }
                }
                start = end + 1;
            }
        }
        if (const std::string* advisor = ctx.req.query_param("advisor")) {
            if (*advisor == "me") {
                if (ctx.who->kind == Principal::Kind::user) q.advisor_id = ctx.who->id;
            } else if (*advisor == "none") {
                q.unassigned = true;
            } else if (!advisor->empty()) {
                if (auto id = query_int(ctx, "advisor", 1, 999999999, problems)) q.advisor_id = *id;
            }
        }
        if (const std::string* field = ctx.req.query_param("date")) {
            if (*field == "promised") {
                q.date_field = RepairOrderQuery::DateField::promised;
            } else if (*field != "created" && !field->empty()) {
                problems.push_back({"query.date", "invalid_choice", {{"choices", "created, promised"}}});
            }
        }
        q.from = query_date(ctx, "from", false, problems);
        q.to = query_date(ctx, "to", true, problems);
        if (const std::string* sort = ctx.req.query_param("sort")) {
            if (*sort == "oldest")
                q.sort = RepairOrderQuery::Sort::oldest;
            else if (*sort == "promised")
                q.sort = RepairOrderQuery::Sort::promised;
            else if (*sort == "number")
                q.sort = RepairOrderQuery::Sort::number;
            else if (*sort != "newest" && !sort->empty())
                problems.push_back({"query.sort", "invalid_choice", {{"choices", "newest, oldest, promised, number"}}});
        }
        if (const std::string* attention = ctx.req.query_param("attention")) {
            if (*attention == "true")
                q.attention = true;
            else if (*attention != "false" && !attention->empty())
                problems.push_back({"query.attention", "invalid_choice", {{"choices", "true, false"}}});
        }
        if (auto page = query_int(ctx, "page", 1, 100000, problems)) q.page = static_cast<int>(*page);
        if (auto per = query_int(ctx, "per_page", 1, 200, problems)) q.per_page = static_cast<int>(*per);
        if (!problems.empty()) return error_response(validation_error(problems), ctx.lang);
        auto page = d.repair_orders.list(q);
        if (!page) return respond(ctx, page.error());
        return json_response(200, api_json::page(*page));
    }

    HttpResponse ro_response(int status, const RepairOrder& ro) {
        HttpResponse r = json_response(status, api_json::repair_order(ro, d.phones));
        r.header("ETag", etag_of(ro.version));
        if (status == 201) r.header("Location", "/api/v1/repair-orders/" + std::to_string(ro.id));
        return r;
    }

    HttpResponse create_ro(Ctx& ctx, const PathParams&) {
        Problems problems;
        RepairOrderPatch patch = api_json::parse_repair_order(ctx.body, true, d.zone, problems);
        if (!problems.empty()) return error_response(validation_error(problems), ctx.lang);
        auto ro = d.repair_orders.create(patch, actor_of(*ctx.who));
        if (!ro) return respond(ctx, ro.error());
        return ro_response(201, *ro);
    }

    HttpResponse get_ro(Ctx& ctx, const PathParams& p) {
        const auto id = p.id("id");
        if (!id) return respond(ctx, not_found_error("repair_order"));
        auto ro = d.repair_orders.get(*id);
        if (!ro) return respond(ctx, ro.error());
        return ro_response(200, *ro);
    }

    HttpResponse update_ro(Ctx& ctx, const PathParams& p) {
        Target t;
        if (auto bad = target(ctx, p, {{"id", "repair_order"}}, t)) return *bad;
        RepairOrderPatch patch = api_json::parse_repair_order(ctx.body, false, d.zone, t.problems);
        if (!t.problems.empty()) return shape_problems(ctx, t.problems);
        auto ro = d.repair_orders.update(t.ids[0], patch, t.version, actor_of(*ctx.who));
        if (!ro) return respond(ctx, ro.error());
        return ro_response(200, *ro);
    }

    HttpResponse replies(Ctx& ctx, const PathParams& p) {
        const auto id = p.id("id");
        if (!id) return respond(ctx, not_found_error("repair_order"));
        auto replies = d.repair_orders.replies(*id);
        if (!replies) return respond(ctx, replies.error());
        json items = json::array();
        std::size_t unread = 0;
        for (const CustomerReply& r : *replies) {
            items.push_back(api_json::reply(r, d.phones));
            if (!r.read_at) ++unread;
        }
        return json_response(200, {{"items", items}, {"unread", unread}});
    }

    HttpResponse mark_replies_read(Ctx& ctx, const PathParams& p) {
        const auto id = p.id("id");
        if (!id) return respond(ctx, not_found_error("repair_order"));
        auto marked = d.repair_orders.mark_replies_read(*id, actor_of(*ctx.who));
        if (!marked) return respond(ctx, marked.error());
        return json_response(200, {{"marked", *marked}});
    }

    HttpResponse mark_handled(Ctx& ctx, const PathParams& p) {
        const auto id = p.id("id");
        if (!id) return respond(ctx, not_found_error("repair_order"));
        if (auto done = d.repair_orders.mark_handled(*id, actor_of(*ctx.who)); !done) return respond(ctx, done.error());
        return no_content();
    }

    HttpResponse delete_ro(Ctx& ctx, const PathParams& p) {
        Target t;
        if (auto bad = target(ctx, p, {{"id", "repair_order"}}, t)) return *bad;
        const bool any_advisor = ctx.who->kind != Principal::Kind::user || ctx.who->role == UserRole::dealer_admin;
        if (auto done = d.repair_orders.remove(t.ids[0], t.version, actor_of(*ctx.who), any_advisor); !done)
            return respond(ctx, done.error());
        return no_content();
    }

    HttpResponse timeline(Ctx& ctx, const PathParams& p) {
        const auto id = p.id("id");
        if (!id) return respond(ctx, not_found_error("repair_order"));
        auto events = d.repair_orders.timeline(*id);
        if (!events) return respond(ctx, events.error());
        json items = json::array();
        for (const Event& e : *events) items.push_back(api_json::event(e));
        return json_response(200, {{"items", items}});
    }

    // Sub-resources answer with the item and the RO's new version in ETag.
    template <class T, class ToJson>
    HttpResponse changed(const Ctx& ctx, int status, const Result<Changed<T>>& c, ToJson to_json) {
        if (!c) return respond(ctx, c.error());
        HttpResponse r = json_response(status, to_json(c->item));
        r.header("ETag", etag_of(c->ro_version));
        return r;
    }

    HttpResponse removed(const Ctx& ctx, const Result<std::int64_t>& version) {
        if (!version) return respond(ctx, version.error());
        HttpResponse r = no_content();
        r.header("ETag", etag_of(*version));
        return r;
    }

    // What every change to a part of an RO starts with: the ids in the path (each named by
    // what a missing one is: {"pid", "party"}), If-Match, and the body's shape problems.
    struct Target {
        std::vector<Id> ids;
        std::optional<std::int64_t> version;
        Problems problems;
    };

    std::optional<HttpResponse> target(Ctx& ctx, const PathParams& p,
                                       std::initializer_list<std::pair<const char*, const char*>> names, Target& t) {
        for (const auto& [param, what] : names) {
            const auto id = p.id(param);
            if (!id) return respond(ctx, not_found_error(what));
            t.ids.push_back(*id);
        }
        std::optional<HttpResponse> bad;
        t.version = if_match(ctx, bad);
        return bad;
    }

    HttpResponse shape_problems(const Ctx& ctx, const Problems& problems) {
        return error_response(validation_error(problems), ctx.lang);
    }

    // A part of an RO, read: the RO's version goes in ETag like for changes.
    template <class Find>
    HttpResponse read_part(Ctx& ctx, const PathParams& p, Find find) {
        const auto id = p.id("id");
        if (!id) return respond(ctx, not_found_error("repair_order"));
        auto ro = d.repair_orders.get(*id);
        if (!ro) return respond(ctx, ro.error());
        Result<json> body = find(*ro);
        if (!body) return respond(ctx, body.error());
        HttpResponse r = json_response(200, *body);
        r.header("ETag", etag_of(ro->version));
        return r;
    }

    const Party* party_in(const RepairOrder& ro, const PathParams& p) {
        for (const Party& party : ro.parties) {
            if (p.id("pid") && party.id == *p.id("pid")) return &party;
        }
        return nullptr;
    }

    HttpResponse list_parties(Ctx& ctx, const PathParams& p) {
        return read_part(ctx, p, [&](const RepairOrder& ro) -> Result<json> {
            json items = json::array();
            for (const Party& party : ro.parties) items.push_back(api_json::party(party, d.phones));
            return json{{"items", items}};
        });
    }

    HttpResponse get_party(Ctx& ctx, const PathParams& p) {
        return read_part(ctx, p, [&](const RepairOrder& ro) -> Result<json> {
            const Party* party = party_in(ro, p);
            if (!party) return not_found_error("party");
            return api_json::party(*party, d.phones);
        });
    }

    HttpResponse list_contacts(Ctx& ctx, const PathParams& p) {
        return read_part(ctx, p, [&](const RepairOrder& ro) -> Result<json> {
            const Party* party = party_in(ro, p);
            if (!party) return not_found_error("party");
            json items = json::array();
            for (const ContactPoint& cp : party->contact_points) items.push_back(api_json::contact_point(cp, d.phones));
            return json{{"items", items}};
        });
    }

    HttpResponse list_items(Ctx& ctx, const PathParams& p) {
        return read_part(ctx, p, [&](const RepairOrder& ro) -> Result<json> {
            json items = json::array();
            for (const Intervention& it : ro.interventions) items.push_back(api_json::intervention(it));
            return json{{"items", items}};
        });
    }

    HttpResponse get_item(Ctx& ctx, const PathParams& p) {
        return read_part(ctx, p, [&](const RepairOrder& ro) -> Result<json> {
            for (const Intervention& it : ro.interventions) {
                if (p.id("iid") && it.id == *p.id("iid")) return api_json::intervention(it);
            }
            return not_found_error("intervention");
        });
    }

    HttpResponse add_party(Ctx& ctx, const PathParams& p) {
        Target t;
        if (auto bad = target(ctx, p, {{"id", "repair_order"}}, t)) return *bad;
        PartyPatch patch = api_json::parse_party(ctx.body, true, "", t.problems);
        if (!t.problems.empty()) return shape_problems(ctx, t.problems);
        return changed(ctx, 201, d.repair_orders.add_party(t.ids[0], patch, t.version, actor_of(*ctx.who)),
                       [&](const Party& x) { return api_json::party(x, d.phones); });
    }

    HttpResponse update_party(Ctx& ctx, const PathParams& p) {
        Target t;
        if (auto bad = target(ctx, p, {{"id", "repair_order"}, {"pid", "party"}}, t)) return *bad;
        PartyPatch patch = api_json::parse_party(ctx.body, false, "", t.problems);
        if (!t.problems.empty()) return shape_problems(ctx, t.problems);
        return changed(ctx, 200, d.repair_orders.update_party(t.ids[0], t.ids[1], patch, t.version, actor_of(*ctx.who)),
                       [&](const Party& x) { return api_json::party(x, d.phones); });
    }

    HttpResponse remove_party(Ctx& ctx, const PathParams& p) {
        Target t;
        if (auto bad = target(ctx, p, {{"id", "repair_order"}, {"pid", "party"}}, t)) return *bad;
        return removed(ctx, d.repair_orders.remove_party(t.ids[0], t.ids[1], t.version, actor_of(*ctx.who)));
    }

    HttpResponse add_contact(Ctx& ctx, const PathParams& p) {
        Target t;
        if (auto bad = target(ctx, p, {{"id", "repair_order"}, {"pid", "party"}}, t)) return *bad;
        ContactPointPatch patch = api_json::parse_contact_point(ctx.body, "", t.problems);
        if (!t.problems.empty()) return shape_problems(ctx, t.problems);
        return changed(ctx, 201,
                       d.repair_orders.add_contact_point(t.ids[0], t.ids[1], patch, t.version, actor_of(*ctx.who)),
                       [&](const ContactPoint& x) { return api_json::contact_point(x, d.phones); });
    }

    HttpResponse update_contact(Ctx& ctx, const PathParams& p) {
        Target t;
        if (auto bad = target(ctx, p, {{"id", "repair_order"}, {"pid", "party"}, {"cid", "contact_point"}}, t)) {
            return *bad;
        }
        ContactPointPatch patch = api_json::parse_contact_point(ctx.body, "", t.problems);
        if (!t.problems.empty()) return shape_problems(ctx, t.problems);
        return changed(
            ctx, 200,
            d.repair_orders.update_contact_point(t.ids[0], t.ids[1], t.ids[2], patch, t.version, actor_of(*ctx.who)),
            [&](const ContactPoint& x) { return api_json::contact_point(x, d.phones); });
    }

    HttpResponse remove_contact(Ctx& ctx, const PathParams& p) {
        Target t;
        if (auto bad = target(ctx, p, {{"id", "repair_order"}, {"pid", "party"}, {"cid", "contact_point"}}, t)) {
            return *bad;
        }
        return removed(
            ctx, d.repair_orders.remove_contact_point(t.ids[0], t.ids[1], t.ids[2], t.version, actor_of(*ctx.who)));
    }

    HttpResponse add_item(Ctx& ctx, const PathParams& p) {
        Target t;
        if (auto bad = target(ctx, p, {{"id", "repair_order"}}, t)) return *bad;
        InterventionPatch patch = api_json::parse_intervention(ctx.body, "", t.problems);
        if (!t.problems.empty()) return shape_problems(ctx, t.problems);
        return changed(ctx, 201, d.repair_orders.add_intervention(t.ids[0], patch, t.version, actor_of(*ctx.who)),
                       [](const Intervention& x) { return api_json::intervention(x); });
    }

    // `"change_agreed": true` in the body (a PATCH) or `?change_agreed=true` (a DELETE) says
    // that changing what the customer agreed to is wanted; without it such a change is a 409
    // (`agreed_by_customer`), so that neither an advisor nor a DMS changes an agreed price silently.
    HttpResponse update_item(Ctx& ctx, const PathParams& p) {
        Target t;
        if (auto bad = target(ctx, p, {{"id", "repair_order"}, {"iid", "intervention"}}, t)) return *bad;
        AgreedChange agreed = AgreedChange::refuse;
        if (auto it = ctx.body.find("change_agreed"); it != ctx.body.end()) {
            if (!it->is_boolean()) {
                t.problems.push_back({"change_agreed", "invalid_type", {{"expected", "boolean"}}});
            } else if (it->get<bool>()) {
                agreed = AgreedChange::allow;
            }
            ctx.body.erase(it);
        }
        InterventionPatch patch = api_json::parse_intervention(ctx.body, "", t.problems);
        if (!t.problems.empty()) return shape_problems(ctx, t.problems);
        return changed(
            ctx, 200,
            d.repair_orders.update_intervention(t.ids[0], t.ids[1], patch, t.version, actor_of(*ctx.who), agreed),
            [](const Intervention& x) { return api_json::intervention(x); });
    }

    HttpResponse remove_item(Ctx& ctx, const PathParams& p) {
        Target t;
        if (auto bad = target(ctx, p, {{"id", "repair_order"}, {"iid", "intervention"}}, t)) return *bad;
        AgreedChange agreed = AgreedChange::refuse;
        if (const std::string* v = ctx.req.query_param("change_agreed")) {
            if (*v != "true" && *v != "false") {
                return error_response(
                    validation_error({{"query.change_agreed", "invalid_choice", {{"choices", "true, false"}}}}),
                    ctx.lang);
            }
            if (*v == "true") agreed = AgreedChange::allow;
        }
        return removed(ctx,
                       d.repair_orders.remove_intervention(t.ids[0], t.ids[1], t.version, actor_of(*ctx.who), agreed));
    }

    // ---- HTTPS --------------------------------------------------------------------------------

    // What the admin page and /healthz say of the certificate (docs/API.md).
    json certificate_json() const {
        if (!d.certificates) return {{"state", "off"}};
        const CertificateStatus st = d.certificates->status();
        const std::int64_t now = d.clock.now() / 1000;
        json j = {{"state", std::string(to_string(st.state()))},
                  {"source", to_string(st.source)},
                  {"name", st.name},
                  {"customers_see_warning", st.self_signed},
                  {"names", st.facts.names},
                  {"issuer", st.facts.issuer},
                  {"not_before", st.facts.not_before},
                  {"not_after", st.facts.not_after},
                  {"days_left", (st.facts.not_after - now) / 86400},
                  {"failures", st.failures}};
        if (st.next_attempt_at) j["next_attempt_at"] = st.next_attempt_at;
        if (!st.last_error.empty()) {
            j["last_error"] = st.last_error;
            j["last_error_at"] = st.last_error_at;
        }
        if (st.last_issued_at) j["last_issued_at"] = st.last_issued_at;
        return j;
    }

    HttpResponse certificate(Ctx&, const PathParams&) { return json_response(200, certificate_json()); }

    HttpResponse renew_certificate(Ctx& ctx, const PathParams&) {
        if (!d.certificates || d.config.tls.certificate != Config::Tls::Source::acme)
            return error_response(make_error(ErrorKind::conflict, "certificate_not_acme"), ctx.lang);
        if (auto asked = d.certificates->renew_now(); !asked) return error_response(asked.error(), ctx.lang);
        return json_response(202, certificate_json());
    }

    // ---- health and the workspace's files ----------------------------------------------------

    HttpResponse health() {
        json db_state;
        auto version = d.db.read([](Connection& c) { return schema_version(c); });
        if (version) {
            db_state = {{"status", "ok"}, {"schema_version", *version}};
        } else {
            db_state = {{"status", "error"}, {"error", version.error().detail}};
        }
        const bool ok = version.ok();
        json m = modem_json();
        json body = {{"status", ok ? "ok" : "degraded"},
                     {"version", RELAIS_VERSION},
                     {"instance", d.instance},
                     {"database", db_state},
                     {"modem", {{"health", m["health"]}, {"detail", m["detail"]}}},
                     {"mail", {{"transport", d.mail ? d.mail->describe() : "none"}}},
                     {"uptime_s", (d.clock.now() - started_at) / 1000}};
        // What the limits of docs/SECURITY.md are doing: an operator sees a flood or a guesser.
        if (d.listeners) {
            json listeners = json::object();
            for (const auto& [name, st] : d.listeners())
                listeners[name] = {{"open", st.open},
                                   {"accepted", st.accepted},
                                   {"refused_per_address", st.refused_per_address},
                                   {"at_capacity", st.at_capacity},
                                   {"descriptor_pauses", st.descriptor_pauses},
                                   {"timed_out", st.timed_out},
                                   {"bad_requests", st.bad_requests},
                                   {"tls_handshakes", st.tls_handshakes},
                                   {"tls_resumed", st.tls_resumed},
                                   {"tls_failed", st.tls_failed}};
            body["connections"] = listeners;
        }
        if (d.customers) {
            const LinkGuessStats g = d.customers->guess_stats();
            body["links"] = {{"unknown", g.unknown}, {"throttled", g.throttled}};
        }
        body["certificate"] = certificate_json();
        return json_response(ok ? 200 : 503, body);
    }

    // Prometheus' text format for the dealership's IT (docs/API.md, "Metrics"): like /healthz,
    // on the lan listener only and without signing in; counts, never names or numbers.
    HttpResponse metrics() {
        std::vector<MetricFamily> f;
        const auto gauge = [&](std::string name, std::string help, double value,
                               std::vector<std::pair<std::string, std::string>> labels = {}) {
            f.push_back({std::move(name), std::move(help), "gauge", {{std::move(labels), value}}});
        };
        gauge("relais_info", "The running relais; its version is the label.", 1, {{"version", RELAIS_VERSION}});
        gauge("relais_uptime_seconds", "Seconds since relais started.",
              static_cast<double>((d.clock.now() - started_at) / 1000));
        const auto version = d.db.read([](Connection& c) { return schema_version(c); });
        gauge("relais_database_up", "1 when the database answers.", version ? 1 : 0);

        // The outbox: messages per channel and state (pending and sending are the queue).
        static constexpr const char* channels[] = {"sms", "email"};
        static constexpr const char* states[] = {"pending", "sending", "sent", "delivered", "failed", "quarantined"};
        auto counts = d.db.read([](Connection& c) -> Result<std::map<std::pair<std::string, std::string>, double>> {
            TRY_ASSIGN(auto s, c.prepare("SELECT channel, state, count(*) FROM outbox GROUP BY channel, state"));
            std::map<std::pair<std::string, std::string>, double> m;
            while (true) {
                TRY_ASSIGN(bool row, s.step());
                if (!row) break;
                m[{s.text(0), s.text(1)}] = static_cast<double>(s.int64(2));
            }
            return m;
        });
        if (counts) {
            MetricFamily outbox{"relais_outbox_messages",
                                "Messages in the outbox by channel and state: pending and sending are queued; "
                                "delivered means received (SMS status report, relay's acceptance for email).",
                                "gauge",
                                {}};
            for (const char* ch : channels)
                for (const char* st : states) {
                    const auto it = counts->find({ch, st});
                    outbox.samples.push_back({{{"channel", ch}, {"state", st}}, it == counts->end() ? 0 : it->second});
                }
            f.push_back(std::move(outbox));
        }

        // The modem.
        if (d.modem) {
            const modem::ModemStatus st = d.modem->status();
            const std::vector<std::pair<std::string, std::string>> m{{"modem", d.modem->device()}};
            gauge("relais_modem_ready", "1 when the modem is ready to send.",
                  st.health == modem::ModemHealth::ready ? 1 : 0, m);
            gauge("relais_modem_registered", "1 when the modem is registered on a network.", st.registered ? 1 : 0, m);
            if (st.signal >= 0 && st.signal <= 31)
                gauge("relais_modem_signal_rssi", "Signal strength as +CSQ gives it: 0 (-113 dBm) to 31 (-51 dBm).",
                      st.signal, m);
            gauge("relais_modem_queued_messages", "SMS in the modem's own queue.",
                  static_cast<double>(d.modem->queued()), m);
        } else {
            gauge("relais_modem_ready", "1 when the modem is ready to send.", 0, {{"modem", "none"}});
        }

        // The disk the data live on.
        struct statvfs fs {};
        if (::statvfs(d.config.storage.data_dir.c_str(), &fs) == 0) {
            gauge("relais_data_disk_free_bytes", "Free space on the data's file system (for relais's user).",
                  static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize));
            gauge("relais_data_disk_size_bytes", "Size of the data's file system.",
                  static_cast<double>(fs.f_blocks) * static_cast<double>(fs.f_frsize));
        }

        // The last successful backup (`relais backup`, the daily timer): its age is what to alert on.
        const auto backup = read_backup_status(d.config.storage.data_dir);
        gauge("relais_backup_last_success_timestamp_seconds",
              "When the last successful backup copied the database (Unix time); 0 when there is none.",
              backup ? static_cast<double>(backup->made_at / 1000) : 0);
        gauge("relais_backup_last_size_bytes", "Size of the last successful backup's file; 0 when there is none.",
              backup ? static_cast<double>(backup->size) : 0);

        // The listeners (docs/SECURITY.md's limits at work).
        if (d.listeners) {
            MetricFamily open{"relais_http_connections_open", "Open connections per listener.", "gauge", {}};
            MetricFamily accepted{
                "relais_http_connections_accepted_total", "Connections accepted per listener.", "counter", {}};
            MetricFamily refused{"relais_http_connections_refused_total",
                                 "Connections refused or closed by the limits, per listener and reason.",
                                 "counter",
                                 {}};
            for (const auto& [name, st] : d.listeners()) {
                open.samples.push_back({{{"listener", name}}, static_cast<double>(st.open)});
                accepted.samples.push_back({{{"listener", name}}, static_cast<double>(st.accepted)});
                for (const auto& [reason, n] : {std::pair{"per_address", st.refused_per_address},
                                                {"at_capacity", st.at_capacity},
                                                {"timed_out", st.timed_out},
                                                {"bad_request", st.bad_requests}})
                    refused.samples.push_back({{{"listener", name}, {"reason", reason}}, static_cast<double>(n)});
            }
            f.push_back(std::move(open));
            f.push_back(std::move(accepted));
            f.push_back(std::move(refused));
        }
        if (d.certificates) {
            const CertificateStatus st = d.certificates->status();
            gauge("relais_tls_certificate_expiry_timestamp_seconds",
                  "When the certificate the HTTPS listeners serve runs out (Unix time).",
                  static_cast<double>(st.facts.not_after));
            gauge("relais_tls_certificate_days_left", "Days until that certificate runs out.",
                  static_cast<double>(st.facts.not_after - d.clock.now() / 1000) / 86400.0);
            gauge("relais_tls_certificate_self_signed", "1 when it is self-signed: customers' browsers warn.",
                  st.self_signed ? 1 : 0);
            gauge("relais_acme_failures", "ACME attempts that failed in a row (0 after a certificate is issued).",
                  st.failures);
        }
        HttpResponse r;
        r.status = 200;
        r.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        r.body = prometheus_text(f);
        return r;
    }

    HttpResponse workspace(const HttpRequest& req) {
        const std::string lang = choose_language("", req.header("accept-language"), d.config.dealer.language);
        if (req.method != Method::get && req.method != Method::head) {
            HttpResponse r = html_error_page(405, lang);
            r.status = 405;
            r.header("Allow", "GET, HEAD");
            return r;
        }
        std::string file;
        const std::string& path = req.path;
        if (path == "/favicon.ico") {
            file = "favicon.ico";
        } else if (path.rfind("/assets/customer/", 0) == 0) {
            file = path.substr(8);  // the customer page's assets, for the preview below
        } else if (path.rfind("/assets/", 0) == 0) {
            file = "workspace" + path;
        } else if (path.rfind("/preview/offers/", 0) == 0) {
            // "What the customer sees now": the customer page in read-only preview mode; its
            // script reads the offer through the advisor's API.
            file = "customer/index.html";
        } else if (path == "/" || path == "/login" || path == "/account" || path == "/repair-orders" ||
                   path.rfind("/repair-orders/", 0) == 0 || path.rfind("/admin/", 0) == 0 || path == "/admin") {
            file = "workspace/index.html";  // the single-page workspace routes in the browser
        } else {
            return html_error_page(404, lang);
        }
        auto f = d.files.get(file);
        if (!f) return html_error_page(404, lang);
        return static_file_response(req, **f);
    }
};

LanApp::LanApp(LanAppDeps deps) : impl_(std::make_unique<Impl>(std::move(deps))) {}
LanApp::~LanApp() = default;
HttpResponse LanApp::handle(const HttpRequest& request) { return impl_->handle(request); }

}  // namespace relais
