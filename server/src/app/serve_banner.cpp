#include "serve_banner.hpp"

#include "appliance_modem.hpp"
#include "mail_transport.hpp"

#include <pwd.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#ifndef RELAIS_VERSION
#define RELAIS_VERSION "dev"
#endif

namespace relais {

namespace {

// How to call this same binary again: /usr/bin/relais on the appliance, a build path in a checkout.
std::string self_command() {
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return "relais";
    const auto dir = exe.parent_path();
    if (dir == "/usr/bin" || dir == "/usr/local/bin" || dir == "/bin") {
        // Installed: on PATH. The service's data belong to its user (the appliance's "relais"),
        // so the command is given as that user's: files it creates stay the service's.
        if (::geteuid() != 0)
            if (const passwd* pw = ::getpwuid(::geteuid()); pw && pw->pw_name)
                return std::string("runuser -u ") + pw->pw_name + " -- relais";
        return "relais";
    }
    const auto relative = std::filesystem::relative(exe, std::filesystem::current_path(), ec);
    if (!ec && !relative.empty() && relative.native().rfind("..", 0) != 0) return relative.string();
    return exe.string();
}

std::string browse_url(const ListenAddress& a, std::uint16_t port, bool https) {
    std::string host = a.host;
    if (host == "0.0.0.0" || host == "::") host = "localhost";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    return (https ? "https://" : "http://") + host + ":" + std::to_string(port) + "/";
}

bool write_port_file(const std::string& path, std::uint16_t lan, std::uint16_t pub, std::uint16_t plain_http) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        if (!out) return false;
        out << "{\"lan\": " << lan << ", \"public\": " << pub;
        if (plain_http) out << ", \"http\": " << plain_http;
        out << "}\n";
        if (!out) return false;
    }
    return std::rename(tmp.c_str(), path.c_str()) == 0;
}

// The banner as getty shows it above the login prompt (agetty's issue file): its backslashes
// are escapes there, so they are doubled, and a workspace listening on every interface is given
// by the box's address (\\4, the IPv4 address of its network) rather than "localhost".
bool write_console_banner(const std::string& path, const std::string& banner, const Config& config,
                          std::uint16_t lan_port, std::uint16_t public_port) {
    const Config::Http& http = config.http;
    std::string text;
    for (char c : banner) {
        if (c == '\\') text += '\\';
        text += c;
    }
    const auto on_every_interface = [&](const ListenAddress& a, std::uint16_t port, bool https) {
        if (a.host != "0.0.0.0" && a.host != "::") return;
        const std::string local = browse_url(a, port, https);
        if (auto at = text.find(local); at != std::string::npos)
            text.replace(at, local.size(), (https ? "https://\\4:" : "http://\\4:") + std::to_string(port) + "/");
    };
    on_every_interface(http.lan, lan_port, config.tls.lan);
    on_every_interface(http.public_listen, public_port, config.tls.public_);
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        if (!out) return false;
        out << text << "\n";
        if (!out) return false;
    }
    ::chmod(tmp.c_str(), 0640);
    return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace

bool announce(const Announcement& a) {
    const Config& config = a.config;
    const std::uint16_t lan_port = a.lan_port;
    const std::uint16_t public_port = a.public_port;
    const auto ready_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a.started).count();
    a.log->info("serving: lan {} (port {}), public {} (port {}), ready in {:.0f} ms", config.http.lan.to_string(),
                lan_port, config.http.public_listen.to_string(), public_port, ready_ms);

    std::ostringstream banner;
    banner << "\nRelais " << RELAIS_VERSION << " is running for " << config.dealer.name << ".\n"
           << "  Advisor workspace: " << browse_url(config.http.lan, lan_port, config.tls.lan) << "\n"
           << "  Customer pages:    " << browse_url(config.http.public_listen, public_port, config.tls.public_)
           << "  (links in messages use " << config.http.public_base_url << ")\n";
    if (a.https.certificates) {
        const CertificateStatus st = a.https.certificates->status();
        banner << "  Certificate:       ";
        if (st.state() == CertState::no_public_name)
            banner << "none from a CA: " << (st.name.empty() ? "no public name" : st.name + " is no public name")
                   << " yet ([http] public_base_url); self-signed meanwhile (customers' browsers warn)";
        else if (st.source == Config::Tls::Source::acme)
            banner << "from " << config.acme.directory << " for " << st.name
                   << (st.self_signed ? "; self-signed until it is issued" : "");
        else
            banner << to_string(st.source) << (st.self_signed ? " (customers' browsers warn)" : "");
        banner << "\n";
    }
    if (a.https.plain_http)
        banner << "  Plain HTTP:        port " << a.https.plain_http->port() << ", redirected to HTTPS\n";
    const ApplianceModem* modem = a.modem;
    banner << "  Data:              " << config.storage.data_dir << "\n"
           << "  Modem:             " << (modem ? modem->device() : "none (" + a.modem_problem + ")") << "\n";
    if (modem && modem->virtual_modem()) {
        banner << "                     the SMS it sends are written to " << modem->virtual_modem()->journal() << "\n";
    }
    banner << "  Email:             " << a.mail.describe()
           << (config.mail.relay_host.empty() ? " (no relay configured: emails are written there, in new/)" : "")
           << "\n";
    if (a.admin_password) {
        banner << "\nFirst start: sign in as \"admin\" with this one-time password:\n\n      " << *a.admin_password
               << "\n\nYou will choose your own password right after. It is shown only this once; if it is lost,\n"
               << "run: " << self_command() << " user passwd admin --config " << a.config_path << "\n";
    } else {
        banner << "\nSign in with your Relais account. A lost password is reset with:\n"
               << "  " << self_command() << " user passwd NAME --config " << a.config_path << "\n";
    }
    std::cout << banner.str();
    // Under systemd (RuntimeDirectory=relais): the same for the login prompt of the appliance's
    // console, which has no terminal of its own (/etc/issue.d/relais.issue links to it).
    if (const char* runtime = std::getenv("RUNTIME_DIRECTORY"); runtime && *runtime) {
        const std::string dir(runtime, std::strcspn(runtime, ":"));
        if (!write_console_banner(dir + "/banner.issue", banner.str(), config, lan_port, public_port))
            a.log->warn("cannot write the console banner in {}", dir);
    }
    std::cout << "\nStop with Ctrl+C.\n" << std::endl;
    // Written once the banner is out: whoever waits for this file can read the banner too.
    if (!a.port_file.empty() &&
        !write_port_file(a.port_file, lan_port, public_port, a.https.plain_http ? a.https.plain_http->port() : 0)) {
        std::cerr << "relais: cannot write the port file " << a.port_file << "\n";
        return false;
    }
    return true;
}

}  // namespace relais
