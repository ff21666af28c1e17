// boundary: messaging may not use offer_service.hpp (the outbox reports a message settled to a listener; it never moves an offer).
// folder: messaging
// allowed: outbox.hpp
// forbidden: offer_service.hpp
#include "outbox.hpp"
#include "offer_service.hpp"
