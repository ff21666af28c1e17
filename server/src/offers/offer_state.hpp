#pragma once
// An offer's state changes in one place (DESIGN.md §2): the one table of what may follow what,
// and the write of the new state, its time stamps and its timeline event, in the caller's
// transaction. Nothing else writes `offers.state` (scripts/check-includes says so in CI); an
// offer is created `draft` or `scheduled` by offer_send.cpp.

#include "db.hpp"
#include "ids.hpp"
#include "offer.hpp"
#include "outbox.hpp"
#include "result.hpp"
#include "timeline.hpp"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <vector>

namespace relais::offer_state {

/// Whether DESIGN.md §2 lets an offer in `from` go to `to`. Along the forward path
/// draft/scheduled → sent → received → seen → confirmed an offer only moves on, passing over
/// steps it skipped (an email accepted is sent and received at once); locked is reached from
/// any state but superseded and cancelled (the advisor agreed the work some other way); the side
/// exits: failed (while nothing has gone yet), superseded (not once locked, cancelled or
/// expired), cancelled (while draft or scheduled), expired (draft to seen); failed and expired
/// start over as draft (sent again); an expired offer reopens (see reopen()).
bool allowed(OfferState from, OfferState to);

struct Move {
    Id offer_id = 0;
    OfferState to = OfferState::draft;
    UnixMs at = 0;
    Actor by;
    /// The event's type; empty: "offer.<state>" for each state entered, in order.
    std::string event_type = {};
};

/// Moves the offer as `move` says if allowed() lets it from where it is: the state, the stamps
/// of the forward steps entered (sent_at … confirmed_at, locked_at), and the timeline event(s),
/// by `move.by`, with `data` (a JSON object) plus the offer's id and version. Returns the
/// states entered; none when the offer is already there or beyond (a late delivery report),
/// or may not go there from where it is, or does not exist: callers that owe someone a reason
/// check allowed() first.
Result<std::vector<OfferState>> move(Connection& conn, const Move& move, const nlohmann::json& data);

/// An expired offer the customer came back to (a fresh link) takes up where it stopped: seen,
/// received, sent or draft, by its stamps, with an "offer.reopened" event. Any other offer is
/// left as it is (nullopt).
Result<std::optional<OfferState>> reopen(Connection& conn, Id offer_id, UnixMs at, const Actor& by,
                                         const nlohmann::json& data);

/// The outbox's listener (OutboxDeps::on_settled): an offer's message that left makes it
/// `sent`, one that reached its recipient `received`; when none of its messages can still go,
/// the offer fails. Each state entered is a timeline event by the appliance.
Result<void> on_message_settled(Connection& conn, const MessageSettled& message);

}  // namespace relais::offer_state
