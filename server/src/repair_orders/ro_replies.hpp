#pragma once
// The SMS customers sent back on a repair order, as the advisor reads them (the repair order's
// side of `sms_inbound`: matched to it by inbound_sms, read here, marked read by an advisor).

#include "clock.hpp"
#include "db.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace relais {

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

namespace ro_replies {
/// The newest `limit` replies on a repair order, newest first.
Result<std::vector<CustomerReply>> replies(Connection& conn, std::int64_t ro_id, int limit);
/// Marks every unread reply on the repair order read by `user_id`; the ids it marked.
Result<std::vector<std::int64_t>> mark_read(Connection& conn, std::int64_t ro_id, std::int64_t user_id, UnixMs now);
}  // namespace ro_replies

}  // namespace relais
