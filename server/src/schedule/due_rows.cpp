#include "due_rows.hpp"

#include <string>
#include <vector>

namespace relais {

DuePass run_due_rows(Database& db, const DueRows& rows, UnixMs now,
                     const std::function<Result<bool>(std::int64_t)>& run) {
    DuePass pass;
    const std::string table(rows.table);
    const std::string key(rows.key);
    auto due = db.read([&](Connection& c) -> Result<std::vector<std::int64_t>> {
        TRY_ASSIGN(auto s,
                   c.prepare("SELECT " + key + " FROM " + table + " WHERE due_at <= ? ORDER BY due_at LIMIT ?"));
        s.bind(1, now).bind(2, rows.per_pass);
        std::vector<std::int64_t> out;
        for (;;) {
            TRY_ASSIGN(const bool row, s.step());
            if (!row) break;
            out.push_back(s.int64(0));
        }
        return out;
    });
    if (!due) {
        pass.error = std::move(due).error();
        return pass;
    }
    for (const std::int64_t id : *due) {
        auto r = run(id);
        if (!r) {
            if (!pass.error) pass.error = std::move(r).error();
            (void)db.write([&](Connection& c) -> Result<void> {
                TRY_ASSIGN(auto s, c.prepare("UPDATE " + table + " SET due_at = ? WHERE " + key + " = ?"));
                s.bind(1, now + rows.retry_after).bind(2, id);
                return s.run();
            });
            continue;
        }
        pass.queued = pass.queued || *r;
    }
    if (static_cast<int>(due->size()) == rows.per_pass) {
        pass.next = now;
        return pass;
    }
    auto next = earliest_due_row(db, rows.table);
    if (!next) {
        if (!pass.error) pass.error = std::move(next).error();
        return pass;
    }
    pass.next = *next;
    return pass;
}

Result<std::optional<UnixMs>> earliest_due_row(Database& db, std::string_view table) {
    return db.read([&](Connection& c) -> Result<std::optional<UnixMs>> {
        TRY_ASSIGN(auto s, c.prepare("SELECT min(due_at) FROM " + std::string(table)));
        TRY(s.step());
        return s.optional_int64(0);
    });
}

}  // namespace relais
