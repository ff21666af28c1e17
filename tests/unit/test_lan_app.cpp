// The lan application driven with HttpRequest values: routing, authentication, CSRF,
// error format, bad input, languages, workspace files. No socket; the real binary is
// exercised by tests/integration.
#include "lan_app.hpp"
#include "mail_transport.hpp"
#include "migrations.hpp"
#include "offer_service.hpp"
#include "process_stop.hpp"
#include "public_app.hpp"
#include "reports.hpp"
#include "responses.hpp"
#include "support.hpp"
#include "test_emails.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

using namespace relais;
using namespace relais::test;
using json = nlohmann::json;

namespace {

struct Lan {
    World w;
    Config config;
    std::unique_ptr<StaticFiles> files;
    std::unique_ptr<LanApp> app;
    std::string session;
    std::string csrf;

    // `more` sets the configuration and the optional parts before the app is made.
    explicit Lan(const std::function<void(Config&, LanAppDeps&)>& more = {}) {
        std::filesystem::create_directories(w.dir.path() + "/web/workspace/assets");
        std::ofstream(w.dir.path() + "/web/workspace/index.html") << "<!doctype html><title>Relais</title>";
        std::ofstream(w.dir.path() + "/web/workspace/assets/app.css") << "body{}";
        std::ofstream(w.dir.path() + "/web/secret.txt") << "not served";
        files = std::make_unique<StaticFiles>(w.dir.path() + "/web");
        config.dealer.language = "fr";
        LanAppDeps deps{.config = config,
                        .db = *w.db,
                        .auth = *w.auth,
                        .repair_orders = *w.ros,
                        .phones = *w.phones,
                        .zone = *w.zone,
                        .files = *files,
                        .clock = w.clock,
                        .log = null_logger(),
                        .max_body_bytes = 4096,
                        .modem = nullptr,
                        .modem_problem = "not in unit tests"};
        if (more) more(config, deps);
        app = std::make_unique<LanApp>(std::move(deps));
    }

    HttpRequest request(Method m, const std::string& path, const std::string& body = "") {
        HttpRequest r;
        r.method = m;
        const auto q = path.find('?');
        r.path = path.substr(0, q);
        if (q != std::string::npos) {
            std::string rest = path.substr(q + 1);
            std::size_t start = 0;
            while (start < rest.size()) {
                std::size_t end = rest.find('&', start);
                if (end == std::string::npos) end = rest.size();
                const std::string pair = rest.substr(start, end - start);
                const auto eq = pair.find('=');
                r.query.emplace_back(pair.substr(0, eq),
                                     eq == std::string::npos ? "" : *percent_decode(pair.substr(eq + 1), true));
                start = end + 1;
            }
        }
        r.body = body;
        r.peer = "192.0.2.10";
        r.headers.emplace_back("host", "relais.local:8080");
        if (!body.empty()) r.headers.emplace_back("content-type", "application/json");
        if (!session.empty()) r.cookies.emplace_back(LanApp::session_cookie, session);
        return r;
    }

    // What the workspace's own pages send: the cookie, the CSRF token, same-origin headers.
    HttpResponse call(Method m, const std::string& path, const json& body = nullptr, NameValues extra = {}) {
        HttpRequest r = request(m, path, body.is_null() ? "" : body.dump());
        if (!csrf.empty()) r.headers.emplace_back("x-csrf-token", csrf);
        r.headers.emplace_back("sec-fetch-site", "same-origin");
        r.headers.emplace_back("origin", "http://relais.local:8080");
        for (auto& h : extra) r.headers.push_back(h);
        return app->handle(r);
    }

    void sign_in(const std::string& user = "admin", UserRole role = UserRole::dealer_admin) {
        w.add_user(user, role);
        HttpResponse r =
            call(Method::post, "/api/v1/session", {{"username", user}, {"password", "correct horse battery"}});
        REQUIRE(r.status == 200);
        REQUIRE(!r.cookies.empty());
        session = r.cookies[0].value;
        csrf = json::parse(r.body)["csrf_token"];
    }
};

json body_of(const HttpResponse& r) { return json::parse(r.body); }

const json* field_error(const json& body, const std::string& field) {
    for (const auto& f : body["error"]["fields"]) {
        if (f["field"] == field) return &f;
    }
    return nullptr;
}

}  // namespace

TEST_CASE("sign-in sets a strict, HttpOnly session cookie and a known-device cookie") {
    Lan lan;
    lan.w.add_user("marie");
    HttpResponse r =
        lan.call(Method::post, "/api/v1/session", {{"username", "marie"}, {"password", "correct horse battery"}});
    CHECK(r.status == 200);
    REQUIRE(r.cookies.size() == 2);
    CHECK(r.cookies[0].name == "relais_session");
    CHECK(r.cookies[0].http_only);
    CHECK(r.cookies[0].same_site == "Strict");
    CHECK(r.cookies[0].max_age_s == 7 * 24 * 3600);
    CHECK(r.cookies[1].name == "relais_browser");
    const json body = body_of(r);
    CHECK(body["user"]["username"] == "marie");
    CHECK(body["csrf_token"].get<std::string>().size() == 43);
    CHECK(r.find_header("Cache-Control") != nullptr);
    CHECK(*r.find_header("Cache-Control") == "no-store");
}

