#pragma once
// `relais backup`: the database, the configuration file, the settings made in the workspace
// (<data_dir>/settings.toml) and the TLS state (<data_dir>/tls) in one file,
// relais-backup-<UTC time>.tar (its format: backup_archive.hpp), made beside the running
// service: the database is copied by SQLite's VACUUM INTO on a connection of its own, one read
// transaction that the service's writes go on beside (WAL). The file is written under a
// temporary name in the destination folder, fsynced, then renamed, 0600; then only the newest
// `keep` backups stay in that folder (nothing else there is ever removed). The time and size
// of the last success go to <data_dir>/backup-status, which /metrics reads.

#include "backup_archive.hpp"
#include "clock.hpp"
#include "config.hpp"
#include "result.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace relais {

struct BackupRequest {
    std::string data_dir;     // relais.db, settings.toml and tls/ are read from here
    std::string config_file;  // copied as it is
    std::string dir;          // where the backup goes (created 0700 if missing)
    std::size_t keep = 14;    // how many backups stay in `dir`
    UnixMs now = 0;
    std::string host;            // the box's name, for the manifest
    std::string relais_version;  // this relais's
};

struct BackupReport {
    std::string path;
    std::uint64_t size = 0;
    BackupManifest manifest;
    std::vector<std::string> removed;  // older backups pruned from the folder
    std::string status_problem;        // why <data_dir>/backup-status could not be written ("" when it was)
};

/// Makes one backup (see above). The temporary files of a backup cut off earlier (a crash, a
/// power cut) are removed first; two backups into one folder at once: the second is refused
/// (error "backup_running"). Errors: "no_database" (not_found) when there is no database yet;
/// a member a backup cannot hold (a symlink in tls/ or as settings.toml, a file over its bound:
/// detail names it); the disk. The temporary files are removed on failure.
Result<BackupReport> make_backup(const BackupRequest& request);

/// The backups in `dir`, oldest first (by the time in their names).
std::vector<std::string> backup_files(const std::string& dir);

/// What /metrics tells of the last successful backup (<data_dir>/backup-status).
struct BackupStatus {
    UnixMs made_at = 0;  // when its copy of the database was taken
    std::uint64_t size = 0;
    std::string path;
};
Result<void> write_backup_status(const std::string& data_dir, const BackupStatus& status);
/// nullopt when there is none (no backup yet) or it cannot be read as one.
std::optional<BackupStatus> read_backup_status(const std::string& data_dir);

}  // namespace relais
