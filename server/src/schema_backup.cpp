#include "schema_backup.hpp"

#include "civil_time.hpp"
#include "migrations.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <tuple>

namespace relais {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kPrefix = "relais-schema-v";
constexpr std::string_view kTemporary = ".tmp";

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "relais-schema-v8-20261206T043734Z.db" → ("20261206T043734Z", 0); a second copy in the same
// second is "…Z-1.db" → (…, 1). Anything else is not one of ours.
std::optional<std::pair<std::string, int>> backup_order(std::string_view name) {
    if (!name.starts_with(kPrefix) || !name.ends_with(".db")) return std::nullopt;
    name.remove_prefix(kPrefix.size());
    name.remove_suffix(3);
    const auto dash = name.find('-');
    if (dash == std::string_view::npos || !all_digits(name.substr(0, dash))) return std::nullopt;
    name.remove_prefix(dash + 1);
    const std::string_view stamp = name.substr(0, 16);
    if (stamp.size() != 16 || !all_digits(stamp.substr(0, 8)) || stamp[8] != 'T' || !all_digits(stamp.substr(9, 6)) ||
        stamp[15] != 'Z')
        return std::nullopt;
    name.remove_prefix(16);
    int n = 0;
    if (!name.empty()) {
        if (name.front() != '-' || !all_digits(name.substr(1)) || name.size() > 6) return std::nullopt;
        n = std::stoi(std::string(name.substr(1)));
    }
    return std::pair<std::string, int>(std::string(stamp), n);
}

std::string utc_stamp(UnixMs now) {
    const CivilTime t = civil_from_utc(now);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02dZ", t.year, t.month, t.day, t.hour, t.minute, t.second);
    return buf;
}

Result<void> fsync_path(const std::string& path, int flags) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
    if (fd < 0) return internal_error("cannot open " + path + " to sync it: " + std::strerror(errno));
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) return internal_error("cannot sync " + path + ": " + std::strerror(err));
    return success();
}

Error backup_failed(const std::string& path, const std::string& why, int from, int to) {
    Error e = make_error(ErrorKind::internal, "schema_backup_failed", {{"path", path}, {"detail", why}});
    e.detail = "cannot copy the database to " + path + " before migrating it from schema v" + std::to_string(from) +
               " to v" + std::to_string(to) + ": " + why +
               ". Nothing was migrated; make room (or make the folder writable) and start relais again";
    return e;
}

// Writes the copy under `tmp`, created here first so that it is 0600 from its first byte
// (VACUUM INTO takes an empty file), then syncs it.
Result<void> write_copy(Connection& conn, const std::string& tmp) {
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return internal_error(std::strerror(errno));
    ::close(fd);
    TRY_ASSIGN(auto vacuum, conn.prepare("VACUUM INTO ?"));
    vacuum.bind(1, tmp);
    if (auto done = vacuum.run(); !done) return internal_error(done.error().detail);
    return fsync_path(tmp, O_RDONLY);
}

}  // namespace

std::vector<std::string> schema_backups(const std::string& dir) {
    std::vector<std::pair<std::pair<std::string, int>, std::string>> found;
    std::error_code ec;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (auto order = backup_order(name)) found.emplace_back(*order, it->path().string());
    }
    std::sort(found.begin(), found.end());
    std::vector<std::string> out;
    for (auto& [order, path] : found) out.push_back(std::move(path));
    return out;
}

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
        if (auto synced = fsync_path(fs::path(dir).parent_path().string(), O_RDONLY | O_DIRECTORY); !synced)
            return backup_failed(dir, synced.error().detail, version, latest);
    }
    // A copy cut off by a crash or a power cut is of no use to anyone.
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.starts_with(kPrefix) && name.ends_with(kTemporary)) fs::remove(it->path(), ec);
    }

    const std::string base = dir + "/" + std::string(kPrefix) + std::to_string(version) + "-" + utc_stamp(now);
    std::string path = base + ".db";
    for (int n = 1; fs::exists(path, ec) && n < 1000; ++n) path = base + "-" + std::to_string(n) + ".db";
    const std::string tmp = path + std::string(kTemporary);
    if (auto written = write_copy(conn, tmp); !written) {
        fs::remove(tmp, ec);
        return backup_failed(path, written.error().detail, version, latest);
    }
    fs::rename(tmp, path, ec);
    if (ec) {
        fs::remove(tmp, ec);
        return backup_failed(path, "cannot rename the copy into place: " + ec.message(), version, latest);
    }
    if (auto synced = fsync_path(dir, O_RDONLY | O_DIRECTORY); !synced)
        return backup_failed(path, synced.error().detail, version, latest);

    // Older copies go. The one just written stays whatever its name says: a clock set back
    // (a box that booted without the time) would otherwise make it look the oldest.
    auto copies = schema_backups(dir);
    for (std::size_t i = 0, left = copies.size(); i < copies.size() && left > kKeptSchemaBackups; ++i) {
        if (copies[i] == path) continue;
        fs::remove(copies[i], ec);
        --left;
    }
    return std::optional<SchemaBackup>(SchemaBackup{path, version});
}

}  // namespace relais
