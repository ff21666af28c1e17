#pragma once
// The workspace API's routes of offers (docs/API.md, "Offers"): an RO's offers, a send and its
// preview, one offer, and what the advisor does with it (lock, cancel, resend, apply the
// customer's answers), and its reminders (change, pause, send the next one now). Without the offer service every one of
// them answers 503.

#include "api_routes.hpp"
#include "offer_service.hpp"
#include "phone.hpp"
#include "reminders.hpp"
#include "ro_service.hpp"
#include "timezone.hpp"

namespace relais {

struct OfferRoutesDeps {
    OfferService* offers;        // none: 503 offers_unavailable
    ReminderService* reminders;  // none: the reminders' routes answer 503 offers_unavailable
    RepairOrderService& repair_orders;
    const PhoneNumbers& phones;
    const TimeZone& zone;  // `send_at` is the dealership's local time
};

/// The references in `deps` must outlive `routes`.
void add_offer_routes(ApiRoutes& routes, OfferRoutesDeps deps);

}  // namespace relais
