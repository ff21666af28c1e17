// The database copied before a schema migration (issue 12), with real SQLite files in a
// temporary folder: an older database opened by the appliance is copied whole, then migrated;
// no copy means no migration; only the newest copies are kept.
#include "appliance.hpp"
#include "schema_backup.hpp"
#include "support.hpp"

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace relais;
using namespace relais::test;
namespace fs = std::filesystem;

namespace {

constexpr int kOldVersion = 8;

int latest_version() { return static_cast<int>(builtin_migrations().size()); }

// A database as a relais whose schema stopped at version 8 left it, with three users and two
// repair orders in it.
void make_old_database(const std::string& path) {
    auto db = std::move(Database::open(path, 1)).value();
    REQUIRE(db->with_writer([](Connection& c) { return migrate(c, builtin_migrations().first(kOldVersion)); }).ok());
    REQUIRE(db->write([](Connection& c) -> Result<void> {
                  for (const char* name : {"marie", "thomas", "sophie"}) {
                      TRY_ASSIGN(auto s, c.prepare("INSERT INTO users (username, display_name, role, password_hash, "
                                                   "created_at, updated_at) VALUES (?, ?, 'advisor', 'x', 1, 1)"));
                      s.bind(1, name).bind(2, name);
                      TRY(s.run());
                  }
                  TRY(
                      c.exec("INSERT INTO repair_orders (number, status, created_at, updated_at) VALUES ('OR-1', "
                             "'open', 1, 1), ('OR-2', 'closed', 1, 1)"));
                  return success();
              }).ok());
}

Result<std::string> pragma(Connection& c, const std::string& name) {
    TRY_ASSIGN(auto s, c.prepare("PRAGMA " + name));
    TRY_ASSIGN(bool row, s.step());
    return row ? s.text(0) : std::string();
}

Result<std::int64_t> count(Connection& c, const std::string& table) {
    TRY_ASSIGN(auto s, c.prepare("SELECT count(*) FROM " + table));
    TRY(s.step());
    return s.int64(0);
}

unsigned mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

struct LoggedAppliance {
    std::ostringstream lines;
    std::shared_ptr<spdlog::logger> log =
        std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_st>(lines));
    Config config;

    explicit LoggedAppliance(const std::string& data_dir) {
        config.storage.data_dir = data_dir;
        log->set_level(spdlog::level::info);
    }
    Result<std::unique_ptr<Appliance>> open() { return Appliance::open(config, log); }
};

}  // namespace

TEST_CASE("schema backup: an older database is copied whole before it is migrated") {
    TempDir dir;
    const std::string data = dir.path() + "/var";
    fs::create_directories(data);
    make_old_database(data + "/relais.db");

    LoggedAppliance opener(data);
    auto app = opener.open();
    REQUIRE_MESSAGE(app.ok(), app.error().detail);

    const std::string backups = data + "/backups";
    const auto copies = schema_backups(backups);
    REQUIRE(copies.size() == 1);
    const std::string copy = copies.front();
    CHECK(fs::path(copy).filename().string().starts_with("relais-schema-v8-"));
    CHECK(mode_of(backups) == 0700);
    CHECK(mode_of(copy) == 0600);
    CHECK(opener.lines.str().find("database copied to " + copy + " before migrating from schema v8 to v" +
                                  std::to_string(latest_version())) != std::string::npos);

    // The copy is the database as the older relais left it: its schema, its rows, intact.
    auto old = std::move(Connection::open(copy, Access::read_only)).value();
    CHECK(*schema_version(*old) == kOldVersion);
    CHECK(*pragma(*old, "integrity_check") == "ok");
    CHECK(*count(*old, "users") == 3);
    CHECK(*count(*old, "repair_orders") == 2);
    // The live database moved on, rows and all.
    (*app)->db().read([](Connection& c) {
        CHECK(*schema_version(c) == latest_version());
        CHECK(*count(c, "users") == 3);
        CHECK(*pragma(c, "integrity_check") == "ok");
        return 0;
    });

    // Opened again: nothing to migrate, nothing copied.
    app->reset();
    LoggedAppliance again(data);
    REQUIRE(again.open().ok());
    CHECK(schema_backups(backups).size() == 1);
    CHECK(again.lines.str().find("database copied") == std::string::npos);
}

TEST_CASE("schema backup: a new database gets no copy") {
    TempDir dir;
    LoggedAppliance opener(dir.path() + "/var");
    REQUIRE(opener.open().ok());
    CHECK_FALSE(fs::exists(dir.path() + "/var/backups"));
}

