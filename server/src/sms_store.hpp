#pragma once
// Inbound SMS as the modem handed them over (issue 5 matches them to offers).

#include "clock.hpp"
#include "db.hpp"

#include <optional>
#include <string>
#include <vector>

namespace relais {

struct InboundSmsRecord {
    std::int64_t id = 0;
    std::string sender;
    std::string text;
    int parts = 1;
    bool complete = true;
    UnixMs sent_at = 0;
    UnixMs received_at = 0;
};

/// An SMS a customer sent back on a repair order, with whom it was sent to when the offer
/// went (party and contact point, empty when that recipient is unknown).
struct CustomerReply {
    std::int64_t id = 0;
    std::string sender;
    std::string text;
    bool complete = true;
    UnixMs received_at = 0;
    std::optional<UnixMs> read_at;
    std::optional<std::int64_t> read_by;  // a user id
    std::optional<std::int64_t> offer_id, party_id, contact_point_id;
    std::string name;
};

namespace sms_store {
Result<std::int64_t> insert_inbound(Connection& conn, const InboundSmsRecord& sms);
Result<std::vector<InboundSmsRecord>> recent_inbound(Connection& conn, int limit);
/// The newest `limit` replies on a repair order, newest first.
Result<std::vector<CustomerReply>> replies(Connection& conn, std::int64_t ro_id, int limit);
/// Marks every unread reply on the repair order read by `user_id`; the ids it marked.
Result<std::vector<std::int64_t>> mark_read(Connection& conn, std::int64_t ro_id, std::int64_t user_id, UnixMs now);
}  // namespace sms_store

}  // namespace relais
