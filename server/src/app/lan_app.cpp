#include "lan_app.hpp"

#include "admin_routes.hpp"
#include "agreement_routes.hpp"
#include "agreements.hpp"
#include "api_routes.hpp"
#include "auth_routes.hpp"
#include "callback_routes.hpp"
#include "callbacks.hpp"
#include "crypto.hpp"
#include "messages.hpp"
#include "modem_routes.hpp"
#include "notification_routes.hpp"
#include "offer_routes.hpp"
#include "question_routes.hpp"
#include "report_routes.hpp"
#include "request_body.hpp"
#include "responses.hpp"
#include "ro_routes.hpp"
#include "system_routes.hpp"
#include "template_routes.hpp"
#include "text.hpp"
#include "workspace_files.hpp"

#include <spdlog/spdlog.h>

#include <string_view>

namespace relais {
namespace {

static_assert(std::string_view(LanApp::session_cookie) == session_cookie_name);
static_assert(std::string_view(LanApp::device_cookie) == device_cookie_name);

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
    const Transport transport;
    AgreementService agreements;
    CallbackService callbacks;
    std::shared_ptr<SystemRoutes> system;
    ApiRoutes routes;

    explicit Impl(LanAppDeps deps)
        : d(std::move(deps)),
          transport(transport_of(d.config, Listener::lan)),
          agreements(d.db, d.clock),
          callbacks(d.db, d.clock),
          system(std::make_shared<SystemRoutes>(SystemRoutesDeps{.config = d.config,
                                                                 .db = d.db,
                                                                 .clock = d.clock,
                                                                 .modem = d.modem,
                                                                 .modem_problem = d.modem_problem,
                                                                 .mail = d.mail,
                                                                 .events = d.events,
                                                                 .customers = d.customers,
                                                                 .listeners = d.listeners,
                                                                 .certificates = d.certificates,
                                                                 .instance = d.instance})) {
        // Each feature adds its own routes; the process's own parts are app's.
        add_auth_routes(routes, {.auth = d.auth, .clock = d.clock, .events = d.events, .instance = d.instance});
        add_admin_routes(routes, {.config = d.config,
                                  .save_settings = d.save_settings,
                                  .restart = d.restart,
                                  .stop = d.stop,
                                  .test_emails = d.test_emails});
        add_system_routes(routes, system);
        add_modem_routes(
            routes, {.modem = d.modem, .problem = d.modem_problem, .db = d.db, .phones = d.phones, .stop = d.stop});
        add_agreement_routes(routes, {.agreements = agreements});
        add_repair_order_routes(routes, {.repair_orders = d.repair_orders, .phones = d.phones, .zone = d.zone});
        add_offer_routes(routes, {.offers = d.offers,
                                  .reminders = d.reminders,
                                  .repair_orders = d.repair_orders,
                                  .phones = d.phones,
                                  .zone = d.zone});
        add_question_routes(routes, {.questions = d.questions});
        add_report_routes(routes, {.reports = d.reports, .phones = d.phones});
        add_callback_routes(routes, {.callbacks = d.offers ? &callbacks : nullptr, .phones = d.phones});
        add_template_routes(routes, {.db = d.db, .clock = d.clock, .config = d.config});
        add_notification_routes(routes, {.notifications = d.notifications});
    }

    HttpResponse handle(const HttpRequest& req) {
        HttpResponse res;
        bool api = false;
        if (req.path == "/healthz") {
            res = system->health();
            api = true;
        } else if (req.path == "/metrics") {
            res = system->metrics();
            api = true;
        } else if (req.path == "/api" || req.path.rfind("/api/", 0) == 0) {
            res = handle_api(req);
            api = true;
        } else {
            res = workspace_file(d.files, req,
                                 choose_language("", req.header("accept-language"), d.config.dealer.language));
        }
        add_security_headers(res, Listener::lan, transport, api);
        return res;
    }

    // Finds the route, then checks in this order: the query, who is calling, their access to
    // the route, CSRF, a password to change first, the body; then calls the route's handler.
    HttpResponse handle_api(const HttpRequest& req) {
        ApiContext ctx{req, std::nullopt, "", {}, *d.log, d.config.dealer.language};
        ctx.speak("");
        const auto found = routes.match(req.method, req.path);
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
        const ApiRoute& route = *found.entry;

        // Query parameters are text: a control character in one (a NUL, say) is never meant, and
        // would otherwise reach SQLite's full-text parser.
        {
            Problems bad;
            for (const auto& [name, value] : req.query)
                if (has_control_chars(value, false))
                    bad.push_back({"query." + escape_untrusted(name, 40), "control_characters", {}});
            if (!bad.empty()) {
                HttpResponse r = shape_problems(ctx, bad);
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
        if (ctx.who) ctx.speak(ctx.who->language);

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
        if (ctx.who && ctx.who->must_change_password && route.before_password_change != BeforePasswordChange::allowed) {
            return error_response(error_of(ErrorKind::forbidden, "password_change_required"), ctx.lang);
        }

        if (req.method == Method::post || req.method == Method::patch || req.method == Method::put) {
            auto body = read_json_object(req, d.max_body_bytes);
            if (!body) return error_response(body.error(), ctx.lang);
            ctx.body = std::move(*body);
        }

        try {
            return route.handler(ctx, found.params);
        } catch (const std::exception& e) {
            d.log->error("{} {}: {}", to_string(req.method), loggable_path(req.path), escape_untrusted(e.what(), 500));
            return error_response(internal_error(e.what()), ctx.lang);
        }
    }
};

LanApp::LanApp(LanAppDeps deps) : impl_(std::make_unique<Impl>(std::move(deps))) {}
LanApp::~LanApp() = default;
HttpResponse LanApp::handle(const HttpRequest& request) { return impl_->handle(request); }

}  // namespace relais
