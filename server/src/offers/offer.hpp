#pragma once
// The offer (DESIGN.md §1–2): one immutable version of what a customer is asked to decide on,
// its recipients, the messages that carry its magic link, and the customer's decisions.
// Plain data: no I/O, no JSON, no SQL.

#include "agreement_terms.hpp"
#include "message_edits.hpp"
#include "outbox_message.hpp"
#include "reminder_plan.hpp"
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
enum class Decision { accept, decline, contact_me };

template <>
struct EnumNames<OfferState> {
    static constexpr NameTable<OfferState, 11> table{{{OfferState::draft, "draft"},
                                                      {OfferState::scheduled, "scheduled"},
                                                      {OfferState::sent, "sent"},
                                                      {OfferState::received, "received"},
                                                      {OfferState::seen, "seen"},
                                                      {OfferState::confirmed, "confirmed"},
                                                      {OfferState::locked, "locked"},
                                                      {OfferState::failed, "failed"},
                                                      {OfferState::superseded, "superseded"},
                                                      {OfferState::expired, "expired"},
                                                      {OfferState::cancelled, "cancelled"}}};
};
template <>
struct EnumNames<Decision> {
    static constexpr NameTable<Decision, 3> table{
        {{Decision::accept, "accept"}, {Decision::decline, "decline"}, {Decision::contact_me, "contact_me"}}};
};
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

/// What the customer sees, frozen: never changes once sent.
struct OfferSnapshot {
    std::string ro_number;
    Vehicle vehicle;
    std::string customer_name;  // the main party's
    std::string advisor_name;
    std::string dealer_name;
    std::string currency;
    std::optional<UnixMs> promised_at;       // the RO's promised time when sent
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
    std::string language;        // "fr" or "en"
    std::string preferred_name;  // the party's when the offer was sent; "": none
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
    /// A send scheduled so many hours from the RO's promised time (negative: before); it follows
    /// a change of the promised time until its messages leave (send_schedule.hpp).
    std::optional<int> send_relative_hours;
    std::vector<OfferRecipient> recipients;
    std::map<Id, Decision> decisions;          // by intervention id
    std::map<Id, UnixMs> decided_at;           // by intervention id: when last answered
    std::map<Id, UnixMs> accepted_agreements;  // by agreement id: when accepted (the snapshot's version)
    std::vector<OutboxMessage> messages;
    std::optional<ReminderPlan> reminders;  // none for an offer sent before plans existed
    MessageEdits edits;                     // the advisor's wording of this send, if any
    std::optional<Id> sender_user_id;       // the colleague it went out in the name of, when chosen
    std::string sender_name;                // that colleague's display name now
    std::string signature;                  // not stored: the signer's email signature, set to write emails
};

}  // namespace relais
