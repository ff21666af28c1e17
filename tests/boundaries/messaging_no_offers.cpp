// folder: messaging
// allowed: outbox.hpp
// forbidden: offer_service.hpp
//
// The outbox reports a message settled to a listener; it never moves an offer.
#include "offer_service.hpp"
#include "outbox.hpp"
