#include "offer_routes.hpp"

#include "offer_json.hpp"
#include "request_body.hpp"
#include "responses.hpp"
#include "ro_json.hpp"
#include "send_schedule.hpp"
#include "sms_cost_json.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace relais {
namespace {

using json = nlohmann::json;

// {"policy": "gentle" | "urgent" | "custom" | "none", "every_hours": n}: a send's reminders,
// or a change of them. every_hours is for urgent and custom only (absent: the default).
std::optional<ReminderCadence> parse_cadence(ObjectReader& outer, const char* key) {
    const json* obj = outer.object(key);
    if (!obj) return std::nullopt;
    ObjectReader r(*obj, outer.path() + key + ".", outer.problems());
    const auto policy = r.enumeration<ReminderPolicy>("policy");
    const auto every = r.integer("every_hours");
    if (!policy) {
        if (!r.field("policy")) r.problem("policy", "required");
        return std::nullopt;
    }
    ReminderCadence c{*policy, 0};
    if (every) {
        const int max = *policy == ReminderPolicy::urgent ? kMaxUrgentEveryHours : kMaxCustomEveryHours;
        if (*policy != ReminderPolicy::urgent && *policy != ReminderPolicy::custom)
            r.problem("every_hours", "unknown_field");
        else if (*every < 1 || *every > max)
            r.problem("every_hours", "out_of_range", {{"min", "1"}, {"max", std::to_string(max)}});
        else
            c.every_hours = static_cast<int>(*every);
    }
    return c;
}

// {"hours": n}: a send scheduled n hours from the RO's promised time (negative: before). The
// range and the time it gives are the service's to check (send_schedule.hpp).
std::optional<int> parse_send_relative(ObjectReader& outer) {
    const json* obj = outer.object("send_relative");
    if (!obj) return std::nullopt;
    ObjectReader r(*obj, outer.path() + "send_relative.", outer.problems());
    const auto hours = r.integer("hours");
    if (!hours) {
        if (!r.field("hours")) r.problem("hours", "required");
        return std::nullopt;
    }
    // Bounded before narrowing; the exact bounds' message is the service's.
    return static_cast<int>(std::clamp<std::int64_t>(*hours, -kMaxSendRelativeHours - 1, kMaxSendRelativeHours + 1));
}

// The body of a send or its preview: {"recipients": [contact point ids], "note", "send_at",
// "send_relative", "replace_seen", "reminders", "sender_id", "message"}. Each recipient is a
// contact point id, or {"contact_point_id": id}.
SendOfferRequest parse_send_request(const json& body, const TimeZone& zone, Problems& problems) {
    SendOfferRequest req;
    ObjectReader r(body, "", problems);
    if (const json* list = r.required_array("recipients")) {
        for (std::size_t i = 0; i < list->size(); ++i) {
            const json& item = (*list)[i];
            const json& v = item.is_object() ? item.value("contact_point_id", json()) : item;
            if (v.is_number_integer())
                req.contact_point_ids.push_back(v.get<Id>());
            else
                r.problem("recipients[" + std::to_string(i) + "]", "invalid_type", {{"expected", "contact_point_id"}});
        }
    }
    req.note = r.string("note", ObjectReader::Null::refused).value_or("");
    if (auto at = r.nullable_date("send_at", zone)) req.send_at = *at;
    req.replace_seen = r.boolean("replace_seen").value_or(false);
    req.reminders = parse_cadence(r, "reminders");
    req.send_relative_hours = parse_send_relative(r);
    if (auto sender = r.nullable_integer("sender_id")) req.sender_id = *sender;
    // {"sms", "email_subject", "email_body"}: this send's wording, each optional.
    if (const json* message = r.object("message")) {
        ObjectReader m(*message, "message.", problems);
        if (auto v = m.string("sms", ObjectReader::Null::refused)) req.message.sms = *v;
        if (auto v = m.string("email_subject", ObjectReader::Null::refused)) req.message.email_subject = *v;
        if (auto v = m.string("email_body", ObjectReader::Null::refused)) req.message.email_body = *v;
    }
    return req;
}

// A change of an offer's reminders: {"policy", "every_hours"} and/or {"paused": bool}.
ReminderChange parse_reminder_change(const json& body, Problems& problems) {
    ReminderChange change;
    ObjectReader r(body, "", problems);
    const auto policy = r.enumeration<ReminderPolicy>("policy");
    const auto every = r.integer("every_hours");
    change.paused = r.boolean("paused");
    if (policy) {
        ReminderCadence c{*policy, 0};
        const int max = *policy == ReminderPolicy::urgent ? kMaxUrgentEveryHours : kMaxCustomEveryHours;
        if (every && *policy != ReminderPolicy::urgent && *policy != ReminderPolicy::custom)
            r.problem("every_hours", "unknown_field");
        else if (every && (*every < 1 || *every > max))
            r.problem("every_hours", "out_of_range", {{"min", "1"}, {"max", std::to_string(max)}});
        else if (every)
            c.every_hours = static_cast<int>(*every);
        change.cadence = c;
    } else if (every) {
        r.problem("policy", "required");
    }
    if (!change.cadence && !change.paused && problems.empty()) r.problem("policy", "required");
    return change;
}

// {"drafts": true} applies answers the customer has not confirmed yet.
OfferService::Answers parse_answers(const json& body, Problems& problems) {
    ObjectReader r(body, "", problems);
    return r.boolean("drafts").value_or(false) ? OfferService::Answers::drafts_too
                                               : OfferService::Answers::confirmed_only;
}

class OfferRoutes {
public:
    explicit OfferRoutes(OfferRoutesDeps deps) : d(deps) {}

