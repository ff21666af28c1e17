#pragma once
// SQLite access: Connection (one sqlite3 handle with cached prepared statements), Statement,
// and Database (one writer behind a mutex + a pool of readers; WAL lets them run together).
// Every connection runs with WAL, synchronous=FULL, foreign keys on and a busy timeout.
// sqlite3.h stays in db.cpp.

#include "result.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace relais {

class Statement {
public:
    /// `in_use` (may be null) is cleared when the statement is done with, so that its
    /// connection's cache may finalize it.
    Statement(sqlite3_stmt* stmt, sqlite3* db, bool* in_use = nullptr) : stmt_(stmt), db_(db), in_use_(in_use) {}
    Statement(Statement&& other) noexcept : stmt_(other.stmt_), db_(other.db_), in_use_(other.in_use_) {
        other.stmt_ = nullptr;
        other.in_use_ = nullptr;
    }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    Statement& operator=(Statement&&) = delete;
    /// Resets the statement (it stays cached in its Connection).
    ~Statement();

    // Parameters are 1-based, as in SQLite.
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value ? 1 : 0)); }
    Statement& bind(int index, std::string_view value);
    Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
    Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
    Statement& bind_blob(int index, std::string_view bytes);
    Statement& bind_null(int index);
    template <class T>
    Statement& bind(int index, const std::optional<T>& value) {
        return value ? bind(index, *value) : bind_null(index);
    }

    /// Advances: true when a row is available, false when done.
    Result<bool> step();
    /// Steps to completion (for INSERT/UPDATE/DELETE), then resets for the next execution.
    Result<void> run();
    /// Makes the statement ready to run again with new bindings.
    void reset();

    // Columns are 0-based, as in SQLite.
    std::int64_t int64(int col) const;
    std::string text(int col) const;
    std::string blob(int col) const;
    bool is_null(int col) const;
    std::optional<std::int64_t> optional_int64(int col) const;

private:
    sqlite3_stmt* stmt_;
    sqlite3* db_;
    bool* in_use_;
};

enum class Access { read_write, read_only };

/// One SQLite connection. Not thread-safe: one thread at a time (Database hands them out).
class Connection {
public:
    static Result<std::unique_ptr<Connection>> open(const std::string& path, Access access);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    Result<void> exec(std::string_view sql);
    /// A cached prepared statement; the same SQL must not be in use twice at once. The cache
    /// keeps the kMaxCachedStatements most recently used (SQL is written by the code, never
    /// from request data, but a bound cannot drift).
    Result<Statement> prepare(std::string_view sql);
    static constexpr std::size_t kMaxCachedStatements = 200;
    std::size_t cached_statements() const { return cache_.size(); }
    std::int64_t last_insert_id() const;
    int changes() const;

    Result<void> begin_immediate() {
        changed_ros_.clear();
        appended_.clear();
        return exec("BEGIN IMMEDIATE");
    }
    Result<void> commit() { return exec("COMMIT"); }
    void rollback();

    sqlite3* handle() { return db_; }

    /// Notes that the current transaction changed this repair order (its timeline, offers or
    /// messages): once committed, Database tells its listener (live updates).
    void mark_changed(std::int64_t ro_id) { changed_ros_.push_back(ro_id); }
    std::vector<std::int64_t> take_changed() { return std::exchange(changed_ros_, {}); }
    /// Notes that the current transaction appended this row to the timeline: before it commits,
    /// Database tells its AppendedListener (which may write in the same transaction).
    void note_appended(std::int64_t event_id) { appended_.push_back(event_id); }
    std::vector<std::int64_t> take_appended() { return std::exchange(appended_, {}); }

    /// Whether anything was committed to the database by another connection (of this process
    /// or another) since this connection last asked; true the first time.
    Result<bool> changed_by_others();

private:
    explicit Connection(sqlite3* db) : db_(db) {}
    sqlite3* db_;
    std::int64_t data_version_ = -1;  // PRAGMA data_version when last asked
    std::vector<std::int64_t> changed_ros_;
    std::vector<std::int64_t> appended_;
    struct Cached {
        sqlite3_stmt* stmt = nullptr;
        bool in_use = false;
        std::list<std::string>::iterator recency;
    };
    std::unordered_map<std::string, Cached> cache_;
    std::list<std::string> recency_;  // most recently used first
};

/// Turns the last SQLite error of `db` into an Error (UNIQUE → conflict, BUSY → unavailable).
Error sqlite_error(sqlite3* db, std::string_view context);

