#include "reminder_store.hpp"

#include "enum_names.hpp"

namespace relais::reminder_store {

ReminderPlan view(const Row& r, std::optional<OfferState> offer_state) {
    ReminderPlan p;
    p.cadence = {r.policy, r.every_hours};
    p.paused = r.paused;
    p.sent = r.sent;
    p.started_at = r.started_at;
    p.next_at = r.paused ? std::nullopt : r.next_at;
    p.ended = r.ended;
    p.no_answer_at = r.no_answer_at;
    const bool waiting = !offer_state || *offer_state == OfferState::draft || *offer_state == OfferState::scheduled ||
                         *offer_state == OfferState::sent || *offer_state == OfferState::received ||
                         *offer_state == OfferState::seen;
    if (p.ended.empty() && !waiting) p.ended = std::string(to_string(*offer_state));
    if (!p.ended.empty()) p.next_at.reset();
    return p;
}

Result<std::optional<Row>> load(Connection& c, Id offer_id) {
    TRY_ASSIGN(auto q, c.prepare("SELECT policy, every_hours, started_at, anchor_at, sent, paused, next_at, ended, "
                                 "no_answer_at, updated_at FROM offer_reminders WHERE offer_id = ?"));
    q.bind(1, offer_id);
    TRY_ASSIGN(const bool row, q.step());
    if (!row) return std::optional<Row>();
    Row r;
    r.offer_id = offer_id;
    r.policy = parse_enum<ReminderPolicy>(q.text(0)).value_or(ReminderPolicy::none);
    r.every_hours = static_cast<int>(q.int64(1));
    r.started_at = q.int64(2);
    r.anchor_at = q.int64(3);
    r.sent = static_cast<int>(q.int64(4));
    r.paused = q.int64(5) != 0;
    r.next_at = q.optional_int64(6);
    r.ended = q.text(7);
    r.no_answer_at = q.optional_int64(8);
    r.updated_at = q.int64(9);
    return std::optional<Row>(std::move(r));
}

Result<void> save(Connection& c, const Row& r) {
    TRY_ASSIGN(auto q, c.prepare("INSERT OR REPLACE INTO offer_reminders (offer_id, policy, every_hours, started_at, "
                                 "anchor_at, sent, paused, next_at, ended, no_answer_at, updated_at) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    q.bind(1, r.offer_id).bind(2, to_string(r.policy)).bind(3, r.every_hours).bind(4, r.started_at);
    q.bind(5, r.anchor_at).bind(6, r.sent).bind(7, r.paused).bind(8, r.next_at).bind(9, r.ended);
    q.bind(10, r.no_answer_at).bind(11, r.updated_at);
    return q.run();
}

Result<std::vector<Id>> due(Connection& c, UnixMs now, int limit) {
    TRY_ASSIGN(auto q, c.prepare("SELECT offer_id FROM offer_reminders WHERE next_at IS NOT NULL AND next_at <= ? "
                                 "ORDER BY next_at LIMIT ?"));
    q.bind(1, now).bind(2, limit);
    std::vector<Id> out;
    while (true) {
        TRY_ASSIGN(const bool row, q.step());
        if (!row) break;
        out.push_back(q.int64(0));
    }
    return out;
}

Result<std::optional<UnixMs>> earliest(Connection& c) {
    TRY_ASSIGN(auto q, c.prepare("SELECT min(next_at) FROM offer_reminders WHERE next_at IS NOT NULL"));
    TRY_ASSIGN(const bool row, q.step());
    if (!row || q.is_null(0)) return std::optional<UnixMs>();
    return std::optional<UnixMs>(q.int64(0));
}

}  // namespace relais::reminder_store
