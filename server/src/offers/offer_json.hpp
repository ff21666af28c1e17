#pragma once
// The offer's JSON, in one place: the snapshot as stored in `offers.snapshot` (its codec: what
// is written there must be read back by every later version), and the offer as the advisor's
// API shows it (docs/API.md). The customer's view is the customer page's (public_app.cpp),
// built from the same items and agreements.

#include "offer.hpp"
#include "phone.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string>

namespace relais::offer_json {

using json = nlohmann::json;

/// One frozen intervention: {intervention_id, label, mechanic_note, kind, severity,
/// price_excl_cents, price_incl_cents, vat_rate_bp} (stored so in the snapshot).
json item(const OfferItem& i);
/// One frozen agreement version: {id, version, mandatory, title: {fr, en}, text: {fr, en}}
/// (stored so in the snapshot).
json agreement(const OfferAgreement& a);
/// The snapshot as stored.
json snapshot(const OfferSnapshot& s);
/// A stored snapshot read back; what is missing or unreadable takes its default (an empty
/// snapshot for text that is not JSON): reading an offer never fails on its snapshot.
OfferSnapshot snapshot_from(const std::string& text);
/// An advisor's wording of one send, as stored in `offers.message_edits` ("" when none) and
/// shown in the API: {"sms", "email_subject", "email_body"}, each only when set.
std::string edits_text(const MessageEdits& e);
json edits(const MessageEdits& e);
/// Read back; anything unreadable is no edit.
MessageEdits edits_from(const std::string& text);
/// An offer's reminder plan: {policy, every_hours, paused, sent, max, started_at, next_at,
/// next_is_no_answer, ended, no_answer_at}.
json reminders(const ReminderPlan& p);
/// One message of an offer as the advisor sees it: purpose, template, channel, address, state,
/// attempts, failure, times (no body).
json message(const OutboxMessage& m);
/// An offer for the advisor: state and times, the frozen items with the customer's decisions,
/// recipients, and the messages with their delivery states (bodies left out).
json offer(const Offer& o, const PhoneNumbers& phones);

}  // namespace relais::offer_json
