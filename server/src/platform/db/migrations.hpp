#pragma once
// Versioned schema migrations, applied at start. The database's PRAGMA user_version is the
// last applied version. All pending migrations run in one transaction: if one fails the
// database is left exactly as it was, and relais refuses to start.
// The migrations themselves are the files migrations/NNNN_words.sql, compiled in by the build
// (cmake/EmbedMigrations.cmake): a released one is never edited, a change is a new file. The data
// fixes so far (8, 9) are SQL too; none is C++ code, so a Migration holds SQL only.

#include "db.hpp"

#include <span>
#include <string_view>

namespace relais {

struct Migration {
    int version;  // 1, 2, 3, ... with no gaps
    std::string_view name;
    std::string_view sql;
};

/// migrations/*.sql in order, numbered from their file names (generated builtin_migrations.cpp).
std::span<const Migration> builtin_migrations();

/// Applies the pending migrations of `migrations`; returns how many ran. Refuses a database
/// whose version is newer than the last migration (a downgrade would corrupt it).
Result<int> migrate(Connection& conn, std::span<const Migration> migrations);

Result<int> schema_version(Connection& conn);

}  // namespace relais
