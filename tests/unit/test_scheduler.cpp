// The scheduler (schedule/scheduler.hpp) on a fake clock and a timer the test fires: thirty
// days of recurring jobs in milliseconds, across a restart; one job per kind and key; cancel;
// a handler that throws or fails is recorded and retried without stopping the others; a job
// due while the box was off runs once. Then the loop's own timer (loop_timer.hpp).

#include "support.hpp"

#include "due_rows.hpp"
#include "fake_timer.hpp"
#include "loop_timer.hpp"
#include "scheduler.hpp"

#include <doctest/doctest.h>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

using namespace relais;
using namespace relais::test;

namespace {

constexpr UnixMs kDay = 24LL * 3'600'000;

struct Run {
    UnixMs at;
    std::string kind;
    std::string key;
    std::string payload;
    bool operator==(const Run&) const = default;
};

// A database, a fake clock and timer, and a scheduler over them that a test can "restart" (a
// new scheduler over the same database, its handlers registered again, as the wiring does).
struct SchedulerWorld : World {
    FakeTimer timer;
    std::unique_ptr<Scheduler> scheduler;
    std::vector<Run> runs;
    std::function<void(Scheduler&)> register_handlers;

    explicit SchedulerWorld(std::function<void(Scheduler&)> handlers) : register_handlers(std::move(handlers)) {
        restart();
    }
    void restart() {
        scheduler.reset();
        timer.cancel();
        scheduler =
            std::make_unique<Scheduler>(SchedulerDeps{.db = *db, .clock = clock, .timer = timer, .log = null_logger()});
        register_handlers(*scheduler);
        REQUIRE(scheduler->start().ok());
    }
    void record(const ScheduledJob& job) { runs.push_back({clock.now(), job.kind, job.key, job.payload}); }
    /// Fires the timer as long as it is armed no later than `until`.
    void run_until(UnixMs until) {
        while (timer.armed_at && *timer.armed_at <= until) timer.fire(clock);
        if (clock.now() < until) clock.set(until);
    }
    long long rows() {
        auto n = db->read([](Connection& c) -> Result<std::int64_t> {
            TRY_ASSIGN(auto s, c.prepare("SELECT count(*) FROM schedule"));
            TRY(s.step());
            return s.int64(0);
        });
        REQUIRE(n.ok());
        return *n;
    }
    // The job as the table holds it (what a restart reads).
    std::optional<ScheduledJob> stored(const std::string& kind, const std::string& key) {
        auto job = db->read([&](Connection& c) -> Result<std::optional<ScheduledJob>> {
            TRY_ASSIGN(auto s, c.prepare("SELECT due_at, payload, attempts, last_error FROM schedule WHERE kind = ? "
                                         "AND key = ?"));
            s.bind(1, kind).bind(2, key);
            TRY_ASSIGN(bool row, s.step());
            if (!row) return std::optional<ScheduledJob>();
            return std::optional<ScheduledJob>(ScheduledJob{.kind = kind,
                                                            .key = key,
                                                            .due_at = s.int64(0),
                                                            .payload = s.text(1),
                                                            .attempts = static_cast<int>(s.int64(2)),
                                                            .last_error = s.text(3)});
        });
        REQUIRE(job.ok());
        return *job;
    }
};

}  // namespace

