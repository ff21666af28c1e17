#pragma once
// What an SMS from a customer means (issue 5): it is matched by number to the latest offer
// sent to that number and put on that repair order's timeline; a message that is exactly
// "STOP" (any case, spaces around) opts the number out of every future message and is
// acknowledged once — when it came from a number: a sender name cannot be answered, and is
// no customer. "Stop the work please" is a reply like any other. Any other reply matched to an
// offer is offered to a listener (the offers' side: an answer such as "OUI" taken as the
// customer's, issue 15); what it does not take stays a reply for the advisor.

#include "config.hpp"
#include "db.hpp"
#include "ids.hpp"
#include "outbox.hpp"
#include "sms_store.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace relais {

class Random;

struct InboundOutcome {
    std::optional<Id> ro_id;
    std::optional<Id> offer_id;
    bool opted_out = false;  // this message opted the number out (first time)
    bool queued = false;     // an acknowledgement went into the outbox
    bool applied = false;    // the reply listener took it as the customer's answer
};

/// A customer's SMS (not a STOP) from the number the latest offer to it was sent to.
struct InboundReply {
    Id inbound_id = 0;  // its sms_inbound row
    Id offer_id = 0;
    Id ro_id = 0;
    Id recipient_id = 0;  // the offer's recipient with that number
    std::optional<Id> party_id = {}, contact_point_id = {};
    std::string from = {};  // E.164: the recipient's address
    std::string text = {};  // whole, as the customer wrote it
    bool complete = true;   // every part arrived
};

/// True for "STOP", "stop", " Stop " — and nothing longer.
bool is_stop_request(std::string_view text);

/// Whether an SMS can be sent to `address`: digits, with a leading '+' or not (an
/// international number, a national one, a short code); not a sender name such as "Orange".
bool can_receive_sms(std::string_view address);

/// Told, in the same transaction, that a number (E.164) opted out: the repair orders mark their
/// contact points with it (repair_orders owns that table; messaging does not link it).
using OptOutListener = std::function<Result<void>(Connection&, const std::string& number)>;

/// Told, in the same transaction, of a reply matched to an offer (after its `sms.received`):
/// returns whether it took the reply as the customer's answer, in which case it queued an
/// acknowledgement in the outbox. Messaging does not link offers: the offers implement it.
using ReplyListener = std::function<Result<bool>(Connection&, const InboundReply&, UnixMs now)>;

/// Who hears of what an SMS received did, in its transaction (each may be empty).
struct InboundListeners {
    OptOutListener on_opt_out = {};   // a STOP, the first time
    SettledListener on_settled = {};  // a message that waited for that number fails (opted out)
    ReplyListener on_reply = {};      // any other message from an offer's recipient
};

/// Runs inside the transaction that stored the message (`sms.id` set).
Result<InboundOutcome> handle_inbound_sms(Connection& conn, const Config& config, const InboundSmsRecord& sms,
                                          UnixMs now, const InboundListeners& listeners);

/// Whether `address` (E.164 or email) asked to receive nothing more.
Result<bool> is_opted_out(Connection& conn, const std::string& address);

}  // namespace relais