TEST_CASE("wrong password: 401 with a French message, then 429 with Retry-After") {
    Lan lan;
    lan.w.add_user("marie");
    HttpResponse r = lan.call(Method::post, "/api/v1/session", {{"username", "marie"}, {"password", "nope"}});
    CHECK(r.status == 401);
    CHECK(body_of(r)["error"]["code"] == "invalid_credentials");
    CHECK(body_of(r)["error"]["message"] == "Identifiant ou mot de passe incorrect.");
    for (int i = 0; i < 4; ++i)
        r = lan.call(Method::post, "/api/v1/session", {{"username", "marie"}, {"password", "nope"}});
    r = lan.call(Method::post, "/api/v1/session", {{"username", "marie"}, {"password", "correct horse battery"}});
    CHECK(r.status == 429);
    REQUIRE(r.find_header("Retry-After"));
    CHECK(*r.find_header("Retry-After") == "30");
}

TEST_CASE("the API needs credentials; unknown paths are JSON 404s; wrong methods 405") {
    Lan lan;
    HttpResponse r = lan.call(Method::get, "/api/v1/repair-orders");
    CHECK(r.status == 401);
    CHECK(body_of(r)["error"]["code"] == "unauthorized");
    r = lan.call(Method::get, "/api/v1/nothing-here");
    CHECK(r.status == 404);
    CHECK(body_of(r)["error"]["code"] == "not_found");
    r = lan.call(Method::put, "/api/v1/repair-orders");
    CHECK(r.status == 405);
    CHECK(*r.find_header("Allow") == "GET, POST");
}

TEST_CASE("CSRF: state changes with the session cookie need the token and a same-origin request") {
    Lan lan;
    lan.sign_in();
    const json create = {{"vehicle", {{"plate", "AB-123-CD"}}}};
    CHECK(lan.call(Method::post, "/api/v1/repair-orders", create).status == 201);

    // No token.
    HttpRequest r = lan.request(Method::post, "/api/v1/repair-orders", create.dump());
    HttpResponse res = lan.app->handle(r);
    CHECK(res.status == 403);
    CHECK(body_of(res)["error"]["code"] == "csrf_failed");
    // A wrong token.
    r.headers.emplace_back("x-csrf-token", std::string(43, 'A'));
    CHECK(body_of(lan.app->handle(r))["error"]["code"] == "csrf_failed");
    // The right token, sent by another site's page.
    HttpRequest cross = lan.request(Method::post, "/api/v1/repair-orders", create.dump());
    cross.headers.emplace_back("x-csrf-token", lan.csrf);
    cross.headers.emplace_back("sec-fetch-site", "cross-site");
    res = lan.app->handle(cross);
    CHECK(res.status == 403);
    CHECK(body_of(res)["error"]["code"] == "cross_site");
    HttpRequest other_origin = lan.request(Method::post, "/api/v1/repair-orders", create.dump());
    other_origin.headers.emplace_back("x-csrf-token", lan.csrf);
    other_origin.headers.emplace_back("origin", "http://evil.example");
    CHECK(body_of(lan.app->handle(other_origin))["error"]["code"] == "cross_site");
    // Nothing was created by the refused requests.
    CHECK(body_of(lan.call(Method::get, "/api/v1/repair-orders"))["total"] == 1);
}

TEST_CASE("login from another site is refused (login CSRF)") {
    Lan lan;
    lan.w.add_user("marie");
    HttpRequest r = lan.request(Method::post, "/api/v1/session",
                                json({{"username", "marie"}, {"password", "correct horse battery"}}).dump());
    r.headers.emplace_back("sec-fetch-site", "cross-site");
    CHECK(lan.app->handle(r).status == 403);
}

TEST_CASE("API keys authenticate without CSRF and cannot do admin work") {
    Lan lan;
    auto key = lan.w.auth->create_api_key("DMS", std::nullopt);
    HttpRequest r =
        lan.request(Method::post, "/api/v1/repair-orders", R"({"number": "DMS-1", "vehicle": {"plate": "AB-123-CD"}})");
    r.headers.emplace_back("authorization", "Bearer " + key->key);
    HttpResponse res = lan.app->handle(r);
    CHECK(res.status == 201);
    CHECK(body_of(res)["number"] == "DMS-1");
    HttpRequest admin = lan.request(Method::get, "/api/v1/api-keys");
    admin.headers.emplace_back("authorization", "Bearer " + key->key);
    CHECK(lan.app->handle(admin).status == 403);
    HttpRequest bad = lan.request(Method::get, "/api/v1/repair-orders");
    bad.headers.emplace_back("authorization", "Bearer rk_forged");
    CHECK(lan.app->handle(bad).status == 401);
    // The event names the key.
    auto events = lan.w.ros->timeline(1);
    CHECK((*events)[0].actor.kind == Actor::Kind::api_key);
    CHECK((*events)[0].actor.name == "DMS");
}