    HttpResponse send(ApiContext& ctx, const PathParams& p) {
        const auto to_send = send_of(p, ctx.body);
        if (!to_send) return respond(ctx, to_send.error());
        auto offer = d.offers->send(to_send->ro_id, to_send->request, actor_of(*ctx.who));
        if (!offer) return respond(ctx, offer.error());
        return json_response(201, offer_json::offer(*offer, d.phones));
    }

    HttpResponse preview(ApiContext& ctx, const PathParams& p) {
        const auto to_send = send_of(p, ctx.body);
        if (!to_send) return respond(ctx, to_send.error());
        auto preview = d.offers->preview(to_send->ro_id, to_send->request);
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
                if (cost) j["sms"] = sms_cost_json(*cost);
            }
            messages.push_back(std::move(j));
        }
        json offer = offer_json::offer(preview->offer, d.phones);
        return json_response(
            200, {{"items", offer["items"]},
                  {"total_incl_cents", offer["total_incl_cents"]},
                  {"note", offer["note"]},
                  {"agreements", offer["agreements"]},
                  {"messages", messages},
                  {"send_at", preview->send_at ? json(format_utc(*preview->send_at)) : json(nullptr)},
                  {"asked_for", preview->asked_for ? json(format_utc(*preview->asked_for)) : json(nullptr)}});
    }

    HttpResponse list(ApiContext& ctx, const PathParams& p) {
        const auto id = route_id(p, "repair_order");
        if (!id) return respond(ctx, id.error());
        auto ro = d.repair_orders.get(*id);
        if (!ro) return respond(ctx, ro.error());
        return list_response(ctx, d.offers->for_repair_order(*id),
                             [&](const Offer& o) { return offer_json::offer(o, d.phones); });
    }

    HttpResponse get(ApiContext& ctx, const PathParams& p) {
        const auto id = route_id(p, "offer");
        if (!id) return respond(ctx, id.error());
        return answer(ctx, d.offers->get(*id));
    }

    // Without {"drafts": true}, answers the customer has not confirmed are refused (409), so
    // that a DMS cannot act on drafts by mistake either.
    HttpResponse apply_answers(ApiContext& ctx, const PathParams& p) {
        const auto id = route_id(p, "offer");
        if (!id) return respond(ctx, id.error());
        Problems problems;
        const auto answers = parse_answers(ctx.body, problems);
        if (!problems.empty()) return shape_problems(ctx, problems);
        auto changed = d.offers->apply_answers(*id, actor_of(*ctx.who), answers);
        if (!changed) return respond(ctx, changed.error());
        auto offer = d.offers->get(*id);
        if (!offer) return respond(ctx, offer.error());
        auto ro = d.repair_orders.get(offer->ro_id);
        if (!ro) return respond(ctx, ro.error());
        return json_response(200, {{"changed", *changed}, {"repair_order", ro_json::repair_order(*ro, d.phones)}});
    }

    HttpResponse lock(ApiContext& ctx, const PathParams& p) {
        const auto id = route_id(p, "offer");
        if (!id) return respond(ctx, id.error());
        return answer(ctx, d.offers->lock(*id, actor_of(*ctx.who)));
    }

    HttpResponse cancel(ApiContext& ctx, const PathParams& p) {
        const auto id = route_id(p, "offer");
        if (!id) return respond(ctx, id.error());
        return answer(ctx, d.offers->cancel(*id, actor_of(*ctx.who)));
    }

    HttpResponse resend(ApiContext& ctx, const PathParams& p) {
        const auto id = route_id(p, "offer");
        if (!id) return respond(ctx, id.error());
        return answer(ctx, d.offers->resend(*id, actor_of(*ctx.who)));
    }

    HttpResponse change_reminders(ApiContext& ctx, const PathParams& p) {
        const auto id = reminders_id(p);
        if (!id) return respond(ctx, id.error());
        Problems problems;
        const ReminderChange change = parse_reminder_change(ctx.body, problems);
        if (!problems.empty()) return shape_problems(ctx, problems);
        auto plan = d.reminders->change(*id, change, actor_of(*ctx.who));
        if (!plan) return respond(ctx, plan.error());
        return answer(ctx, d.offers->get(*id));
    }

    HttpResponse send_reminder(ApiContext& ctx, const PathParams& p) {
        const auto id = reminders_id(p);
        if (!id) return respond(ctx, id.error());
        auto plan = d.reminders->send_now(*id, actor_of(*ctx.who));
        if (!plan) return respond(ctx, plan.error());
        return answer(ctx, d.offers->get(*id));
    }

