// The reminders at scale (issue 15, docs/BENCHMARKS.md): N offers (default 10,000), each on its
// own repair order, sent by SMS with an active reminder plan, through the real services on a
// real SQLite file. Then, on a clock the program moves:
//   - the idle tick: what the scheduler's one reminders job costs when nothing is due
//     (next_due, and run_due finding nothing);
//   - a pass over reminders due: each pass queues up to 100 (a fresh link, the outbox message,
//     the timeline event, the plan) — how long one pass holds the core loop;
//   - all N due at once (the box was off a day): passes until none is due.
// The database is left in DATA_DIR for tests/bench/bench_reminders.sh, which starts `relais` on
// it and measures the start and the idle memory.
//   relais_bench_reminders DATA_DIR [N]
#include "db.hpp"
#include "migrations.hpp"
#include "offer_service.hpp"
#include "offer_state.hpp"
#include "opening_hours.hpp"
#include "phone.hpp"
#include "random.hpp"
#include "reminders.hpp"
#include "ro_service.hpp"
#include "timezone.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

using namespace relais;

namespace {

class MovableClock final : public Clock {
public:
    explicit MovableClock(UnixMs t) : now_(t) {}
    UnixMs now() const override { return now_.load(); }
    void set(UnixMs t) { now_ = t; }

private:
    std::atomic<UnixMs> now_;
};

double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

template <class T>
T must(Result<T> r, const char* what) {
    if (!r) {
        std::fprintf(stderr, "%s: %s\n", what, r.error().detail.c_str());
        std::exit(1);
    }
    return std::move(r).value();
}

void must(Result<void> r, const char* what) {
    if (!r) {
        std::fprintf(stderr, "%s: %s\n", what, r.error().detail.c_str());
        std::exit(1);
    }
}

Result<std::int64_t> count(Database& db, const char* sql) {
    return db.read([&](Connection& c) -> Result<std::int64_t> {
        TRY_ASSIGN(auto s, c.prepare(sql));
        TRY(s.step());
        return s.int64(0);
    });
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s DATA_DIR [N]\n", argv[0]);
        return 2;
    }
    const std::string dir = argv[1];
    const int n = argc > 2 ? std::atoi(argv[2]) : 10'000;
    std::filesystem::create_directories(dir);
    std::filesystem::remove(dir + "/relais.db");

    auto db = must(Database::open(dir + "/relais.db", 2), "open");
    must(db->with_writer([](Connection& c) { return migrate(c, builtin_migrations()); }), "migrate");
    auto zone = make_system_time_zone("Europe/Paris");
    // From the real time, so that relais started on this database afterwards finds nothing due
    // for hours; always open, so that every time below is the same whatever the time of day.
    const UnixMs base = SystemClock().now() / 60'000 * 60'000;
    constexpr UnixMs kHour = 3'600'000;
    MovableClock clock(base);
    OpenSslRandom random;
    auto phones = make_phone_numbers("FR");
    Config config;
    config.dealer.name = "Garage Demo";
    config.http.public_base_url = "https://atelier.garage-xyz.fr";
    config.hours.opening = OpeningHours{};
    RepairOrderService ros({.db = *db, .phones = *phones, .clock = clock, .zone = *zone, .default_vat_bp = 2000});
    OfferService offers({.db = *db, .config = config, .random = random, .clock = clock, .zone = *zone});
    ReminderService reminders({.db = *db, .config = config, .random = random, .clock = clock, .zone = *zone});
    const Actor actor{Actor::Kind::system, 0, "bench"};

