// The lan application driven with HttpRequest values: routing, authentication, CSRF,
// error format, bad input, languages, workspace files. No socket; the real binary is
// exercised by tests/integration.
#include "lan_app.hpp"
#include "lan_fixture.hpp"
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

TEST_CASE("the API needs credentials, unknown paths are JSON 404s, wrong methods 405") {
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

TEST_CASE("users choose their own language, messages follow it") {
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

TEST_CASE("admins create users and API keys, the key is shown once") {
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
