#include "report_routes.hpp"

#include "messages.hpp"
#include "offer_json.hpp"
#include "request_body.hpp"
#include "responses.hpp"
#include "sms_cost_json.hpp"
#include "timezone.hpp"

#include <nlohmann/json.hpp>

namespace relais {
namespace {

using json = nlohmann::json;

// {"items": [{"intervention_id", "done", "note"}], "final_total_incl_cents": n | null, "note"}:
// the advisor's corrections, each optional.
ReportRequest parse_report_request(const json& body, Problems& problems) {
    ReportRequest req;
    ObjectReader r(body, "", problems);
    if (const json* list = r.array("items")) {
        for (std::size_t i = 0; i < list->size(); ++i) {
            const std::string path = "items[" + std::to_string(i) + "].";
            const json& item = (*list)[i];
            if (!item.is_object()) {
                r.problem("items[" + std::to_string(i) + "]", "invalid_type", {{"expected", "object"}});
                continue;
            }
            ObjectReader ir(item, path, problems);
            ReportItemChange change;
            const auto id = ir.integer("intervention_id");
            if (!id && !ir.field("intervention_id")) ir.problem("intervention_id", "required");
            change.intervention_id = id.value_or(0);
            change.done = ir.boolean("done").value_or(true);
            change.note = ir.string("note").value_or("");
            req.items.push_back(std::move(change));
        }
    }
    if (auto total = r.nullable_integer("final_total_incl_cents")) req.final_total_incl = *total;
    req.note = r.string("note").value_or("");
    return req;
}

json report_json_for_advisor(const RepairReport& r, const PhoneNumbers& phones) {
    json j = report_json::snapshot(r);
    j["id"] = r.id;
    j["repair_order_id"] = r.ro_id;
    j["offer_id"] = r.offer_id;
    j["version"] = r.version;
    j["created_at"] = r.created_at ? json(format_utc(r.created_at)) : json(nullptr);
    j["created_by"] = r.created_by;
    j["final_adjusted"] = r.final_adjusted();
    int to_plan = 0;
    for (std::size_t i = 0; i < r.items.size(); ++i) {
        j["items"][i]["to_plan"] = r.items[i].to_plan();
        to_plan += r.items[i].to_plan() ? 1 : 0;
    }
    j["to_plan"] = to_plan;
    j["message"] = r.message ? offer_json::message(*r.message) : json(nullptr);
    if (r.message)
        j["message"]["address_display"] =
            r.message->channel == Channel::sms ? phones.display(r.message->address) : r.message->address;
    return j;
}

// A refusal's parameter, for the workspace to word it with its own names of states (null: none).
json param_of(const Error& e, const std::string& name) {
    for (const auto& [key, value] : e.params)
        if (key == name) return value;
    return nullptr;
}

class ReportRoutes {
public:
    explicit ReportRoutes(ReportRoutesDeps deps) : d(deps) {}

    // The RO's reports (newest first) and, when one may be sent, the next one as it would go by
    // default (what the dialog opens with); else why not.
    HttpResponse list(ApiContext& ctx, const PathParams& p) {
        const auto id = ro_id(p);
        if (!id) return respond(ctx, id.error());
        auto reports = d.reports->for_repair_order(*id);
        if (!reports) return respond(ctx, reports.error());
        json items = json::array();
        for (const RepairReport& r : *reports) items.push_back(report_json_for_advisor(r, d.phones));
        json out = {{"items", items}, {"next", nullptr}, {"refused", nullptr}};
        auto next = d.reports->preview(*id, {});
        if (next)
            out["next"] = preview_json(*next);
        else if (next.error().kind == ErrorKind::conflict)
            out["refused"] = {{"code", next.error().code},
                              {"message", render_message(next.error().code, next.error().params, ctx.lang)},
                              {"state", param_of(next.error(), "state")}};
        else
            return respond(ctx, next.error());
        return json_response(200, out);
    }

    HttpResponse preview(ApiContext& ctx, const PathParams& p) {
        const auto id = ro_id(p);
        if (!id) return respond(ctx, id.error());
        Problems problems;
        const ReportRequest request = parse_report_request(ctx.body, problems);
        if (!problems.empty()) return shape_problems(ctx, problems);
        auto preview = d.reports->preview(*id, request);
        if (!preview) return respond(ctx, preview.error());
        return json_response(200, preview_json(*preview));
    }

    HttpResponse send(ApiContext& ctx, const PathParams& p) {
        const auto id = ro_id(p);
        if (!id) return respond(ctx, id.error());
        Problems problems;
        const ReportRequest request = parse_report_request(ctx.body, problems);
        if (!problems.empty()) return shape_problems(ctx, problems);
        auto report = d.reports->send(*id, request, actor_of(*ctx.who));
        if (!report) return respond(ctx, report.error());
        return json_response(201, report_json_for_advisor(*report, d.phones));
    }

private:
    json preview_json(const ReportPreview& p) const {
        json message = {{"channel", to_string(p.recipient.channel)},
                        {"address", p.recipient.address},
                        {"address_display", p.recipient.channel == Channel::sms ? d.phones.display(p.recipient.address)
                                                                                : p.recipient.address},
                        {"name", p.recipient.name},
                        {"language", p.recipient.language},
                        {"subject", p.message.subject},
                        {"text", p.message.text},
                        {"html", p.message.html}};
        if (p.recipient.channel == Channel::sms)
            if (auto cost = modem::sms_cost(p.message.text, modem::Transliteration::off))
                message["sms"] = sms_cost_json(*cost);
        return {{"report", report_json_for_advisor(p.report, d.phones)}, {"message", message}};
    }

    Result<Id> ro_id(const PathParams& p) const {
        if (!d.reports) return make_error(ErrorKind::unavailable, "offers_unavailable");
        const auto id = p.id("id");
        if (!id) return not_found_error("repair_order");
        return *id;
    }

    ReportRoutesDeps d;
};

}  // namespace

void add_report_routes(ApiRoutes& routes, ReportRoutesDeps deps) {
    using R = ReportRoutes;
    const auto h = std::make_shared<R>(deps);
    constexpr auto any = RouteAccess::principal;
    routes.add(Method::get, "/api/v1/repair-orders/{id}/report", any, h, &R::list);
    routes.add(Method::post, "/api/v1/repair-orders/{id}/report", any, h, &R::send);
    routes.add(Method::post, "/api/v1/repair-orders/{id}/report/preview", any, h, &R::preview);
}

}  // namespace relais
