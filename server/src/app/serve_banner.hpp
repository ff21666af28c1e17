#pragma once
// What `relais serve` says once it serves: a log line, the banner on the terminal (and so in
// the journal) and on the appliance's console, then the port file that tests and a restart read.

#include "config.hpp"
#include "https.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace spdlog {
class logger;
}

namespace relais {

class ApplianceModem;
namespace mail {
class MailTransport;
}

struct Announcement {
    const std::string& config_path;  // named in the command that resets a lost password
    const std::string& port_file;    // empty: none is written
    const Config& config;
    std::chrono::steady_clock::time_point started;  // when run_serve began: "ready in … ms"
    std::uint16_t lan_port;                         // as bound (the configured one may be 0)
    std::uint16_t public_port;
    const Https& https;
    const ApplianceModem* modem;  // none: `modem_problem` says why
    const std::string& modem_problem;
    const mail::MailTransport& mail;
    const std::optional<std::string>& admin_password;  // at the first start: the one-time one
    std::shared_ptr<spdlog::logger> log;
};

/// Says that relais serves, where and how; false when the port file cannot be written (said on
/// stderr).
bool announce(const Announcement& a);

}  // namespace relais
