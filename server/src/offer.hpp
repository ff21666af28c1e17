#pragma once
// The offer (DESIGN.md §1–2): one immutable version of what a customer is asked to decide on,
// its recipients, the messages that carry its magic link, and the customer's decisions.
// Plain data: no I/O, no JSON, no SQL.

#include "repair_order.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace relais {

enum class OfferState {
    draft,
    scheduled,
    sent,
    received,
    seen,
    confirmed,
    locked,
    failed,
    superseded,
    expired,
    cancelled
};
enum class Channel { sms, email };
enum class Decision { accept, decline, contact_me };
// `quarantined`: Relais died kOutboxMaxInterruptions times while sending it; never sent again
// by itself (DESIGN.md §5: nothing is retried for ever).
enum class OutboxState { pending, sending, sent, delivered, failed, quarantined };

std::string_view to_string(OfferState v);
std::string_view to_string(Channel v);
std::string_view to_string(Decision v);
std::string_view to_string(OutboxState v);
std::optional<OfferState> parse_offer_state(std::string_view s);
std::optional<Channel> parse_channel(std::string_view s);
std::optional<Decision> parse_decision(std::string_view s);
std::optional<OutboxState> parse_outbox_state(std::string_view s);

/// A state the offer can still move on from (a customer may still open and answer it).
bool is_open(OfferState s);

/// One intervention as the customer sees it, frozen at send time.
struct OfferItem {
    Id intervention_id = 0;
    std::string label;
    std::string mechanic_note;
    InterventionKind kind = InterventionKind::initial;
    Severity severity = Severity::orange;
    Cents price_excl = 0;
    Cents price_incl = 0;
    VatBp vat_bp = 0;
    /// A check found in good order with nothing to pay ("Bon état", green, 0): the customer is
    /// told about it and has nothing to decide.
    bool informational() const { return severity == Severity::green && price_incl == 0; }
};

/// A text written in French and/or English (at least one; see `in`).
struct LocalText {
    std::string fr, en;
    /// The text in `language`, else in the other language.
    const std::string& in(std::string_view language) const;
};

/// One version of an agreement ("conditions") as the customer is asked to accept it, frozen
/// with the offer.
struct OfferAgreement {
    Id agreement_id = 0;
    int version = 1;
    bool mandatory = true;
    LocalText title, text;
};

/// What the customer sees, frozen: never changes once sent.
struct OfferSnapshot {
    std::string ro_number;
    Vehicle vehicle;
    std::string customer_name;  // the main party's
    std::string advisor_name;
    std::string dealer_name;
    std::string currency;
    std::vector<OfferItem> items;            // initial first, then optional, each in RO order
    std::vector<OfferAgreement> agreements;  // the active ones when sent, oldest first
    Cents total_incl() const;
};

struct OfferRecipient {
    Id id = 0;
    Channel channel = Channel::sms;
    std::string address;  // E.164 or email address
    std::string name;
    std::optional<Id> party_id;
    std::optional<Id> contact_point_id;
    std::string language;  // "fr" or "en"
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
    std::string body;  // the SMS text, or the email's text part
    std::string html;  // the email's HTML part
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

struct Offer {
    Id id = 0;
    Id ro_id = 0;
    int version = 1;
    OfferState state = OfferState::draft;
    std::string note;  // the advisor's note to the customer
    std::string language;
    OfferSnapshot snapshot;
    UnixMs created_at = 0;
    std::string created_by;
    std::optional<UnixMs> sent_at, received_at, seen_at, confirmed_at, locked_at;
    UnixMs expires_at = 0;
    std::vector<OfferRecipient> recipients;
    std::map<Id, Decision> decisions;          // by intervention id
    std::map<Id, UnixMs> decided_at;           // by intervention id: when last answered
    std::map<Id, UnixMs> accepted_agreements;  // by agreement id: when accepted (the snapshot's version)
    std::vector<OutboxMessage> messages;
};

}  // namespace relais
