#pragma once
// The workspace API's notifications (docs/API.md, "Notifications"): the signed-in user's own,
// read per item or all at once, and their choice of an email digest. Without the service they
// answer 503.

#include "api_routes.hpp"
#include "notifications.hpp"

namespace relais {

struct NotificationRoutesDeps {
    NotificationService* notifications;  // none: 503 notifications_unavailable
};

/// The service in `deps` must outlive `routes`.
void add_notification_routes(ApiRoutes& routes, NotificationRoutesDeps deps);

}  // namespace relais
