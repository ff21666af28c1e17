#pragma once
// When an offer's next automatic reminder is due (issue 15): pure arithmetic on the plan's
// policy, when the count started, the RO's promised time, what was sent, the dealership's
// opening hours and time zone. No I/O: the reminders' service (reminders.hpp) stores the plan and
// sends; the unit tests run every policy on a fake clock, across both DST changes of a year.
//
// - gentle: two hours before the promised time, at it, then daily: a calendar day after the
//   last one (so one per open day: a reminder moved to Monday 08:00 is followed by Tuesday
//   08:00); without a promised time (or one within the hour after the send), daily from the
//   send. A reminder is never planned within an hour of the send.
// - urgent: every `every_hours` (default 2) after the send or the last reminder.
// - custom: every `every_hours` (a multiple of 24 keeps the clock time: every 2 days at 10:12).
// - none: never.
// Every due time outside the opening hours moves to the next opening. Hours are real hours and
// days are calendar days in the dealership's zone, so a change of clock neither skips nor doubles
// a reminder. At most kMaxReminders automatic reminders; the time a sixth would be due is when
// the fifth counts as unanswered ("no answer — call the customer").

#include "clock.hpp"
#include "opening_hours.hpp"
#include "reminder_policy.hpp"

#include <optional>
#include <string>

namespace relais {

class TimeZone;

inline constexpr int kMaxReminders = 5;

struct ReminderCadence {
    ReminderPolicy policy = ReminderPolicy::gentle;
    int every_hours = 0;  // urgent and custom: the period; 0 takes the default (2 h, 24 h)
};

struct ReminderPlanState {
    ReminderCadence cadence;
    UnixMs started_at = 0;  // the offer left, or was sent again (the count restarts)
    UnixMs anchor_at = 0;   // the last reminder, or the last change of cadence; started_at at first
    std::optional<UnixMs> promised_at;
    int sent = 0;  // reminders sent since started_at
};

/// The plan as the advisor sees it (the reminders sent are the offer's messages of purpose
/// "reminder").
struct ReminderPlan {
    ReminderCadence cadence;
    bool paused = false;
    int sent = 0;  // since the send or the last resend
    int max = kMaxReminders;
    UnixMs started_at = 0;
    std::optional<UnixMs> next_at;  // the next reminder; after the fifth, when it counts as unanswered
    /// Why no more reminders go: "" while the plan runs; an offer state ("confirmed", "locked",
    /// "cancelled", "superseded", "expired", "failed"), "opted_out", or "no_answer".
    std::string ended;
    std::optional<UnixMs> no_answer_at;
};

/// The period of an urgent or custom cadence in hours (its default when 0).
int cadence_hours(const ReminderCadence& cadence);

/// When reminder number `state.sent + 1` is due, deferred to the next opening; none for the
/// policy `none`. Past the cap this is the time the last one counts as unanswered.
std::optional<UnixMs> next_reminder_at(const ReminderPlanState& state, const OpeningHours& hours, const TimeZone& zone);

}  // namespace relais
