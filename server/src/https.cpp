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

// Port 80's redirects: the public name (and a request without Host) to the customer pages;
// any other name the gate let through (the box's LAN names and addresses) to the workspace, when
// its port is known.
std::function<std::string(std::string_view)> redirect_base(const Config& config) {
    const std::string public_origin = origin_of(config.http.public_base_url);
    const auto scheme = public_origin.find("://");
    std::string public_host = ascii_lower(public_origin.substr(scheme + 3));
    if (!public_host.empty() && public_host.front() != '[') public_host = public_host.substr(0, public_host.find(':'));
    const std::uint16_t lan_port = config.http.lan.port;
    const std::string lan_scheme = config.tls.lan ? "https://" : "http://";
    return [=](std::string_view host_header) {
        std::string host = ascii_lower(host_header);
        if (!host.empty() && host.front() == '[') {
            host = host.substr(0, host.find(']') + 1);
        } else {
            host = host.substr(0, host.find(':'));
        }
        const std::string bare = host.size() > 2 && host.front() == '[' ? host.substr(1, host.size() - 2) : host;
        if (host.empty() || bare == public_host || lan_port == 0) return public_origin;
        return lan_scheme + host + ":" + std::to_string(lan_port);
    };
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

Result<Https> start_https(const Config& config, GateOptions& lan, GateOptions& public_, const Clock& clock,
                          std::shared_ptr<spdlog::logger> log) {
    Https https;
    if (!config.tls.public_ && !config.tls.lan) return https;
    auto started = CertificateManager::start(
        {.config = config, .log = log, .acme = nullptr, .local_names = local_names(), .clock = clock});
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
        plain.plain_http = GateOptions::PlainHttp{
            redirect_base(config), [certificates](std::string_view token) { return certificates->challenge(token); }};
        https.plain_http = std::make_unique<HttpGate>(std::move(plain), log);
        if (auto r = https.plain_http->start(0); !r) return r.error();
    }
    return https;
}

}  // namespace relais
