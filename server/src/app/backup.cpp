#include "backup.hpp"

#include "appliance.hpp"
#include "atomic_file.hpp"
#include "box_names.hpp"
#include "commands.hpp"
#include "dated_files.hpp"
#include "db.hpp"
#include "migrations.hpp"
#include "schema_backup.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <sstream>

#ifndef RELAIS_VERSION
#define RELAIS_VERSION "dev"
#endif

namespace relais {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kPrefix = "relais-backup-";

std::optional<DateOrder> order_of(std::string_view name, std::string_view suffix) {
    if (!name.starts_with(kPrefix)) return std::nullopt;
    return stamp_order(name.substr(kPrefix.size()), suffix);
}

// Removes the file at `path` when it goes out of scope.
struct Removed {
    std::string path;
    ~Removed() {
        std::error_code ec;
        if (!path.empty()) fs::remove(path, ec);
    }
};

// A configuration or TLS file, whole; its errors are the disk's (internal: "no_database" is the
// only not_found make_backup() gives).
Result<std::string> read_small_file(const std::string& path) {
    auto bytes = read_file(path, kMaxSmallMember);
    if (!bytes) return internal_error(bytes.error().detail);
    return bytes;
}

// The files under <data_dir>/tls, named tls/<relative path>, in name order; none when it is
// missing. Only plain files and folders: anything else is refused by name, rather than left out
// of a backup that would then restore a TLS state that does not work.
Result<std::vector<BackupSource>> tls_sources(const std::string& data_dir) {
    const fs::path root = fs::path(data_dir) / "tls";
    std::vector<BackupSource> out;
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(root, ec))) return out;
    if (!fs::is_directory(fs::symlink_status(root, ec)))
        return internal_error("cannot back up " + root.string() + ": not a folder");
    for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        const auto status = it->symlink_status(ec);
        if (fs::is_directory(status)) continue;
        const std::string name = "tls/" + it->path().lexically_relative(root).string();
        if (!fs::is_regular_file(status))
            return internal_error("cannot back up " + it->path().string() +
                                  ": only plain files and folders are backed up from tls/");
        if (!valid_member_name(name))
            return internal_error(
                "cannot back up " + it->path().string() +
                ": its name is not one a backup holds (letters, digits and ._@+=,~-, 100 bytes after a slash, 155 "
                "before it)");
        TRY_ASSIGN(auto bytes, read_small_file(it->path().string()));
        out.push_back({name, it->path().string(), std::move(bytes)});
        if (out.size() >= kMaxMembers - 3)
            return internal_error("cannot back up " + root.string() + ": too many files");
    }
    if (ec) return internal_error("cannot read " + root.string() + ": " + ec.message());
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return out;
}

// <data_dir>/settings.toml, when there is one: the settings made in the workspace (the relay's
// password and the SIM's PIN among them, as in relais.toml).
Result<std::optional<BackupSource>> settings_source(const std::string& data_dir) {
    const std::string path = settings_file_path(data_dir);
    std::error_code ec;
    const auto status = fs::symlink_status(path, ec);
    if (!fs::exists(status)) return std::optional<BackupSource>();
    if (!fs::is_regular_file(status)) return internal_error("cannot back up " + path + ": not a plain file");
    TRY_ASSIGN(auto bytes, read_small_file(path));
    return std::optional<BackupSource>(BackupSource{"settings.toml", path, std::move(bytes)});
}

Result<int> schema_of(const std::string& db_path) {
    TRY_ASSIGN(auto conn, Connection::open(db_path, Access::read_only));
    return schema_version(*conn);
}

// Writes the archive at `path` whole (under a temporary name, synced, renamed, the folder
// synced). 0600 as created: a backup folder on a FAT USB stick has no modes to set.
Result<void> write_archive(const std::string& path, BackupManifest& manifest,
                           const std::vector<BackupSource>& sources) {
    return replace_file(path, {.mode = 0600, .mode_is = ModeIs::at_creation, .owner = std::nullopt},
                        [&](int fd) { return write_backup_archive(fd, manifest, sources); });
}

}  // namespace

std::vector<std::string> backup_files(const std::string& dir) {
    return dated_files(dir, [](std::string_view name) { return order_of(name, ".tar"); });
}

