#pragma once
// The one scheduler (issue 14): jobs due at a UTC time, one per kind and key, run on the core
// loop by handlers the wiring registers per kind. A job kept on disk (the `schedule` table) is
// still due after a restart; one kept in memory (housekeeping ticks, the outbox's next pass,
// whose truth is elsewhere) is set up again by its owner at every start. One timer
// (WakeTimer) is armed for the earliest due job. A handler says when its job is due next (a
// recurring job) or that it is done; its error or exception never escapes: it is logged,
// recorded on the job (attempts, last_error) and the job is tried again with backoff. A job due
// while the box was off runs once at start, not once per missed period (next_period).
// Time comes from the injected Clock, so thirty days of a recurring job run in a unit test.

#include "clock.hpp"
#include "db.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace spdlog {
class logger;
}

namespace relais {

struct ScheduledJob {
    std::string kind;  // what to do: the handler registered for it
    std::string key;   // which one: one job per kind and key ("" for a single job of its kind)
    UnixMs due_at = 0;
    std::string payload;     // small: what the handler needs beyond the key
    int attempts = 0;        // failed runs in a row (0 after a success)
    std::string last_error;  // of the last failed run, "" after a success
};

/// Where a job is kept: on disk (survives a restart) or in memory (its owner schedules it at
/// every start, its truth being elsewhere).
enum class JobStore { disk, memory };

/// The next due time of a recurring job, or none: the job is done and removed. An error is
/// recorded on the job, which is tried again after schedule_backoff(attempts).
using JobOutcome = Result<std::optional<UnixMs>>;
/// A handler's two answers: run the job again at `at`, or it is done.
inline JobOutcome run_again_at(UnixMs at) { return std::optional<UnixMs>(at); }
inline JobOutcome job_done() { return std::optional<UnixMs>(); }
/// Called on the loop's thread; may schedule or cancel jobs, its own included (then what it
/// returns is ignored: the new schedule wins).
using JobHandler = std::function<JobOutcome(const ScheduledJob&)>;

/// The one timer the scheduler needs: call `fire` once, at `at` or soon after (never before,
/// by the Clock), on the loop's thread. arm() replaces what was armed; cancel() disarms. A
/// `fire` disarmed or replaced is never called. LoopTimer is the core loop's; tests fire by hand.
class WakeTimer {
public:
    virtual ~WakeTimer() = default;
    virtual void arm(UnixMs at, std::function<void()> fire) = 0;
    virtual void cancel() = 0;
};

struct SchedulerDeps {
    Database& db;
    const Clock& clock;
    WakeTimer& timer;
    std::shared_ptr<spdlog::logger> log;
};

/// The delay before a failed job is tried again, after `attempts` failures in a row: 30 s,
/// doubling, capped at 1 h (a job is never given up: housekeeping must go on).
std::chrono::milliseconds schedule_backoff(int attempts);
/// The first `due_at + k × period` (k ≥ 1) after `now`: a recurring job that missed periods
/// (the box was off) runs once, then keeps its rhythm.
UnixMs next_period(UnixMs due_at, UnixMs period, UnixMs now);

/// On the loop's thread only (every member). Everything in `deps` must outlive it. The
/// scheduler is the only writer of the `schedule` table, so its memory is the index of the jobs.
class Scheduler {
public:
    explicit Scheduler(SchedulerDeps deps);
    ~Scheduler();
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    /// Registers (replaces; an empty one removes) the handler of `kind`. A due job whose kind
    /// has no handler counts a failed run.
    void handle(std::string kind, JobHandler handler);
    /// Reads the jobs kept on disk and arms the timer: nothing runs before. Once. If the table
    /// cannot be read, the error is returned and the jobs in memory run all the same.
    Result<void> start();
    /// After this, nothing runs any more (the timer is disarmed); the jobs stay as they are.
    void stop();

    /// Schedules the job (kind, key) at `due_at`: creates it, or replaces its due time and
    /// payload (and forgets its failures). A job on disk is written before this returns.
    Result<void> schedule(std::string_view kind, std::string_view key, UnixMs due_at, std::string payload = {},
                          JobStore store = JobStore::disk);
    /// Schedules the job unless it exists (a recurring job the wiring sets up at every start
    /// keeps its due time and its rhythm). True if it was created. After start().
    Result<bool> ensure(std::string_view kind, std::string_view key, UnixMs due_at, std::string payload = {},
                        JobStore store = JobStore::disk);
    /// Removes the job, if there is one.
    Result<void> cancel(std::string_view kind, std::string_view key);

    std::optional<ScheduledJob> find(std::string_view kind, std::string_view key) const;
    /// The earliest due time of all jobs, none if there is no job.
    std::optional<UnixMs> next_due() const;

    /// Runs every job due now (by the Clock), each once, earliest first, then arms the timer
    /// for the next. What the timer calls; never throws.
    void run_due() noexcept;

private:
    struct Entry {
        ScheduledJob job;
        JobStore store = JobStore::disk;
        std::uint64_t revision = 0;  // changes with every schedule(): a run's outcome applies to its own revision
    };
    using Key = std::pair<std::string, std::string>;

    void run_one(const Key& key, UnixMs now);
    void failed(const Key& key, std::uint64_t revision, UnixMs now, std::string error);
    Result<void> write(const Entry& e);
    void arm();

    SchedulerDeps deps_;
    std::map<Key, Entry> jobs_;
    std::map<std::string, JobHandler, std::less<>> handlers_;
    std::uint64_t revisions_ = 0;
    bool started_ = false;
    bool stopped_ = false;
    bool running_ = false;  // inside run_due: it arms once at its end
};

}  // namespace relais
