#pragma once
// An offer's reminders (issue 15): the plan chosen at send (reminder_plan.hpp says when each is
// due), kept in offer_reminders; the reminders sent through the outbox, each with a fresh link,
// in the words of the RO's advisor as of then; the plan's end when the offer is answered or
// gone, the contact opted out, or the fifth went unanswered ("no answer — call the customer",
// an `offer.no_answer` event). One scheduler job (kind "offers.reminders", in memory) is armed
// for the earliest due plan: the truth is the table, so a restart loses nothing, and a
// reminder's message is queued in the same transaction that counts it, so none goes twice.

#include "config.hpp"
#include "db.hpp"
#include "offer.hpp"
#include "reminder_plan.hpp"
#include "timeline.hpp"

#include <functional>
#include <optional>
#include <string>

namespace relais {

class Clock;
class Random;
class TimeZone;

/// A change the advisor makes to a plan; what is absent stays.
struct ReminderChange {
    std::optional<ReminderCadence> cadence = {};  // the next reminder is one period after the change
    std::optional<bool> paused = {};
};

struct ReminderServiceDeps {
    Database& db;
    const Config& config;  // opening hours, the dealership's name, the links' base URL
    Random& random;        // the reminders' links
    const Clock& clock;
    const TimeZone& zone;
};

/// Thread-safe. Everything in `deps` must outlive the service.
class ReminderService {
public:
    explicit ReminderService(ReminderServiceDeps deps);

    /// Sends every reminder due now and ends the plans that are over. Returns when the next one
    /// is due (now when more were due than one pass takes). A plan that cannot be handled is
    /// logged in the result's error only if nothing else could be done; the others go on.
    Result<std::optional<UnixMs>> run_due();
    /// The earliest due reminder of all plans.
    Result<std::optional<UnixMs>> next_due();

    /// The offer's plan as it stands (its `ended` says so for an offer no longer waiting, even
    /// before the plan's next due time). Nullopt: the offer has none.
    Result<std::optional<ReminderPlan>> plan(Id offer_id);
    /// Changes the cadence or pauses / resumes. Refused (`reminders_ended`) once the plan ended.
    Result<ReminderPlan> change(Id offer_id, const ReminderChange& change, const Actor& actor);
    /// Sends the next reminder now, whatever the hours (the advisor's explicit choice), while
    /// the offer waits for the customer; it counts as one of the plan's.
    Result<ReminderPlan> send_now(Id offer_id, const Actor& actor);

    /// Called after every commit that changed when a reminder is due (the wiring re-arms the
    /// scheduler's job). Set once, before use.
    void on_changed(std::function<void()> hook) { changed_hook_ = std::move(hook); }
    /// Called after every commit that queued a reminder (the outbox wakes up). Set once.
    void on_queued(std::function<void()> hook) { queued_hook_ = std::move(hook); }

private:
    Result<bool> run_one(Id offer_id, UnixMs now);

    ReminderServiceDeps d_;
    std::function<void()> changed_hook_;
    std::function<void()> queued_hook_;
};

/// In the caller's transaction (a send): the offer's plan with `cadence`, counting from
/// `started_at` (when its messages leave). A cadence `none` is stored too (the advisor may
/// start it later).
Result<void> start_reminders(Connection& conn, const Config& config, const TimeZone& zone, Id offer_id,
                             const ReminderCadence& cadence, UnixMs started_at, std::optional<UnixMs> promised_at,
                             UnixMs now);
/// In the caller's transaction (a scheduled send that moved before leaving, send_schedule.hpp):
/// the plan counts from `started_at`, the new departure. Nothing if the offer has no plan or
/// one that already reminded.
Result<void> move_reminders_start(Connection& conn, const Config& config, const TimeZone& zone, Id offer_id,
                                  UnixMs started_at, std::optional<UnixMs> promised_at, UnixMs now);
/// In the caller's transaction (the RO's promised time changed, send_schedule.hpp): a running
/// `gentle` plan, the one that follows the promised time, plans its next reminder from the new
/// one. Returns whether it moved.
Result<bool> replan_reminders(Connection& conn, const Config& config, const TimeZone& zone, Id offer_id,
                              std::optional<UnixMs> promised_at, UnixMs now);
/// In the caller's transaction (a resend): the count starts again from `now`, same cadence; a
/// plan that ended runs again. Nothing if the offer has no plan.
Result<void> restart_reminders(Connection& conn, const Config& config, const TimeZone& zone, Id offer_id,
                               std::optional<UnixMs> promised_at, UnixMs now);

}  // namespace relais
