#include "scheduler.hpp"

#include "text.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <tuple>
#include <vector>

namespace relais {

std::chrono::milliseconds schedule_backoff(int attempts) {
    constexpr std::chrono::milliseconds first = std::chrono::seconds(30), cap = std::chrono::hours(1);
    auto delay = first;
    for (int i = 1; i < attempts && delay < cap; ++i) delay *= 2;
    return std::min(delay, cap);
}

UnixMs next_period(UnixMs due_at, UnixMs period, UnixMs now) {
    if (period <= 0) return now;
    if (due_at + period > now) return due_at + period;
    return due_at + ((now - due_at) / period + 1) * period;
}

Scheduler::Scheduler(SchedulerDeps deps) : deps_(std::move(deps)) {}

Scheduler::~Scheduler() { deps_.timer.cancel(); }

void Scheduler::handle(std::string kind, JobHandler handler) {
    if (handler)
        handlers_[std::move(kind)] = std::move(handler);
    else if (auto found = handlers_.find(kind); found != handlers_.end())
        handlers_.erase(found);
}

Result<void> Scheduler::start() {
    if (started_) return {};
    auto rows = deps_.db.read([](Connection& c) -> Result<std::vector<ScheduledJob>> {
        TRY_ASSIGN(auto s, c.prepare("SELECT kind, key, due_at, payload, attempts, last_error FROM schedule"));
        std::vector<ScheduledJob> jobs;
        while (true) {
            TRY_ASSIGN(bool row, s.step());
            if (!row) break;
            jobs.push_back({.kind = s.text(0),
                            .key = s.text(1),
                            .due_at = s.int64(2),
                            .payload = s.text(3),
                            .attempts = static_cast<int>(s.int64(4)),
                            .last_error = s.text(5)});
        }
        return jobs;
    });
    started_ = true;
    if (!rows) {
        arm();  // what is scheduled in memory runs on
        return std::move(rows).error();
    }
    for (ScheduledJob& job : *rows) {
        Key key{job.kind, job.key};
        // One scheduled before start() was written to disk too, and is the newer.
        jobs_.try_emplace(std::move(key), Entry{std::move(job), JobStore::disk, ++revisions_});
    }
    arm();
    return {};
}

void Scheduler::stop() {
    stopped_ = true;
    deps_.timer.cancel();
}

Result<void> Scheduler::write(const Entry& e) {
    if (e.store != JobStore::disk) return {};
    return deps_.db.write([&](Connection& c) -> Result<void> {
        TRY_ASSIGN(auto s, c.prepare("INSERT INTO schedule (kind, key, due_at, payload, attempts, last_error, "
                                     "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET "
                                     "due_at = excluded.due_at, payload = excluded.payload, attempts = "
                                     "excluded.attempts, last_error = excluded.last_error"));
        s.bind(1, e.job.kind)
            .bind(2, e.job.key)
            .bind(3, e.job.due_at)
            .bind(4, e.job.payload)
            .bind(5, e.job.attempts)
            .bind(6, e.job.last_error)
            .bind(7, deps_.clock.now());
        return s.run();
    });
}

Result<void> Scheduler::schedule(std::string_view kind, std::string_view key, UnixMs due_at, std::string payload,
                                 JobStore store) {
    Entry e{.job = {.kind = std::string(kind),
                    .key = std::string(key),
                    .due_at = due_at,
                    .payload = std::move(payload),
                    .attempts = 0,
                    .last_error = {}},
            .store = store,
            .revision = 0};
    Key k{e.job.kind, e.job.key};
    if (auto found = jobs_.find(k);
        found != jobs_.end() && found->second.store == JobStore::disk && store != JobStore::disk) {
        // Moved to memory: it no longer survives a restart.
        TRY(cancel(kind, key));
    }
    TRY(write(e));  // on disk before it counts
    e.revision = ++revisions_;
    jobs_[std::move(k)] = std::move(e);
    arm();
    return {};
}

Result<bool> Scheduler::ensure(std::string_view kind, std::string_view key, UnixMs due_at, std::string payload,
                               JobStore store) {
    if (jobs_.contains(Key{std::string(kind), std::string(key)})) return false;
    TRY(schedule(kind, key, due_at, std::move(payload), store));
    return true;
}

Result<void> Scheduler::cancel(std::string_view kind, std::string_view key) {
    const auto found = jobs_.find(Key{std::string(kind), std::string(key)});
    if (found == jobs_.end()) return {};
    if (found->second.store == JobStore::disk) {
        TRY(deps_.db.write([&](Connection& c) -> Result<void> {
            TRY_ASSIGN(auto s, c.prepare("DELETE FROM schedule WHERE kind = ? AND key = ?"));
            s.bind(1, kind).bind(2, key);
            return s.run();
        }));
    }
    jobs_.erase(found);
    arm();
    return {};
}

std::optional<ScheduledJob> Scheduler::find(std::string_view kind, std::string_view key) const {
    const auto found = jobs_.find(Key{std::string(kind), std::string(key)});
    if (found == jobs_.end()) return std::nullopt;
    return found->second.job;
}

std::optional<UnixMs> Scheduler::next_due() const {
    std::optional<UnixMs> next;
    for (const auto& [key, e] : jobs_)
        if (!next || e.job.due_at < *next) next = e.job.due_at;
    return next;
}

void Scheduler::arm() {
    if (!started_ || stopped_ || running_) return;
    const std::optional<UnixMs> next = next_due();
    if (!next) return deps_.timer.cancel();
    deps_.timer.arm(*next, [this] { run_due(); });
}

void Scheduler::run_due() noexcept {
    if (!started_ || stopped_ || running_) return;
    running_ = true;
    try {
        const UnixMs now = deps_.clock.now();
        // Those due now, earliest first; each runs once, even if its handler makes it due again
        // at once (it runs at the next turn of the loop: others go first).
        std::vector<std::tuple<UnixMs, Key, std::uint64_t>> due;
        for (const auto& [key, e] : jobs_)
            if (e.job.due_at <= now) due.emplace_back(e.job.due_at, key, e.revision);
        std::sort(due.begin(), due.end());
        for (const auto& [at, key, revision] : due) {
            const auto found = jobs_.find(key);
            // Cancelled or scheduled anew by a handler that ran before it.
            if (found == jobs_.end() || found->second.revision != revision) continue;
            run_one(key, now);
        }
    } catch (const std::exception& e) {
        deps_.log->error("scheduler: {}", escape_untrusted(e.what(), 500));
    } catch (...) {
        deps_.log->error("scheduler: unexpected error");
    }
    running_ = false;
    try {
        arm();
    } catch (...) {
        deps_.log->error("scheduler: cannot arm the timer");
    }
}

void Scheduler::run_one(const Key& key, UnixMs now) {
    const Entry entry = jobs_.at(key);  // a copy: the handler may schedule or cancel its own
    const ScheduledJob& job = entry.job;
    JobOutcome outcome = job_done();
    const auto handler = handlers_.find(job.kind);
    if (handler == handlers_.end()) {
        outcome = internal_error("no handler for this kind of job");
    } else {
        try {
            outcome = handler->second(job);
        } catch (const std::exception& e) {
            outcome = internal_error(std::string("unexpected error: ") + escape_untrusted(e.what(), 500));
        } catch (...) {
            outcome = internal_error("unexpected error");
        }
    }
    const auto found = jobs_.find(key);
    if (found == jobs_.end() || found->second.revision != entry.revision) return;  // the handler's new schedule wins
    if (!outcome) {
        const Error& err = outcome.error();
        return failed(key, entry.revision, now, err.detail.empty() ? err.code : err.detail);
    }
    if (!*outcome) {
        if (auto removed = cancel(job.kind, job.key); !removed)
            deps_.log->error("scheduler: {} {}: done, but cannot be removed: {}", job.kind, job.key,
                             removed.error().detail);
        return;
    }
    Entry next = found->second;
    next.job.due_at = **outcome;
    next.job.attempts = 0;
    next.job.last_error.clear();
    if (auto written = write(next); !written)
        // It runs on from memory; after a restart it would run once more from its old due time.
        deps_.log->error("scheduler: {} {}: cannot write its next due time: {}", job.kind, job.key,
                         written.error().detail);
    found->second = std::move(next);
}

void Scheduler::failed(const Key& key, std::uint64_t revision, UnixMs now, std::string error) {
    auto found = jobs_.find(key);
    if (found == jobs_.end() || found->second.revision != revision) return;
    Entry next = found->second;
    ++next.job.attempts;
    next.job.last_error = std::move(error);
    next.job.due_at = now + schedule_backoff(next.job.attempts).count();
    deps_.log->error("scheduler: {} {} failed ({} in a row), again in {} s: {}", next.job.kind, next.job.key,
                     next.job.attempts, schedule_backoff(next.job.attempts).count() / 1000, next.job.last_error);
    if (auto written = write(next); !written)
        deps_.log->error("scheduler: {} {}: cannot record its failure: {}", next.job.kind, next.job.key,
                         written.error().detail);
    found->second = std::move(next);
}

}  // namespace relais
