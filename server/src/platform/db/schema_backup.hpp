#pragma once
// The database copied before its schema is migrated (issue 12: an upgrade installs a newer
// relais, whose first start migrates the schema; if that goes wrong, or the new version must be
// rolled back, the copy is the database exactly as the older relais left it). The copy is
// SQLite's own (VACUUM INTO: a consistent snapshot, WAL included, while the database is open),
// written under a temporary name, fsynced, then renamed, so a power cut never leaves a
// half-copy under a backup's name. Only the newest kKeptSchemaBackups copies are kept.

#include "clock.hpp"
#include "db.hpp"

#include <optional>
#include <string>
#include <vector>

namespace relais {

inline constexpr std::size_t kKeptSchemaBackups = 3;

struct SchemaBackup {
    std::string path;
    int version = 0;  // the schema version it holds
};

/// When the database behind `conn` has a schema version above 0 and below `latest`: copies
/// it to `<dir>/relais-schema-v<version>-<UTC time of now, YYYYMMDDTHHMMSSZ>.db` (`dir`
/// made 0700, the copy 0600), fsyncs the copy and `dir`, then removes all but the newest
/// kKeptSchemaBackups copies. A new database (version 0) or one at `latest` (or newer: the
/// migration refuses it) is not copied: nullopt. `conn` must be outside a transaction.
/// Error "schema_backup_failed" (params "path", "detail"; `detail` says what failed and that
/// nothing was migrated): the caller must not migrate.
Result<std::optional<SchemaBackup>> backup_before_migration(Connection& conn, const std::string& dir, int latest,
                                                            UnixMs now);

/// A consistent copy of the database behind `conn` at `path` (a new file, 0600), fsynced: SQLite's
/// VACUUM INTO, one read transaction, so writers on other connections go on meanwhile (WAL).
/// `conn` must be outside a transaction. `path` is left behind on failure: the caller removes it.
Result<void> vacuum_into(Connection& conn, const std::string& path);

/// The copies in `dir`, oldest first (by the time in their names).
std::vector<std::string> schema_backups(const std::string& dir);

}  // namespace relais
