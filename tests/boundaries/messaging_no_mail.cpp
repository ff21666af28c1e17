// folder: messaging
// allowed: outbox.hpp
// forbidden: mail_transport.hpp
//
// The outbox hands email to a channel (message_channel.hpp); the transport is the email channel's.
#include "mail_transport.hpp"
#include "outbox.hpp"