TEST_CASE("bad input: malformed JSON 400, wrong media type 415, too large 413, not an object 400") {
    Lan lan;
    lan.sign_in();
    HttpRequest r = lan.request(Method::post, "/api/v1/repair-orders", "{\"number\": ");
    r.headers.emplace_back("x-csrf-token", lan.csrf);
    HttpResponse res = lan.app->handle(r);
    CHECK(res.status == 400);
    CHECK(body_of(res)["error"]["code"] == "malformed_json");

    HttpRequest text = lan.request(Method::post, "/api/v1/repair-orders", "number=1");
    text.headers = {{"host", "relais.local:8080"},
                    {"content-type", "application/x-www-form-urlencoded"},
                    {"x-csrf-token", lan.csrf}};
    CHECK(lan.app->handle(text).status == 415);

    HttpRequest big =
        lan.request(Method::post, "/api/v1/repair-orders", json({{"note", std::string(5000, 'x')}}).dump());
    big.headers.emplace_back("x-csrf-token", lan.csrf);
    res = lan.app->handle(big);
    CHECK(res.status == 413);
    CHECK(body_of(res)["error"]["code"] == "body_too_large");

    res = lan.call(Method::post, "/api/v1/repair-orders", json::array({1, 2}));
    CHECK(res.status == 400);
    CHECK(body_of(res)["error"]["code"] == "expected_object");
}

TEST_CASE("validation errors: 422 with every field named, localised by Accept-Language") {
    Lan lan;
    lan.sign_in();
    const json body = {{"vehicle", {{"vin", "123"}, {"mileage", 5}}},
                       {"status", "done"},
                       {"promised_at", "24/11/2026"},
                       {"parties",
                        {{{"roles", {"driver"}},
                          {"last_name", "Dupont"},
                          {"contact_points", {{{"kind", "phone"}, {"value", "06 12"}}}}}}},
                       {"interventions", {{{"label", 42}, {"price_excl_cents", "12"}}}}};
    HttpResponse r = lan.call(Method::post, "/api/v1/repair-orders", body, {{"accept-language", "en-GB,en;q=0.9"}});
    CHECK(r.status == 422);
    const json err = body_of(r);
    CHECK(err["error"]["code"] == "validation_failed");
    CHECK(err["error"]["message"] == "Some fields are not valid.");
    REQUIRE(field_error(err, "vehicle.mileage"));
    CHECK((*field_error(err, "vehicle.mileage"))["code"] == "unknown_field");
    CHECK((*field_error(err, "status"))["code"] == "invalid_choice");
    CHECK((*field_error(err, "promised_at"))["code"] == "invalid_date");
    CHECK((*field_error(err, "interventions[0].label"))["message"] == "Expected text.");
    CHECK((*field_error(err, "interventions[0].price_excl_cents"))["code"] == "invalid_type");
    CHECK(body_of(lan.call(Method::get, "/api/v1/repair-orders"))["total"] == 0);

    // Once the shapes are right, the domain's checks speak (in French by default here).
    const json shaped = {{"vehicle", {{"vin", "123"}}},
                         {"parties",
                          {{{"roles", {"driver"}},
                            {"last_name", "Dupont"},
                            {"contact_points", {{{"kind", "phone"}, {"value", "06 12"}}}}}}}};
    r = lan.call(Method::post, "/api/v1/repair-orders", shaped);
    const json fr = body_of(r);
    CHECK(fr["error"]["message"] == "Certains champs ne sont pas valides.");
    CHECK((*field_error(fr, "vehicle.vin"))["message"] == "Un VIN compte 17 caractères (celui-ci en a 3).");
    CHECK((*field_error(fr, "parties[0].contact_points[0].value"))["message"] ==
          "06 12\u00a0: trop court pour un numéro de téléphone.");
}

