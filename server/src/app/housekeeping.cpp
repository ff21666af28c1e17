#include "housekeeping.hpp"

#include "digests.hpp"
#include "event_hub.hpp"
#include "https.hpp"
#include "notifications.hpp"
#include "offer_service.hpp"
#include "questions.hpp"
#include "reminders.hpp"
#include "scheduler.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace relais {

// Housekeeping, as jobs of the scheduler. Every 15 s, kept in memory (a tick has nothing to
// remember, and writing its due time four times a minute would wear the appliance's flash):
// the certificates' renewal check (at start too), the keep-alives on the live-update streams
// (proxies keep them open, and the ones whose browser left are found). Every minute, on disk,
// offers whose links ran out without an answer become expired (at the first start, then a
// minute after the last sweep, at once if that was while the box was off). Then the scheduler
// starts. Everything in `d` must outlive the scheduler's run.
void arm_job(Scheduler& scheduler, std::string_view kind, const Result<std::optional<UnixMs>>& next,
             spdlog::logger& log) {
    auto armed = !next   ? Result<void>(next.error())
                 : *next ? scheduler.schedule(kind, "", **next, {}, JobStore::memory)
                         : scheduler.cancel(kind, "");
    if (!armed) log.error("{}: {}", kind, armed.error().detail);
}

void schedule_housekeeping(const HousekeepingDeps& d) {
    constexpr UnixMs kTick = 15'000, kExpirySweep = 60'000;
    Scheduler& scheduler = d.scheduler;
    scheduler.handle("housekeeping.https", [&https = d.https, &clock = d.clock](const ScheduledJob&) -> JobOutcome {
        https.tick();
        return run_again_at(clock.now() + kTick);
    });
    scheduler.handle("housekeeping.events", [&events = d.events, &clock = d.clock](const ScheduledJob&) -> JobOutcome {
        events.tick(std::chrono::steady_clock::now());
        return run_again_at(clock.now() + kTick);
    });
    scheduler.handle("offers.expire",
                     [&offers = d.offers, &clock = d.clock, log = d.log](const ScheduledJob&) -> JobOutcome {
                         TRY_ASSIGN(const int n, offers.expire_due());
                         if (n > 0) log->info("offers: {} expired without an answer", n);
                         return run_again_at(clock.now() + kExpirySweep);
                     });
    // The reminders: one job at the earliest due plan, run again at the next one (none left:
    // done, until a send arms it again).
    scheduler.handle("offers.reminders", [&reminders = d.reminders](const ScheduledJob&) -> JobOutcome {
        TRY_ASSIGN(const auto next, reminders.run_due());
        return next ? run_again_at(*next) : job_done();
    });
    // The digests: one job at the earliest due one, as the reminders'. Read notifications older
    // than 30 days go once an hour (in memory: a missed hour loses nothing).
    scheduler.handle(std::string(kDigestJob), [&digests = d.digests](const ScheduledJob&) -> JobOutcome {
        TRY_ASSIGN(const auto next, digests.run_due());
        return next ? run_again_at(*next) : job_done();
    });
    // The messages of answers: one job at the earliest due one, as the digests'.
    scheduler.handle(std::string(kAnswerJob), [&questions = d.questions](const ScheduledJob&) -> JobOutcome {
        TRY_ASSIGN(const auto next, questions.run_due());
        return next ? run_again_at(*next) : job_done();
    });
    constexpr UnixMs kPrune = 3600'000;
    scheduler.handle(
        "notifications.prune",
        [&notifications = d.notifications, &clock = d.clock, log = d.log](const ScheduledJob&) -> JobOutcome {
            TRY_ASSIGN(const int n, notifications.prune());
            if (n > 0) log->info("notifications: {} read ones removed", n);
            return run_again_at(clock.now() + kPrune);
        });
    const UnixMs started_at = d.clock.now();
    const auto reported = [&](const auto& r) {
        if (!r) d.log->error("scheduler: {}", r.error().detail);
    };
    reported(scheduler.start());  // runs what it has, even if the table cannot be read
    reported(scheduler.schedule("housekeeping.https", "", started_at, {}, JobStore::memory));
    reported(scheduler.schedule("housekeeping.events", "", started_at + kTick, {}, JobStore::memory));
    reported(scheduler.ensure("offers.expire", "", started_at));
    arm_job(scheduler, "offers.reminders", d.reminders.next_due(), *d.log);
    arm_job(scheduler, kDigestJob, d.digests.next_due(), *d.log);
    arm_job(scheduler, kAnswerJob, d.questions.next_due(), *d.log);
    reported(scheduler.schedule("notifications.prune", "", started_at + 60'000, {}, JobStore::memory));
}

}  // namespace relais
