#pragma once
// The workspace API's routes of the modem (docs/API.md, "The modem and SMS costs"): its state
// with the recent test SMS and inbound messages, a test SMS (admins), and what an SMS would cost.

#include "api_routes.hpp"
#include "db.hpp"
#include "phone.hpp"
#include "process_stop.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string>

namespace relais {

class ApplianceModem;

struct ModemRoutesDeps {
    ApplianceModem* modem;  // none: the modem could not be started (`problem` says why)
    std::string problem;
    Database& db;                // the inbound SMS
    const PhoneNumbers& phones;  // a test SMS's number
    const ProcessStop* stop;     // while relais stops, a test SMS is refused (503 shutting_down)
};

/// The references in `deps` must outlive `routes`.
void add_modem_routes(ApiRoutes& routes, ModemRoutesDeps deps);

/// The modem's state as GET /api/v1/modem and /healthz show it.
nlohmann::json modem_json(const ApplianceModem* modem, const std::string& problem);

}  // namespace relais