TEST_CASE("repair orders over HTTP: create, read with ETag, If-Match, sub-resources, list") {
    Lan lan;
    lan.sign_in();
    HttpResponse r = lan.call(
        Method::post, "/api/v1/repair-orders",
        {{"vehicle", {{"plate", "ab-123-cd"}, {"make", "Peugeot"}, {"model", "308"}}},
         {"promised_at", "2026-11-24T17:30"},
         {"parties",
          {{{"roles", {"driver", "owner"}},
            {"first_name", "Hélène"},
            {"last_name", "Lefèvre"},
            {"contact_points", {{{"kind", "phone"}, {"value", "06 12 34 56 78"}}}}}}},
         {"interventions",
          {{{"label", "Plaquettes"}, {"price_excl_cents", 14500}, {"kind", "optional"}, {"severity", "red"}}}}});
    REQUIRE(r.status == 201);
    CHECK(*r.find_header("Location") == "/api/v1/repair-orders/1");
    CHECK(*r.find_header("ETag") == "\"1\"");
    json ro = body_of(r);
    CHECK(ro["promised_at"] == "2026-11-24T16:30:00Z");
    CHECK(ro["parties"][0]["contact_points"][0]["value"] == "+33612345678");
    CHECK(ro["parties"][0]["contact_points"][0]["display"] == "06 12 34 56 78");
    CHECK(ro["totals"]["shown_incl_cents"] == 17400);

    r = lan.call(Method::patch, "/api/v1/repair-orders/1", {{"status", "in_progress"}}, {{"if-match", "\"1\""}});
    CHECK(r.status == 200);
    CHECK(*r.find_header("ETag") == "\"2\"");
    r = lan.call(Method::patch, "/api/v1/repair-orders/1", {{"status", "ready"}}, {{"if-match", "\"1\""}});
    CHECK(r.status == 412);
    CHECK(body_of(r)["error"]["code"] == "version_conflict");
    CHECK(lan.call(Method::patch, "/api/v1/repair-orders/1", {{"note", "x"}}, {{"if-match", "abc"}}).status == 400);

    r = lan.call(Method::post, "/api/v1/repair-orders/1/interventions",
                 {{"label", "Vidange"}, {"price_incl_cents", 10680}}, {{"if-match", "\"2\""}});
    REQUIRE(r.status == 201);
    CHECK(body_of(r)["price_excl_cents"] == 8900);
    CHECK(*r.find_header("ETag") == "\"3\"");
    r = lan.call(Method::patch, "/api/v1/repair-orders/1/interventions/2", {{"price_excl_cents", 9900}});
    CHECK(body_of(r)["price_incl_cents"] == 11880);
    r = lan.call(Method::post, "/api/v1/repair-orders/1/parties/1/contact-points",
                 {{"kind", "email"}, {"value", "Helene@Exemple.FR"}, {"usage", "professional"}});
    REQUIRE(r.status == 201);
    CHECK(body_of(r)["value"] == "Helene@exemple.fr");
    CHECK(lan.call(Method::del, "/api/v1/repair-orders/1/parties/1/contact-points/2").status == 204);
    CHECK(lan.call(Method::get, "/api/v1/repair-orders/1/parties/9").status == 404);
    CHECK(lan.call(Method::get, "/api/v1/repair-orders/99").status == 404);
    CHECK(lan.call(Method::get, "/api/v1/repair-orders/abc").status == 404);

    r = lan.call(Method::get, "/api/v1/repair-orders?q=LEFEVRE&status=in_progress,open");
    json page = body_of(r);
    CHECK(page["total"] == 1);
    CHECK(page["items"][0]["customer_name"] == "Hélène Lefèvre");
    CHECK(page["items"][0]["shown_incl_cents"] == 17400 + 11880);
    CHECK(body_of(lan.call(Method::get, "/api/v1/repair-orders?status=closed"))["total"] == 0);
    r = lan.call(Method::get, "/api/v1/repair-orders?status=done&per_page=500&from=yesterday&sort=x");
    CHECK(r.status == 422);
    const json errs = body_of(r);
    CHECK(field_error(errs, "query.status"));
    CHECK(field_error(errs, "query.per_page"));
    CHECK(field_error(errs, "query.from"));
    CHECK(field_error(errs, "query.sort"));

    r = lan.call(Method::get, "/api/v1/repair-orders/1/timeline");
    // created, updated, intervention added and updated, contact point added and removed
    CHECK(body_of(r)["items"].size() == 6);
}

TEST_CASE("date filters: `to` includes the whole day in the dealership's zone") {
    Lan lan;
    lan.w.clock.set(*parse_date_time("2026-11-20T22:30:00Z", *lan.w.zone));  // 23:30 in Paris, the 20th
    lan.sign_in();
    REQUIRE(lan.call(Method::post, "/api/v1/repair-orders", {{"vehicle", {{"plate", "AB-123-CD"}}}}).status == 201);
    CHECK(body_of(lan.call(Method::get, "/api/v1/repair-orders?to=2026-11-20"))["total"] == 1);
    CHECK(body_of(lan.call(Method::get, "/api/v1/repair-orders?from=2026-11-21"))["total"] == 0);
    CHECK(body_of(lan.call(Method::get, "/api/v1/repair-orders?from=2026-11-20&to=2026-11-20"))["total"] == 1);
}

TEST_CASE("a forced password change blocks everything else") {
    Lan lan;
    auto password = lan.w.auth->bootstrap_admin("fr");
    HttpResponse r = lan.call(Method::post, "/api/v1/session", {{"username", "admin"}, {"password", **password}});
    lan.session = r.cookies[0].value;
    lan.csrf = body_of(r)["csrf_token"];
    r = lan.call(Method::get, "/api/v1/repair-orders");
    CHECK(r.status == 403);
    CHECK(body_of(r)["error"]["code"] == "password_change_required");
    CHECK(lan.call(Method::get, "/api/v1/session").status == 200);
    r = lan.call(Method::post, "/api/v1/session/password",
                 {{"current_password", **password}, {"new_password", "Garage-Martin-2026"}});
    CHECK(r.status == 204);
    CHECK(lan.call(Method::get, "/api/v1/repair-orders").status == 200);
}

