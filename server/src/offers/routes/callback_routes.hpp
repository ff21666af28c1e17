#pragma once
// The workspace API's callbacks (docs/API.md, "Offers"): the items customers asked to be
// called about, and what came of the call. Without the callback service they answer 503.

#include "api_routes.hpp"
#include "callbacks.hpp"
#include "phone.hpp"

namespace relais {

struct CallbackRoutesDeps {
    CallbackService* callbacks;  // none: 503 offers_unavailable
    const PhoneNumbers& phones;
};

/// The references in `deps` must outlive `routes`.
void add_callback_routes(ApiRoutes& routes, CallbackRoutesDeps deps);

}  // namespace relais
