#pragma once
// The process's HTTPS wiring ([tls], docs/CONFIG.md): the certificate manager, the TLS contexts
// handed to the listeners' gates, and the plain-HTTP listener of port 80 (redirects to
// https://, ACME HTTP-01 challenges). Nothing here when no listener serves TLS.

#include "certificates.hpp"
#include "config.hpp"
#include "http_gate.hpp"
#include "result.hpp"

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace spdlog {
class logger;
}

namespace relais {

struct Https {
    std::unique_ptr<CertificateManager> certificates;  // null: no listener serves TLS
    std::unique_ptr<HttpGate> plain_http;              // null: no [tls] redirect_listen
    /// The core loop's housekeeping: renewals and changed files.
    void tick() const {
        if (certificates) certificates->tick();
    }
};

/// What both listeners (and port 80) accept as the Host of a request: localhost, the box's
/// `box_names` (box_names.hpp), the public host, [http] host_names, and IP literals.
HostPolicy host_policy(const Config& config, const std::vector<std::string>& box_names);

/// Port 80's redirects, by the request's Host header: the public host (and a request without
/// one) to the customer pages at public_origin; any other name the gate let through (the box's LAN
/// names and addresses) to the workspace, when its port is known.
std::function<std::string(std::string_view host_header)> redirect_base(const Config& config);

struct HttpsDeps {
    const Config& config;
    GateOptions& lan;      // given the workspace's TLS when [tls] lan
    GateOptions& public_;  // given the customer pages' TLS when [tls] public; port 80 takes its limits
    const Clock& clock;    // must outlive the result
    std::shared_ptr<spdlog::logger> log;
};

/// Loads or makes the certificates and sets the gates to serve TLS as configured; binds port 80
/// when asked (its gate takes `hosts` and the public gate's limits). The error names the file or
/// address at fault.
Result<Https> start_https(HttpsDeps deps);

}  // namespace relais
