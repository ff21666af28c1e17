// folder: customer
// allowed: offer_service.hpp
// forbidden: offer_store.hpp
//
// The customer's pages read an offer through offers' service (load_offer), not its store.
#include "offer_service.hpp"
#include "offer_store.hpp"
