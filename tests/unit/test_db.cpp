#include "generation_cache.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

using namespace relais;
using namespace relais::test;

TEST_CASE("the statement cache keeps a bounded number of statements and never drops one in use") {
    TempDir dir;
    auto db = Database::open(dir.path() + "/r.db", 1);
    REQUIRE(db.ok());
    (*db)->with_writer([](Connection& c) {
        auto held = c.prepare("SELECT 42");
        REQUIRE(held.ok());
        // Many more distinct statements than the cache keeps, each used once.
        for (int i = 0; i < 3 * static_cast<int>(Connection::kMaxCachedStatements); ++i) {
            auto s = c.prepare("SELECT " + std::to_string(i) + " + 1");
            REQUIRE(s.ok());
            auto row = s->step();
            REQUIRE(row.ok());
            CHECK(s->int64(0) == i + 1);
            CHECK(c.cached_statements() <= Connection::kMaxCachedStatements + 1);
        }
        // The statement held all along was not finalized under its holder.
        auto row = held->step();
        REQUIRE(row.ok());
        CHECK(held->int64(0) == 42);
        return 0;
    });
}

TEST_CASE("the generation moves on after a commit here and after one made by another process") {
    TempDir dir;
    auto db = std::move(Database::open(dir.path() + "/r.db", 1)).value();
    REQUIRE(db->with_writer([](Connection& c) { return c.exec("CREATE TABLE t (x INTEGER)"); }).ok());
    auto generation = [&] { return db->read([&](Connection& c) { return std::move(db->generation(c)).value(); }); };
    const std::uint64_t first = generation();
    CHECK(generation() == first);  // nothing changed: the same

    REQUIRE(db->write([](Connection& c) { return c.exec("INSERT INTO t VALUES (1)"); }).ok());
    const std::uint64_t second = generation();
    CHECK(second > first);
    CHECK(generation() == second);

    // Another connection to the same file, as a `relais` command beside the service has.
    auto other = std::move(Database::open(dir.path() + "/r.db", 1)).value();
    REQUIRE(other->write([](Connection& c) { return c.exec("INSERT INTO t VALUES (2)"); }).ok());
    const std::uint64_t third = generation();
    CHECK(third > second);
    CHECK(generation() == third);
}

TEST_CASE("a generation cache gives back a value only at the generation it was read at") {
    GenerationCache<int, std::string> cache(2);
    CHECK(cache.find(1, 5) == nullptr);
    cache.put(1, 5, std::make_shared<const std::string>("five"));
    REQUIRE(cache.find(1, 5) != nullptr);
    CHECK(*cache.find(1, 5) == "five");
    CHECK(cache.find(1, 6) == nullptr);  // the database moved on
    CHECK(cache.find(2, 5) == nullptr);

    // A value read before the newest one kept is not kept; a newer one drops the older ones.
    cache.put(1, 6, std::make_shared<const std::string>("six"));
    cache.put(2, 5, std::make_shared<const std::string>("stale"));
    CHECK(cache.find(2, 5) == nullptr);
    CHECK(cache.find(2, 6) == nullptr);
    CHECK(*cache.find(1, 6) == "six");
    CHECK(cache.find(1, 5) == nullptr);

    // Full: everything is dropped for the newcomer.
    cache.put(2, 6, std::make_shared<const std::string>("two"));
    cache.put(3, 6, std::make_shared<const std::string>("three"));
    CHECK(cache.find(1, 6) == nullptr);
    CHECK(cache.find(2, 6) == nullptr);
    CHECK(*cache.find(3, 6) == "three");
}

TEST_CASE("a write that committed reports success even when what follows the commit throws") {
    TempDir dir;
    auto db = std::move(Database::open(dir.path() + "/r.db", 1)).value();
    REQUIRE(db->with_writer([](Connection& c) { return c.exec("CREATE TABLE t (x INTEGER)"); }).ok());
    int announced = 0;
    int followed = 0;
    db->on_committed([&](const std::vector<std::int64_t>&) {
        ++announced;
        throw std::runtime_error("listener broke");
    });
    db->on_appended([&](Connection&, const std::vector<std::int64_t>&) -> Result<std::function<void()>> {
        return std::function<void()>([&] {
            ++followed;
            throw std::runtime_error("after broke");
        });
    });
    auto wrote = db->write([](Connection& c) -> Result<int> {
        if (auto e = c.exec("INSERT INTO t VALUES (7)"); !e) return std::move(e).error();
        c.mark_changed(1);
        c.note_appended(1);
        return 7;
    });
    REQUIRE(wrote.ok());
    CHECK(*wrote == 7);
    CHECK(announced == 1);
    CHECK(followed == 1);
    auto count = db->read([](Connection& c) {
        auto s = std::move(c.prepare("SELECT count(*) FROM t")).value();
        REQUIRE(s.step().ok());
        return s.int64(0);
    });
    CHECK(count == 1);
    // The writer is free and outside any transaction: the next write goes through.
    CHECK(db->write([](Connection& c) { return c.exec("INSERT INTO t VALUES (8)"); }).ok());
    db->on_appended(nullptr);
}
