#include "sms_store.hpp"

namespace relais::sms_store {

Result<std::int64_t> insert_inbound(Connection& conn, const InboundSmsRecord& m) {
    TRY_ASSIGN(auto s, conn.prepare("INSERT INTO sms_inbound (sender, text, parts, complete, sent_at, received_at) "
                                    "VALUES (?, ?, ?, ?, ?, ?)"));
    s.bind(1, m.sender).bind(2, m.text).bind(3, m.parts).bind(4, m.complete).bind(5, m.sent_at).bind(6, m.received_at);
    TRY(s.run());
    return conn.last_insert_id();
}

Result<std::vector<InboundSmsRecord>> recent_inbound(Connection& conn, int limit) {
    TRY_ASSIGN(auto s, conn.prepare("SELECT id, sender, text, parts, complete, sent_at, received_at FROM sms_inbound "
                                    "ORDER BY id DESC LIMIT ?"));
    s.bind(1, limit);
    std::vector<InboundSmsRecord> out;
    for (;;) {
        TRY_ASSIGN(bool row, s.step());
        if (!row) break;
        out.push_back(
            {s.int64(0), s.text(1), s.text(2), static_cast<int>(s.int64(3)), s.int64(4) != 0, s.int64(5), s.int64(6)});
    }
    return out;
}

}  // namespace relais::sms_store
