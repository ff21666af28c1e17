// Live updates: the event hub's stream format, keep-alives, dropped and aged streams, the
// limit, and the database telling it about committed (never rolled back) changes.
#include "support.hpp"

#include "event_hub.hpp"
#include "http.hpp"

#include <doctest/doctest.h>

using namespace relais;
using namespace relais::test;
using namespace std::chrono_literals;

namespace {

struct FakeSink final : StreamSink {
    std::string written;
    bool gone = false;  // the client left: writes fail from now on
    int closes = 0;
    bool write(std::string_view chunk) override {
        if (gone || closes) return false;
        written += chunk;
        return true;
    }
    void close() override { ++closes; }
};

const auto t0 = std::chrono::steady_clock::time_point{} + 1h;

}  // namespace

TEST_CASE("a subscriber gets the reconnect delay, then one event per change naming the repair orders") {
    EventHub hub;
    auto sink = std::make_shared<FakeSink>();
    REQUIRE(hub.subscribe(sink, t0));
    CHECK(sink->written == "retry: 3000\n: relais\n\n");
    sink->written.clear();
    hub.repair_orders_changed({42, 7, 42});
    CHECK(sink->written == "event: ro\ndata: {\"ids\":[7,42]}\n\n");
    sink->written.clear();
    hub.repair_orders_changed({});
    CHECK(sink->written.empty());
    hub.tick(t0 + 15s);
    CHECK(sink->written == ": keep-alive\n\n");
}

TEST_CASE("a stream whose client left is dropped at the next write, old streams are ended") {
    EventHub hub({.max_streams = 8, .max_age = 30min});
    auto stays = std::make_shared<FakeSink>();
    auto leaves = std::make_shared<FakeSink>();
    REQUIRE(hub.subscribe(stays, t0));
    REQUIRE(hub.subscribe(leaves, t0 + 10min));
    CHECK(hub.subscribers() == 2);
    leaves->gone = true;
    hub.repair_orders_changed({1});
    CHECK(hub.subscribers() == 1);
    CHECK(stays->written.find("data: {\"ids\":[1]}") != std::string::npos);

    auto young = std::make_shared<FakeSink>();
    REQUIRE(hub.subscribe(young, t0 + 20min));
    hub.tick(t0 + 30min);  // `stays` is 30 minutes old: ended, so the browser reconnects and is checked again
    CHECK(stays->closes == 1);
    CHECK(young->closes == 0);
    CHECK(hub.subscribers() == 1);
}

TEST_CASE("past the limit, new streams are refused, a client gone before the first write is not kept") {
    EventHub hub({.max_streams = 2});
    auto a = std::make_shared<FakeSink>(), b = std::make_shared<FakeSink>(), c = std::make_shared<FakeSink>();
    CHECK(hub.subscribe(a, t0));
    CHECK(hub.subscribe(b, t0));
    CHECK(hub.full());
    CHECK_FALSE(hub.subscribe(c, t0));
    CHECK(c->written.empty());
    hub.close_all();
    CHECK(a->closes == 1);
    CHECK(hub.subscribers() == 0);
    auto gone = std::make_shared<FakeSink>();
    gone->gone = true;
    CHECK_FALSE(hub.subscribe(gone, t0));
    CHECK(hub.subscribers() == 0);
}

TEST_CASE("an event never holds a line end that would cut it") {
    CHECK(sse_event("ro", "a\nb\rc") == "event: ro\ndata: a b c\n\n");
}

TEST_CASE("the database announces the repair orders a commit changed, and nothing for a rollback") {
    World w;
    std::vector<std::vector<std::int64_t>> announced;
    w.db->on_committed([&](const std::vector<std::int64_t>& ids) { announced.push_back(ids); });
    auto ro = w.ros->create(with_plate(), w.actor);  // its timeline's first event marks it
    REQUIRE(ro);
    REQUIRE(announced.size() == 1);
    CHECK(announced[0] == std::vector<std::int64_t>{ro->id});

    auto failed = w.db->write([&](Connection& c) -> Result<void> {
        c.mark_changed(ro->id);
        return make_error(ErrorKind::conflict, "test");
    });
    CHECK_FALSE(failed);
    auto quiet = w.db->write([&](Connection&) -> Result<void> { return {}; });
    CHECK(quiet);
    CHECK(announced.size() == 1);  // neither the rollback nor a commit that touched nothing
    w.db->on_committed(nullptr);
}

