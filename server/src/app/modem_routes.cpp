#include "modem_routes.hpp"

#include "appliance_modem.hpp"
#include "request_body.hpp"
#include "responses.hpp"
#include "sms_cost_json.hpp"
#include "sms_store.hpp"
#include "virtual_modem.hpp"

#include <nlohmann/json.hpp>

namespace relais {
namespace {

using json = nlohmann::json;

// {"to", "text", "transliterate"} of a test SMS; {"text", "transliterate"} of a cost.
struct SmsBody {
    std::string to;
    std::string text;
    modem::Transliteration transliteration = modem::Transliteration::off;
};

SmsBody parse_sms(const json& body, bool with_to, const PhoneNumbers& phones, Problems& problems) {
    SmsBody sms;
    ObjectReader r(body, "", problems);
    if (with_to) {
        if (auto to = r.required_string("to")) {
            if (auto e164 = phones.normalize(*to))
                sms.to = *e164;
            else
                r.problem("to", e164.error().code, {{"value", *to}});
        }
    }
    sms.text = r.required_string("text").value_or("");
    if (r.boolean("transliterate").value_or(false)) sms.transliteration = modem::Transliteration::to_gsm7;
    return sms;
}

class ModemRoutes {
public:
    explicit ModemRoutes(ModemRoutesDeps deps) : d(std::move(deps)) {}

    HttpResponse status(ApiContext& ctx, const PathParams&) {
        json j = modem_json(d.modem, d.problem);
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

    // What an SMS would cost, before sending (the send dialog).
    HttpResponse sms_preview(ApiContext& ctx, const PathParams&) {
        Problems problems;
        const SmsBody sms = parse_sms(ctx.body, false, d.phones, problems);
        if (!problems.empty()) return shape_problems(ctx, problems);
        auto cost = modem::sms_cost(sms.text, sms.transliteration);
        if (!cost) return shape_problems(ctx, {{"text", cost.error().code, cost.error().params}});
        return json_response(200, sms_cost_json(*cost));
    }

    HttpResponse test_sms(ApiContext& ctx, const PathParams&) {
        if (!d.modem)
            return respond(ctx, make_error(ErrorKind::unavailable, "modem_unavailable", {{"detail", d.problem}}));
        Problems problems;
        const SmsBody sms = parse_sms(ctx.body, true, d.phones, problems);
        if (!problems.empty()) return shape_problems(ctx, problems);
        // The modem holds its queue while relais stops: the test would never leave.
        if (stopping(d.stop)) return respond(ctx, shutting_down_error());
        auto sent = d.modem->send_test(sms.to, sms.text, sms.transliteration);
        if (!sent) return shape_problems(ctx, {{"text", sent.error().code, sent.error().params}});
        return json_response(
            202, {{"id", sent->id}, {"to", sent->to}, {"state", sent->state}, {"cost", sms_cost_json(sent->cost)}});
    }

private:
    ModemRoutesDeps d;
};

}  // namespace

json modem_json(const ApplianceModem* modem, const std::string& problem) {
    if (!modem) return {{"health", "disconnected"}, {"detail", problem}};
    const modem::ModemStatus s = modem->status();
    json j = {{"health", modem::to_string(s.health)},
              {"detail", s.detail},
              {"signal", s.signal},
              {"registered", s.registered},
              {"roaming", s.roaming},
              {"operator", s.operator_name},
              {"manufacturer", s.manufacturer},
              {"model", s.model},
              {"device", modem->device()},
              {"queued", modem->queued()}};
    if (const VirtualModem* v = modem->virtual_modem()) {
        j["emulated"] = {{"journal", v->journal()}, {"control", v->control()}};
    }
    return j;
}

void add_modem_routes(ApiRoutes& routes, ModemRoutesDeps deps) {
    using R = ModemRoutes;
    const auto h = std::make_shared<R>(std::move(deps));
    routes.add(Method::get, "/api/v1/modem", RouteAccess::principal, h, &R::status);
    routes.add(Method::post, "/api/v1/modem/test-sms", RouteAccess::admin, h, &R::test_sms);
    routes.add(Method::post, "/api/v1/sms/preview", RouteAccess::principal, h, &R::sms_preview);
}

}  // namespace relais
