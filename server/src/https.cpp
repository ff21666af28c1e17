#include "https.hpp"

#include "text.hpp"

#include <unistd.h>

namespace relais {
namespace {

// "https://relais.garage.fr:8443/x" → "https://relais.garage.fr:8443".
std::string origin_of(const std::string& url) {
    const auto scheme = url.find("://");
    if (scheme == std::string::npos) return url;
    return url.substr(0, url.find('/', scheme + 3));
}

std::vector<std::string> local_names() {
    std::vector<std::string> names;
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) == 0 && host[0]) {
        names.push_back(ascii_lower(host));
        names.push_back(ascii_lower(host) + ".local");
    }
    names.insert(names.end(), {"localhost", "127.0.0.1", "::1"});
    return names;
}

}  // namespace

Result<Https> start_https(const Config& config, GateOptions& lan, GateOptions& public_,
                          std::shared_ptr<spdlog::logger> log) {
    Https https;
    if (!config.tls.public_ && !config.tls.lan) return https;
    auto started = CertificateManager::start(
        {.config = config, .log = log, .acme = nullptr, .local_names = local_names(), .now = {}});
    if (!started) return started.error();
    https.certificates = std::move(*started);
    CertificateManager* certificates = https.certificates.get();
    if (config.tls.public_) public_.tls = [certificates] { return certificates->public_context(); };
    if (config.tls.lan) lan.tls = [certificates] { return certificates->lan_context(); };

    if (config.tls.redirect_listen) {
        GateOptions plain;
        plain.name = "http";
        plain.host = config.tls.redirect_listen->host;
        plain.port = config.tls.redirect_listen->port;
        plain.max_connections = std::min<std::size_t>(public_.max_connections, 256);
        plain.max_per_address = std::min<std::size_t>(public_.max_per_address, 16);
        plain.limits = public_.limits;
        plain.hosts = public_.hosts;
        plain.header_timeout = plain.body_timeout = plain.idle_timeout = plain.write_timeout = std::chrono::seconds(10);
        const std::string base = origin_of(config.http.public_base_url);
        plain.plain_http = GateOptions::PlainHttp{
            [base] { return base; },
            [certificates](std::string_view token) { return certificates->challenge(token); }};
        https.plain_http = std::make_unique<HttpGate>(std::move(plain), log);
        if (auto r = https.plain_http->start(0); !r) return r.error();
    }
    return https;
}

}  // namespace relais