TEST_CASE("schema backup: no copy, no migration: the error names the path and the reason") {
    TempDir dir;
    const std::string data = dir.path() + "/var";
    fs::create_directories(data);
    make_old_database(data + "/relais.db");
    const std::string backups = data + "/backups";

    SUBCASE("the backups folder cannot be made") {
        // A file where the folder should be: refused whoever runs the test (root too).
        std::ofstream(backups) << "in the way";
        auto app = LoggedAppliance(data).open();
        REQUIRE_FALSE(app.ok());
        CHECK(app.error().code == "schema_backup_failed");
        CHECK(app.error().detail.find("cannot copy the database to " + backups) != std::string::npos);
        CHECK(app.error().detail.find("from schema v8 to v" + std::to_string(latest_version())) != std::string::npos);
        CHECK(app.error().detail.find("Nothing was migrated") != std::string::npos);
    }
    SUBCASE("the backups folder is not writable") {
        if (::geteuid() == 0) return;  // root writes anyway: the subcase above covers it
        fs::create_directories(backups);
        fs::permissions(backups, fs::perms::owner_read | fs::perms::owner_exec, fs::perm_options::replace);
        auto app = LoggedAppliance(data).open();
        fs::permissions(backups, fs::perms::owner_all, fs::perm_options::replace);
        REQUIRE_FALSE(app.ok());
        CHECK(app.error().code == "schema_backup_failed");
        CHECK(app.error().detail.find(backups + "/relais-schema-v8-") != std::string::npos);
        CHECK(app.error().detail.find("Permission denied") != std::string::npos);
    }
    // Still at version 8, as the older relais left it.
    auto db = std::move(Database::open(data + "/relais.db", 1)).value();
    CHECK(*db->with_writer([](Connection& c) { return schema_version(c); }) == kOldVersion);
}

TEST_CASE("schema backup: only the newest three copies are kept, the one just made always among them") {
    TempDir dir;
    make_old_database(dir.path() + "/r.db");
    auto db = std::move(Database::open(dir.path() + "/r.db", 1)).value();
    const std::string backups = dir.path() + "/backups";
    const UnixMs t0 = 1'796'000'000'000LL;  // 2026-11-30T00:53:20Z
    const auto copy_at = [&](UnixMs at) {
        auto made =
            db->with_writer([&](Connection& c) { return backup_before_migration(c, backups, latest_version(), at); });
        REQUIRE(made.ok());
        REQUIRE(made->has_value());
        return (*made)->path;
    };
    const auto names = [&] {
        std::vector<std::string> out;
        for (const auto& p : schema_backups(backups)) out.push_back(fs::path(p).filename().string());
        return out;
    };
    // A copy cut off by a crash is cleared away.
    fs::create_directories(backups);
    std::ofstream(backups + "/relais-schema-v8-20261130T005319Z.db.tmp") << "half";

    copy_at(t0);
    copy_at(t0 + 500);  // the same second
    copy_at(t0 + 60'000);
    CHECK(names() == std::vector<std::string>{"relais-schema-v8-20261130T005320Z.db",
                                              "relais-schema-v8-20261130T005320Z-1.db",
                                              "relais-schema-v8-20261130T005420Z.db"});
    CHECK_FALSE(fs::exists(backups + "/relais-schema-v8-20261130T005319Z.db.tmp"));
    copy_at(t0 + 3'600'000);
    CHECK(names() == std::vector<std::string>{"relais-schema-v8-20261130T005320Z-1.db",
                                              "relais-schema-v8-20261130T005420Z.db",
                                              "relais-schema-v8-20261130T015320Z.db"});
    // A clock set back: the copy just made looks oldest, and is kept anyway.
    const std::string early = copy_at(t0 - 86'400'000);
    CHECK(fs::exists(early));
    CHECK(schema_backups(backups).size() == 3);
    // Files that are not copies are left alone.
    std::ofstream(backups + "/notes.txt") << "mine";
    copy_at(t0 + 7'200'000);
    CHECK(fs::exists(backups + "/notes.txt"));
    CHECK(schema_backups(backups).size() == 3);

    // At the latest version, or new: no copy.
    REQUIRE(db->with_writer([](Connection& c) { return migrate(c, builtin_migrations()); }).ok());
    auto none = db->with_writer(
        [&](Connection& c) { return backup_before_migration(c, backups, latest_version(), t0 + 9'000'000); });
    REQUIRE(none.ok());
    CHECK_FALSE(none->has_value());
}