TEST_CASE("settings: the sign-in page sees the name and language only") {
    Lan lan;
    lan.config.dealer.name = "Garage Martin";
    json open = body_of(lan.call(Method::get, "/api/v1/settings"));
    CHECK(open == json({{"dealer", {{"name", "Garage Martin"}, {"language", "fr"}}}}));
    lan.sign_in("marie", UserRole::advisor);
    json full = body_of(lan.call(Method::get, "/api/v1/settings"));
    CHECK(full["dealer"]["default_vat_rate_bp"] == 2000);
    CHECK(full.contains("version"));
}

TEST_CASE("users choose their own language; messages follow it") {
    Lan lan;
    lan.sign_in("marie", UserRole::advisor);
    HttpResponse r = lan.call(Method::patch, "/api/v1/session", {{"language", "en"}});
    CHECK(r.status == 200);
    CHECK(body_of(r)["user"]["language"] == "en");
    CHECK(body_of(lan.call(Method::get, "/api/v1/repair-orders/99"))["error"]["message"] ==
          "This repair order does not exist.");
    CHECK(lan.call(Method::patch, "/api/v1/session", {{"language", "de"}}).status == 422);
    CHECK(lan.call(Method::patch, "/api/v1/session", {{"role", "dealer_admin"}}).status == 422);
    CHECK(body_of(lan.call(Method::get, "/api/v1/session"))["user"]["role"] == "advisor");
}

TEST_CASE("admin routes are for dealer admins only") {
    Lan lan;
    lan.sign_in("marie", UserRole::advisor);
    CHECK(lan.call(Method::get, "/api/v1/api-keys").status == 403);
    CHECK(body_of(lan.call(Method::post, "/api/v1/users", {{"username", "x"}}))["error"]["code"] == "admin_only");
    CHECK(lan.call(Method::get, "/api/v1/users").status == 200);
}

TEST_CASE("admins create users and API keys; the key is shown once") {
    Lan lan;
    lan.sign_in();
    HttpResponse r = lan.call(Method::post, "/api/v1/users",
                              {{"username", "thomas.girard"},
                               {"display_name", "Thomas Girard"},
                               {"role", "advisor"},
                               {"password", "Temporaire-2026"}});
    REQUIRE(r.status == 201);
    CHECK(body_of(r)["must_change_password"] == true);
    r = lan.call(Method::post, "/api/v1/api-keys", {{"name", "DMS"}});
    REQUIRE(r.status == 201);
    const std::string key = body_of(r)["key"];
    CHECK(key.rfind("rk_", 0) == 0);
    r = lan.call(Method::get, "/api/v1/api-keys");
    CHECK(r.body.find(key) == std::string::npos);
    CHECK(lan.call(Method::del, "/api/v1/api-keys/1").status == 204);
    CHECK(lan.call(Method::del, "/api/v1/api-keys/1").status == 404);
}

TEST_CASE("sign-out clears the cookie and ends the session") {
    Lan lan;
    lan.sign_in();
    HttpResponse r = lan.call(Method::del, "/api/v1/session");
    CHECK(r.status == 204);
    REQUIRE(r.cookies.size() == 1);
    CHECK(r.cookies[0].max_age_s == 0);
    CHECK(lan.call(Method::get, "/api/v1/repair-orders").status == 401);
}

TEST_CASE("the workspace: single-page routes, assets with ETag and 304, no path tricks") {
    Lan lan;
    // Every route of the workspace's pages (web/workspace/assets/*/routes.js), so that a reload works.
    for (const char* path :
         {"/", "/login", "/repair-orders", "/repair-orders/12", "/repair-orders/new", "/repair-orders/12/print",
          "/admin", "/admin/users", "/admin/settings", "/account", "/setup"}) {
        CAPTURE(path);
        HttpResponse r = lan.call(Method::get, path);
        CHECK(r.status == 200);
        CHECK(r.body.find("<title>Relais</title>") != std::string::npos);
        CHECK(r.find_header("Content-Security-Policy")->find("script-src 'self'") != std::string::npos);
    }
    HttpResponse css = lan.call(Method::get, "/assets/app.css");
    CHECK(css.status == 200);
    CHECK(*css.find_header("Content-Type") == "text/css; charset=utf-8");
    HttpResponse again =
        lan.call(Method::get, "/assets/app.css", nullptr, {{"if-none-match", *css.find_header("ETag")}});
    CHECK(again.status == 304);
    CHECK(again.body.empty());
    for (const char* path : {"/assets/../../secret.txt", "/assets/..%2fsecret.txt", "/assets/.hidden", "/secret.txt",
                             "/assets/missing.js", "/wp-login.php"}) {
        CAPTURE(path);
        CHECK(lan.call(Method::get, path).status == 404);
    }
    CHECK(lan.call(Method::post, "/login").status == 405);
}

TEST_CASE("healthz reports the version and the database") {
    Lan lan;
    HttpResponse r = lan.call(Method::get, "/healthz");
    CHECK(r.status == 200);
    const json h = body_of(r);
    CHECK(h["status"] == "ok");
    CHECK(h["database"]["status"] == "ok");
    CHECK(h["database"]["schema_version"] == static_cast<int>(builtin_migrations().size()));
    CHECK(h.contains("version"));
}

