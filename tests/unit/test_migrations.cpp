#include "support.hpp"

#include <doctest/doctest.h>

#include <array>

using namespace relais;
using namespace relais::test;

namespace {

Result<std::string> pragma_text(Connection& c, const char* pragma) {
    TRY_ASSIGN(auto s, c.prepare(std::string("PRAGMA ") + pragma));
    TRY_ASSIGN(bool row, s.step());
    return row ? s.text(0) : std::string();
}

Result<bool> table_exists(Connection& c, const std::string& name) {
    TRY_ASSIGN(auto s, c.prepare("SELECT 1 FROM sqlite_master WHERE name = ?"));
    s.bind(1, name);
    return s.step();
}

}  // namespace

TEST_CASE("a new database gets the schema, WAL, synchronous=FULL and foreign keys") {
    TempDir dir;
    auto db = Database::open(dir.path() + "/r.db", 1);
    REQUIRE(db.ok());
    auto applied = (*db)->with_writer([](Connection& c) { return migrate(c, builtin_migrations()); });
    REQUIRE(applied.ok());
    CHECK(*applied == static_cast<int>(builtin_migrations().size()));
    (*db)->with_writer([](Connection& c) {
        CHECK(*pragma_text(c, "journal_mode") == "wal");
        CHECK(*pragma_text(c, "synchronous") == "2");  // FULL
        CHECK(*pragma_text(c, "foreign_keys") == "1");
        CHECK(*schema_version(c) == static_cast<int>(builtin_migrations().size()));
        for (const char* t : {"users", "sessions", "api_keys", "repair_orders", "parties", "party_roles",
                              "contact_points", "interventions", "events", "ro_search"}) {
            CAPTURE(t);
            CHECK(*table_exists(c, t));
        }
        return 0;
    });
    // Applying again is a no-op.
    CHECK(*(*db)->with_writer([](Connection& c) { return migrate(c, builtin_migrations()); }) == 0);
}

TEST_CASE("a failing migration leaves the database exactly as it was") {
    TempDir dir;
    auto db = std::move(Database::open(dir.path() + "/r.db", 1)).value();
    const std::array<Migration, 1> first = {{{1, "one", "CREATE TABLE a (x INTEGER);"}}};
    REQUIRE(db->with_writer([&](Connection& c) { return migrate(c, first); }).ok());
    REQUIRE(db->with_writer([](Connection& c) { return c.exec("INSERT INTO a VALUES (7)"); }).ok());

    const std::array<Migration, 3> more = {{{1, "one", "CREATE TABLE a (x INTEGER);"},
                                            {2, "two", "CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (8);"},
                                            {3, "three", "CREATE TABLE c (z INTEGER); THIS IS NOT SQL;"}}};
    auto failed = db->with_writer([&](Connection& c) { return migrate(c, more); });
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.error().detail.find("migration 3 (three) failed") != std::string::npos);
    db->with_writer([](Connection& c) {
        CHECK(*schema_version(c) == 1);
        CHECK_FALSE(*table_exists(c, "b"));  // migration 2 ran in the same transaction: rolled back
        CHECK_FALSE(*table_exists(c, "c"));
        auto s = std::move(c.prepare("SELECT count(*) FROM a")).value();
        REQUIRE(*s.step());
        CHECK(s.int64(0) == 1);
        return 0;
    });
}

TEST_CASE("a database from a newer relais is refused") {
    TempDir dir;
    auto db = std::move(Database::open(dir.path() + "/r.db", 1)).value();
    REQUIRE(db->with_writer([](Connection& c) { return c.exec("PRAGMA user_version = 99"); }).ok());
    auto r = db->with_writer([](Connection& c) { return migrate(c, builtin_migrations()); });
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "database_too_new");
}

TEST_CASE("the timeline is append-only in the schema itself") {
    World w;
    RepairOrderPatch p = with_plate();
    p.number = "OR-1";
    REQUIRE(w.ros->create(p, w.actor).ok());
    auto update = w.db->write([](Connection& c) { return c.exec("UPDATE events SET type = 'forged'"); });
    CHECK_FALSE(update.ok());
    auto remove = w.db->write([](Connection& c) { return c.exec("DELETE FROM events"); });
    CHECK_FALSE(remove.ok());
    CHECK(w.ros->timeline(1)->size() == 1);
}

TEST_CASE("a failed write transaction is rolled back") {
    World w;
    auto r = w.db->write([](Connection& c) -> Result<int> {
        TRY(c.exec("INSERT INTO counters (name, value) VALUES ('x', 1)"));
        return internal_error("stop here");
    });
    CHECK_FALSE(r.ok());
    auto n = w.db->read([](Connection& c) -> Result<std::int64_t> {
        TRY_ASSIGN(auto s, c.prepare("SELECT count(*) FROM counters"));
        TRY(s.step());
        return s.int64(0);
    });
    CHECK(*n == 0);
}
