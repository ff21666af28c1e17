#pragma once
// Housekeeping as jobs of the scheduler (schedule/scheduler.hpp), registered and started by
// `relais serve` once everything is wired: the certificates' renewal check, the keep-alives on
// the live-update streams, the offers' expiry and their reminders.

#include "clock.hpp"

#include <memory>

namespace spdlog {
class logger;
}

namespace relais {

class EventHub;
class OfferService;
class ReminderService;
class Scheduler;
struct Https;

struct HousekeepingDeps {
    Scheduler& scheduler;
    const Https& https;  // the certificates' renewal check
    EventHub& events;    // the keep-alives on the live-update streams
    OfferService& offers;
    ReminderService& reminders;
    const Clock& clock;
    std::shared_ptr<spdlog::logger> log;
};

/// Registers the jobs' handlers, starts the scheduler and schedules the jobs. Everything in
/// `deps` must outlive the scheduler's run.
void schedule_housekeeping(const HousekeepingDeps& deps);

}  // namespace relais
