#include "db.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <exception>

namespace relais {

Error sqlite_error(sqlite3* db, std::string_view context) {
    const int code = sqlite3_extended_errcode(db);
    std::string detail = std::string(context) + ": " + sqlite3_errmsg(db);
    if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) {
        Error e = make_error(ErrorKind::conflict, "unique_violation");
        e.detail = std::move(detail);
        return e;
    }
    if ((code & 0xFF) == SQLITE_BUSY || (code & 0xFF) == SQLITE_LOCKED) {
        Error e = make_error(ErrorKind::unavailable, "database_busy");
        e.detail = std::move(detail);
        e.retry_after_s = 1;
        return e;
    }
    return internal_error(std::move(detail));
}

Statement::~Statement() {
    if (stmt_) {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }
    if (in_use_) *in_use_ = false;
}

Statement& Statement::bind(int index, std::int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
    sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
    return *this;
}

Statement& Statement::bind_null(int index) {
    sqlite3_bind_null(stmt_, index);
    return *this;
}

Result<bool> Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return sqlite_error(db_, sqlite3_sql(stmt_));
}

Result<void> Statement::run() {
    for (;;) {
        auto row = step();
        if (!row) {
            reset();
            return std::move(row).error();
        }
        if (!*row) {
            reset();
            return success();
        }
    }
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

std::int64_t Statement::int64(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string Statement::text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    if (!p) return {};
    return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::string Statement::blob(int col) const {
    const void* p = sqlite3_column_blob(stmt_, col);
    if (!p) return {};
    return std::string(static_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}

bool Statement::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

std::optional<std::int64_t> Statement::optional_int64(int col) const {
    if (is_null(col)) return std::nullopt;
    return int64(col);
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& path, Access access) {
    sqlite3* db = nullptr;
    const int flags =
        (access == Access::read_write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY) |
        SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
        Error e = internal_error("cannot open database " + path + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
        sqlite3_close(db);
        return e;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, 5000);
    std::unique_ptr<Connection> conn(new Connection(db));
    TRY(conn->exec("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;"));
    return conn;
}

Connection::~Connection() {
    for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
    sqlite3_close(db_);
}

Result<void> Connection::exec(std::string_view sql) {
    char* message = nullptr;
    const std::string text(sql);
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        Error e = sqlite_error(db_, text.substr(0, 80));
        sqlite3_free(message);
        return e;
    }
    return success();
}

Result<Statement> Connection::prepare(std::string_view sql) {
    const std::string key(sql);
    auto it = cache_.find(key);
    if (it == cache_.end()) {
        sqlite3_stmt* stmt = nullptr;
        if (sqlite3_prepare_v3(db_, key.c_str(), static_cast<int>(key.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                               nullptr) != SQLITE_OK) {
            return sqlite_error(db_, "prepare " + key.substr(0, 120));
        }
        recency_.push_front(key);
        it = cache_.emplace(key, Cached{stmt, false, recency_.begin()}).first;
        // Over the bound: the least recently used statements that nobody holds go.
        for (auto old = std::prev(recency_.end()); cache_.size() > kMaxCachedStatements;) {
            auto victim = cache_.find(*old);
            const bool last = old == recency_.begin();
            auto before = last ? old : std::prev(old);
            if (victim != cache_.end() && !victim->second.in_use && victim != it) {
                sqlite3_finalize(victim->second.stmt);
                cache_.erase(victim);
                recency_.erase(old);
            }
            if (last) break;
            old = before;
        }
    } else {
        recency_.splice(recency_.begin(), recency_, it->second.recency);
    }
    it->second.in_use = true;
    return Statement(it->second.stmt, db_, &it->second.in_use);
}

std::int64_t Connection::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }

int Connection::changes() const { return sqlite3_changes(db_); }

void Connection::rollback() {
    changed_ros_.clear();
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

Result<std::unique_ptr<Database>> Database::open(const std::string& path, int readers) {
    // One budget for all connections' page caches together: SQLite recycles pages past it. The
    // operating system's file cache keeps the database warm anyway (docs/BENCHMARKS.md).
    sqlite3_soft_heap_limit64(6 << 20);
    auto db = std::unique_ptr<Database>(new Database());
    TRY_ASSIGN(db->writer_, Connection::open(path, Access::read_write));
    // WAL must be set by a writer before readers open; it persists in the file.
    {
        TRY_ASSIGN(auto mode_stmt, db->writer_->prepare("PRAGMA journal_mode = WAL"));
        TRY_ASSIGN(bool has_row, mode_stmt.step());
        if (!has_row || mode_stmt.text(0) != "wal") return internal_error("cannot switch " + path + " to WAL mode");
    }
    for (int i = 0; i < readers; ++i) {
        TRY_ASSIGN(auto reader, Connection::open(path, Access::read_write));
        TRY(reader->exec("PRAGMA query_only = ON"));
        db->free_readers_.push_back(reader.get());
        db->readers_.push_back(std::move(reader));
    }
    return db;
}

void Database::checkpoint() {
    std::lock_guard lock(writer_mutex_);
    sqlite3_wal_checkpoint_v2(writer_->handle(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
}

Result<bool> Connection::changed_by_others() {
    TRY_ASSIGN(auto s, prepare("PRAGMA data_version"));
    TRY_ASSIGN(bool row, s.step());
    if (!row) return internal_error("PRAGMA data_version: no row");
    const std::int64_t version = s.int64(0);
    return std::exchange(data_version_, version) != version;
}

Result<std::uint64_t> Database::generation(Connection& reader) {
    TRY_ASSIGN(bool changed, reader.changed_by_others());
    if (changed) generation_.fetch_add(1);
    return generation_.load();
}

Database::Lease::Lease(Database& database) : db(database) {
    std::unique_lock lock(db.pool_mutex_);
    db.pool_cv_.wait(lock, [&] { return !db.free_readers_.empty(); });
    conn = db.free_readers_.back();
    db.free_readers_.pop_back();
}

Database::Lease::~Lease() {
    {
        std::lock_guard lock(db.pool_mutex_);
        db.free_readers_.push_back(conn);
    }
    db.pool_cv_.notify_one();
}

void Database::after_commit(const std::function<void()>& after) noexcept {
    generation_.fetch_add(1);
    try {
        auto changed = writer_->take_changed();
        if (!changed.empty() && committed_) committed_(changed);
    } catch (const std::exception& e) {
        spdlog::error("db: announcing a commit's changes failed: {}", e.what());
    } catch (...) {
        spdlog::error("db: announcing a commit's changes failed");
    }
    if (!after) return;
    try {
        after();
    } catch (const std::exception& e) {
        spdlog::error("db: what follows a commit failed: {}", e.what());
    } catch (...) {
        spdlog::error("db: what follows a commit failed");
    }
}

}  // namespace relais
