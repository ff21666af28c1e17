#include "notification_routes.hpp"

#include "request_body.hpp"
#include "responses.hpp"
#include "timezone.hpp"

#include <nlohmann/json.hpp>

namespace relais {
namespace {

using json = nlohmann::json;

json notification_json(const Notification& n) {
    return {{"id", n.id},
            {"kind", to_string(n.kind)},
            {"at", format_utc(n.at)},
            {"ro_id", n.ro_id},
            {"ro_number", n.ro_number},
            {"customer_name", n.customer_name},
            {"detail", n.detail},
            {"text", n.text},
            {"read", n.read_at.has_value()},
            {"read_at", n.read_at ? json(format_utc(*n.read_at)) : json()}};
}

json settings_json(const NotificationSettings& s) { return {{"email", s.email}, {"digest", s.digest}}; }

class NotificationRoutes {
public:
    explicit NotificationRoutes(NotificationRoutesDeps deps) : d(deps) {}

    // ?unread=1: only the unread ones. {"items": [...], "unread": N}.
    HttpResponse list(ApiContext& ctx, const PathParams&) {
        if (!d.notifications) return unavailable(ctx);
        bool unread_only = false;
        if (const std::string* u = ctx.req.query_param("unread")) {
            if (*u != "0" && *u != "1")
                return shape_problems(ctx, {{"query.unread", "invalid_choice", {{"choices", "0, 1"}}}});
            unread_only = *u == "1";
        }
        auto list = d.notifications->list(ctx.who->id, unread_only);
        if (!list) return respond(ctx, list.error());
        if (auto worded = d.notifications->word(*list, ctx.lang); !worded) return respond(ctx, worded.error());
        auto unread = d.notifications->unread_count(ctx.who->id);
        if (!unread) return respond(ctx, unread.error());
        json body = items_json(*list, notification_json);
        body["unread"] = *unread;
        return json_response(200, body);
    }

    HttpResponse read(ApiContext& ctx, const PathParams& p) {
        if (!d.notifications) return unavailable(ctx);
        const auto id = p.id("id");
        if (!id) return respond(ctx, not_found_error("notification"));
        auto n = d.notifications->mark_read(ctx.who->id, *id);
        if (!n) return respond(ctx, n.error());
        std::vector<Notification> one{std::move(*n)};
        if (auto worded = d.notifications->word(one, ctx.lang); !worded) return respond(ctx, worded.error());
        return json_response(200, notification_json(one.front()));
    }

    HttpResponse read_all(ApiContext& ctx, const PathParams&) {
        if (!d.notifications) return unavailable(ctx);
        auto marked = d.notifications->mark_all_read(ctx.who->id);
        if (!marked) return respond(ctx, marked.error());
        return json_response(200, {{"marked", *marked}, {"unread", 0}});
    }

    HttpResponse get_settings(ApiContext& ctx, const PathParams&) {
        if (!d.notifications) return unavailable(ctx);
        auto s = d.notifications->settings(ctx.who->id);
        if (!s) return respond(ctx, s.error());
        return json_response(200, settings_json(*s));
    }

    // {"digest": true, "email": "..."}: both optional, what is absent stays.
    HttpResponse put_settings(ApiContext& ctx, const PathParams&) {
        if (!d.notifications) return unavailable(ctx);
        auto current = d.notifications->settings(ctx.who->id);
        if (!current) return respond(ctx, current.error());
        Problems problems;
        NotificationSettings wanted = *current;
        {
            ObjectReader r(ctx.body, "", problems);  // its end names the unknown fields
            if (auto e = r.string("email")) wanted.email = *e;
            if (auto dg = r.boolean("digest")) wanted.digest = *dg;
        }
        if (!problems.empty()) return shape_problems(ctx, problems);
        auto saved = d.notifications->save_settings(ctx.who->id, wanted);
        if (!saved) return respond(ctx, saved.error());
        return json_response(200, settings_json(*saved));
    }

private:
    static HttpResponse unavailable(ApiContext& ctx) {
        return respond(ctx, make_error(ErrorKind::unavailable, "notifications_unavailable"));
    }
    NotificationRoutesDeps d;
};

}  // namespace

void add_notification_routes(ApiRoutes& routes, NotificationRoutesDeps deps) {
    using R = NotificationRoutes;
    const auto h = std::make_shared<R>(deps);
    constexpr auto user = RouteAccess::user;  // a person's own: no API key has any
    routes.add(Method::get, "/api/v1/notifications", user, h, &R::list);
    routes.add(Method::post, "/api/v1/notifications/read-all", user, h, &R::read_all);
    routes.add(Method::post, "/api/v1/notifications/{id}/read", user, h, &R::read);
    routes.add(Method::get, "/api/v1/notifications/settings", user, h, &R::get_settings);
    routes.add(Method::put, "/api/v1/notifications/settings", user, h, &R::put_settings);
}

}  // namespace relais