Result<BackupReport> make_backup(const BackupRequest& request) {
    const std::string db_path = request.data_dir + "/relais.db";
    std::error_code ec;
    if (!fs::is_regular_file(db_path, ec)) {
        Error e = make_error(ErrorKind::not_found, "no_database", {{"path", db_path}});
        e.detail = "no database at " + db_path + ": relais has not run with this configuration yet";
        return e;
    }
    if (fs::create_directories(request.dir, ec)) fs::permissions(request.dir, fs::perms::owner_all, ec);
    if (ec) return internal_error("cannot create the backup folder " + request.dir + ": " + ec.message());

    // One backup at a time in a folder: the lock is the folder's own (no file of ours there),
    // held until this function returns. A file system without locks (some shares) goes without.
    const int dir_fd = ::open(request.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) return internal_error("cannot open the backup folder " + request.dir + ": " + std::strerror(errno));
    const std::shared_ptr<void> close_dir(nullptr, [dir_fd](void*) { ::close(dir_fd); });
    if (::flock(dir_fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
        Error e = make_error(ErrorKind::conflict, "backup_running", {{"path", request.dir}});
        e.detail = "another backup is being written to " + request.dir + " right now";
        return e;
    }
    // What a backup cut off earlier left behind is of no use to anyone.
    for (auto it = fs::directory_iterator(request.dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (order_of(name, ".tar.tmp") || order_of(name, ".db.tmp")) fs::remove(it->path(), ec);
    }

    const std::string path = unused_dated_path(request.dir, std::string(kPrefix) + utc_stamp(request.now), ".tar");
    Removed snapshot{path.substr(0, path.size() - 4) + ".db.tmp"};
    {
        TRY_ASSIGN(auto source, Connection::open(db_path, Access::read_only));
        if (auto copied = vacuum_into(*source, snapshot.path); !copied)
            return internal_error("cannot copy the database " + db_path + " to " + snapshot.path + ": " +
                                  copied.error().detail);
    }
    BackupManifest manifest;
    manifest.relais_version = request.relais_version;
    manifest.created_at = request.now / 1000 * 1000;
    manifest.host = request.host;
    TRY_ASSIGN(manifest.schema_version, schema_of(snapshot.path));

    std::vector<BackupSource> sources{{"relais.db", snapshot.path, std::nullopt}};
    TRY_ASSIGN(auto config_bytes, read_small_file(request.config_file));
    sources.push_back({"relais.toml", request.config_file, std::move(config_bytes)});
    TRY_ASSIGN(auto settings, settings_source(request.data_dir));
    if (settings) sources.push_back(std::move(*settings));
    TRY_ASSIGN(auto tls, tls_sources(request.data_dir));
    for (auto& s : tls) sources.push_back(std::move(s));
    TRY(write_archive(path, manifest, sources));

    BackupReport report;
    report.path = path;
    report.size = fs::file_size(path, ec);
    report.manifest = std::move(manifest);
    report.removed = remove_oldest(backup_files(request.dir), request.keep, path);
    if (auto status = write_backup_status(request.data_dir, {request.now, report.size, path}); !status)
        report.status_problem = status.error().detail;
    return report;
}

Result<void> write_backup_status(const std::string& data_dir, const BackupStatus& status) {
    // Replaced whole and synced: after a power cut /metrics reads the last status, never an empty one.
    return replace_file(data_dir + "/backup-status",
                        "made-ms " + std::to_string(status.made_at) + "\nsize " + std::to_string(status.size) +
                            "\nfile " + status.path + "\n",
                        0600);
}

std::optional<BackupStatus> read_backup_status(const std::string& data_dir) {
    const auto text = read_file(data_dir + "/backup-status", 4096);
    if (!text) return std::nullopt;
    BackupStatus s;
    bool made = false, sized = false;
    std::istringstream lines(*text);
    for (std::string line; std::getline(lines, line);) {
        const auto space = line.find(' ');
        const std::string key = line.substr(0, space), value = space == std::string::npos ? "" : line.substr(space + 1);
        const bool number = !value.empty() && value.size() <= 18 &&
                            std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (key == "made-ms" && number) {
            s.made_at = std::stoll(value), made = true;
        } else if (key == "size" && number) {
            s.size = std::stoull(value), sized = true;
        } else if (key == "file") {
            s.path = value;
        }
    }
    if (!made || !sized) return std::nullopt;
    return s;
}

namespace {

// As root, a backup is made as the data directory's owner (the service's user on the
// appliance): what it creates in the data directory and in the backup folder stays the
// service's, so the timer's later runs can prune it, and SQLite's -wal and -shm files, should
// it create them, remain the service's to open.
// Returns the user it became, "" when it stayed who it was.
Result<std::string> become_data_owner(const std::string& data_dir) {
    struct stat st {};
    if (::geteuid() != 0 || ::stat(data_dir.c_str(), &st) != 0 || st.st_uid == 0) return std::string();
    const passwd* pw = ::getpwuid(st.st_uid);
    if (!pw) return internal_error("the owner of " + data_dir + " (uid " + std::to_string(st.st_uid) + ") has no name");
    if (::initgroups(pw->pw_name, st.st_gid) != 0 || ::setgid(st.st_gid) != 0 || ::setuid(st.st_uid) != 0)
        return internal_error(std::string("cannot become ") + pw->pw_name + ", the owner of " + data_dir + ": " +
                              std::strerror(errno));
    return std::string(pw->pw_name);
}

std::string megabytes(std::uint64_t bytes) {
    std::ostringstream out;
    out.precision(bytes < 10'000'000 ? 2 : 3);
    out << static_cast<double>(bytes) / 1e6 << " MB";
    return out.str();
}

}  // namespace

namespace {

int backup_command(const std::string& config_path, const std::string& to) {
    auto config = load_config_or_report(config_path, ProblemReport::first_line);
    if (!config) return 1;
    ::umask(077);
    auto became = become_data_owner(config->storage.data_dir);
    if (!became) {
        std::cerr << "relais: " << became.error().detail << "\n";
        return 2;
    }
    BackupRequest request;
    request.data_dir = config->storage.data_dir;
    request.config_file = config->source_path;
    request.dir = to.empty() ? config->backup.dir : fs::absolute(to).lexically_normal().string();
    request.keep = static_cast<std::size_t>(config->backup.keep);
    request.now = SystemClock().now();
    request.host = box_host_name();
    const bool plain = !request.host.empty() && std::all_of(request.host.begin(), request.host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
    });
    if (!plain) request.host = "unknown";
    request.relais_version = RELAIS_VERSION;

    const auto started = std::chrono::steady_clock::now();
    auto report = make_backup(request);
    if (!report) {
        std::cerr << "relais: backup failed: " << report.error().detail
                  << (became->empty()
                          ? ""
                          : " (run as root, relais backup acts as " + *became + ", the owner of the data directory)")
                  << "\n";
        return report.error().kind == ErrorKind::conflict ? 1 : 2;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const auto& members = report->manifest.members;
    const auto tls =
        std::count_if(members.begin(), members.end(), [](const BackupMember& m) { return m.name.starts_with("tls/"); });
    const bool settings =
        std::any_of(members.begin(), members.end(), [](const BackupMember& m) { return m.name == "settings.toml"; });
    std::cout << "backup written: " << report->path << " (" << megabytes(report->size) << ": the database at schema v"
              << report->manifest.schema_version << ", the configuration"
              << (settings ? ", the workspace's settings" : "") << (tls ? ", " : "")
              << (tls ? std::to_string(tls) + " TLS file" + (tls == 1 ? "" : "s") : "") << ") in "
              << static_cast<int>(seconds * 1000) << " ms\n";
    if (!report->removed.empty())
        std::cout << report->removed.size() << " older backup" << (report->removed.size() == 1 ? "" : "s")
                  << " removed from " << request.dir << " (the newest " << request.keep << " are kept)\n";
    struct stat data_st {};
    struct stat dir_st {};
    if (::stat(request.data_dir.c_str(), &data_st) == 0 && ::stat(request.dir.c_str(), &dir_st) == 0 &&
        data_st.st_dev == dir_st.st_dev)
        std::cerr << "relais: note: " << request.dir
                  << " is on the same disk as the data: a backup there does not survive the disk. Point [backup] dir "
                     "at a USB stick or a share (docs/CONFIG.md)\n";
    if (!report->status_problem.empty())
        std::cerr << "relais: warning: /metrics will not know of this backup: " << report->status_problem << "\n";
    return 0;
}

}  // namespace

int run_backup(const std::string& config_path, const std::string& to) {
    try {
        return backup_command(config_path, to);
    } catch (const std::exception& e) {  // out of memory, a path the system cannot resolve
        std::cerr << "relais: backup failed: " << e.what() << "\n";
        return 2;
    }
}

}  // namespace relais
