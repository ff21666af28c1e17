#include "admin_routes.hpp"

#include "email_address.hpp"
#include "request_body.hpp"
#include "responses.hpp"
#include "serial_port.hpp"
#include "settings_api.hpp"
#include "test_emails.hpp"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <atomic>

#ifndef RELAIS_VERSION
#define RELAIS_VERSION "dev"
#endif

namespace relais {
namespace {

using json = nlohmann::json;

json test_email_json(const TestEmail& t) {
    json j = {{"id", t.id}, {"to", t.to}, {"state", to_string(t.state)}, {"at", format_utc(t.at)}};
    // The relay's own words, shown to the admin as they came.
    if (t.state == TestEmail::State::sent) j["answer"] = t.answer;
    if (t.state == TestEmail::State::failed) j["error"] = t.answer;
    return j;
}

// {"to"}: the address a test email goes to.
std::string parse_test_email(const json& body, Problems& problems) {
    ObjectReader r(body, "", problems);
    const auto to = r.required_string("to");
    if (!to) return {};
    auto address = normalize_email(*to);
    if (!address) {
        r.problem("to", address.error().code, {{"value", *to}});
        return {};
    }
    return *address;
}

class AdminRoutes {
public:
    explicit AdminRoutes(AdminRoutesDeps deps) : d(std::move(deps)), setup_is_done(d.config.setup_done) {}

    HttpResponse settings(ApiContext& ctx, const PathParams&) {
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
                                   // The send dialog names the dealership's default plan.
                                   {"reminders",
                                    {{"policy", to_string(d.config.reminders.policy)},
                                     {"every_hours", d.config.reminders.policy == ReminderPolicy::urgent
                                                         ? d.config.reminders.urgent_every_hours
                                                         : d.config.reminders.custom_every_hours}}},
                                   {"setup_done", setup_is_done.load()},
                                   {"version", RELAIS_VERSION}});
    }

    HttpResponse admin_settings(ApiContext&, const PathParams&) {
        json j = settings_json(d.config, modem::list_serial_ports());
        j["setup_done"] = setup_is_done.load();
        return json_response(200, j);
    }

    HttpResponse update_admin_settings(ApiContext& ctx, const PathParams&) {
        if (!d.save_settings || !d.restart) return respond(ctx, unavailable());
        // Saved while relais stops (for another save, or for systemd), a change would apply
        // after a start nobody asked for, or never: the admin saves again once it is back.
        if (stopping(d.stop)) return respond(ctx, shutting_down_error());
        SettingsBody body = read_settings_body(ctx.body);
        if (!body.problems.empty()) return shape_problems(ctx, body.problems);
        if (body.changes.empty()) return json_response(200, {{"restarting", false}});
        const ConfigLoad saved = d.save_settings(body.changes);
        if (!saved.config) {
            Problems problems;
            for (const auto& p : saved.problems) problems.push_back(setting_problem(p));
            return shape_problems(ctx, problems);
        }
        std::string keys;
        for (const auto& c : body.changes) keys += (keys.empty() ? "" : ", ") + c.section + "." + c.key;
        ctx.log.info("settings changed in the workspace by {}: {}; restarting to apply them", actor_of(*ctx.who).name,
                     keys);
        d.restart();
        return json_response(202, {{"restarting", true}});
    }

    HttpResponse setup_done(ApiContext& ctx, const PathParams&) {
        if (!d.save_settings) return respond(ctx, unavailable());
        const ConfigLoad saved = d.save_settings({{"setup", "done", true}});
        if (!saved.config) return respond(ctx, internal_error(saved.problems.front().to_string()));
        setup_is_done = true;
        return no_content();
    }

    // 202 at once with the test's id; its outcome is read with GET …/test-email/{id}.
    HttpResponse test_email(ApiContext& ctx, const PathParams&) {
        if (!d.test_emails) return respond(ctx, unavailable());
        Problems problems;
        const std::string to = parse_test_email(ctx.body, problems);
        if (!problems.empty()) return shape_problems(ctx, problems);
        // The core loop may stop before it sends: no outcome would ever come.
        if (stopping(d.stop)) return respond(ctx, shutting_down_error());
        return json_response(202, test_email_json(d.test_emails->start(to)));
    }

    HttpResponse test_email_outcome(ApiContext& ctx, const PathParams& p) {
        if (!d.test_emails) return respond(ctx, unavailable());
        const auto found = d.test_emails->find(p.get("id"));
        if (!found) return respond(ctx, not_found_error("test_email"));
        return json_response(200, test_email_json(*found));
    }

private:
    static Error unavailable() { return make_error(ErrorKind::unavailable, "settings_unavailable"); }

    AdminRoutesDeps d;
    std::atomic<bool> setup_is_done;
};

}  // namespace

void add_admin_routes(ApiRoutes& routes, AdminRoutesDeps deps) {
    using R = AdminRoutes;
    const auto h = std::make_shared<R>(std::move(deps));
    routes.add(Method::get, "/api/v1/settings", RouteAccess::anyone, h, &R::settings, BeforePasswordChange::allowed);
    routes.add(Method::get, "/api/v1/admin/settings", RouteAccess::admin, h, &R::admin_settings);
    routes.add(Method::patch, "/api/v1/admin/settings", RouteAccess::admin, h, &R::update_admin_settings);
    routes.add(Method::post, "/api/v1/admin/setup/done", RouteAccess::admin, h, &R::setup_done);
    routes.add(Method::post, "/api/v1/mail/test-email", RouteAccess::admin, h, &R::test_email);
    routes.add(Method::get, "/api/v1/mail/test-email/{id}", RouteAccess::admin, h, &R::test_email_outcome);
}

}  // namespace relais
