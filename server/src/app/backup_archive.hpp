#pragma once
// The backup file of `relais backup` and `relais restore`: one POSIX tar (ustar), so that
// `tar tvf` lists it, holding in this order
//   MANIFEST       the format, relais's version, the time, the database's schema version,
//                  the host, then each member's name, size and SHA-256; its last line is the
//                  SHA-256 of the lines before it
//   relais.db      the database (a consistent copy)
//   relais.toml    the configuration file as it was
//   settings.toml  the settings made in the workspace (<data_dir>/settings.toml), when there
//                  are some
//   tls/…          the TLS state (certificates, the ACME account), when there is one
//   CHECKSUM       the SHA-256 of every byte before it, tar headers included
// and tar's end (two zero blocks). A backup to restore is outside input: reading it checks
// each tar header, each name (no path leaves the folder it is extracted to), each size
// against the manifest's and its bound, each member's hash, then the whole file's, and says
// which member or part is wrong.

#include "clock.hpp"
#include "result.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace relais {

inline constexpr int kBackupFormat = 1;
inline constexpr std::uint64_t kMaxSmallMember = 1 << 20;          // the configuration, TLS files
inline constexpr std::uint64_t kMaxDatabaseMember = 077777777777;  // what ustar's size field holds: 8 GiB - 1
inline constexpr std::size_t kMaxMembers = 4096;
inline constexpr std::size_t kMaxManifest = 1 << 20;

struct BackupMember {
    std::string name;  // "relais.db", "relais.toml", "settings.toml" or "tls/<path>"
    std::uint64_t size = 0;
    std::string sha256;  // 64 lowercase hex digits
    bool operator==(const BackupMember&) const = default;
};

struct BackupManifest {
    int format = kBackupFormat;
    std::string relais_version;
    UnixMs created_at = 0;  // to the second
    int schema_version = 0;
    std::string host;
    std::vector<BackupMember> members;  // relais.db first
    bool operator==(const BackupManifest&) const = default;
};

/// One member to write: its bytes are held (`bytes`: small files, read once, so that a file
/// rewritten meanwhile cannot make the archive disagree with itself), or read from `path` as
/// the archive is written (the database copy, which nothing else writes).
struct BackupSource {
    std::string name;
    std::string path;
    std::optional<std::string> bytes;
};

/// "relais.db", "relais.toml", "settings.toml", or "tls/" and a relative path of plain names
/// ([A-Za-z0-9._@+=,~-], neither "." nor ".."), that ustar's name fields hold: 100 bytes after
/// a slash, 155 before it (lego's account key, tls/acme/accounts/<CA>/<email>/keys/<email>.key,
/// is past 100).
bool valid_member_name(std::string_view name);

/// Writes the archive to `fd` (a new, empty file; not synced: the caller fsyncs and renames).
/// Fills `manifest.members` from `sources`, whose first must be relais.db. Errors: a bad name,
/// a member over its bound, a file that cannot be read or changed while it was written, the
/// disk (internal, detail says which).
Result<void> write_backup_archive(int fd, BackupManifest& manifest, const std::vector<BackupSource>& sources);

/// Reads and checks the archive at `path` and writes its members under `into` (an existing,
/// empty folder: files 0600 and fsynced, folders 0700). Error "backup_refused" (invalid; params
/// "path", "problem"; detail "<path>: <problem>") for a file that is not a backup of a format
/// this relais reads, truncated, damaged or altered; internal for the disk. On error `into` may
/// hold part of the members: the caller removes it.
Result<BackupManifest> extract_backup_archive(const std::string& path, const std::string& into);

/// The manifest as written in the archive, and read back (the problem, when it is not one).
std::string manifest_text(const BackupManifest& manifest);
Result<BackupManifest> parse_manifest(std::string_view text);

}  // namespace relais