TEST_CASE("thirty days of a daily job and the fifth reminder every six days run in milliseconds, across a restart") {
    const auto real_start = std::chrono::steady_clock::now();
    SchedulerWorld* self = nullptr;
    SchedulerWorld w([&self](Scheduler& s) {
        // Daily, keeping its rhythm.
        s.handle("test.daily", [&self](const ScheduledJob& job) -> JobOutcome {
            self->record(job);
            return run_again_at(next_period(job.due_at, kDay, self->clock.now()));
        });
        // A reminder that counts itself in its payload and reschedules itself, five times.
        s.handle("test.reminder", [&self](const ScheduledJob& job) -> JobOutcome {
            self->record(job);
            const int n = std::stoi(job.payload);
            if (n < 5) {
                TRY(self->scheduler->schedule(job.kind, job.key, job.due_at + 6 * kDay, std::to_string(n + 1)));
            }
            return job_done();  // done, unless rescheduled above (which wins)
        });
    });
    self = &w;
    const UnixMs t0 = w.clock.now();
    REQUIRE(w.scheduler->schedule("test.daily", "ro-7", t0 + kDay).ok());
    REQUIRE(w.scheduler->schedule("test.reminder", "ro-7", t0 + 6 * kDay, "1").ok());
    CHECK(w.timer.armed_at == t0 + kDay);

    w.run_until(t0 + 15 * kDay);
    CHECK(w.runs.size() == 15 + 2);
    // A new process: the jobs come back from the table, with their due times and payloads.
    w.restart();
    CHECK(w.scheduler->find("test.daily", "ro-7")->due_at == t0 + 16 * kDay);
    CHECK(w.scheduler->find("test.reminder", "ro-7")->due_at == t0 + 18 * kDay);
    CHECK(w.scheduler->find("test.reminder", "ro-7")->payload == "3");
    w.run_until(t0 + 30 * kDay);

    std::vector<Run> expected;
    for (int day = 1; day <= 30; ++day) {
        expected.push_back({t0 + day * kDay, "test.daily", "ro-7", ""});
        // Due at the same time: by kind, then key.
        if (day % 6 == 0) expected.push_back({t0 + day * kDay, "test.reminder", "ro-7", std::to_string(day / 6)});
    }
    CHECK(w.runs == expected);
    REQUIRE(w.runs.size() == 35);
    CHECK(w.runs.back() == Run{t0 + 30 * kDay, "test.reminder", "ro-7", "5"});  // the fifth, on day 30
    CHECK_FALSE(w.scheduler->find("test.reminder", "ro-7").has_value());        // done
    CHECK_FALSE(w.stored("test.reminder", "ro-7").has_value());
    CHECK(w.stored("test.daily", "ro-7")->due_at == t0 + 31 * kDay);
    CHECK(w.timer.armed_at == t0 + 31 * kDay);
    const auto real = std::chrono::steady_clock::now() - real_start;
    MESSAGE("30 fake days in " << std::chrono::duration_cast<std::chrono::milliseconds>(real).count() << " ms");
    CHECK(real < std::chrono::seconds(5));  // milliseconds in fact; generous for sanitizer builds
}

TEST_CASE("a job due while the box was off runs once at start, then keeps its rhythm") {
    int ran = 0;
    SchedulerWorld* self = nullptr;
    SchedulerWorld w([&](Scheduler& s) {
        s.handle("test.daily", [&](const ScheduledJob& job) -> JobOutcome {
            ++ran;
            return run_again_at(next_period(job.due_at, kDay, self->clock.now()));
        });
    });
    self = &w;
    const UnixMs t0 = w.clock.now();
    REQUIRE(w.scheduler->schedule("test.daily", "", t0 + kDay).ok());
    w.scheduler.reset();                    // the box goes off for five and a half days
    w.clock.set(t0 + 6 * kDay + kDay / 2);  // five missed periods
    w.restart();
    CHECK(w.timer.armed_at == t0 + kDay);  // overdue: at once
    w.timer.fire(w.clock);
    CHECK(ran == 1);                           // once, not once per missed day
    CHECK(w.timer.armed_at == t0 + 7 * kDay);  // then on its rhythm
    CHECK(w.stored("test.daily", "")->due_at == t0 + 7 * kDay);
    w.run_until(t0 + 7 * kDay);
    CHECK(ran == 2);
}

TEST_CASE("next_period skips the periods missed, and keeps the rhythm") {
    CHECK(next_period(1000, 100, 1000) == 1100);
    CHECK(next_period(1000, 100, 1050) == 1100);
    CHECK(next_period(1000, 100, 1100) == 1200);
    CHECK(next_period(1000, 100, 1555) == 1600);
}