TEST_CASE("the public listener serves no workspace, API or health path") {
    Config config;
    PublicApp pub({.config = config});
    for (const char* path : {"/", "/login", "/repair-orders", "/repair-orders/1", "/api/v1/session",
                             "/api/v1/repair-orders", "/api/v1/users", "/healthz", "/assets/app.js", "/admin/users"}) {
        for (Method m : {Method::get, Method::post, Method::head}) {
            CAPTURE(path);
            HttpRequest r;
            r.method = m;
            r.path = path;
            CHECK(pub.handle(r).status == 404);
        }
    }
    HttpRequest robots;
    robots.path = "/robots.txt";
    HttpResponse r = pub.handle(robots);
    CHECK(r.status == 200);
    CHECK(r.body.find("Disallow: /") != std::string::npos);
    CHECK(*r.find_header("Referrer-Policy") == "no-referrer");
}

TEST_CASE("healthz and the session name this run of relais, for pages waiting for a restart") {
    Lan lan([](Config&, LanAppDeps& d) { d.instance = "run-2"; });
    CHECK(body_of(lan.call(Method::get, "/healthz"))["instance"] == "run-2");
    lan.sign_in();
    CHECK(body_of(lan.call(Method::get, "/api/v1/session"))["instance"] == "run-2");
}

TEST_CASE("HSTS and Secure cookies: one condition per listener, decided in one place") {
    const auto cookies_and_hsts = [](Lan& lan) {
        lan.w.add_user("marie");
        HttpResponse r =
            lan.call(Method::post, "/api/v1/session", {{"username", "marie"}, {"password", "correct horse battery"}});
        REQUIRE(r.cookies.size() == 2);
        return std::tuple(r.cookies[0].secure, r.cookies[1].secure,
                          r.find_header("Strict-Transport-Security") != nullptr);
    };
    Lan plain;
    CHECK(cookies_and_hsts(plain) == std::tuple(false, false, false));
    Lan over_tls([](Config& c, LanAppDeps&) { c.tls.lan = true; });
    CHECK(cookies_and_hsts(over_tls) == std::tuple(true, true, true));
    CHECK(*over_tls.call(Method::get, "/healthz").find_header("Strict-Transport-Security") == "max-age=31536000");

    // The customer pages: over HTTPS when customers' links are https://, served with TLS here or
    // behind a proxy that serves it.
    Config c;
    REQUIRE(set_public_base_url(c.http, "http://garage.fr:8081"));
    CHECK(transport_of(c, Listener::public_) == Transport::http);
    HttpRequest robots;
    robots.path = "/robots.txt";
    CHECK(PublicApp({.config = c}).handle(robots).find_header("Strict-Transport-Security") == nullptr);
    REQUIRE(set_public_base_url(c.http, "https://garage.fr"));
    CHECK(transport_of(c, Listener::public_) == Transport::https);
    CHECK(transport_of(c, Listener::lan) == Transport::http);
    CHECK(PublicApp({.config = c}).handle(robots).find_header("Strict-Transport-Security") != nullptr);

    HttpResponse r;
    r.cookies.push_back(SetCookie{});
    add_security_headers(r, Listener::public_, Transport::https, false);
    CHECK(r.cookies[0].secure);
    HttpResponse clear;
    clear.cookies.push_back(SetCookie{});
    add_security_headers(clear, Listener::public_, Transport::http, false);
    CHECK_FALSE(clear.cookies[0].secure);
    CHECK(clear.find_header("Strict-Transport-Security") == nullptr);
}

namespace {

// A relay that answers when the test says; what is posted to the core loop runs when told.
struct SlowRelay final : mail::MailTransport {
    std::vector<Done> waiting;
    void send(mail::Envelope, std::string, Done done) override { waiting.push_back(std::move(done)); }
    std::string describe() const override { return "slow relay"; }
};

struct SettingsBox {
    ProcessStop stop;
    int saves = 0;
    int restarts = 0;
    SlowRelay relay;
    FakeRandom random;
    std::vector<std::function<void()>> core_loop;
    std::unique_ptr<TestEmails> tests;
    Lan lan;
    SettingsBox()
        : lan([this](Config& c, LanAppDeps& d) {
              tests = std::make_unique<TestEmails>(
                  TestEmailsDeps{.config = c,
                                 .random = random,
                                 .clock = d.clock,
                                 .zone = d.zone,
                                 .transport = relay,
                                 .post = [this](std::function<void()> f) { core_loop.push_back(f); }});
              d.save_settings = [this, &c](const std::vector<SettingChange>&) {
                  ++saves;
                  return ConfigLoad{c, {}};
              };
              d.restart = [this] { ++restarts; };
              d.stop = &stop;
              d.test_emails = tests.get();
          }) {
        lan.sign_in();
    }
};

}  // namespace

