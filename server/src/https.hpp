#pragma once
// The process's HTTPS wiring ([tls], docs/CONFIG.md): the certificate manager, the TLS contexts
// handed to the listeners' gates, and the plain-HTTP listener of port 80 (redirects to
// https://, ACME HTTP-01 challenges). Nothing here when no listener serves TLS.

#include "certificates.hpp"
#include "config.hpp"
#include "http_gate.hpp"
#include "result.hpp"

#include <memory>

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

/// Loads or makes the certificates and sets `lan` / `public_` to serve TLS as configured; binds
/// port 80 when asked (its gate takes `hosts` and the public gate's limits). `clock` must outlive
/// the result. The error names the file or address at fault.
Result<Https> start_https(const Config& config, GateOptions& lan, GateOptions& public_, const Clock& clock,
                          std::shared_ptr<spdlog::logger> log);

}  // namespace relais
