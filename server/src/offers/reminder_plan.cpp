#include "reminder_plan.hpp"

#include "timezone.hpp"

#include <algorithm>

namespace relais {
namespace {

constexpr UnixMs kHour = 3'600'000;
// A gentle plan's reminders: this long before the promised time, and never sooner than this
// after the send (a customer who just got the offer is not reminded of it).
constexpr UnixMs kGentleBefore = 2 * kHour;
constexpr UnixMs kQuietAfterSend = kHour;
}  // namespace

int cadence_hours(const ReminderCadence& cadence) {
    if (cadence.every_hours > 0) return cadence.every_hours;
    return cadence.policy == ReminderPolicy::urgent ? 2 : 24;
}

std::optional<UnixMs> next_reminder_at(const ReminderPlanState& state, const OpeningHours& hours,
                                       const TimeZone& zone) {
    const UnixMs anchor = std::max(state.anchor_at, state.started_at);
    UnixMs due = 0;
    switch (state.cadence.policy) {
        case ReminderPolicy::none: return std::nullopt;
        case ReminderPolicy::urgent:
        case ReminderPolicy::custom: {
            const int h = cadence_hours(state.cadence);
            due = h % 24 == 0 ? add_local_days(zone, anchor, h / 24) : anchor + h * kHour;
            break;
        }
        case ReminderPolicy::gentle: {
            // Before the promised time and at it; then daily, a calendar day after the last one.
            const UnixMs not_before = state.started_at + kQuietAfterSend;
            const auto promised = state.promised_at;
            if (promised && *promised >= not_before && *promised - kGentleBefore > anchor &&
                *promised - kGentleBefore >= not_before)
                due = *promised - kGentleBefore;
            else if (promised && *promised >= not_before && *promised > anchor)
                due = *promised;
            else
                due = add_local_days(zone, anchor, 1);
            break;
        }
    }
    return next_opening(hours, zone, due);
}

}  // namespace relais
