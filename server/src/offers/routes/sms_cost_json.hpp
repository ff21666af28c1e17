#pragma once
// What an SMS costs, as the API shows it (docs/API.md, "The modem and SMS costs"): in an offer's
// preview here, and in the modem's routes of the app (POST /api/v1/sms/preview, a test SMS).

#include "modem_service.hpp"

#include <nlohmann/json_fwd.hpp>

namespace relais {

/// {"encoding", "characters", "units", "parts", "transliterated", "text"}.
nlohmann::json sms_cost_json(const modem::SmsCost& cost);

}  // namespace relais
