#pragma once
// Sends scheduled relative to the repair order's promised time (issue 15): "two hours before the
// car is promised". The offset is kept on the offer (offers.send_relative_hours). When the
// promised time changes, the RO's service tells offers inside its transaction
// (PromisedTimeListener, ro_service.hpp), and a send whose messages have not been tried yet
// moves with it: its messages' due time, the links' 30 days, the reminders' start, with an
// `offer.rescheduled` event. Once a message was tried (sending, sent, or retried), nothing moves:
// the claim and the move are both write transactions, so one sees the other.
//
// Where it lands (docs/API.md): promised + hours, at the next opening when that is outside the
// opening hours (the event keeps `asked_for`). A new promised time that puts it in the past
// sends at once (at the next opening when closed; the event says `late`). A promised time
// removed leaves the send where it was, said on the timeline; it follows again once a promised
// time is set.

#include "config.hpp"
#include "db.hpp"
#include "result.hpp"
#include "timeline.hpp"

#include <optional>

namespace relais {

class TimeZone;

/// The offset's bounds, in hours either side of the promised time.
inline constexpr int kMaxSendRelativeHours = 168;

/// When a send relative to the promised time asks to leave, checked like a date: refused (field
/// `send_relative`) without a promised time (`no_promised_time`), or when that time is past
/// (`relative_in_the_past`, a minute of slack) or more than `max_ahead` ahead
/// (`relative_too_far_ahead`); the problems name the time in the dealership's zone.
std::optional<UnixMs> relative_send_time(std::optional<UnixMs> promised_at, int hours, UnixMs now, UnixMs max_ahead,
                                         const TimeZone& zone, Problems& problems);

/// In the caller's transaction, when the RO's promised time changed (nullopt: removed): every
/// scheduled offer of the RO sent relative to it, none of whose messages was tried yet, moves
/// as the header says, and the gentle reminders of the offers that left plan again from the new
/// time (replan_reminders). Returns whether any moved (the outbox and the reminders' job must
/// then look again).
Result<bool> follow_promised_time(Connection& conn, const Config& config, const TimeZone& zone, Id ro_id,
                                  std::optional<UnixMs> promised_at, UnixMs now, const Actor& by);

}  // namespace relais
