#pragma once
// Versioned schema migrations, applied at start. The database's PRAGMA user_version is the
// last applied version. All pending migrations run in one transaction: if one fails the
// database is left exactly as it was, and relais refuses to start.

#include "db.hpp"

#include <span>
#include <string_view>

namespace relais {

struct Migration {
    int version;  // 1, 2, 3, ... with no gaps
    std::string_view name;
    std::string_view sql;
};

std::span<const Migration> builtin_migrations();

/// Applies the pending migrations of `migrations`; returns how many ran. Refuses a database
/// whose version is newer than the last migration (a downgrade would corrupt it).
Result<int> migrate(Connection& conn, std::span<const Migration> migrations);

Result<int> schema_version(Connection& conn);

}  // namespace relais
