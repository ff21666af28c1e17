#pragma once
// Inbound SMS as the modem handed them over (issue 5 matches them to offers; ro_replies.hpp
// reads them as a repair order's replies).

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

namespace sms_store {
Result<std::int64_t> insert_inbound(Connection& conn, const InboundSmsRecord& sms);
Result<std::vector<InboundSmsRecord>> recent_inbound(Connection& conn, int limit);
}  // namespace sms_store

}  // namespace relais
