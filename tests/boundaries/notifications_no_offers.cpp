// folder: notifications
// allowed: outbox.hpp
// forbidden: offer_service.hpp
//
// Notifications listen to the timeline's events and read the tables; they never call into a
// feature (offers, repair orders), so no feature's change needs them and they need none.
#include "offer_service.hpp"
#include "outbox.hpp"
