#pragma once
// Getting a certificate from an ACME CA (RFC 8555: Let's Encrypt, or any other): the interface
// the certificate manager uses, and its implementation over `lego` (Debian's package), run as a
// child process. lego keeps the ACME account and the issued certificates in `state_dir`; the
// challenge is HTTP-01 (files in `webroot`, served by the port 80 listener) or DNS-01 (one of
// lego's DNS providers, its credentials passed in its environment; "exec" runs a script of the
// dealership's, docs/CONFIG.md).

#include "result.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace spdlog {
class logger;
}

namespace relais {

struct AcmeRequest {
    std::string name;       // the DNS name the certificate is for
    std::string directory;  // the CA's directory URL
    std::string email;      // the account's contact
    std::string state_dir;  // the account and the certificates issued
    enum class Challenge { http01, dns01 } challenge = Challenge::http01;
    std::string webroot;                                       // http01
    std::string dns_provider;                                  // dns01: a lego provider name
    std::vector<std::pair<std::string, std::string>> dns_env;  // dns01: the provider's settings
    std::string dns_resolver;                                  // dns01: "host:port", or "" for the system's
    std::string ca_file;                                       // the CA's root when not a public one
    std::chrono::seconds timeout{600};
};

/// Where the new certificate chain and its key were written (PEM).
struct AcmeIssued {
    std::string cert_file;
    std::string key_file;
};

class AcmeClient {
public:
    virtual ~AcmeClient() = default;
    /// Blocks until the certificate is issued, or fails with what the CA or the client said.
    /// `cancel` set from another thread stops it early (the service is stopping).
    virtual Result<AcmeIssued> obtain(const AcmeRequest& request, const std::atomic<bool>& cancel) = 0;
};

/// lego at `binary` (e.g. /usr/bin/lego). Stopped (cancel, or the request's timeout), it is given
/// `grace` after SIGTERM before SIGKILL: obtain() returns within that (and a quarter second).
std::unique_ptr<AcmeClient> make_lego_client(std::string binary, std::shared_ptr<spdlog::logger> log,
                                             std::chrono::milliseconds grace = std::chrono::seconds(5));

/// Reads a provider's settings file: KEY=VALUE lines, '#' comments; keys of capitals, digits
/// and '_'. The error names the line.
Result<std::vector<std::pair<std::string, std::string>>> read_env_file(const std::string& path);

}  // namespace relais
