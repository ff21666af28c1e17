#include "callback_routes.hpp"

#include "request_body.hpp"
#include "responses.hpp"
#include "timezone.hpp"

#include <nlohmann/json.hpp>

namespace relais {
namespace {

using json = nlohmann::json;

json optional_time(const std::optional<UnixMs>& v) { return v ? json(format_utc(*v)) : json(); }

json callback_json(const Callback& c, const PhoneNumbers& phones) {
    json numbers = json::array();
    for (const CallbackPhone& p : c.phones)
        numbers.push_back({{"e164", p.e164}, {"display", phones.display(p.e164)}, {"source", p.source}});
    json advisor;
    if (c.advisor)
        advisor = {{"id", c.advisor->id}, {"username", c.advisor->username}, {"display_name", c.advisor->display_name}};
    return {
        {"offer_id", c.offer_id},
        {"offer_version", c.offer_version},
        {"intervention_id", c.intervention_id},
        {"ro_id", c.ro_id},
        {"ro_number", c.ro_number},
        {"vehicle",
         {{"plate", c.vehicle.plate}, {"make", c.vehicle.make}, {"model", c.vehicle.model}, {"vin", c.vehicle.vin}}},
        {"customer_name", c.customer_name},
        {"phones", numbers},
        {"label", c.label},
        {"severity", to_string(c.severity)},
        {"price_incl_cents", c.price_incl},
        {"asked_at", format_utc(c.asked_at)},
        {"outcome", c.outcome ? json(to_string(*c.outcome)) : json()},
        {"attempts", c.attempts},
        {"note", c.note},
        {"last_at", optional_time(c.last_at)},
        {"last_by", c.last_by},
        {"advisor", advisor}};
}

class CallbackRoutes {
public:
    explicit CallbackRoutes(CallbackRoutesDeps deps) : d(deps) {}

    HttpResponse list(ApiContext& ctx, const PathParams&) {
        if (!d.callbacks) return respond(ctx, make_error(ErrorKind::unavailable, "offers_unavailable"));
        CallbackFilter filter = CallbackFilter::open;
        if (const std::string* state = ctx.req.query_param("state")) {
            const auto f = parse_enum<CallbackFilter>(*state);
            if (!f)
                return shape_problems(
                    ctx, {{"query.state", "invalid_choice", {{"choices", enum_choices<CallbackFilter>()}}}});
            filter = *f;
        }
        std::optional<Id> advisor;
        if (const std::string* a = ctx.req.query_param("advisor")) {
            try {
                std::size_t used = 0;
                advisor = std::stoll(*a, &used);
                if (used != a->size()) throw std::invalid_argument("advisor");
            } catch (const std::exception&) {
                return shape_problems(ctx, {{"query.advisor", "invalid_type", {{"expected", "integer"}}}});
            }
        }
        return list_response(ctx, d.callbacks->list(filter, advisor),
                             [&](const Callback& c) { return callback_json(c, d.phones); });
    }

    // {"outcome": "done" | "not_reached", "note": "..."}
    HttpResponse record(ApiContext& ctx, const PathParams& p) {
        if (!d.callbacks) return respond(ctx, make_error(ErrorKind::unavailable, "offers_unavailable"));
        const auto offer_id = p.id("offer_id");
        const auto intervention_id = p.id("intervention_id");
        if (!offer_id || !intervention_id) return respond(ctx, not_found_error("callback"));
        Problems problems;
        std::optional<std::string> outcome, note;
        {
            ObjectReader r(ctx.body, "", problems);  // its end names the unknown fields
            outcome = r.required_string("outcome");
            note = r.string("note");
        }
        if (!problems.empty()) return shape_problems(ctx, problems);
        auto done = d.callbacks->record(*offer_id, *intervention_id, outcome.value_or(""), note.value_or(""),
                                        actor_of(*ctx.who));
        if (!done) return respond(ctx, done.error());
        return json_response(200, callback_json(*done, d.phones));
    }

private:
    CallbackRoutesDeps d;
};

}  // namespace

void add_callback_routes(ApiRoutes& routes, CallbackRoutesDeps deps) {
    using R = CallbackRoutes;
    const auto h = std::make_shared<R>(deps);
    constexpr auto any = RouteAccess::principal;
    routes.add(Method::get, "/api/v1/callbacks", any, h, &R::list);
    routes.add(Method::post, "/api/v1/callbacks/{offer_id}/{intervention_id}", any, h, &R::record);
}

}  // namespace relais
