// folder: messaging
// allowed: message_channel.hpp
// forbidden: sms_channel.hpp
//
// The outbox knows its channels by their interface only; the process wires the SMS and email
// channels (messaging/channels) into it by name.
#include "message_channel.hpp"
#include "sms_channel.hpp"
