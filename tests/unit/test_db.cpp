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
