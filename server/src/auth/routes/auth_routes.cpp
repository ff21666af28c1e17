#include "auth_routes.hpp"

#include "auth_json.hpp"
#include "event_hub.hpp"
#include "responses.hpp"

#include <nlohmann/json.hpp>

namespace relais {
namespace {

class AuthRoutes {
public:
    explicit AuthRoutes(AuthRoutesDeps deps) : d(std::move(deps)) {}

    // ---- one's own session --------------------------------------------------------------------

    HttpResponse login(ApiContext& ctx, const PathParams&) {
        Problems problems;
        LoginRequest lr = auth_json::parse_login(ctx.body, problems);
        if (!problems.empty()) return shape_problems(ctx, problems);
        lr.ip = ctx.req.peer;
        if (const std::string* ua = ctx.req.header("user-agent")) lr.user_agent = *ua;
        if (const std::string* dev = ctx.req.cookie(device_cookie_name)) lr.device_token = *dev;
        auto result = d.auth.login(lr);
        if (!result) return respond(ctx, result.error());
        // The old session (another user on this browser) ends with the new sign-in.
        if (const std::string* old = ctx.req.cookie(session_cookie_name)) (void)d.auth.logout(*old);
        ctx.speak(result->principal.language);
        HttpResponse res = session_body(result->principal);
        SetCookie session;
        session.name = session_cookie_name;
        session.value = result->session_token;
        session.max_age_s = static_cast<int>((result->expires_at - d.clock.now()) / 1000);
        res.cookies.push_back(session);
        if (!result->device_token.empty()) {
            SetCookie device;
            device.name = device_cookie_name;
            device.value = result->device_token;
            device.max_age_s = 400 * 24 * 3600;  // browsers cap cookie lifetime at 400 days
            res.cookies.push_back(device);
        }
        return res;
    }

    HttpResponse current_session(ApiContext& ctx, const PathParams&) { return session_body(*ctx.who); }

    HttpResponse logout(ApiContext& ctx, const PathParams&) {
        if (const std::string* token = ctx.req.cookie(session_cookie_name)) {
            if (auto r = d.auth.logout(*token); !r) return respond(ctx, r.error());
        }
        if (ctx.who) end_streams(session_stream_owner(ctx.who->session_id));
        HttpResponse res = no_content();
        res.cookies.push_back(expired_cookie(session_cookie_name));
        return res;
    }

    HttpResponse change_password(ApiContext& ctx, const PathParams&) {
        Problems problems;
        const auto change = auth_json::parse_password_change(ctx.body, problems);
        if (!problems.empty()) return shape_problems(ctx, problems);
        auto r = d.auth.change_password(*ctx.who, change.current_password, change.new_password);
        if (!r) return respond(ctx, r.error());
        end_streams(user_stream_owner(ctx.who->id));  // its other sessions were signed out
        return no_content();
    }

    // A user's own preferences (today the language of the workspace and of API messages).
    HttpResponse update_own_settings(ApiContext& ctx, const PathParams&) {
        Problems problems;
        const UserPatch patch = auth_json::parse_own_settings(ctx.body, problems);
        if (!problems.empty()) return shape_problems(ctx, problems);
        auto user = d.auth.update_user(ctx.who->id, patch, *ctx.who);
        if (!user) return respond(ctx, user.error());
        Principal p = *ctx.who;
        p.language = user->language;
        ctx.speak(p.language);
        return session_body(p);
    }

    // ---- users and API keys -------------------------------------------------------------------

    HttpResponse list_users(ApiContext& ctx, const PathParams&) {
        return list_response(ctx, d.auth.list_users(), auth_json::user);
    }

    HttpResponse get_user(ApiContext& ctx, const PathParams& p) {
        auto users = d.auth.list_users();
        if (!users) return respond(ctx, users.error());
        for (const User& u : *users) {
            if (p.id("id") && u.id == *p.id("id")) return json_response(200, auth_json::user(u));
        }
        return respond(ctx, not_found_error("user"));
    }