TEST_CASE("while relais stops, a settings save or a test email is refused: 503 shutting_down") {
    SettingsBox box;
    Lan& lan = box.lan;
    const json change = {{"dealer", {{"name", "Garage Martin"}}}};
    HttpResponse r = lan.call(Method::patch, "/api/v1/admin/settings", change);
    CHECK(r.status == 202);
    CHECK(body_of(r) == json{{"restarting", true}});
    CHECK((box.saves == 1 && box.restarts == 1));

    REQUIRE(box.stop.begin_stop(StopReason::restart) == StopStep::begin);
    r = lan.call(Method::patch, "/api/v1/admin/settings", change);
    CHECK(r.status == 503);
    CHECK(body_of(r)["error"]["code"] == "shutting_down");
    CHECK(r.find_header("Retry-After") != nullptr);
    CHECK((box.saves == 1 && box.restarts == 1));  // nothing written, no second restart

    r = lan.call(Method::post, "/api/v1/mail/test-email", {{"to", "it@garage-martin.fr"}});
    CHECK(r.status == 503);
    CHECK(body_of(r)["error"]["code"] == "shutting_down");
    CHECK(box.core_loop.empty());
}

TEST_CASE("a test email answers at once (202, an id); its outcome, the relay's words, is read by id") {
    SettingsBox box;
    Lan& lan = box.lan;
    HttpResponse r = lan.call(Method::post, "/api/v1/mail/test-email", {{"to", "IT@Garage-Martin.FR"}});
    REQUIRE(r.status == 202);
    const json started = body_of(r);
    CHECK(started["state"] == "sending");
    CHECK(started["to"] == "IT@garage-martin.fr");
    const std::string url = "/api/v1/mail/test-email/" + started["id"].get<std::string>();
    CHECK(body_of(lan.call(Method::get, url))["state"] == "sending");

    // No HTTP thread waits for the relay: the core loop sends, the relay answers later.
    REQUIRE(box.core_loop.size() == 1);
    box.core_loop[0]();
    REQUIRE(box.relay.waiting.size() == 1);
    mail::MailOutcome refused;
    refused.status = mail::DeliveryStatus::permanent;
    refused.code = 550;
    refused.text = "5.7.1 Relaying denied";
    box.relay.waiting[0](refused);
    const json failed = body_of(lan.call(Method::get, url));
    CHECK(failed["state"] == "failed");
    CHECK(failed["error"] == "550 5.7.1 Relaying denied");
    CHECK_FALSE(failed.contains("answer"));

    CHECK(lan.call(Method::get, "/api/v1/mail/test-email/unknown").status == 404);
    CHECK(lan.call(Method::post, "/api/v1/mail/test-email", {{"to", "not an address"}}).status == 422);
    CHECK(box.core_loop.size() == 1);
}

namespace {

// Each field's code in a 422, by field.
std::map<std::string, std::string> field_codes(const HttpResponse& r) {
    std::map<std::string, std::string> out;
    const json body = body_of(r);
    for (const auto& f : body["error"]["fields"]) out[f["field"]] = f["code"];
    return out;
}

std::string field_message(const HttpResponse& r, const std::string& field) {
    const json body = body_of(r);
    const json* f = field_error(body, field);
    return f ? (*f)["message"].get<std::string>() : "";
}

struct OfferBox {
    FakeRandom random;
    std::unique_ptr<OfferService> offers;
    std::unique_ptr<ReportService> reports;
    Lan lan;
    OfferBox()
        : lan([this](Config& c, LanAppDeps& d) {
              c.http.public_base_url = "https://relais.garage.test/";
              offers = std::make_unique<OfferService>(
                  OfferServiceDeps{.db = d.db, .config = c, .random = random, .clock = d.clock, .zone = d.zone});
              d.offers = offers.get();
              reports = std::make_unique<ReportService>(
                  ReportServiceDeps{.db = d.db, .config = c, .random = random, .clock = d.clock});
              d.reports = reports.get();
          }) {
        lan.sign_in();
    }
};

}  // namespace

TEST_CASE("one set of codes for every body: a wrong type is invalid_type with what was expected") {
    SettingsBox box;
    Lan& lan = box.lan;
    using Codes = std::map<std::string, std::string>;

    // Signing in: a password that is no text, a field that is none of sign-in's.
    HttpResponse r =
        lan.call(Method::post, "/api/v1/session", {{"username", "admin"}, {"password", 42}, {"remember", true}});
    CHECK(r.status == 422);
    CHECK(field_codes(r) == Codes{{"password", "invalid_type"}, {"remember", "unknown_field"}});
    CHECK(field_message(r, "password") == "Attendu\u00a0: du texte.");

    // The settings: a port as text and a section that is no object (were expected_integer and
    // expected_object).
    r = lan.call(Method::patch, "/api/v1/admin/settings", {{"mail", {{"relay_port", "587"}}}, {"modem", "virtual"}});
    CHECK(r.status == 422);
    CHECK(field_codes(r) == Codes{{"mail.relay_port", "invalid_type"}, {"modem", "invalid_type"}});
    CHECK(field_message(r, "mail.relay_port") == "Attendu\u00a0: un nombre entier.");
    CHECK(field_message(r, "modem") == "Attendu\u00a0: un objet.");
    CHECK(box.saves == 0);

    // A test email: an address that is no text (was `required`), and none at all.
    r = lan.call(Method::post, "/api/v1/mail/test-email", {{"to", 42}});
    CHECK(field_codes(r) == Codes{{"to", "invalid_type"}});
    r = lan.call(Method::post, "/api/v1/mail/test-email", json::object());
    CHECK(field_codes(r) == Codes{{"to", "required"}});
    CHECK(box.core_loop.empty());

    // What an SMS costs: a text that is no text (was `required`), a choice that is no boolean.
    r = lan.call(Method::post, "/api/v1/sms/preview", {{"text", 42}, {"transliterate", "yes"}});
    CHECK(field_codes(r) == Codes{{"text", "invalid_type"}, {"transliterate", "invalid_type"}});
    CHECK(field_message(r, "transliterate") == "Attendu\u00a0: true ou false.");
    r = lan.call(Method::post, "/api/v1/sms/preview", {{"text", "Votre véhicule est prêt"}});
    CHECK(r.status == 200);
    CHECK(body_of(r)["encoding"] == "ucs2");

    // An intervention's thumbs: true, false or null, said in the reader's language.
    r = lan.call(Method::post, "/api/v1/repair-orders", {{"interventions", {{{"label", "Pneus"}, {"authorized", 1}}}}});
    CHECK(field_codes(r) == Codes{{"interventions[0].authorized", "invalid_type"}});
    CHECK(field_message(r, "interventions[0].authorized") == "Attendu\u00a0: true, false ou null.");
}

