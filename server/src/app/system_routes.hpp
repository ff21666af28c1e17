#pragma once
// What the process answers about itself on the lan listener: /healthz and /metrics (without
// signing in: docs/API.md, "Health", "Metrics"), and the API's routes of the process's own
// parts: live updates (GET /api/v1/events) and the HTTPS certificate.

#include "api_routes.hpp"
#include "clock.hpp"
#include "config.hpp"
#include "db.hpp"
#include "http_gate.hpp"

#include <nlohmann/json_fwd.hpp>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace relais {

class ApplianceModem;
class CertificateManager;
class CustomerService;
class EventHub;
namespace mail {
class MailTransport;
}

struct SystemRoutesDeps {
    const Config& config;
    Database& db;
    const Clock& clock;
    const ApplianceModem* modem;  // none: `modem_problem` says why
    std::string modem_problem;
    const mail::MailTransport* mail;   // none: "none"
    EventHub* events;                  // none: GET /api/v1/events answers 503
    const CustomerService* customers;  // links tried that do not exist
    // Each listener's connections and refusals (name, counters); unset: none shown.
    std::function<std::vector<std::pair<std::string, GateStats>>()> listeners;
    CertificateManager* certificates;  // none: no listener serves HTTPS
    std::string instance;              // this run of relais
};

/// Thread-safe: called concurrently by the listener's threads.
class SystemRoutes {
public:
    /// The references in `deps` must outlive this object.
    explicit SystemRoutes(SystemRoutesDeps deps);

    HttpResponse health() const;   // GET /healthz
    HttpResponse metrics() const;  // GET /metrics: Prometheus' text format

    HttpResponse events(ApiContext& ctx, const PathParams&);
    HttpResponse certificate(ApiContext& ctx, const PathParams&);
    HttpResponse renew_certificate(ApiContext& ctx, const PathParams&);

private:
    nlohmann::json certificate_json() const;

    SystemRoutesDeps d;
    UnixMs started_at;
};

/// The API's routes of `system`, which the table keeps alive.
void add_system_routes(ApiRoutes& routes, const std::shared_ptr<SystemRoutes>& system);

}  // namespace relais
