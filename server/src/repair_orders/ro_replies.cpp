#include "ro_replies.hpp"

#include <algorithm>

namespace relais::ro_replies {

Result<std::vector<CustomerReply>> replies(Connection& conn, std::int64_t ro_id, int limit) {
    // One recipient per reply even when two parties share the number (the first one sent to).
    TRY_ASSIGN(auto s,
               conn.prepare("SELECT i.id, i.sender, i.text, i.complete, i.received_at, i.read_at, i.read_by, "
                            "i.offer_id, r.party_id, r.contact_point_id, coalesce(r.name, '') FROM sms_inbound i "
                            "LEFT JOIN offer_recipients r ON r.id = (SELECT min(x.id) FROM offer_recipients x "
                            "WHERE x.offer_id = i.offer_id AND x.channel = 'sms' AND x.address = i.sender) "
                            "WHERE i.ro_id = ? ORDER BY i.id DESC LIMIT ?"));
    s.bind(1, ro_id).bind(2, limit);
    std::vector<CustomerReply> out;
    for (;;) {
        TRY_ASSIGN(bool row, s.step());
        if (!row) break;
        CustomerReply r;
        r.id = s.int64(0);
        r.sender = s.text(1);
        r.text = s.text(2);
        r.complete = s.int64(3) != 0;
        r.received_at = s.int64(4);
        r.read_at = s.optional_int64(5);
        r.read_by = s.optional_int64(6);
        r.offer_id = s.optional_int64(7);
        r.party_id = s.optional_int64(8);
        r.contact_point_id = s.optional_int64(9);
        r.name = s.text(10);
        out.push_back(std::move(r));
    }
    return out;
}

Result<std::vector<std::int64_t>> mark_read(Connection& conn, std::int64_t ro_id, std::int64_t user_id, UnixMs now) {
    TRY_ASSIGN(auto s, conn.prepare("UPDATE sms_inbound SET read_at = ?, read_by = ? WHERE ro_id = ? AND read_at IS "
                                    "NULL RETURNING id"));
    s.bind(1, now).bind(2, user_id).bind(3, ro_id);
    std::vector<std::int64_t> ids;
    for (;;) {
        TRY_ASSIGN(bool row, s.step());
        if (!row) break;
        ids.push_back(s.int64(0));
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

}  // namespace relais::ro_replies
