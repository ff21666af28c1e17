// `relais backup` and `relais restore` on real SQLite files in temporary folders (backup.hpp,
// restore.hpp): what a backup holds, the newest N kept and nothing else touched, the status
// /metrics reads; a restore that puts everything back (the workspace's settings with the
// configuration), keeps what it replaced, and refuses —
// changing nothing — while relais runs, over a database without --force, with a database that
// is damaged or newer than this relais, or a configuration this box cannot use.
#include "backup.hpp"
#include "certificates.hpp"
#include "data_dir_lock.hpp"
#include "migrations.hpp"
#include "restore.hpp"
#include "support.hpp"

#include <fcntl.h>
#include <sys/file.h>
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

constexpr UnixMs kNight = 1'796'520'600'000;  // 2026-12-06T01:30:00Z
constexpr UnixMs kDay = 86'400'000;
const std::string kConfig = "[storage]\ndata_dir = \"var\"\n[dealer]\nname = \"Garage Martin\"\n";
// What the workspace wrote: <data_dir>/settings.toml.
const std::string kSettings = "[dealer]\nname = \"Garage Dupont\"\n[mail]\npassword = \"relay secret\"\n";

int latest() { return static_cast<int>(builtin_migrations().size()); }

std::vector<std::string> names_in(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

// The repair orders' numbers in the database at `path`, in order.
std::vector<std::string> ro_numbers(const std::string& path) {
    auto conn = std::move(Connection::open(path, Access::read_only)).value();
    auto s = std::move(conn->prepare("SELECT number FROM repair_orders ORDER BY id")).value();
    std::vector<std::string> out;
    while (*s.step()) out.push_back(s.text(0));
    return out;
}

// A box: its configuration file and its data directory, with a database a relais has written.
struct Box {
    TempDir dir;
    std::string config_path = dir.path() + "/relais.toml";
    std::string data = dir.path() + "/var";
    std::string usb = dir.path() + "/usb";
    Config config;

    explicit Box(const std::string& text = kConfig) {
        write_file(config_path, text);
        auto load = parse_config(text, config_path, ConfigEnvironment{});
        REQUIRE(load.config);
        config = *load.config;
    }

    std::unique_ptr<Database> database() {
        fs::create_directories(data);
        auto db = std::move(Database::open(data + "/relais.db", 1)).value();
        REQUIRE(db->with_writer([](Connection& c) { return migrate(c, builtin_migrations()); }).ok());
        return db;
    }
    static void add_ros(Database& db, std::initializer_list<const char*> numbers) {
        for (const char* n : numbers)
            REQUIRE(db.write([&](Connection& c) -> Result<void> {
                          TRY_ASSIGN(auto s, c.prepare("INSERT INTO repair_orders (number, status, created_at, "
                                                       "updated_at) VALUES (?, 'open', 1, 1)"));
                          s.bind(1, n);
                          return s.run();
                      }).ok());
    }

    Result<BackupReport> backup(UnixMs now, std::size_t keep = 14) {
        return make_backup({data, config_path, usb, keep, now, "relais-garage", "0.1.0"});
    }
    Result<RestoreReport> restore(const std::string& archive, ExistingData existing = ExistingData::refuse,
                                  ConfigRestore config_file = ConfigRestore::restore) {
        static const ConfigEnvironment environment;
        return restore_backup({config, environment, archive, existing, config_file, kNight + kDay});
    }
};

}  // namespace

