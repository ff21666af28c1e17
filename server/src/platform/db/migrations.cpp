#include "migrations.hpp"

namespace relais {

Result<int> schema_version(Connection& conn) {
    TRY_ASSIGN(auto stmt, conn.prepare("PRAGMA user_version"));
    TRY_ASSIGN(bool row, stmt.step());
    return row ? static_cast<int>(stmt.int64(0)) : 0;
}

Result<int> migrate(Connection& conn, std::span<const Migration> list) {
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (list[i].version != static_cast<int>(i) + 1)
            return internal_error("migrations must be numbered 1, 2, 3, ...");
    }
    TRY_ASSIGN(int current, schema_version(conn));
    const int latest = static_cast<int>(list.size());
    if (current > latest) {
        Error e = make_error(ErrorKind::internal, "database_too_new",
                             {{"version", std::to_string(current)}, {"supported", std::to_string(latest)}});
        e.detail = "the database is at schema version " + std::to_string(current) +
                   " but this relais knows only up to " + std::to_string(latest) +
                   ": install the newer relais again or restore a backup";
        return e;
    }
    if (current == latest) return 0;

    TRY(conn.begin_immediate());
    for (int v = current + 1; v <= latest; ++v) {
        const Migration& m = list[static_cast<std::size_t>(v - 1)];
        if (auto applied = conn.exec(m.sql); !applied) {
            conn.rollback();
            Error e = std::move(applied).error();
            e.detail = "migration " + std::to_string(v) + " (" + std::string(m.name) + ") failed: " + e.detail;
            return e;
        }
    }
    if (auto set = conn.exec("PRAGMA user_version = " + std::to_string(latest)); !set) {
        conn.rollback();
        return std::move(set).error();
    }
    if (auto committed = conn.commit(); !committed) {
        conn.rollback();
        return std::move(committed).error();
    }
    return latest - current;
}

}  // namespace relais