TEST_CASE("one job per kind and key: scheduling it again replaces its due time and payload") {
    SchedulerWorld w(
        [](Scheduler& s) { s.handle("offer.expire", [](const ScheduledJob&) -> JobOutcome { return job_done(); }); });
    const UnixMs t0 = w.clock.now();
    REQUIRE(w.scheduler->schedule("offer.expire", "12", t0 + 5000, "v1").ok());
    REQUIRE(w.scheduler->schedule("offer.expire", "12", t0 + 9000, "v2").ok());
    REQUIRE(w.scheduler->schedule("offer.expire", "13", t0 + 7000).ok());
    CHECK(w.rows() == 2);
    CHECK(w.stored("offer.expire", "12")->due_at == t0 + 9000);
    CHECK(w.stored("offer.expire", "12")->payload == "v2");
    CHECK(w.timer.armed_at == t0 + 7000);  // the earliest
    CHECK(w.scheduler->ensure("offer.expire", "12", t0 + 1000).ok());
    CHECK_FALSE(*w.scheduler->ensure("offer.expire", "12", t0 + 1000));  // there: kept as it is
    CHECK(w.scheduler->find("offer.expire", "12")->due_at == t0 + 9000);
    CHECK(*w.scheduler->ensure("offer.expire", "14", t0 + 1000));
    CHECK(w.rows() == 3);
    // A job kept in memory is not written, and is gone after a restart.
    REQUIRE(w.scheduler->schedule("test.tick", "", t0 + 1000, {}, JobStore::memory).ok());
    CHECK(w.rows() == 3);
    w.restart();
    CHECK_FALSE(w.scheduler->find("test.tick", "").has_value());
    CHECK(w.scheduler->find("offer.expire", "12")->payload == "v2");
}