TEST_CASE("an offer's send and preview read their body with the same codes as every other body") {
    OfferBox box;
    Lan& lan = box.lan;
    using Codes = std::map<std::string, std::string>;
    HttpResponse r = lan.call(Method::post, "/api/v1/repair-orders", {{"vehicle", {{"plate", "AB-123-CD"}}}});
    REQUIRE(r.status == 201);
    const std::string offers = "/api/v1/repair-orders/" + std::to_string(body_of(r)["id"].get<Id>()) + "/offers";

    for (const std::string& path : {offers, offers + "/preview"}) {
        CAPTURE(path);
        // A note and a confirmation of the wrong type (were expected_string, expected_boolean),
        // recipients that are no list (was `required`).
        r = lan.call(Method::post, path, {{"recipients", "all"}, {"note", 42}, {"replace_seen", "yes"}});
        CHECK(r.status == 422);
        CHECK(field_codes(r) ==
              Codes{{"recipients", "invalid_type"}, {"note", "invalid_type"}, {"replace_seen", "invalid_type"}});
        // A recipient that is no contact point id (was expected_contact_point_id), a date that is none.
        r = lan.call(Method::post, path, {{"recipients", {"Marie"}}, {"send_at", "demain"}, {"colour", "red"}},
                     {{"accept-language", "en"}});
        CHECK(field_codes(r) ==
              Codes{{"recipients[0]", "invalid_type"}, {"send_at", "invalid_date"}, {"colour", "unknown_field"}});
        CHECK(field_message(r, "recipients[0]") == "Expected the id of a contact of the repair order.");
        r = lan.call(Method::post, path, {{"note", "Bonjour"}});
        CHECK(field_codes(r) == Codes{{"recipients", "required"}});
    }
    r = lan.call(Method::post, "/api/v1/offers/1/apply-answers", {{"drafts", "yes"}});
    CHECK(field_codes(r) == Codes{{"drafts", "invalid_type"}});
}

TEST_CASE("the repair report's routes: why none can be sent yet, the body's codes, 404") {
    OfferBox box;
    Lan& lan = box.lan;
    using Codes = std::map<std::string, std::string>;
    HttpResponse r = lan.call(Method::post, "/api/v1/repair-orders", {{"vehicle", {{"plate", "AB-123-CD"}}}});
    REQUIRE(r.status == 201);
    const std::string path = "/api/v1/repair-orders/" + std::to_string(body_of(r)["id"].get<Id>()) + "/report";

    // Nothing sent yet, and why the dialog cannot open: said in words, with its code.
    r = lan.call(Method::get, path);
    REQUIRE(r.status == 200);
    json listed = body_of(r);
    CHECK(listed["items"] == json::array());
    CHECK(listed["next"].is_null());
    CHECK(listed["refused"]["code"] == "report_no_offer");
    CHECK(listed["refused"]["state"].is_null());
    CHECK(listed["refused"]["message"].get<std::string>().find("offre") != std::string::npos);

    for (const std::string& p : {path, path + "/preview"}) {
        CAPTURE(p);
        r = lan.call(Method::post, p, {{"items", "all"}, {"final_total_incl_cents", "12"}, {"colour", 1}});
        CHECK(r.status == 422);
        CHECK(field_codes(r) == Codes{{"items", "invalid_type"},
                                      {"final_total_incl_cents", "invalid_type"},
                                      {"colour", "unknown_field"}});
        r = lan.call(Method::post, p, {{"items", {{{"done", "no"}}}}});
        CHECK(field_codes(r) == Codes{{"items[0].intervention_id", "required"}, {"items[0].done", "invalid_type"}});
        r = lan.call(Method::post, p, json::object());
        CHECK(r.status == 409);
        CHECK(body_of(r)["error"]["code"] == "report_no_offer");
    }
    CHECK(lan.call(Method::get, "/api/v1/repair-orders/999/report").status == 404);
}
