#pragma once
// `relais restore FILE`: brings a box back to the state of a backup (backup.hpp), relais
// stopped. Nothing is touched until everything is checked: the data directory's lock (the
// running service holds it: data_dir_lock.hpp), then the file, extracted into a folder of the
// data directory with every SHA-256 checked (backup_archive.hpp), its database's
// PRAGMA integrity_check and schema version (one newer than this relais is refused), and the
// configuration it holds with the workspace's settings over it (checked as this box would read
// them). Then each part is put in place by rename, the one it replaces kept beside it with
// ".before-restore-<UTC time>": the database (with its -wal, which must not meet the restored
// file), the TLS state (folders exchanged in one step), the configuration file, then
// <data_dir>/settings.toml (put aside when the backup has none). Run as root, the restored files
// belong to the data directory's owner (the service's user), and the configuration keeps the
// owner and mode of the file it replaces.

#include "backup_archive.hpp"
#include "clock.hpp"
#include "config.hpp"
#include "result.hpp"

#include <string>

namespace relais {

/// --force: a database already in the data directory is replaced (kept aside), else refused.
enum class ExistingData { refuse, replace };
/// --keep-config: the box's configuration file stays as it is, and the settings made in its
/// workspace (<data_dir>/settings.toml) with it.
enum class ConfigRestore { restore, keep };

struct RestoreRequest {
    const Config& config;                  // this box's: its data_dir and source_path are where things go
    const ConfigEnvironment& environment;  // to check the backup's configuration as this box reads it
    std::string archive;
    ExistingData existing = ExistingData::refuse;
    ConfigRestore config_file = ConfigRestore::restore;
    UnixMs now = 0;
};

struct RestoreReport {
    BackupManifest manifest;
    std::string database;             // the restored database's path
    std::string kept_database;        // what it replaced, "" when there was none
    std::string tls, kept_tls;        // "" when the backup has no TLS state / there was none
    std::string config, kept_config;  // "" when the configuration was not restored / there was none
    // <data_dir>/settings.toml: "" when the backup has none or the configuration was kept /
    // there was none. Restored without settings, this box's are kept aside (kept_settings) and
    // removed: the configuration file's values apply.
    std::string settings, kept_settings;
};

/// Errors: "data_dir_locked" (relais runs), "backup_refused" (the file; detail names the
/// problem), "restore_refused" (invalid: a database in the backup that is damaged or too new, a
/// configuration this box cannot use, a database already there without ExistingData::replace;
/// detail says what and what to do), internal (the disk). On every error before the first
/// rename nothing has changed (the extraction folder is removed, and the data directory too
/// when this call created it); a failure among the renames stops there, and its detail says
/// what was already put in place and where the replaced files are kept.
Result<RestoreReport> restore_backup(const RestoreRequest& request);

}  // namespace relais
