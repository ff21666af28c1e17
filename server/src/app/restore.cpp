#include "restore.hpp"

#include "appliance.hpp"
#include "atomic_file.hpp"
#include "commands.hpp"
#include "data_dir_lock.hpp"
#include "dated_files.hpp"
#include "db.hpp"
#include "migrations.hpp"
#include "timezone.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

namespace relais {
namespace fs = std::filesystem;
namespace {

Error restore_refused(std::string detail) {
    Error e = make_error(ErrorKind::invalid, "restore_refused");
    e.detail = std::move(detail);
    return e;
}

// Run as root, restored files are given to the data directory's owner (the service's user).
struct Owner {
    bool change = false;
    uid_t uid = 0;
    gid_t gid = 0;
};

Owner data_owner(const std::string& data_dir) {
    struct stat st {};
    if (::geteuid() != 0 || ::stat(data_dir.c_str(), &st) != 0) return {};
    return {true, st.st_uid, st.st_gid};
}

Result<void> give(const std::string& path, const Owner& owner) {
    if (owner.change && ::lchown(path.c_str(), owner.uid, owner.gid) != 0)
        return internal_error("cannot give " + path + " to uid " + std::to_string(owner.uid) + ": " +
                              std::strerror(errno));
    return success();
}

Result<void> give_tree(const std::string& root, const Owner& owner) {
    if (!owner.change) return success();
    TRY(give(root, owner));
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
        TRY(give(it->path().string(), owner));
    if (ec) return internal_error("cannot read " + root + ": " + ec.message());
    return success();
}

Result<void> check_database(const std::string& path, const BackupManifest& manifest) {
    const auto damaged = [&](const std::string& what) {
        return restore_refused("the database in the backup is not usable: " + what + ". Nothing was changed");
    };
    auto conn = Connection::open(path, Access::read_only);
    if (!conn) return damaged(conn.error().detail);
    auto check = (*conn)->prepare("PRAGMA integrity_check(10)");
    if (!check) return damaged(check.error().detail);
    std::string found;
    for (;;) {
        auto row = check->step();
        if (!row) return damaged(row.error().detail);
        if (!*row) break;
        found += (found.empty() ? "" : "; ") + check->text(0);
    }
    if (found != "ok") return damaged("SQLite's integrity check says: " + found);
    auto version = schema_version(**conn);
    if (!version) return damaged(version.error().detail);
    if (*version != manifest.schema_version)
        return damaged("its schema is v" + std::to_string(*version) + ", the manifest says v" +
                       std::to_string(manifest.schema_version));
    if (const int latest = static_cast<int>(builtin_migrations().size()); *version > latest)
        return restore_refused("the backup's database has schema v" + std::to_string(*version) +
                               ", newer than this relais knows (v" + std::to_string(latest) + "): install relais " +
                               manifest.relais_version + " or newer, then restore. Nothing was changed");
    return success();
}

// `to` becomes a second name of `from` (a hard link: no copy, no moment without `from`); on a
// file system without hard links, a copy with the same owner and mode.
Result<void> keep_aside(const std::string& from, const std::string& to) {
    if (::link(from.c_str(), to.c_str()) == 0) return success();
    std::error_code ec;
    struct stat st {};
    if (::stat(from.c_str(), &st) != 0 || !fs::copy_file(from, to, ec) || ::chmod(to.c_str(), st.st_mode & 07777) != 0)
        return internal_error("cannot keep " + from + " as " + to + ": " +
                              (ec ? ec.message() : std::string(std::strerror(errno))));
    if (::geteuid() == 0 && ::chown(to.c_str(), st.st_uid, st.st_gid) != 0)
        return internal_error("cannot keep " + from + " as " + to + ": " + std::strerror(errno));
    return success();
}

// The backup's configuration written beside the box's, under a temporary name, with the
// owner and mode of the file it will replace (0640 root:<the data's group> for a new one).
Result<std::string> stage_config(const std::string& text, const std::string& target, const Owner& data) {
    const std::string tmp = target + ".restore-tmp";
    std::error_code ec;
    fs::remove(tmp, ec);
    struct stat st {};
    const bool existing = ::stat(target.c_str(), &st) == 0;
    WriteOptions options{.mode = existing ? st.st_mode & 07777 : 0640, .mode_is = ModeIs::exact, .owner = {}};
    if (::geteuid() == 0) options.owner = FileOwner{existing ? st.st_uid : 0, existing ? st.st_gid : data.gid};
    if (auto written = write_synced_file(tmp, text, options); !written)
        return internal_error("cannot write the configuration beside " + target + ": " + written.error().detail +
                              " (run as root, or restore with --keep-config)");
    return tmp;
}

Result<void> rename_path(const std::string& from, const std::string& to) {
    if (::rename(from.c_str(), to.c_str()) != 0)
        return internal_error("cannot rename " + from + " to " + to + ": " + std::strerror(errno));
    return success();
}

// Removes the extraction folder, the staged configuration, and a data directory this restore
// created, unless the restore got as far as its renames.
struct Cleanup {
    std::string stage, config_tmp, created_data_dir;
    ~Cleanup() {
        std::error_code ec;
        if (!config_tmp.empty()) fs::remove(config_tmp, ec);
        if (!stage.empty()) fs::remove_all(stage, ec);
        if (!created_data_dir.empty()) fs::remove_all(created_data_dir, ec);
    }
};

}  // namespace

Result<RestoreReport> restore_backup(const RestoreRequest& r) {
    const std::string& data_dir = r.config.storage.data_dir;
    std::error_code ec;
    Cleanup cleanup;
    if (!fs::exists(data_dir, ec)) cleanup.created_data_dir = data_dir;
    TRY_ASSIGN(DataDirLock lock, DataDirLock::acquire(data_dir));
    // Under the lock: what a restore cut off earlier left behind can go.
    for (const auto& old : dated_files(data_dir, [](std::string_view name) -> std::optional<DateOrder> {
             return name.starts_with(".restore-") ? stamp_order(name.substr(9), "") : std::nullopt;
         }))
        fs::remove_all(old, ec);

    const std::string stamp = utc_stamp(r.now);
    cleanup.stage = data_dir + "/.restore-" + stamp;
    if (::mkdir(cleanup.stage.c_str(), 0700) != 0)
        return internal_error("cannot create " + cleanup.stage + ": " + std::strerror(errno));
    auto extracted = extract_backup_archive(r.archive, cleanup.stage);
    if (!extracted) {
        Error e = std::move(extracted).error();
        e.detail += ". Nothing was changed";
        return e;
    }
    BackupManifest manifest = std::move(extracted).value();
    TRY(check_database(cleanup.stage + "/relais.db", manifest));

    const auto has = [&](std::string_view name) {
        return std::any_of(manifest.members.begin(), manifest.members.end(),
                           [&](const BackupMember& m) { return m.name == name; });
    };
    // Extracted and checked a moment ago: a read that fails now is the disk's, and no reason to
    // take the file for an empty one.
    const auto staged_text = [&](const std::string& name) -> Result<std::string> {
        auto text = read_file(cleanup.stage + "/" + name, kMaxSmallMember);
        if (!text) return internal_error(text.error().detail + ". Nothing was changed");
        return text;
    };
    std::string config_text;
    const bool restore_config = has("relais.toml") && r.config_file == ConfigRestore::restore;
    // The settings made in the workspace are configuration too: they go with the file they
    // were made over, and stay with it under --keep-config.
    const bool restore_settings = restore_config && has("settings.toml");
    const std::string& config_path = r.config.source_path;
    const std::string settings_path = settings_file_path(data_dir);
    if (restore_config) {
        TRY_ASSIGN(config_text, staged_text("relais.toml"));
        std::string settings_text;
        if (restore_settings) {
            TRY_ASSIGN(settings_text, staged_text("settings.toml"));
        }
        // Read as this box will read it: from its path, with its files and time zones, and the
        // backup's settings over it from where they will be.
        ConfigLoad load = restore_settings ? parse_config_with_settings(config_text, config_path, settings_text,
                                                                        settings_path, r.environment)
                                           : parse_config(config_text, config_path, r.environment);
        const std::string keep_hint = ". Restore with --keep-config to keep this box's configuration (" + config_path +
                                      ") and restore the rest. Nothing was changed";
        if (!load.config)
            return restore_refused(
                "the configuration in the backup does not work on this box: " + load.problems.front().to_string() +
                (load.problems.size() > 1 ? " (and " + std::to_string(load.problems.size() - 1) + " more)" : "") +
                keep_hint);
        if (load.config->storage.data_dir != data_dir)
            return restore_refused("the configuration in the backup keeps its data in " +
                                   load.config->storage.data_dir + ", this box's in " + data_dir + keep_hint);
    }
    const std::string db = data_dir + "/relais.db";
    const std::string staged_tls = cleanup.stage + "/tls", tls = data_dir + "/tls";
    const bool had_db = fs::exists(db, ec);
    if (had_db && r.existing == ExistingData::refuse)
        return restore_refused("there is a database at " + db +
                               " already: restore with --force to replace it (it is then kept as relais.db"
                               ".before-restore-<UTC time>). Nothing was changed");
    const Owner owner = data_owner(data_dir);
    TRY(give_tree(cleanup.stage, owner));
    TRY(give(lock.path(), owner));
    if (restore_config) {
        TRY_ASSIGN(cleanup.config_tmp, stage_config(config_text, config_path, owner));
    }
    // The suffix of what is replaced: one no part has yet (a second restore in the same second
    // gets "-1"), or a rename halfway would find its name taken.
    std::string aside = ".before-restore-" + stamp;
    const auto aside_taken = [&] {
        for (const std::string& kept : {db + aside, db + aside + "-wal", db + aside + "-journal", tls + aside,
                                        config_path + aside, settings_path + aside})
            if (fs::exists(fs::symlink_status(kept, ec))) return true;
        return false;
    };
    for (int n = 1; aside_taken(); ++n) aside = ".before-restore-" + stamp + "-" + std::to_string(n);

    // Everything is checked: from here on the box changes, one rename at a time.
    cleanup.created_data_dir.clear();
    RestoreReport report;
    report.manifest = std::move(manifest);
    std::string done;
    const auto stopped = [&](Error e) {
        e.detail += done.empty() ? ". Nothing was changed" : ". Already done: " + done;
        return e;
    };
    const auto step = [&](Result<void> result) -> std::optional<Error> {
        if (result) return std::nullopt;
        return stopped(std::move(result).error());
    };
    if (had_db) {
        // The old database keeps its -wal (transactions not yet in the main file) under the
        // kept name; the -wal and -shm must be gone before the restored file takes the name,
        // or SQLite would replay the old log onto it.
        if (auto e = step(keep_aside(db, db + aside))) return *e;
        for (const char* ext : {"-wal", "-journal"})
            if (fs::exists(db + ext, ec))
                if (auto e = step(keep_aside(db + ext, db + aside + ext))) return *e;
        for (const char* ext : {"-wal", "-shm", "-journal"})
            if (!fs::remove(db + ext, ec) && ec)
                return stopped(internal_error("cannot remove " + db + ext + ": " + ec.message()));
        report.kept_database = db + aside;
    }
    if (auto e = step(rename_path(cleanup.stage + "/relais.db", db))) return *e;
    report.database = db;
    done = "the database is restored at " + db +
           (had_db ? " (the one it replaced is " + report.kept_database + ")" : std::string());

    if (fs::exists(staged_tls, ec)) {
        if (fs::exists(fs::symlink_status(tls, ec))) {
            // Exchanged in one step where the file system can; otherwise the old one goes first.
            if (::renameat2(AT_FDCWD, staged_tls.c_str(), AT_FDCWD, tls.c_str(), RENAME_EXCHANGE) == 0) {
                if (auto e = step(rename_path(staged_tls, tls + aside))) return *e;
            } else {
                if (auto e = step(rename_path(tls, tls + aside))) return *e;
                if (auto e = step(rename_path(staged_tls, tls))) return *e;
            }
            report.kept_tls = tls + aside;
        } else if (auto e = step(rename_path(staged_tls, tls))) {
            return *e;
        }
        report.tls = tls;
        done += "; the TLS state is restored at " + tls;
    }
    if (restore_config) {
        if (fs::exists(config_path, ec)) {
            if (auto e = step(keep_aside(config_path, config_path + aside))) return *e;
            report.kept_config = config_path + aside;
        }
        if (auto e = step(rename_path(cleanup.config_tmp, config_path))) return *e;
        cleanup.config_tmp.clear();
        report.config = config_path;
        done += "; the configuration is restored at " + config_path;
        if (auto e = step(fsync_path(fs::absolute(config_path).parent_path().string(), SyncWhat::directory))) return *e;

        // A backup without settings brings the box back to its file's values: this box's
        // settings are put aside (one rename), as what a restore replaces always is.
        const bool had_settings = fs::exists(fs::symlink_status(settings_path, ec));
        if (restore_settings) {
            if (had_settings) {
                if (auto e = step(keep_aside(settings_path, settings_path + aside))) return *e;
                report.kept_settings = settings_path + aside;
            }
            if (auto e = step(rename_path(cleanup.stage + "/settings.toml", settings_path))) return *e;
            report.settings = settings_path;
            done += "; the workspace's settings are restored at " + settings_path;
        } else if (had_settings) {
            if (auto e = step(rename_path(settings_path, settings_path + aside))) return *e;
            report.kept_settings = settings_path + aside;
            done += "; this box's workspace settings are put aside as " + report.kept_settings;
        }
    }
    if (auto e = step(fsync_path(data_dir, SyncWhat::directory))) return *e;
    return report;
}

namespace {

int restore_command(const RestoreCommand& command) {
    auto config = load_config_or_report(command.config_path, ProblemReport::first_line);
    if (!config) return 1;
    ::umask(077);
    const ConfigEnvironment environment = appliance_config_environment();
    const RestoreRequest request{*config,
                                 environment,
                                 command.archive,
                                 command.force ? ExistingData::replace : ExistingData::refuse,
                                 command.keep_config ? ConfigRestore::keep : ConfigRestore::restore,
                                 SystemClock().now()};
    auto report = restore_backup(request);
    if (!report) {
        const bool failed = report.error().kind == ErrorKind::internal;
        std::cerr << "relais: restore " << (failed ? "failed: " : "refused: ") << report.error().detail << "\n";
        return failed ? 2 : 1;
    }
    const BackupManifest& m = report->manifest;
    std::cout << "checked " << command.archive << ": the backup of " << m.host << " made at "
              << format_utc(m.created_at) << " by relais " << m.relais_version << "; its " << m.members.size()
              << " files match their SHA-256, its database (schema v" << m.schema_version
              << ") passes SQLite's integrity check\n"
              << "database restored: " << report->database
              << (report->kept_database.empty() ? ""
                                                : " (the one it replaced is kept as " + report->kept_database + ")")
              << "\n";
    if (!report->tls.empty())
        std::cout << "TLS state restored: " << report->tls
                  << (report->kept_tls.empty() ? "" : " (the one it replaced is kept as " + report->kept_tls + ")")
                  << "\n";
    if (!report->config.empty())
        std::cout << "configuration restored: " << report->config
                  << (report->kept_config.empty() ? ""
                                                  : " (the one it replaced is kept as " + report->kept_config + ")")
                  << "\n";
    if (!report->settings.empty())
        std::cout << "workspace settings restored: " << report->settings
                  << (report->kept_settings.empty()
                          ? ""
                          : " (the ones they replaced are kept as " + report->kept_settings + ")")
                  << "\n";
    else if (!report->kept_settings.empty())
        std::cout << "workspace settings: the backup has none, so the configuration file's values apply (this box's "
                     "are kept as "
                  << report->kept_settings << ")\n";
    std::cout << "Start relais again (on the appliance: systemctl start relais).\n";
    return 0;
}

}  // namespace

int run_restore(const RestoreCommand& command) {
    try {
        return restore_command(command);
    } catch (const std::exception& e) {  // out of memory, a path the system cannot resolve
        std::cerr << "relais: restore failed: " << e.what() << "\n";
        return 2;
    }
}

}  // namespace relais
