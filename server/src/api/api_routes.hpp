#pragma once
// The workspace API's route table: each feature adds its routes to it (add_auth_routes,
// add_repair_order_routes, …) with who may call them; lan_app.cpp matches a request against it,
// checks the caller and the body, and calls the handler. A pattern's "{name}" matches one path
// segment (http.hpp's Router); a path that matches only under another method is a 405.

#include "api_context.hpp"
#include "http.hpp"

#include <functional>
#include <memory>
#include <string_view>

namespace relais {

enum class RouteAccess {
    anyone,     // no credentials needed
    principal,  // a signed-in user or an API key
    user,       // a signed-in user (not an API key)
    admin,      // a dealer_admin user
};

/// Whether a user who must choose a new password first may already call the route.
enum class BeforePasswordChange { refused, allowed };

using ApiHandler = std::function<HttpResponse(ApiContext&, const PathParams&)>;

struct ApiRoute {
    RouteAccess access = RouteAccess::principal;
    ApiHandler handler;
    BeforePasswordChange before_password_change = BeforePasswordChange::refused;
};

/// Filled before the listener starts, then only read (from any thread).
class ApiRoutes {
public:
    void add(Method method, std::string_view pattern, RouteAccess access, ApiHandler handler,
             BeforePasswordChange before = BeforePasswordChange::refused);

    /// A member function of `handlers` (a feature's routes and their dependencies), which the
    /// table keeps alive.
    template <class Handlers>
    void add(Method method, std::string_view pattern, RouteAccess access, const std::shared_ptr<Handlers>& handlers,
             HttpResponse (Handlers::*fn)(ApiContext&, const PathParams&),
             BeforePasswordChange before = BeforePasswordChange::refused) {
        add(
            method, pattern, access,
            [handlers, fn](ApiContext& ctx, const PathParams& p) { return ((*handlers).*fn)(ctx, p); }, before);
    }

    Router<ApiRoute>::Match match(Method method, std::string_view path) const { return router_.match(method, path); }

private:
    Router<ApiRoute> router_;
};

}  // namespace relais