TEST_CASE("a sign-out, a disabled user or a revoked key ends that access's streams, and only those") {
    EventHub hub;
    auto mine = std::make_shared<FakeSink>();
    auto my_other_browser = std::make_shared<FakeSink>();
    auto colleague = std::make_shared<FakeSink>();
    auto dms = std::make_shared<FakeSink>();
    REQUIRE(hub.subscribe(mine, t0, {"user:1", "session:10"}));
    REQUIRE(hub.subscribe(my_other_browser, t0, {"user:1", "session:11"}));
    REQUIRE(hub.subscribe(colleague, t0, {"user:2", "session:12"}));
    REQUIRE(hub.subscribe(dms, t0, {"api_key:3"}));

    hub.close_for("session:10");  // signed out in one browser
    CHECK(mine->closes == 1);
    CHECK(my_other_browser->closes == 0);
    CHECK(hub.subscribers() == 3);

    hub.close_for("user:1");  // then disabled by an admin
    CHECK(my_other_browser->closes == 1);
    hub.close_for("api_key:3");
    CHECK(dms->closes == 1);
    hub.close_for("session:99");  // nothing of that access open: nothing happens
    CHECK(hub.subscribers() == 1);

    hub.repair_orders_changed({5});
    CHECK(colleague->written.find("data: {\"ids\":[5]}") != std::string::npos);
    CHECK(colleague->closes == 0);
}

TEST_CASE("one owner cannot take every stream: past its share it is refused, and nobody else") {
    EventHub hub({.max_streams = 10, .max_per_owner = 2});
    std::vector<std::shared_ptr<FakeSink>> sinks;
    const auto open = [&](std::vector<std::string> owners) {
        sinks.push_back(std::make_shared<FakeSink>());
        return hub.subscribe(sinks.back(), t0, std::move(owners));
    };
    CHECK(open({"user:1", "session:7"}));
    CHECK(open({"user:1", "session:8"}));
    CHECK(hub.full_for("user:1"));
    CHECK_FALSE(open({"user:1", "session:9"}));
    CHECK(open({"user:2", "session:10"}));
    CHECK(open({"api_key:3"}));
    CHECK(hub.subscribers() == 4);
    hub.close_for("session:7");
    CHECK_FALSE(hub.full_for("user:1"));
}

TEST_CASE("a notification goes to the streams of its user only") {
    EventHub hub;
    auto mine = std::make_shared<FakeSink>(), my_other_tab = std::make_shared<FakeSink>();
    auto colleague = std::make_shared<FakeSink>(), dms = std::make_shared<FakeSink>();
    REQUIRE(hub.subscribe(mine, t0, {"user:1", "session:10"}));
    REQUIRE(hub.subscribe(my_other_tab, t0, {"user:1", "session:11"}));
    REQUIRE(hub.subscribe(colleague, t0, {"user:12", "session:12"}));
    REQUIRE(hub.subscribe(dms, t0, {"api_key:1"}));
    for (auto* s : {mine.get(), my_other_tab.get(), colleague.get(), dms.get()}) s->written.clear();
    hub.notified({1});
    CHECK(mine->written == "event: notification\ndata: {}\n\n");
    CHECK(my_other_tab->written == mine->written);
    CHECK(colleague->written.empty());  // not "user:1"'s prefix either
    CHECK(dms->written.empty());
    hub.notified({12, 1});
    CHECK(colleague->written == "event: notification\ndata: {}\n\n");
    CHECK(mine->written == "event: notification\ndata: {}\n\nevent: notification\ndata: {}\n\n");
}
