#pragma once
// A customer's SMS reply taken as their answer to an offer (issue 15, `[reminders] sms_replies`):
// "OUI" / "YES" accepts every item they decide on, "NON" / "NO" declines the optional ones and
// keeps the work the car came in for, "APPELEZ-MOI" / "CALL ME" asks to be called about each.
// Only an unambiguous reply is taken (parse_sms_reply); anything else stays a reply for the
// advisor. Messaging hears the SMS and asks here through its reply listener (inbound_sms.hpp).

#include "config.hpp"
#include "db.hpp"
#include "inbound_sms.hpp"
#include "offer.hpp"
#include "result.hpp"

#include <map>
#include <optional>
#include <string_view>

namespace relais {

class Random;

enum class SmsReply { yes, no, call_me };

/// The answer a reply is, or none. Case, accents, spaces and punctuation around the words do
/// not matter ("Oui !", " oui.", "APPELEZ MOI", "appelez-moi"); the keyword may be followed by
/// "merci", "thanks" or "thank you", and nothing else: a question mark anywhere, a second
/// keyword, any other word, digit or emoji makes it no answer ("oui pour les freins", "oui non",
/// "OK", "Oui ?").
std::optional<SmsReply> parse_sms_reply(std::string_view text);

/// The decision per item an answer stands for: every item the customer decides on (not the
/// informational ones); for `no`, the initial items are accepted (the car came in for them)
/// and the optional ones declined.
std::map<Id, Decision> sms_reply_decisions(SmsReply reply, const OfferSnapshot& snapshot);

/// Whether an SMS reply can confirm this offer at all when the dealership enables it: it has an
/// item to decide on and no mandatory agreement (the customer must tick the terms on the page).
/// The offer's SMS offers the replies only then.
bool sms_replies_possible(const Config& config, const Offer& offer);

/// The reply listener (InboundListeners::on_reply), in the inbound SMS's transaction: when the
/// setting is on, the reply is an answer, its offer is still waiting (sent, received or seen)
/// and sms_replies_possible(), and the number is not opted out, records the decisions, confirms
/// the offer ("offer.confirmed" by the recipient, with `by: "sms"`, the number and the reply),
/// and queues one acknowledgement SMS with a fresh link (purpose "sms_decision_ack"). Returns
/// whether it did; false leaves everything as it was.
Result<bool> apply_sms_reply(Connection& conn, const Config& config, Random& random, const InboundReply& reply,
                             UnixMs now);

}  // namespace relais