TEST_CASE("backup: the database as committed, the configuration and tls/ in one file, then read back") {
    Box box;
    auto db = box.database();  // left open, as the running service holds it: its last commits are in the -wal
    Box::add_ros(*db, {"OR-1", "OR-2", "OR-3"});
    write_file(box.data + "/tls/acme/account.key", "key");
    write_file(box.data + "/tls/certs/relais.garage-martin.fr.pem", "cert");
    write_file(box.data + "/settings.toml", kSettings);

    auto report = box.backup(kNight);
    REQUIRE_MESSAGE(report.ok(), report.error().detail);
    CHECK(report->path == box.usb + "/relais-backup-20261206T013000Z.tar");
    CHECK(report->size == fs::file_size(report->path));
    struct stat st {};
    REQUIRE(::stat(report->path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(names_in(box.usb) == std::vector<std::string>{"relais-backup-20261206T013000Z.tar"});  // no temporary left

    TempDir out;
    auto manifest = extract_backup_archive(report->path, out.path());
    REQUIRE_MESSAGE(manifest.ok(), manifest.error().detail);
    CHECK(*manifest == report->manifest);
    CHECK(manifest->schema_version == latest());
    CHECK(manifest->host == "relais-garage");
    CHECK(manifest->created_at == kNight);
    CHECK(ro_numbers(out.path() + "/relais.db") == std::vector<std::string>{"OR-1", "OR-2", "OR-3"});
    CHECK(read_file(out.path() + "/relais.toml") == kConfig);
    CHECK(read_file(out.path() + "/settings.toml") == kSettings);
    CHECK(read_file(out.path() + "/tls/acme/account.key") == "key");
    std::vector<std::string> members;
    for (const auto& m : manifest->members) members.push_back(m.name);
    CHECK(members == std::vector<std::string>{"relais.db", "relais.toml", "settings.toml", "tls/acme/account.key",
                                              "tls/certs/relais.garage-martin.fr.pem"});
    CHECK(read_file(out.path() + "/tls/certs/relais.garage-martin.fr.pem") == "cert");

    // What /metrics reads.
    auto status = read_backup_status(box.data);
    REQUIRE(status);
    CHECK(status->made_at == kNight);
    CHECK(status->size == report->size);
    CHECK(status->path == report->path);
}

TEST_CASE("backup: the newest `keep` stay, nothing else in the folder is ever removed") {
    Box box;
    auto db = box.database();
    fs::create_directories(box.usb);
    const std::vector<std::string> strangers = {"notes.txt", "relais-backup-latest.tar",
                                                "relais-backup-20261201T013000Z.tar.bak", "relais-backup-20261201.tar"};
    for (const auto& name : strangers) write_file(box.usb + "/" + name, "mine");
    // What a backup cut off by a power cut left: its temporary files go.
    write_file(box.usb + "/relais-backup-20261205T013000Z.tar.tmp", "half");
    write_file(box.usb + "/relais-backup-20261205T013000Z.db.tmp", "half");

    for (int day = 0; day < 4; ++day) REQUIRE(box.backup(kNight + day * kDay, 2).ok());
    auto same_second = box.backup(kNight + 3 * kDay + 500, 2);  // a second one in the same second
    REQUIRE(same_second.ok());
    CHECK(same_second->path == box.usb + "/relais-backup-20261209T013000Z-1.tar");
    CHECK(same_second->removed == std::vector<std::string>{box.usb + "/relais-backup-20261208T013000Z.tar"});
    CHECK(backup_files(box.usb) == std::vector<std::string>{box.usb + "/relais-backup-20261209T013000Z.tar",
                                                            box.usb + "/relais-backup-20261209T013000Z-1.tar"});
    for (const auto& name : strangers) CHECK(read_file(box.usb + "/" + name) == "mine");
    CHECK_FALSE(fs::exists(box.usb + "/relais-backup-20261205T013000Z.tar.tmp"));
    CHECK_FALSE(fs::exists(box.usb + "/relais-backup-20261205T013000Z.db.tmp"));

    // A clock set back (a box that booted without the time): the backup just made stays, though
    // its name says it is the oldest.
    auto early = box.backup(kNight - 30 * kDay, 1);
    REQUIRE(early.ok());
    CHECK(backup_files(box.usb) == std::vector<std::string>{early->path});
}

TEST_CASE("backup: refused without a database, with what tls/ cannot hold, and twice at once") {
    Box box;
    auto missing = box.backup(kNight);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == "no_database");
    CHECK(missing.error().detail == "no database at " + box.data +
                                        "/relais.db: relais has not run with this "
                                        "configuration yet");

    auto db = box.database();
    write_file(box.data + "/tls/live/cert.pem", "cert");
    fs::create_symlink(box.data + "/tls/live/cert.pem", box.data + "/tls/current.pem");
    auto link = box.backup(kNight);
    REQUIRE_FALSE(link.ok());
    CHECK(link.error().detail ==
          "cannot back up " + box.data + "/tls/current.pem: only plain files and folders are backed up from tls/");
    fs::remove(box.data + "/tls/current.pem");
    CHECK(names_in(box.usb).empty());  // the failed one left nothing behind
    fs::create_symlink(box.data + "/tls/live/cert.pem", box.data + "/settings.toml");
    auto settings_link = box.backup(kNight);
    REQUIRE_FALSE(settings_link.ok());
    CHECK(settings_link.error().detail == "cannot back up " + box.data + "/settings.toml: not a plain file");
    fs::remove(box.data + "/settings.toml");
    CHECK(names_in(box.usb).empty());

    // Another backup holds the folder (the timer's, while an admin runs one by hand).
    const int held = ::open(box.usb.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    REQUIRE(::flock(held, LOCK_EX) == 0);
    auto twice = box.backup(kNight);
    ::close(held);
    REQUIRE_FALSE(twice.ok());
    CHECK(twice.error().code == "backup_running");
    CHECK(box.backup(kNight).ok());
}

TEST_CASE("backup status: none before the first backup, none from a garbled file") {
    TempDir dir;
    CHECK_FALSE(read_backup_status(dir.path()));
    REQUIRE(write_backup_status(dir.path(), {kNight, 1234, "/media/usb/relais-backup-20261206T013000Z.tar"}).ok());
    auto back = read_backup_status(dir.path());
    REQUIRE(back);
    CHECK(back->made_at == kNight);
    CHECK(back->size == 1234);
    write_file(dir.path() + "/backup-status", "made-ms yesterday\nsize -1\n");
    CHECK_FALSE(read_backup_status(dir.path()));
    write_file(dir.path() + "/backup-status", std::string(100000, '9'));
    CHECK_FALSE(read_backup_status(dir.path()));
}

TEST_CASE("backup status: replaced whole, or left as it was") {
    TempDir dir;
    const std::string path = dir.path() + "/backup-status";
    REQUIRE(write_backup_status(dir.path(), {kNight, 1234, "/media/usb/a.tar"}).ok());
    CHECK((fs::status(path).permissions() & fs::perms::others_read) == fs::perms::none);
    CHECK_FALSE(fs::exists(path + ".tmp"));
    // A write that cannot be made whole (here: its temporary name taken by a symlink, not
    // followed) leaves the last status for /metrics, never an empty or a half one.
    write_file(dir.path() + "/elsewhere", "");
    fs::create_symlink(dir.path() + "/elsewhere", path + ".tmp");
    CHECK_FALSE(write_backup_status(dir.path(), {kNight + kDay, 5678, "/media/usb/b.tar"}).ok());
    CHECK(read_file(dir.path() + "/elsewhere").empty());
    auto back = read_backup_status(dir.path());
    REQUIRE(back);
    CHECK(back->size == 1234);
}

TEST_CASE("restore: a fresh box gets the database, tls/ and the configuration, not while relais runs") {
    Box old_box;
    auto db = old_box.database();
    Box::add_ros(*db, {"OR-1", "OR-2"});
    write_file(old_box.data + "/tls/acme/account.key", "key");
    auto made = old_box.backup(kNight);
    REQUIRE(made.ok());

    // The new box's configuration reads its data from its own "var", as the old one did.
    Box box("[storage]\ndata_dir = \"var\"\n");
    {
        auto running = DataDirLock::acquire(box.data);  // what the running service holds
        REQUIRE(running.ok());
        auto refused = box.restore(made->path);
        REQUIRE_FALSE(refused.ok());
        CHECK(refused.error().code == "data_dir_locked");
        CHECK(refused.error().detail.find("relais is running on the data directory " + box.data) != std::string::npos);
        CHECK(names_in(box.data) == std::vector<std::string>{"relais.lock"});
    }
    if (::geteuid() == 0) {
        // As root on the appliance: the restored files go to the data directory's owner.
        REQUIRE(::chown(box.data.c_str(), 4321, 4321) == 0);
    }
    auto restored = box.restore(made->path);
    REQUIRE_MESSAGE(restored.ok(), restored.error().detail);
    CHECK(restored->database == box.data + "/relais.db");
    CHECK(restored->kept_database.empty());
    CHECK(ro_numbers(box.data + "/relais.db") == std::vector<std::string>{"OR-1", "OR-2"});
    CHECK(read_file(box.data + "/tls/acme/account.key") == "key");
    CHECK(read_file(box.config_path) == kConfig);
    CHECK(restored->kept_config == box.config_path + ".before-restore-20261207T013000Z");
    CHECK(read_file(restored->kept_config) == "[storage]\ndata_dir = \"var\"\n");
    CHECK(names_in(box.data) == std::vector<std::string>{"relais.db", "relais.lock", "tls"});  // no folder left
    if (::geteuid() == 0) {
        for (const char* p : {"/relais.db", "/relais.lock", "/tls", "/tls/acme", "/tls/acme/account.key"}) {
            struct stat st {};
            REQUIRE(::stat((box.data + p).c_str(), &st) == 0);
            CHECK_MESSAGE(st.st_uid == 4321, p);
        }
    }
}

TEST_CASE("backup and restore: the box's certificate and its key come back as one pair") {
    Box old_box;
    auto db = old_box.database();
    Box::add_ros(*db, {"OR-1"});
    Config https = old_box.config;
    https.http.public_base_url = "https://relais.garage-martin.fr";
    https.tls.public_ = true;
    FakeClock clock;
    std::string serial;
    {
        auto made = CertificateManager::start(
            {.config = https, .log = null_logger(), .acme = nullptr, .local_names = {}, .clock = clock});
        REQUIRE(made);
        serial = (*made)->status().facts.serial;
    }
    auto backup = old_box.backup(kNight);
    REQUIRE(backup.ok());
    std::vector<std::string> tls;
    for (const auto& m : backup->manifest.members)
        if (m.name.starts_with("tls/") && !m.name.starts_with("tls/challenges")) tls.push_back(m.name);
    CHECK(tls == std::vector<std::string>{"tls/self-signed.pem"});

    Box box("[storage]\ndata_dir = \"var\"\n");
    auto restored = box.restore(backup->path);
    REQUIRE_MESSAGE(restored.ok(), restored.error().detail);
    https.storage.data_dir = box.data;
    auto again = CertificateManager::start(
        {.config = https, .log = null_logger(), .acme = nullptr, .local_names = {}, .clock = clock});
    REQUIRE(again);
    CHECK((*again)->status().facts.serial == serial);  // the advisors' browsers know it
}

TEST_CASE("restore: over a database only with --force, the old one kept with its -wal, tls/ exchanged") {
    Box old_box;
    auto old_db = old_box.database();
    Box::add_ros(*old_db, {"OR-1"});
    auto made = old_box.backup(kNight);
    REQUIRE(made.ok());

    // The box's own database as a crash left it: its last commit only in the -wal.
    Box box;
    fs::create_directories(box.data);
    {
        TempDir elsewhere;
        auto db = std::move(Database::open(elsewhere.path() + "/relais.db", 1)).value();
        REQUIRE(db->with_writer([](Connection& c) { return migrate(c, builtin_migrations()); }).ok());
        db->checkpoint();
        Box::add_ros(*db, {"OR-77"});
        REQUIRE(fs::file_size(elsewhere.path() + "/relais.db-wal") > 0);
        for (const char* f : {"/relais.db", "/relais.db-wal", "/relais.db-shm"})
            fs::copy_file(elsewhere.path() + f, box.data + f);
    }
    write_file(box.data + "/tls/acme/account.key", "this box's key");

    auto refused = box.restore(made->path);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "restore_refused");
    CHECK(refused.error().detail.find("there is a database at " + box.data +
                                      "/relais.db already: restore with "
                                      "--force") != std::string::npos);
    CHECK(names_in(box.data) ==
          std::vector<std::string>{"relais.db", "relais.db-shm", "relais.db-wal", "relais.lock", "tls"});

    auto restored = box.restore(made->path, ExistingData::replace, ConfigRestore::keep);
    REQUIRE_MESSAGE(restored.ok(), restored.error().detail);
    const std::string kept = box.data + "/relais.db.before-restore-20261207T013000Z";
    CHECK(restored->kept_database == kept);
    CHECK_FALSE(fs::exists(box.data + "/relais.db-wal"));
    CHECK_FALSE(fs::exists(box.data + "/relais.db-shm"));
    CHECK(ro_numbers(box.data + "/relais.db") == std::vector<std::string>{"OR-1"});
    CHECK(ro_numbers(kept) == std::vector<std::string>{"OR-77"});  // its -wal went with it
    // The backup had no tls/: this box's stays. The configuration was kept as asked.
    CHECK(read_file(box.data + "/tls/acme/account.key") == "this box's key");
    CHECK(restored->config.empty());
    CHECK_FALSE(fs::exists(box.config_path + ".before-restore-20261207T013000Z"));

    // Once more from a backup with tls/: the folders are exchanged, this box's kept aside.
    write_file(old_box.data + "/tls/acme/account.key", "the old box's key");
    auto with_tls = old_box.backup(kNight + 1000);
    REQUIRE(with_tls.ok());
    std::error_code ec;
    fs::remove(kept, ec);
    fs::remove(kept + "-wal", ec);
    auto again = box.restore(with_tls->path, ExistingData::replace, ConfigRestore::keep);
    REQUIRE_MESSAGE(again.ok(), again.error().detail);
    CHECK(read_file(box.data + "/tls/acme/account.key") == "the old box's key");
    CHECK(read_file(again->kept_tls + "/acme/account.key") == "this box's key");
}

TEST_CASE("restore: the workspace's settings go and stay with the configuration, none in the backup, none after") {
    Box old_box;
    auto old_db = old_box.database();
    write_file(old_box.data + "/settings.toml", kSettings);
    auto with_settings = old_box.backup(kNight);
    REQUIRE(with_settings.ok());
    fs::remove(old_box.data + "/settings.toml");
    auto without_settings = old_box.backup(kNight + 1000);
    REQUIRE(without_settings.ok());

    Box box;
    auto db = box.database();
    db.reset();
    const std::string settings = box.data + "/settings.toml", kept = settings + ".before-restore-20261207T013000Z";
    const std::string own = "[dealer]\nname = \"Garage Durand\"\n";
    const auto dealer = [&] {
        auto load = load_config_file(box.config_path, ConfigEnvironment{});
        REQUIRE(load.config);
        return load.config->dealer.name;
    };
    const auto clear_kept = [&] {
        for (const auto& name : names_in(box.data))
            if (name.find(".before-restore-") != std::string::npos) fs::remove_all(box.data + "/" + name);
        fs::remove(box.config_path + ".before-restore-20261207T013000Z");
    };
    write_file(settings, own);
    REQUIRE(::chmod(settings.c_str(), 0600) == 0);
    CHECK(dealer() == "Garage Durand");

    auto restored = box.restore(with_settings->path, ExistingData::replace);
    REQUIRE_MESSAGE(restored.ok(), restored.error().detail);
    CHECK(restored->settings == settings);
    CHECK(restored->kept_settings == kept);
    CHECK(read_file(settings) == kSettings);
    CHECK(read_file(kept) == own);
    struct stat st {};
    REQUIRE(::stat(settings.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(dealer() == "Garage Dupont");
    clear_kept();

    // --keep-config: this box's configuration stays, and its settings with it.
    write_file(settings, own);
    auto kept_config = box.restore(with_settings->path, ExistingData::replace, ConfigRestore::keep);
    REQUIRE_MESSAGE(kept_config.ok(), kept_config.error().detail);
    CHECK(kept_config->settings.empty());
    CHECK(kept_config->kept_settings.empty());
    CHECK(read_file(settings) == own);
    CHECK_FALSE(fs::exists(kept));
    clear_kept();

    // A backup without settings: the box goes back to its file's values, its settings kept aside.
    auto none = box.restore(without_settings->path, ExistingData::replace);
    REQUIRE_MESSAGE(none.ok(), none.error().detail);
    CHECK(none->settings.empty());
    CHECK(none->kept_settings == kept);
    CHECK_FALSE(fs::exists(settings));
    CHECK(read_file(kept) == own);
    CHECK(dealer() == "Garage Martin");
    clear_kept();

    // Nor is anything put aside when there was nothing.
    auto nothing = box.restore(without_settings->path, ExistingData::replace);
    REQUIRE_MESSAGE(nothing.ok(), nothing.error().detail);
    CHECK(nothing->kept_settings.empty());
    CHECK(names_in(box.data) ==
          std::vector<std::string>{"relais.db", "relais.db.before-restore-20261207T013000Z", "relais.lock"});
}

TEST_CASE("restore: a damaged or newer database, a configuration this box cannot use: refused, nothing changed") {
    Box old_box;
    auto db = old_box.database();
    Box box;
    const auto refusal = [&](const std::string& archive, ConfigRestore config_file = ConfigRestore::restore) {
        auto r = box.restore(archive, ExistingData::refuse, config_file);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "restore_refused");
        CHECK(r.error().detail.find("Nothing was changed") != std::string::npos);
        CHECK_FALSE(fs::exists(box.data));  // the restore made it, and took it away again
        CHECK(read_file(box.config_path) == kConfig);
        return r.error().detail;
    };

    SUBCASE("newer than this relais") {
        REQUIRE(db->with_writer([](Connection& c) { return c.exec("PRAGMA user_version = 999"); }).ok());
        auto made = old_box.backup(kNight);
        REQUIRE(made.ok());
        CHECK(refusal(made->path)
                  .find("the backup's database has schema v999, newer than this relais knows (v" +
                        std::to_string(latest()) + "): install relais 0.1.0 or newer") != std::string::npos);
    }
    SUBCASE("not a database, though every checksum is right") {
        TempDir dir;
        const std::string path = dir.path() + "/relais-backup-20261206T013000Z.tar";
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        BackupManifest m{kBackupFormat, "0.1.0", kNight, latest(), "relais-garage", {}};
        REQUIRE(write_backup_archive(fd, m, {{"relais.db", "", std::string(8192, 'x')}}).ok());
        ::close(fd);
        CHECK(refusal(path).find("the database in the backup is not usable: ") != std::string::npos);
    }
    SUBCASE("a configuration naming a file this box does not have") {
        write_file(old_box.dir.path() + "/ca.pem", "-----BEGIN CERTIFICATE-----\n");
        write_file(old_box.config_path, kConfig + "[mail]\nca_file = \"ca.pem\"\n");
        auto made = old_box.backup(kNight);
        REQUIRE(made.ok());
        const std::string why = refusal(made->path);
        CHECK(why.find("the configuration in the backup does not work on this box: " + box.config_path +
                       ":6: [mail] ca_file: no such file") != std::string::npos);
        CHECK(why.find("Restore with --keep-config to keep this box's configuration") != std::string::npos);
        CHECK(box.restore(made->path, ExistingData::refuse, ConfigRestore::keep).ok());
    }
    SUBCASE("settings that do not work with the configuration they were made over") {
        write_file(old_box.data + "/settings.toml", "[dealer]\nlanguage = \"de\"\n");
        auto made = old_box.backup(kNight);
        REQUIRE(made.ok());
        CHECK(refusal(made->path)
                  .find("the configuration in the backup does not work on this box: " + box.data +
                        "/settings.toml:2: [dealer] language: expected \"fr\" or \"en\", got \"de\"") !=
              std::string::npos);
        auto kept = box.restore(made->path, ExistingData::refuse, ConfigRestore::keep);
        REQUIRE_MESSAGE(kept.ok(), kept.error().detail);
        CHECK_FALSE(fs::exists(box.data + "/settings.toml"));
    }
    SUBCASE("a configuration that keeps the data elsewhere") {
        write_file(old_box.config_path, "[storage]\ndata_dir = \"/srv/relais\"\n");
        auto made = old_box.backup(kNight);
        REQUIRE(made.ok());
        CHECK(refusal(made->path)
                  .find("the configuration in the backup keeps its data in /srv/relais, this box's in " + box.data) !=
              std::string::npos);
    }
    SUBCASE("a damaged file") {
        auto made = old_box.backup(kNight);
        REQUIRE(made.ok());
        std::string bytes = read_file(made->path);
        bytes[bytes.size() / 2] ^= 0x10;
        write_file(made->path, bytes);
        auto r = box.restore(made->path);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "backup_refused");
        CHECK(r.error().detail.find("\"relais.db\" is damaged") != std::string::npos);
        CHECK(r.error().detail.find("Nothing was changed") != std::string::npos);
        CHECK_FALSE(fs::exists(box.data));
    }
}

TEST_CASE("config: [backup] dir defaults beside the data, relative to the file, keep is bounded") {
    const auto parse = [](const std::string& text) { return parse_config(text, "/etc/relais/relais.toml", {}); };
    auto defaults = parse("[storage]\ndata_dir = \"/srv/relais\"\n");
    REQUIRE(defaults.config);
    CHECK(defaults.config->backup.dir == "/srv/relais/backups/daily");
    CHECK(defaults.config->backup.keep == 14);
    auto set = parse("[backup]\ndir = \"../../media/relais-usb/\"\nkeep = 30\n");
    REQUIRE(set.config);
    CHECK(set.config->backup.dir == "/media/relais-usb");
    CHECK(set.config->backup.keep == 30);
    for (const auto& [text, problem] : std::vector<std::pair<std::string, std::string>>{
             {"[backup]\nkeep = 0\n", "/etc/relais/relais.toml:2: [backup] keep: must be between 1 and 1000, got 0"},
             {"[backup]\ndir = \"\"\n", "/etc/relais/relais.toml:2: [backup] dir: must not be empty"},
             {"[backup]\nkept = 3\n", "/etc/relais/relais.toml:2: [backup] kept: unknown key (did you mean keep?)"}}) {
        auto load = parse(text);
        REQUIRE(load.problems.size() == 1);
        CHECK(load.problems.front().to_string() == problem);
    }
}