TEST_CASE("a cancelled job never runs, on disk or in memory") {
    std::vector<std::string> ran;
    SchedulerWorld w([&ran](Scheduler& s) {
        s.handle("test.once", [&ran](const ScheduledJob& job) -> JobOutcome {
            ran.push_back(job.key);
            return job_done();
        });
    });
    const UnixMs t0 = w.clock.now();
    REQUIRE(w.scheduler->schedule("test.once", "a", t0 + 1000).ok());
    REQUIRE(w.scheduler->schedule("test.once", "b", t0 + 2000).ok());
    REQUIRE(w.scheduler->schedule("test.once", "c", t0 + 500, {}, JobStore::memory).ok());
    REQUIRE(w.scheduler->cancel("test.once", "a").ok());
    REQUIRE(w.scheduler->cancel("test.once", "c").ok());
    REQUIRE(w.scheduler->cancel("test.once", "nothing").ok());  // no such job: nothing to do
    CHECK(w.timer.armed_at == t0 + 2000);
    CHECK_FALSE(w.stored("test.once", "a").has_value());
    w.restart();
    w.run_until(t0 + 10'000);
    CHECK(ran == std::vector<std::string>{"b"});
    CHECK(w.rows() == 0);  // a job done is removed
    CHECK_FALSE(w.timer.armed_at.has_value());
}

TEST_CASE("a handler that throws or fails is recorded on its job and retried with backoff, the others run") {
    int boom_calls = 0, others = 0;
    SchedulerWorld w([&](Scheduler& s) {
        s.handle("test.boom", [&boom_calls](const ScheduledJob&) -> JobOutcome {
            ++boom_calls;
            if (boom_calls == 1) throw std::runtime_error("disk on fire \xff");
            if (boom_calls == 2) return make_error(ErrorKind::internal, "still_broken");
            return job_done();
        });
        s.handle("test.other", [&others](const ScheduledJob& job) -> JobOutcome {
            ++others;
            return run_again_at(job.due_at + 10'000);
        });
    });
    const UnixMs t0 = w.clock.now();
    REQUIRE(w.scheduler->schedule("test.boom", "", t0 + 1000).ok());
    REQUIRE(w.scheduler->schedule("test.other", "", t0 + 1000).ok());
    REQUIRE(w.scheduler->schedule("test.nobody", "", t0 + 1000).ok());  // no handler for it
    w.timer.fire(w.clock);
    CHECK(boom_calls == 1);
    CHECK(others == 1);  // after the throw, in the same run
    auto boom = w.stored("test.boom", "");
    REQUIRE(boom);
    CHECK(boom->attempts == 1);
    CHECK(boom->last_error == "unexpected error: disk on fire \\xFF");  // kept as escaped bytes
    CHECK(boom->due_at == t0 + 1000 + schedule_backoff(1).count());
    CHECK(w.stored("test.nobody", "")->attempts == 1);
    CHECK(w.stored("test.nobody", "")->last_error == "no handler for this kind of job");

    w.run_until(t0 + 1000 + schedule_backoff(1).count());
    CHECK(boom_calls == 2);
    boom = w.stored("test.boom", "");
    CHECK(boom->attempts == 2);
    CHECK(boom->last_error == "still_broken");
    CHECK(boom->due_at == t0 + 1000 + schedule_backoff(1).count() + schedule_backoff(2).count());
    CHECK(schedule_backoff(2) == 2 * schedule_backoff(1));

    w.run_until(t0 + 1000 + schedule_backoff(1).count() + schedule_backoff(2).count());
    CHECK(boom_calls == 3);
    CHECK_FALSE(w.stored("test.boom", "").has_value());  // done at last
    CHECK(others == 1 + (schedule_backoff(1).count() + schedule_backoff(2).count()) / 10'000);
    CHECK(schedule_backoff(1) == std::chrono::seconds(30));
    CHECK(schedule_backoff(20) == std::chrono::hours(1));
}

TEST_CASE("the loop's timer fires on the loop, never once cancelled or replaced") {
    boost::asio::io_context io;
    FakeClock clock;
    LoopTimer timer(io, clock);
    int fired = 0;
    timer.arm(clock.now(), [&] { ++fired; });
    io.run_for(std::chrono::milliseconds(200));
    CHECK(fired == 1);
    timer.arm(clock.now(), [&] { fired += 10; });
    timer.cancel();
    io.restart();
    io.run_for(std::chrono::milliseconds(50));
    CHECK(fired == 1);
    timer.arm(clock.now(), [&] { fired += 100; });
    timer.arm(clock.now(), [&] { fired += 1000; });  // replaces
    io.restart();
    io.run_for(std::chrono::milliseconds(200));
    CHECK(fired == 1001);
    // Due by the (fake) clock in an hour: not fired although the loop runs.
    timer.arm(clock.now() + 3'600'000, [&] { fired += 5; });
    io.restart();
    io.run_for(std::chrono::milliseconds(50));
    CHECK(fired == 1001);
}

TEST_CASE("due rows: each due row is run once per pass, a failed one waits, the others go on") {
    TempDir dir;
    auto db = std::move(Database::open(dir.path() + "/r.db", 1)).value();
    REQUIRE(db->with_writer([](Connection& c) {
                  return c.exec(
                      "CREATE TABLE waits (k INTEGER PRIMARY KEY, due_at INTEGER NOT NULL);"
                      "INSERT INTO waits VALUES (1, 100), (2, 200), (3, 5000);");
              }).ok());
    const DueRows rows{.table = "waits", .key = "k", .per_pass = 10, .retry_after = 1000};
    std::vector<std::int64_t> ran;
    auto run = [&](std::int64_t k) -> Result<bool> {
        ran.push_back(k);
        if (k == 1) return internal_error("row 1 is broken");
        // What a feature does when its send went: the row goes.
        TRY(db->write([&](Connection& c) { return c.exec("DELETE FROM waits WHERE k = " + std::to_string(k)); }));
        return true;
    };
    DuePass pass = run_due_rows(*db, rows, 300, run);
    CHECK(ran == std::vector<std::int64_t>{1, 2});  // earliest first; 3 is not due
    CHECK(pass.queued);
    REQUIRE(pass.error);
    CHECK(pass.error->detail == "row 1 is broken");
    CHECK(pass.next == std::optional<UnixMs>(1300));  // the failed row, looked at again later
    CHECK(*earliest_due_row(*db, "waits") == std::optional<UnixMs>(1300));

    // Not yet due again: nothing runs; then it does.
    ran.clear();
    pass = run_due_rows(*db, rows, 1299, run);
    CHECK(ran.empty());
    CHECK_FALSE(pass.queued);
    CHECK_FALSE(pass.error);
    // A full pass asks for another at once.
    const DueRows one{.table = "waits", .key = "k", .per_pass = 1, .retry_after = 1000};
    pass = run_due_rows(*db, one, 1300, run);
    CHECK(ran == std::vector<std::int64_t>{1});
    CHECK(pass.next == std::optional<UnixMs>(1300));
}