/// Told, inside a write transaction and before it commits, of the timeline rows it appended
/// (Connection::note_appended); it may write in the same transaction (an error rolls the whole
/// back). What it returns (may be empty) runs once the transaction committed, on the writing
/// thread while the writer is still held: keep it quick.
using AppendedListener =
    std::function<Result<std::function<void()>>(Connection&, const std::vector<std::int64_t>& event_ids)>;

template <class T>
struct is_result : std::false_type {};
template <class T>
struct is_result<Result<T>> : std::true_type {};

/// The process's database. Writes are serialised through one connection (DESIGN.md §4);
/// reads use a small pool. All methods are thread-safe; a Connection handed to a callback
/// is valid only inside it.
class Database {
public:
    static Result<std::unique_ptr<Database>> open(const std::string& path, int readers);

    /// Runs f(Connection&) on a reader. f must not write.
    template <class F>
    auto read(F&& f) -> decltype(f(std::declval<Connection&>())) {
        Lease lease(*this);
        return f(*lease.conn);
    }

    /// Runs f(Connection&) -> Result<T> in one IMMEDIATE transaction: committed if f
    /// succeeds, rolled back if it fails or throws.
    template <class F>
    auto write(F&& f) -> decltype(f(std::declval<Connection&>())) {
        using R = decltype(f(std::declval<Connection&>()));
        static_assert(is_result<R>::value, "write() callbacks return a Result");
        std::lock_guard lock(writer_mutex_);
        ++writes_;
        if (auto begun = writer_->begin_immediate(); !begun) return std::move(begun).error();
        try {
            R result = f(*writer_);
            if (!result) {
                writer_->rollback();
                return result;
            }
            std::function<void()> after;
            if (auto appended = writer_->take_appended(); !appended.empty() && appended_) {
                auto told = appended_(*writer_, appended);
                if (!told) {
                    writer_->rollback();
                    return std::move(told).error();
                }
                after = std::move(*told);
            }
            if (auto committed = writer_->commit(); !committed) {
                writer_->rollback();
                return std::move(committed).error();
            }
            after_commit(after);
            return result;
        } catch (...) {
            writer_->rollback();
            throw;
        }
    }

    /// The writer outside any transaction, for migrations and maintenance at start.
    template <class F>
    auto with_writer(F&& f) -> decltype(f(std::declval<Connection&>())) {
        std::lock_guard lock(writer_mutex_);
        return f(*writer_);
    }

    /// Write transactions begun since open (what the hot paths that only read can be held to).
    std::uint64_t writes() const { return writes_.load(); }

    /// A number that moves on whenever the database may have changed: after each commit of
    /// this process, and when `reader` sees a commit made elsewhere (a `relais` command run
    /// beside the service). Call it inside read(), before reading: what is read after it is
    /// at least as new as the generation returned, so it may be kept under that generation
    /// (GenerationCache) and reused while the generation stays.
    Result<std::uint64_t> generation(Connection& reader);

    /// Checkpoints the WAL into the main file; called on clean shutdown.
    void checkpoint();

    /// Called after each commit that marked repair orders as changed, with their ids, on the
    /// writing thread (while the writer is still held: keep it quick). Set once, at start.
    void on_committed(std::function<void(const std::vector<std::int64_t>&)> listener) {
        committed_ = std::move(listener);
    }

    /// Set once, at start (and cleared before its owner goes); none: nobody is told.
    void on_appended(AppendedListener listener) {
        std::lock_guard lock(writer_mutex_);
        appended_ = std::move(listener);
    }

private:
    AppendedListener appended_;
    /// What follows a commit: the generation moves on, the changed repair orders are
    /// announced, `after` runs. Never throws: the transaction is committed, so write() must
    /// report success whatever a listener does (a throw is logged and swallowed).
    void after_commit(const std::function<void()>& after) noexcept;
    std::function<void(const std::vector<std::int64_t>&)> committed_;

    struct Lease {
        explicit Lease(Database& db);
        ~Lease();
        Database& db;
        Connection* conn;
    };

    std::unique_ptr<Connection> writer_;
    std::mutex writer_mutex_;
    std::atomic<std::uint64_t> writes_{0};
    std::atomic<std::uint64_t> generation_{1};
    std::vector<std::unique_ptr<Connection>> readers_;
    std::vector<Connection*> free_readers_;
    std::mutex pool_mutex_;
    std::condition_variable pool_cv_;
};

}  // namespace relais
