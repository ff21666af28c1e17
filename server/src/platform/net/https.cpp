#include "https.hpp"

#include "box_names.hpp"

namespace relais {
namespace {

// A self-signed certificate's names besides the public one: the box's own, and loopback's.
std::vector<std::string> local_names() {
    auto names = box_names();
    names.insert(names.end(), {"localhost", "127.0.0.1", "::1"});
    return names;
}

}  // namespace

HostPolicy host_policy(const Config& config, const std::vector<std::string>& box_names) {
    HostPolicy p;
    p.names = {"localhost"};
    p.names.insert(p.names.end(), box_names.begin(), box_names.end());
    p.names.push_back(config.http.public_host);
    p.names.insert(p.names.end(), config.http.host_names.begin(), config.http.host_names.end());
    return p;
}

std::function<std::string(std::string_view)> redirect_base(const Config& config) {
    const std::string public_origin = config.http.public_origin;
    const std::string public_host = config.http.public_host;
    const std::uint16_t lan_port = config.http.lan.port;
    const std::string lan_scheme = config.tls.lan ? "https://" : "http://";
    return [=](std::string_view host_header) {
        // Split and compared as the gate's Host check does (http_head.hpp): "Garage.fr." and
        // "[2001:DB8::1]:80" name the public host as much as "garage.fr" and "2001:db8::1".
        const auto host = split_host_header(host_header);
        if (!host || host->name == public_host || lan_port == 0) return public_origin;
        return lan_scheme + (host->ipv6 ? "[" + host->name + "]" : host->name) + ":" + std::to_string(lan_port);
    };
}

Result<Https> start_https(HttpsDeps deps) {
    const Config& config = deps.config;
    GateOptions& lan = deps.lan;
    GateOptions& public_ = deps.public_;
    const std::shared_ptr<spdlog::logger>& log = deps.log;
    Https https;
    if (!config.tls.public_ && !config.tls.lan) return https;
    auto started = CertificateManager::start(
        {.config = config, .log = log, .acme = nullptr, .local_names = local_names(), .clock = deps.clock});
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
