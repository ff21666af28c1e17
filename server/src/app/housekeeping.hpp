#pragma once
// Housekeeping as jobs of the scheduler (schedule/scheduler.hpp), registered and started by
// `relais serve` once everything is wired: the certificates' renewal check, the keep-alives on
// the live-update streams, the offers' expiry and their reminders, the
// notifications' digests and pruning.

#include "clock.hpp"
#include "result.hpp"

#include <optional>
#include <string_view>

#include <memory>

namespace spdlog {
class logger;
}

namespace relais {

class EventHub;
class OfferService;
class ReminderService;
class NotificationService;
class DigestService;
class QuestionService;
class Scheduler;
struct Https;

struct HousekeepingDeps {
    Scheduler& scheduler;
    const Https& https;  // the certificates' renewal check
    EventHub& events;    // the keep-alives on the live-update streams
    OfferService& offers;
    ReminderService& reminders;
    NotificationService& notifications;  // read ones pruned after 30 days
    DigestService& digests;
    QuestionService& questions;  // the messages of answers to questions on items
    const Clock& clock;
    std::shared_ptr<spdlog::logger> log;
};

/// Schedules the job `kind` in memory at `next` (the earliest due time its owner read from the
/// database, whose rows are the truth), or cancels it when nothing is due; a failure is logged.
/// On the loop's thread.
void arm_job(Scheduler& scheduler, std::string_view kind, const Result<std::optional<UnixMs>>& next,
             spdlog::logger& log);

/// Registers the jobs' handlers, starts the scheduler and schedules the jobs. Everything in
/// `deps` must outlive the scheduler's run.
void schedule_housekeeping(const HousekeepingDeps& deps);

}  // namespace relais