    // N repair orders, one offer each, urgent every 2 hours.
    auto t0 = std::chrono::steady_clock::now();
    std::vector<RepairOrderService::ImportItem> items;
    for (int i = 0; i < n; ++i) {
        RepairOrderPatch p;
        VehiclePatch v;
        char plate[16];
        std::snprintf(plate, sizeof plate, "AB-%03d-%02d", i % 1000, i / 1000);
        v.plate = std::string(plate);
        v.make = std::string("Peugeot");
        v.model = std::string("308");
        p.vehicle = v;
        PartyPatch driver;
        driver.first_name = std::string("Client");
        driver.last_name = std::string("N") + std::to_string(i);
        driver.roles = std::vector<PartyRole>{PartyRole::driver};
        ContactPointPatch phone;
        phone.kind = ContactKind::phone;
        char number[16];
        std::snprintf(number, sizeof number, "06%08d", 10'000'000 + i);
        phone.value = std::string(number);
        driver.contact_points = std::vector<ContactPointPatch>{phone};
        p.parties = std::vector<PartyPatch>{driver};
        InterventionPatch item;
        item.label = std::string("Plaquettes avant");
        item.price_excl = 15825;
        item.kind = InterventionKind::optional;
        p.interventions = std::vector<InterventionPatch>{item};
        items.push_back({std::move(p), clock.now()});
    }
    const auto ro_ids = must(ros.import(items, actor), "import");
    const double import_ms = ms_since(t0);
    t0 = std::chrono::steady_clock::now();
    std::vector<Id> offer_ids;
    for (const Id ro_id : ro_ids) {
        const RepairOrder ro = must(ros.get(ro_id), "ro");
        SendOfferRequest req;
        req.contact_point_ids = {ro.parties.at(0).contact_points.at(0).id};
        req.reminders = ReminderCadence{ReminderPolicy::urgent, 2};
        offer_ids.push_back(must(offers.send(ro_id, req, actor), "send").id);
    }
    // What the outbox would have done: every offer left.
    must(db->write([&](Connection& c) -> Result<void> {
        TRY_ASSIGN(auto s, c.prepare("UPDATE outbox SET state = 'sent', sent_at = ? WHERE state = 'pending'"));
        s.bind(1, clock.now());
        TRY(s.run());
        for (const Id id : offer_ids)
            TRY(offer_state::move(c, {.offer_id = id, .to = OfferState::sent, .at = clock.now(), .by = actor},
                                  nlohmann::json::object()));
        return success();
    }),
         "sent");
    const double send_ms = ms_since(t0);
    std::printf("%d repair orders imported in %.0f ms; %d offers sent with a plan in %.0f ms\n", n, import_ms, n,
                send_ms);

    // The idle tick: nothing due (an hour after the send, the first reminders two hours after).
    clock.set(base + kHour);
    constexpr int kTicks = 1000;
    t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kTicks; ++i) must(reminders.next_due(), "next_due");
    const double next_us = ms_since(t0) * 1000 / kTicks;
    t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kTicks; ++i) must(reminders.run_due(), "run_due idle");
    const double idle_us = ms_since(t0) * 1000 / kTicks;
    std::printf("idle tick with %d active plans: next_due %.1f us, run_due with nothing due %.1f us\n", n, next_us,
                idle_us);

    // All due at once (two hours after the send): pass after pass, as the scheduler runs them.
    clock.set(base + 2 * kHour);
    std::vector<double> passes;
    t0 = std::chrono::steady_clock::now();
    while (true) {
        const auto p0 = std::chrono::steady_clock::now();
        const auto next = must(reminders.run_due(), "run_due");
        passes.push_back(ms_since(p0));
        if (!next || *next > clock.now()) break;
    }
    const double all_ms = ms_since(t0);
    std::sort(passes.begin(), passes.end());
    const auto queued = must(count(*db, "SELECT count(*) FROM outbox WHERE purpose = 'reminder'"), "count");
    std::printf(
        "all %d due at once: %lld reminders queued in %zu passes, %.0f ms in all (%.2f ms each); "
        "one pass: median %.1f ms, max %.1f ms\n",
        n, static_cast<long long>(queued), passes.size(), all_ms, all_ms / std::max<double>(1, queued),
        passes[passes.size() / 2], passes.back());
    if (queued != n) {
        std::fprintf(stderr, "expected %d reminders, got %lld\n", n, static_cast<long long>(queued));
        return 1;
    }
    const auto next = must(reminders.next_due(), "next_due");
    std::printf("next due: %s (the send was at %s)\n", next ? format_utc(*next).c_str() : "none",
                format_utc(base).c_str());
    if (!next || *next != base + 4 * kHour) {
        std::fprintf(stderr, "expected the next reminders four hours after the send\n");
        return 1;
    }
    return 0;
}
