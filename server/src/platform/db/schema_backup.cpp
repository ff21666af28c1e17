#include "schema_backup.hpp"

#include "atomic_file.hpp"
#include "dated_files.hpp"
#include "migrations.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace relais {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kPrefix = "relais-schema-v";
constexpr std::string_view kTemporary = ".tmp";

// "relais-schema-v8-20261206T043734Z.db", a second copy in the same second "…Z-1.db": the
// version's digits, then a dated name (dated_files.hpp).
std::optional<DateOrder> backup_order(std::string_view name) {
    if (!name.starts_with(kPrefix)) return std::nullopt;
    name.remove_prefix(kPrefix.size());
    const auto dash = name.find('-');
    if (dash == 0 || dash == std::string_view::npos ||
        !std::all_of(name.begin(), name.begin() + static_cast<std::ptrdiff_t>(dash),
                     [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    return stamp_order(name.substr(dash + 1), ".db");
}

Error backup_failed(const std::string& path, const std::string& why, int from, int to) {
    Error e = make_error(ErrorKind::internal, "schema_backup_failed", {{"path", path}, {"detail", why}});
    e.detail = "cannot copy the database to " + path + " before migrating it from schema v" + std::to_string(from) +
               " to v" + std::to_string(to) + ": " + why +
               ". Nothing was migrated; make room (or make the folder writable) and start relais again";
    return e;
}

}  // namespace

Result<void> vacuum_into(Connection& conn, const std::string& path) {
    // Created here first, so that it is 0600 from its first byte (VACUUM INTO takes an empty file).
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return internal_error("cannot create " + path + ": " + std::strerror(errno));
    ::close(fd);
    TRY_ASSIGN(auto vacuum, conn.prepare("VACUUM INTO ?"));
    vacuum.bind(1, path);
    if (auto done = vacuum.run(); !done) return internal_error(done.error().detail);
    return fsync_path(path, SyncWhat::file);
}

std::vector<std::string> schema_backups(const std::string& dir) { return dated_files(dir, backup_order); }

Result<std::optional<SchemaBackup>> backup_before_migration(Connection& conn, const std::string& dir, int latest,
                                                            UnixMs now) {
    TRY_ASSIGN(const int version, schema_version(conn));
    if (version <= 0 || version >= latest) return std::optional<SchemaBackup>();

    std::error_code ec;
    const bool made = fs::create_directories(dir, ec);
    if (ec) return backup_failed(dir, "cannot create the folder: " + ec.message(), version, latest);
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec) return backup_failed(dir, "cannot restrict the folder to its owner: " + ec.message(), version, latest);
    if (made) {
        if (auto synced = fsync_path(fs::path(dir).parent_path().string(), SyncWhat::directory); !synced)
            return backup_failed(dir, synced.error().detail, version, latest);
    }
    // A copy cut off by a crash or a power cut is of no use to anyone.
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.starts_with(kPrefix) && name.ends_with(kTemporary)) fs::remove(it->path(), ec);
    }

    const std::string path =
        unused_dated_path(dir, std::string(kPrefix) + std::to_string(version) + "-" + utc_stamp(now), ".db");
    const std::string tmp = path + std::string(kTemporary);
    if (auto written = vacuum_into(conn, tmp); !written) {
        fs::remove(tmp, ec);
        return backup_failed(path, written.error().detail, version, latest);
    }
    fs::rename(tmp, path, ec);
    if (ec) {
        fs::remove(tmp, ec);
        return backup_failed(path, "cannot rename the copy into place: " + ec.message(), version, latest);
    }
    if (auto synced = fsync_path(dir, SyncWhat::directory); !synced)
        return backup_failed(path, synced.error().detail, version, latest);

    // Older copies go. The one just written stays whatever its name says: a clock set back
    // (a box that booted without the time) would otherwise make it look the oldest.
    remove_oldest(schema_backups(dir), kKeptSchemaBackups, path);
    return std::optional<SchemaBackup>(SchemaBackup{path, version});
}

}  // namespace relais
