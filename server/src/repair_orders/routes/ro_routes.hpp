#pragma once
// The workspace API's routes of repair orders (docs/API.md, "Repair orders"): the list and its
// filters, an RO and its parties, contact points and interventions (each change with If-Match
// and the RO's new version in ETag), its timeline, the customer's SMS replies, "handled", and
// deleting an RO nothing was sent from.

#include "api_routes.hpp"
#include "phone.hpp"
#include "ro_service.hpp"
#include "timezone.hpp"

namespace relais {

struct RepairOrderRoutesDeps {
    RepairOrderService& repair_orders;
    const PhoneNumbers& phones;
    const TimeZone& zone;  // dates in bodies and queries are the dealership's local time
};

/// The references in `deps` must outlive `routes`.
void add_repair_order_routes(ApiRoutes& routes, RepairOrderRoutesDeps deps);

}  // namespace relais
