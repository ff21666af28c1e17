#include "ro_routes.hpp"

#include "responses.hpp"
#include "ro_json.hpp"
#include "ro_replies.hpp"
#include "text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace relais {
namespace {

using json = nlohmann::json;

// What every change to a part of an RO starts with: the ids in the path (each named by what a
// missing one is: {"pid", "party"}), If-Match, and the body's shape problems.
struct Target {
    std::vector<Id> ids;
    std::optional<std::int64_t> version;
    Problems problems;
};

std::optional<HttpResponse> target(ApiContext& ctx, const PathParams& p,
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

// Sub-resources answer with the item and the RO's new version in ETag.
template <class T, class ToJson>
HttpResponse changed(const ApiContext& ctx, int status, const Result<Changed<T>>& c, ToJson to_json) {
    if (!c) return respond(ctx, c.error());
    HttpResponse r = json_response(status, to_json(c->item));
    r.header("ETag", etag_of(c->ro_version));
    return r;
}

HttpResponse removed(const ApiContext& ctx, const Result<std::int64_t>& version) {
    if (!version) return respond(ctx, version.error());
    HttpResponse r = no_content();
    r.header("ETag", etag_of(*version));
    return r;
}

const Party* party_in(const RepairOrder& ro, const PathParams& p) {
    for (const Party& party : ro.parties) {
        if (p.id("pid") && party.id == *p.id("pid")) return &party;
    }
    return nullptr;
}

class RepairOrderRoutes {
public:
    explicit RepairOrderRoutes(RepairOrderRoutesDeps deps) : d(deps) {}

    // ---- the list -----------------------------------------------------------------------------

    HttpResponse list(ApiContext& ctx, const PathParams&) {
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
                    HttpResponse r = shape_problems(
                        ctx, {{"query.status", "too_many_values", {{"max", std::to_string(max_values)}}}});
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
            if (auto date_field = parse_enum<RepairOrderQuery::DateField>(*field))
                q.date_field = *date_field;
            else if (!field->empty())
                problems.push_back(
                    {"query.date", "invalid_choice", {{"choices", enum_choices<RepairOrderQuery::DateField>()}}});
        }
        q.from = query_date(ctx, "from", false, problems);
        q.to = query_date(ctx, "to", true, problems);
        if (const std::string* sort = ctx.req.query_param("sort")) {
            if (auto order = parse_enum<RepairOrderQuery::Sort>(*sort))
                q.sort = *order;
            else if (!sort->empty())
                problems.push_back(
                    {"query.sort", "invalid_choice", {{"choices", enum_choices<RepairOrderQuery::Sort>()}}});
        }
        if (const std::string* attention = ctx.req.query_param("attention")) {
            if (*attention == "true")
                q.attention = true;
            else if (*attention != "false" && !attention->empty())
                problems.push_back({"query.attention", "invalid_choice", {{"choices", "true, false"}}});
        }
        if (auto page = query_int(ctx, "page", 1, 100000, problems)) q.page = static_cast<int>(*page);
        if (auto per = query_int(ctx, "per_page", 1, 200, problems)) q.per_page = static_cast<int>(*per);
        if (!problems.empty()) return shape_problems(ctx, problems);
        auto page = d.repair_orders.list(q);
        if (!page) return respond(ctx, page.error());
        return json_response(200, ro_json::page(*page));
    }

    // ---- the RO as a whole --------------------------------------------------------------------

    HttpResponse create(ApiContext& ctx, const PathParams&) {
        Problems problems;
        RepairOrderPatch patch = ro_json::parse_repair_order(ctx.body, d.zone, problems);
        if (!problems.empty()) return shape_problems(ctx, problems);
        auto ro = d.repair_orders.create(patch, actor_of(*ctx.who));
        if (!ro) return respond(ctx, ro.error());
        return ro_response(201, *ro);
    }

    HttpResponse get(ApiContext& ctx, const PathParams& p) {
        const auto id = p.id("id");
        if (!id) return respond(ctx, not_found_error("repair_order"));
        auto ro = d.repair_orders.get(*id);
        if (!ro) return respond(ctx, ro.error());
        return ro_response(200, *ro);
    }

    HttpResponse update(ApiContext& ctx, const PathParams& p) {
        Target t;
        if (auto bad = target(ctx, p, {{"id", "repair_order"}}, t)) return *bad;
        RepairOrderPatch patch = ro_json::parse_repair_order(ctx.body, d.zone, t.problems);
        if (!t.problems.empty()) return shape_problems(ctx, t.problems);
        auto ro = d.repair_orders.update(t.ids[0], patch, t.version, actor_of(*ctx.who));
        if (!ro) return respond(ctx, ro.error());
        return ro_response(200, *ro);
    }

    HttpResponse remove(ApiContext& ctx, const PathParams& p) {
        Target t;
        if (auto bad = target(ctx, p, {{"id", "repair_order"}}, t)) return *bad;
        const bool any_advisor = ctx.who->kind != Principal::Kind::user || ctx.who->role == UserRole::dealer_admin;
        if (auto done = d.repair_orders.remove(t.ids[0], t.version, actor_of(*ctx.who), any_advisor); !done)
            return respond(ctx, done.error());
        return no_content();
    }

    HttpResponse mark_handled(ApiContext& ctx, const PathParams& p) {
        const auto id = p.id("id");
        if (!id) return respond(ctx, not_found_error("repair_order"));
        if (auto done = d.repair_orders.mark_handled(*id, actor_of(*ctx.who)); !done) return respond(ctx, done.error());
        return no_content();
    }

    HttpResponse timeline(ApiContext& ctx, const PathParams& p) {
        const auto id = p.id("id");
        if (!id) return respond(ctx, not_found_error("repair_order"));
        return list_response(ctx, d.repair_orders.timeline(*id), ro_json::event);
    }

    HttpResponse replies(ApiContext& ctx, const PathParams& p) {
        const auto id = p.id("id");
        if (!id) return respond(ctx, not_found_error("repair_order"));
        auto replies = d.repair_orders.replies(*id);
        if (!replies) return respond(ctx, replies.error());
        json items = json::array();
        std::size_t unread = 0;
        for (const CustomerReply& r : *replies) {
            items.push_back(ro_json::reply(r, d.phones));
            if (!r.read_at) ++unread;
        }
        return json_response(200, {{"items", items}, {"unread", unread}});
    }

    HttpResponse mark_replies_read(ApiContext& ctx, const PathParams& p) {
        const auto id = p.id("id");
        if (!id) return respond(ctx, not_found_error("repair_order"));
        auto marked = d.repair_orders.mark_replies_read(*id, actor_of(*ctx.who));
        if (!marked) return respond(ctx, marked.error());
        return json_response(200, {{"marked", *marked}});
    }

    // ---- its parts, read ----------------------------------------------------------------------

    HttpResponse list_parties(ApiContext& ctx, const PathParams& p) {
        return read_part(ctx, p, [&](const RepairOrder& ro) -> Result<json> {
            return items_json(ro.parties, [&](const Party& x) { return ro_json::party(x, d.phones); });
        });
    }

    HttpResponse get_party(ApiContext& ctx, const PathParams& p) {
        return read_part(ctx, p, [&](const RepairOrder& ro) -> Result<json> {
            const Party* party = party_in(ro, p);
            if (!party) return not_found_error("party");
            return ro_json::party(*party, d.phones);
        });
    }

    HttpResponse list_contacts(ApiContext& ctx, const PathParams& p) {
        return read_part(ctx, p, [&](const RepairOrder& ro) -> Result<json> {
            const Party* party = party_in(ro, p);
            if (!party) return not_found_error("party");
            return items_json(party->contact_points,
                              [&](const ContactPoint& x) { return ro_json::contact_point(x, d.phones); });
        });
    }

    HttpResponse list_items(ApiContext& ctx, const PathParams& p) {
        return read_part(ctx, p, [](const RepairOrder& ro) -> Result<json> {
            return items_json(ro.interventions, ro_json::intervention);
        });
    }

    HttpResponse get_item(ApiContext& ctx, const PathParams& p) {
        return read_part(ctx, p, [&](const RepairOrder& ro) -> Result<json> {
            for (const Intervention& it : ro.interventions) {
                if (p.id("iid") && it.id == *p.id("iid")) return ro_json::intervention(it);
            }
            return not_found_error("intervention");
        });
    }

    // ---- its parts, changed -------------------------------------------------------------------

    HttpResponse add_party(ApiContext& ctx, const PathParams& p) {
        Target t;
        if (auto bad = target(ctx, p, {{"id", "repair_order"}}, t)) return *bad;
        PartyPatch patch = ro_json::parse_party(ctx.body, "", t.problems);
        if (!t.problems.empty()) return shape_problems(ctx, t.problems);
        return changed(ctx, 201, d.repair_orders.add_party(t.ids[0], patch, t.version, actor_of(*ctx.who)),
                       [&](const Party& x) { return ro_json::party(x, d.phones); });
    }

    HttpResponse update_party(ApiContext& ctx, const PathParams& p) {
        Target t;
        if (auto bad = target(ctx, p, {{"id", "repair_order"}, {"pid", "party"}}, t)) return *bad;
        PartyPatch patch = ro_json::parse_party(ctx.body, "", t.problems);
        if (!t.problems.empty()) return shape_problems(ctx, t.problems);
        return changed(ctx, 200, d.repair_orders.update_party(t.ids[0], t.ids[1], patch, t.version, actor_of(*ctx.who)),
                       [&](const Party& x) { return ro_json::party(x, d.phones); });
    }

    HttpResponse remove_party(ApiContext& ctx, const PathParams& p) {
        Target t;
        if (auto bad = target(ctx, p, {{"id", "repair_order"}, {"pid", "party"}}, t)) return *bad;
        return removed(ctx, d.repair_orders.remove_party(t.ids[0], t.ids[1], t.version, actor_of(*ctx.who)));
    }

    HttpResponse add_contact(ApiContext& ctx, const PathParams& p) {
        Target t;
        if (auto bad = target(ctx, p, {{"id", "repair_order"}, {"pid", "party"}}, t)) return *bad;
        ContactPointPatch patch = ro_json::parse_contact_point(ctx.body, "", t.problems);
        if (!t.problems.empty()) return shape_problems(ctx, t.problems);
        return changed(ctx, 201,
                       d.repair_orders.add_contact_point(t.ids[0], t.ids[1], patch, t.version, actor_of(*ctx.who)),
                       [&](const ContactPoint& x) { return ro_json::contact_point(x, d.phones); });
    }

    HttpResponse update_contact(ApiContext& ctx, const PathParams& p) {
        Target t;
        if (auto bad = target(ctx, p, {{"id", "repair_order"}, {"pid", "party"}, {"cid", "contact_point"}}, t)) {
            return *bad;
        }
        ContactPointPatch patch = ro_json::parse_contact_point(ctx.body, "", t.problems);
        if (!t.problems.empty()) return shape_problems(ctx, t.problems);
        return changed(
            ctx, 200,
            d.repair_orders.update_contact_point(t.ids[0], t.ids[1], t.ids[2], patch, t.version, actor_of(*ctx.who)),
            [&](const ContactPoint& x) { return ro_json::contact_point(x, d.phones); });
    }

    HttpResponse remove_contact(ApiContext& ctx, const PathParams& p) {
        Target t;
        if (auto bad = target(ctx, p, {{"id", "repair_order"}, {"pid", "party"}, {"cid", "contact_point"}}, t)) {
            return *bad;
        }
        return removed(
            ctx, d.repair_orders.remove_contact_point(t.ids[0], t.ids[1], t.ids[2], t.version, actor_of(*ctx.who)));
    }

    HttpResponse add_item(ApiContext& ctx, const PathParams& p) {
        Target t;
        if (auto bad = target(ctx, p, {{"id", "repair_order"}}, t)) return *bad;
        InterventionPatch patch = ro_json::parse_intervention(ctx.body, "", t.problems);
        if (!t.problems.empty()) return shape_problems(ctx, t.problems);
        return changed(ctx, 201, d.repair_orders.add_intervention(t.ids[0], patch, t.version, actor_of(*ctx.who)),
                       [](const Intervention& x) { return ro_json::intervention(x); });
    }

    // `"change_agreed": true` in the body (a PATCH) or `?change_agreed=true` (a DELETE) says
    // that changing what the customer agreed to is wanted; without it such a change is a 409
    // (`agreed_by_customer`), so that neither an advisor nor a DMS changes an agreed price silently.
    HttpResponse update_item(ApiContext& ctx, const PathParams& p) {
        Target t;
        if (auto bad = target(ctx, p, {{"id", "repair_order"}, {"iid", "intervention"}}, t)) return *bad;
        const ro_json::InterventionChange change = ro_json::parse_intervention_change(ctx.body, t.problems);
        if (!t.problems.empty()) return shape_problems(ctx, t.problems);
        return changed(ctx, 200,
                       d.repair_orders.update_intervention(t.ids[0], t.ids[1], change.patch, t.version,
                                                           actor_of(*ctx.who), change.agreed),
                       [](const Intervention& x) { return ro_json::intervention(x); });
    }

    HttpResponse remove_item(ApiContext& ctx, const PathParams& p) {
        Target t;
        if (auto bad = target(ctx, p, {{"id", "repair_order"}, {"iid", "intervention"}}, t)) return *bad;
        AgreedChange agreed = AgreedChange::refuse;
        if (const std::string* v = ctx.req.query_param("change_agreed")) {
            if (*v != "true" && *v != "false")
                return shape_problems(ctx, {{"query.change_agreed", "invalid_choice", {{"choices", "true, false"}}}});
            if (*v == "true") agreed = AgreedChange::allow;
        }
        return removed(ctx,
                       d.repair_orders.remove_intervention(t.ids[0], t.ids[1], t.version, actor_of(*ctx.who), agreed));
    }

private:
    HttpResponse ro_response(int status, const RepairOrder& ro) const {
        HttpResponse r = json_response(status, ro_json::repair_order(ro, d.phones));
        r.header("ETag", etag_of(ro.version));
        if (status == 201) r.header("Location", "/api/v1/repair-orders/" + std::to_string(ro.id));
        return r;
    }

    // A part of an RO, read: the RO's version goes in ETag like for changes.
    template <class Find>
    HttpResponse read_part(ApiContext& ctx, const PathParams& p, Find find) {
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

    std::optional<UnixMs> query_date(const ApiContext& ctx, const char* name, bool end_of_day,
                                     Problems& problems) const {
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

    static std::optional<long long> query_int(const ApiContext& ctx, const char* name, long long min, long long max,
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

    RepairOrderRoutesDeps d;
};

}  // namespace

void add_repair_order_routes(ApiRoutes& routes, RepairOrderRoutesDeps deps) {
    using R = RepairOrderRoutes;
    const auto h = std::make_shared<R>(deps);
    constexpr auto any = RouteAccess::principal;
    routes.add(Method::get, "/api/v1/repair-orders", any, h, &R::list);
    routes.add(Method::post, "/api/v1/repair-orders", any, h, &R::create);
    routes.add(Method::get, "/api/v1/repair-orders/{id}", any, h, &R::get);
    routes.add(Method::patch, "/api/v1/repair-orders/{id}", any, h, &R::update);
    routes.add(Method::del, "/api/v1/repair-orders/{id}", any, h, &R::remove);
    routes.add(Method::post, "/api/v1/repair-orders/{id}/handled", any, h, &R::mark_handled);
    routes.add(Method::get, "/api/v1/repair-orders/{id}/timeline", any, h, &R::timeline);
    routes.add(Method::get, "/api/v1/repair-orders/{id}/replies", any, h, &R::replies);
    routes.add(Method::post, "/api/v1/repair-orders/{id}/replies/read", RouteAccess::user, h, &R::mark_replies_read);

    const std::string parties = "/api/v1/repair-orders/{id}/parties";
    routes.add(Method::get, parties, any, h, &R::list_parties);
    routes.add(Method::post, parties, any, h, &R::add_party);
    routes.add(Method::get, parties + "/{pid}", any, h, &R::get_party);
    routes.add(Method::patch, parties + "/{pid}", any, h, &R::update_party);
    routes.add(Method::del, parties + "/{pid}", any, h, &R::remove_party);
    routes.add(Method::get, parties + "/{pid}/contact-points", any, h, &R::list_contacts);
    routes.add(Method::post, parties + "/{pid}/contact-points", any, h, &R::add_contact);
    routes.add(Method::patch, parties + "/{pid}/contact-points/{cid}", any, h, &R::update_contact);
    routes.add(Method::del, parties + "/{pid}/contact-points/{cid}", any, h, &R::remove_contact);

    const std::string items = "/api/v1/repair-orders/{id}/interventions";
    routes.add(Method::get, items, any, h, &R::list_items);
    routes.add(Method::post, items, any, h, &R::add_item);
    routes.add(Method::get, items + "/{iid}", any, h, &R::get_item);
    routes.add(Method::patch, items + "/{iid}", any, h, &R::update_item);
    routes.add(Method::del, items + "/{iid}", any, h, &R::remove_item);
}

}  // namespace relais
