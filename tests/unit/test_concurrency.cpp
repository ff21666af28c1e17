// Several threads using the services at once, as Pistache's threads do: writes are
// serialised, reads run beside them, nothing is lost. Run under TSan in CI.
#include "support.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

using namespace relais;
using namespace relais::test;

TEST_CASE("concurrent writers and readers lose nothing") {
    World w;
    auto ro = w.ros->create(with_plate(), w.actor);
    REQUIRE(ro.ok());
    constexpr int threads = 4;
    constexpr int per_thread = 25;
    std::atomic<int> failures{0};
    std::atomic<int> reads{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                InterventionPatch p;
                p.label = "T" + std::to_string(t) + "-" + std::to_string(i);
                p.price_excl = 1000;
                if (!w.ros->add_intervention(ro->id, p, std::nullopt, w.actor)) ++failures;
                RepairOrderQuery q;
                q.text = "OR-2026";
                if (w.ros->list(q) && w.ros->get(ro->id)) ++reads;
            }
        });
    }
    for (auto& th : pool) th.join();
    CHECK(failures == 0);
    CHECK(reads == threads * per_thread);
    const RepairOrder final_ro = *w.ros->get(ro->id);
    CHECK(final_ro.interventions.size() == threads * per_thread);
    CHECK(final_ro.version == 1 + threads * per_thread);
    for (std::size_t i = 0; i < final_ro.interventions.size(); ++i)
        CHECK(final_ro.interventions[i].position == int(i) + 1);
    CHECK(w.ros->list({})->items[0].total_incl == threads * per_thread * 1200);
}

TEST_CASE("concurrent sign-ins and session checks") {
    World w;
    w.add_user("marie");
    std::atomic<int> ok{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < 4; ++t) {
        pool.emplace_back([&] {
            for (int i = 0; i < 5; ++i) {
                LoginRequest r;
                r.username = "marie";
                r.password = "correct horse battery";
                r.ip = "192.0.2.1";
                auto login = w.auth->login(r);
                if (login && w.auth->authenticate_session(login->session_token)) ++ok;
            }
        });
    }
    for (auto& th : pool) th.join();
    CHECK(ok == 20);
}
