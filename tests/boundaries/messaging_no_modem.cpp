// folder: messaging
// allowed: outbox.hpp
// forbidden: modem_service.hpp
//
// The outbox hands SMS to a channel (message_channel.hpp); the modem is the SMS channel's.
#include "modem_service.hpp"
#include "outbox.hpp"
