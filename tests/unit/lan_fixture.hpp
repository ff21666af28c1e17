#pragma once
// The lan application of the unit tests: a World, the app with its routes and what a test adds to
// its dependencies, signed in as the first admin, driven with HttpRequest values (no socket).
// Shared by test_lan_app.cpp and test_lan_app_bodies.cpp.
#include "lan_app.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>

namespace relais::test {

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
    HttpResponse call(Method m, const std::string& path, const nlohmann::json& body = nullptr, NameValues extra = {}) {
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
        csrf = nlohmann::json::parse(r.body)["csrf_token"];
    }
};

inline nlohmann::json body_of(const HttpResponse& r) { return nlohmann::json::parse(r.body); }

inline const nlohmann::json* field_error(const nlohmann::json& body, const std::string& field) {
    for (const auto& f : body["error"]["fields"]) {
        if (f["field"] == field) return &f;
    }
    return nullptr;
}

}  // namespace relais::test
