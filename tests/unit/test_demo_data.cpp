#include "demo_data.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

using namespace relais;
using namespace relais::test;

TEST_CASE("demo data passes the same checks as real input, and is deterministic") {
    World w;
    const User marie = w.add_user("marie");
    DemoOptions o;
    o.count = 600;
    o.seed = 3;
    o.now = w.clock.now();
    o.advisor_ids = {marie.id};
    o.zone = w.zone.get();
    const auto items = make_demo_repair_orders(o);
    auto ids = w.ros->import(items, w.actor);
    if (!ids) {
        for (const auto& f : ids.error().fields) MESSAGE(f.field << " " << f.code);
    }
    REQUIRE(ids.ok());
    CHECK(ids->size() == 600);
    const auto again = make_demo_repair_orders(o);
    CHECK(*again[42].patch.vehicle->plate == *items[42].patch.vehicle->plate);
    // Oldest first, spread over the period, none in the future.
    CHECK(items.front().created_at < items.back().created_at);
    CHECK(items.back().created_at <= o.now);
    int opened_on_sunday = 0, promised_on_sunday = 0, out_of_hours = 0;
    for (const auto& it : items) {
        const CivilTime promised = w.zone->to_local(**it.patch.promised_at);
        const CivilTime opened = w.zone->to_local(it.created_at);
        if (promised.hour < 8 || promised.hour > 18 || opened.hour < 8 || opened.hour > 18) ++out_of_hours;
        // 1970-01-01 was a Thursday.
        const auto weekday = [&](UnixMs t) { return ((t + 3600'000LL) / 86'400'000LL + 4) % 7; };
        if (weekday(it.created_at) == 0) ++opened_on_sunday;
        if (weekday(**it.patch.promised_at) == 0) ++promised_on_sunday;
    }
    CHECK(out_of_hours == 0);
    CHECK(opened_on_sunday == 0);
    CHECK(promised_on_sunday == 0);
    RepairOrderQuery q;
    q.statuses = {RoStatus::closed};
    CHECK(w.ros->list(q)->total > 300);
}
