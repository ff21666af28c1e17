#pragma once
// An offer's reminder plan as stored (offer_reminders, migration 0011). Private to offers: the
// reminders' service (reminders.hpp) is the way in.

#include "clock.hpp"
#include "db.hpp"
#include "ids.hpp"
#include "offer.hpp"
#include "reminder_plan.hpp"
#include "reminder_policy.hpp"

#include <optional>
#include <string>
#include <vector>

namespace relais::reminder_store {

struct Row {
    Id offer_id = 0;
    ReminderPolicy policy = ReminderPolicy::gentle;
    int every_hours = 0;
    UnixMs started_at = 0;
    UnixMs anchor_at = 0;
    int sent = 0;
    bool paused = false;
    std::optional<UnixMs> next_at;
    std::string ended;  // "" while it runs
    std::optional<UnixMs> no_answer_at;
    UnixMs updated_at = 0;
};

Result<std::optional<Row>> load(Connection& conn, Id offer_id);
/// Writes the row whole (creates it or replaces it).
Result<void> save(Connection& conn, const Row& row);
/// The offers whose next reminder is due at `now`, earliest first, at most `limit`.
Result<std::vector<Id>> due(Connection& conn, UnixMs now, int limit);
/// The plan as the advisor sees it: one whose offer no longer waits for the customer is
/// ended at once (`ended` is the offer's state), whatever the row says until its due time.
ReminderPlan view(const Row& row, std::optional<OfferState> offer_state);
/// The earliest next reminder of all plans.
Result<std::optional<UnixMs>> earliest(Connection& conn);

}  // namespace relais::reminder_store
