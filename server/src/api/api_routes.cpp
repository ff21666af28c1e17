#include "api_routes.hpp"

namespace relais {

void ApiRoutes::add(Method method, std::string_view pattern, RouteAccess access, ApiHandler handler,
                    BeforePasswordChange before) {
    router_.add(method, pattern, ApiRoute{access, std::move(handler), before});
}

}  // namespace relais