    HttpResponse create_user(ApiContext& ctx, const PathParams&) {
        Problems problems;
        NewUser nu = auth_json::parse_new_user(ctx.body, problems);
        if (!problems.empty()) return shape_problems(ctx, problems);
        auto user = d.auth.create_user(nu);
        if (!user) return respond(ctx, user.error());
        return json_response(201, auth_json::user(*user));
    }

    HttpResponse update_user(ApiContext& ctx, const PathParams& p) {
        const auto id = p.id("id");
        if (!id) return respond(ctx, not_found_error("user"));
        Problems problems;
        UserPatch patch = auth_json::parse_user_patch(ctx.body, problems);
        if (!problems.empty()) return shape_problems(ctx, problems);
        auto user = d.auth.update_user(*id, patch, *ctx.who);
        if (!user) return respond(ctx, user.error());
        // Disabled, or a new password set by an admin: their open pages stop getting events.
        if (!user->active || patch.password) end_streams(user_stream_owner(*id));
        return json_response(200, auth_json::user(*user));
    }

    HttpResponse list_keys(ApiContext& ctx, const PathParams&) {
        return list_response(ctx, d.auth.list_api_keys(), auth_json::api_key);
    }

    HttpResponse create_key(ApiContext& ctx, const PathParams&) {
        Problems problems;
        const std::string name = auth_json::parse_new_api_key(ctx.body, problems);
        if (!problems.empty()) return shape_problems(ctx, problems);
        auto key = d.auth.create_api_key(name, ctx.who->id);
        if (!key) return respond(ctx, key.error());
        return json_response(201, {{"api_key", auth_json::api_key(key->record)}, {"key", key->key}});
    }

    HttpResponse revoke_key(ApiContext& ctx, const PathParams& p) {
        const auto id = p.id("id");
        if (!id) return respond(ctx, not_found_error("api_key"));
        if (auto r = d.auth.revoke_api_key(*id); !r) return respond(ctx, r.error());
        end_streams(api_key_stream_owner(*id));
        return no_content();
    }

private:
    HttpResponse session_body(const Principal& p) const {
        return json_response(
            200, {{"user", auth_json::principal(p)}, {"csrf_token", p.csrf_token}, {"instance", d.instance}});
    }

    void end_streams(const std::string& owner) const {
        if (d.events) d.events->close_for(owner);
    }

    AuthRoutesDeps d;
};

}  // namespace

void add_auth_routes(ApiRoutes& routes, AuthRoutesDeps deps) {
    using R = AuthRoutes;
    const auto h = std::make_shared<R>(std::move(deps));
    constexpr auto first = BeforePasswordChange::allowed;
    routes.add(Method::post, "/api/v1/session", RouteAccess::anyone, h, &R::login, first);
    routes.add(Method::get, "/api/v1/session", RouteAccess::user, h, &R::current_session, first);
    routes.add(Method::del, "/api/v1/session", RouteAccess::anyone, h, &R::logout, first);
    routes.add(Method::patch, "/api/v1/session", RouteAccess::user, h, &R::update_own_settings, first);
    routes.add(Method::post, "/api/v1/session/password", RouteAccess::user, h, &R::change_password, first);

    routes.add(Method::get, "/api/v1/users", RouteAccess::principal, h, &R::list_users);
    routes.add(Method::post, "/api/v1/users", RouteAccess::admin, h, &R::create_user);
    routes.add(Method::get, "/api/v1/users/{id}", RouteAccess::principal, h, &R::get_user);
    routes.add(Method::patch, "/api/v1/users/{id}", RouteAccess::admin, h, &R::update_user);

    routes.add(Method::get, "/api/v1/api-keys", RouteAccess::admin, h, &R::list_keys);
    routes.add(Method::post, "/api/v1/api-keys", RouteAccess::admin, h, &R::create_key);
    routes.add(Method::del, "/api/v1/api-keys/{id}", RouteAccess::admin, h, &R::revoke_key);
}

}  // namespace relais
