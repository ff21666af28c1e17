#pragma once
// A message in the outbox (DESIGN.md §5): the channel that carries it, its state, and the row
// as stored. Plain data: no I/O, no SQL.

#include "clock.hpp"
#include "enum_names.hpp"
#include "ids.hpp"

#include <optional>
#include <string>

namespace relais {

enum class Channel { sms, email };
// `quarantined`: Relais died kOutboxMaxInterruptions times while sending it; never sent again
// by itself (DESIGN.md §5: nothing is retried for ever).
enum class OutboxState { pending, sending, sent, delivered, failed, quarantined };

template <>
struct EnumNames<Channel> {
    static constexpr NameTable<Channel, 2> table{{{Channel::sms, "sms"}, {Channel::email, "email"}}};
};
template <>
struct EnumNames<OutboxState> {
    static constexpr NameTable<OutboxState, 6> table{{{OutboxState::pending, "pending"},
                                                      {OutboxState::sending, "sending"},
                                                      {OutboxState::sent, "sent"},
                                                      {OutboxState::delivered, "delivered"},
                                                      {OutboxState::failed, "failed"},
                                                      {OutboxState::quarantined, "quarantined"}}};
};

struct OutboxMessage {
    Id id = 0;
    std::optional<Id> offer_id;
    std::optional<Id> recipient_id;
    std::string purpose;  // "offer", "access_link", "stop_ack"
    Channel channel = Channel::sms;
    std::string address;
    std::string name;
    std::string subject;
    std::string body;          // the SMS text, or the email's text part
    std::string html;          // the email's HTML part
    std::string template_ref;  // the template version it was written from ("offer_sms/fr/3"), or ""
    OutboxState state = OutboxState::pending;
    int attempts = 0;
    int interruptions = 0;  // times Relais died while sending it (quarantined at kOutboxMaxInterruptions)
    UnixMs next_attempt_at = 0;
    std::string last_error;
    std::string failure;  // {"code": …, "params": {…}} (outbox.hpp), "" when none
    std::string detail;   // SMS: "refs 12,13"; email: the relay's answer
    std::string message_id;
    UnixMs created_at = 0;
    std::optional<UnixMs> sent_at;
    std::optional<UnixMs> delivered_at;
};

}  // namespace relais