private:
    Result<Id> reminders_id(const PathParams& p) const {
        if (!d.reminders) return make_error(ErrorKind::unavailable, "offers_unavailable");
        return route_id(p, "offer");
    }

    struct Send {
        Id ro_id = 0;
        SendOfferRequest request;
    };

    // What a send or its preview is about: the RO in the path, the body's request.
    Result<Send> send_of(const PathParams& p, const json& body) const {
        const auto id = route_id(p, "repair_order");
        if (!id) return id.error();
        Problems problems;
        SendOfferRequest request = parse_send_request(body, d.zone, problems);
        if (!problems.empty()) return validation_error(problems);
        return Send{*id, std::move(request)};
    }

    // The id in the route's path, once the offer service is known to be running.
    Result<Id> route_id(const PathParams& p, const char* resource) const {
        if (!d.offers) return make_error(ErrorKind::unavailable, "offers_unavailable");
        const auto id = p.id("id");
        if (!id) return not_found_error(resource);
        return *id;
    }

    HttpResponse answer(const ApiContext& ctx, const Result<Offer>& offer) const {
        if (!offer) return respond(ctx, offer.error());
        return json_response(200, offer_json::offer(*offer, d.phones));
    }

    OfferRoutesDeps d;
};

}  // namespace

void add_offer_routes(ApiRoutes& routes, OfferRoutesDeps deps) {
    using R = OfferRoutes;
    const auto h = std::make_shared<R>(deps);
    constexpr auto any = RouteAccess::principal;
    routes.add(Method::get, "/api/v1/repair-orders/{id}/offers", any, h, &R::list);
    routes.add(Method::post, "/api/v1/repair-orders/{id}/offers", any, h, &R::send);
    routes.add(Method::post, "/api/v1/repair-orders/{id}/offers/preview", any, h, &R::preview);
    routes.add(Method::get, "/api/v1/offers/{id}", any, h, &R::get);
    routes.add(Method::post, "/api/v1/offers/{id}/lock", any, h, &R::lock);
    routes.add(Method::post, "/api/v1/offers/{id}/cancel", any, h, &R::cancel);
    routes.add(Method::post, "/api/v1/offers/{id}/resend", any, h, &R::resend);
    routes.add(Method::post, "/api/v1/offers/{id}/apply-answers", any, h, &R::apply_answers);
    routes.add(Method::patch, "/api/v1/offers/{id}/reminders", any, h, &R::change_reminders);
    routes.add(Method::post, "/api/v1/offers/{id}/reminders/send", any, h, &R::send_reminder);
}

}  // namespace relais
