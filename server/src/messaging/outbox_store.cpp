// The outbox's writes made from other features' transactions (outbox.hpp, outbox_store): a
// message queued, an offer's messages withdrawn or rescheduled, the pending messages to an
// address failed. Beside outbox.cpp, which holds the dispatcher and is at its size limit.
#include "outbox.hpp"

namespace relais::outbox_store {

Result<Id> enqueue(Connection& c, std::optional<Id> ro_id, const OutboxMessage& m, UnixMs now,
                   std::optional<UnixMs> due_at) {
    TRY_ASSIGN(auto s, c.prepare("INSERT INTO outbox (ro_id, offer_id, recipient_id, purpose, channel, address, name, "
                                 "subject, body, html, state, next_attempt_at, created_at, template) VALUES (?, ?, ?, "
                                 "?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)"));
    s.bind(1, ro_id).bind(2, m.offer_id).bind(3, m.recipient_id).bind(4, m.purpose).bind(5, to_string(m.channel));
    s.bind(6, m.address).bind(7, m.name).bind(8, m.subject).bind(9, m.body).bind(10, m.html);
    s.bind(11, due_at.value_or(now)).bind(12, now).bind(13, m.template_ref);
    TRY(s.run());
    return c.last_insert_id();
}

Result<void> withdraw(Connection& c, Id offer_id, std::string_view why) {
    TRY_ASSIGN(
        auto q,
        c.prepare("UPDATE outbox SET state = 'failed', last_error = ?, failure = ? WHERE offer_id = ? AND state = "
                  "'pending'"));
    q.bind(1, why).bind(2, failure_json(why)).bind(3, offer_id);
    return q.run();
}

Result<int> fail_pending_to(Connection& c, Channel channel, const std::string& address, std::string_view code,
                            std::string_view error, UnixMs at, const SettledListener& on_settled) {
    std::vector<MessageSettled> failed;
    {
        TRY_ASSIGN(auto q, c.prepare("SELECT id, ro_id, offer_id FROM outbox WHERE channel = ? AND address = ? AND "
                                     "state = 'pending' ORDER BY id"));
        q.bind(1, to_string(channel)).bind(2, address);
        for (;;) {
            TRY_ASSIGN(bool row, q.step());
            if (!row) break;
            failed.push_back({.message_id = q.int64(0),
                              .ro_id = q.optional_int64(1),
                              .offer_id = q.optional_int64(2),
                              .channel = channel,
                              .outcome = OutboxState::failed,
                              .error = std::string(error),
                              .reason = failure_json(code),
                              .at = at});
        }
    }
    for (const MessageSettled& m : failed) {
        TRY_ASSIGN(auto u, c.prepare("UPDATE outbox SET state = 'failed', last_error = ?, failure = ? WHERE id = ?"));
        u.bind(1, m.error).bind(2, m.reason).bind(3, m.message_id);
        TRY(u.run());
    }
    // Told once every row is failed: the listener counts what can still go.
    if (on_settled)
        for (const MessageSettled& m : failed) TRY(on_settled(c, m));
    return static_cast<int>(failed.size());
}

Result<int> reschedule(Connection& c, Id offer_id, UnixMs due_at) {
    TRY_ASSIGN(auto q, c.prepare("UPDATE outbox SET next_attempt_at = ? WHERE offer_id = ? AND state = 'pending' AND "
                                 "attempts = 0"));
    q.bind(1, due_at).bind(2, offer_id);
    TRY(q.run());
    return c.changes();
}

}  // namespace relais::outbox_store
