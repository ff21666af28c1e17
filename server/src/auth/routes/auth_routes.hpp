#pragma once
// The workspace API's routes of auth (docs/API.md, "Session", "Users and API keys"): signing in
// and out, one's own session, password and language; users and API keys, for admins. Ending
// a session, a user's access or a key ends their live-update streams too.

#include "api_routes.hpp"
#include "auth.hpp"
#include "clock.hpp"

#include <string>

namespace relais {

class EventHub;

struct AuthRoutesDeps {
    AuthService& auth;
    const Clock& clock;
    EventHub* events = nullptr;  // none: there are no streams to end
    // This run of relais, named in the session's body (LanAppDeps::instance).
    std::string instance = {};
};

/// The references in `deps` must outlive `routes`.
void add_auth_routes(ApiRoutes& routes, AuthRoutesDeps deps);

}  // namespace relais
