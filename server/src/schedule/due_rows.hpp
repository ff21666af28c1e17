#pragma once
// One pass over a feature's table of debounced sends (a digest per user, the answers' message per
// offer): the rows due now, earliest first, each handed to the feature; a row whose send failed is
// looked at again later, so that one broken row never stops the others. The feature owns its
// table and names it here; this knows none.

#include "clock.hpp"
#include "db.hpp"
#include "result.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

namespace relais {

struct DueRows {
    std::string_view table;  // e.g. "notification_digests": a key column and `due_at`
    std::string_view key;    // e.g. "user_id"
    int per_pass = 50;       // a fuller pass is followed by another at once
    UnixMs retry_after = 10 * 60'000;
};

struct DuePass {
    bool queued = false;              // some row's run returned true (a message was queued)
    std::optional<Error> error = {};  // the first failure (the pass went on)
    std::optional<UnixMs> next = {};  // when to pass again: now after a full pass, else the earliest due row
};

/// Runs `run(key)` for each row of `rows.table` due at `now` (at most `per_pass`); a failed one's
/// `due_at` moves to `now + retry_after`.
DuePass run_due_rows(Database& db, const DueRows& rows, UnixMs now,
                     const std::function<Result<bool>(std::int64_t)>& run);

/// The earliest `due_at` of `table`; none when it is empty.
Result<std::optional<UnixMs>> earliest_due_row(Database& db, std::string_view table);

}  // namespace relais
