#include "commands.hpp"

#include "appliance.hpp"
#include "appliance_mail.hpp"
#include "demo_data.hpp"
#include "email_address.hpp"
#include "modem_ports.hpp"
#include "serial_port.hpp"
#include "test_emails.hpp"

#include <spdlog/spdlog.h>
#include <termios.h>
#include <unistd.h>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>

// The commands other than `serve` (serve.cpp): configuration check, users, API keys, the
// modem ports, the test email, demo data.

namespace relais {
namespace {

std::unique_ptr<Appliance> open_or_report(const std::string& config_path, Config* out_config = nullptr) {
    auto config = load_config_or_report(config_path, ProblemReport::first_line);
    if (!config) return nullptr;
    if (out_config) *out_config = *config;
    auto appliance = Appliance::open(*config, make_logger("warn"));
    if (!appliance) {
        std::cerr << "relais: "
                  << (appliance.error().detail.empty() ? appliance.error().code : appliance.error().detail) << "\n";
        return nullptr;
    }
    return std::move(appliance).value();
}

void print_problems(const Error& e) {
    if (e.fields.empty()) {
        std::cerr << "relais: " << (e.detail.empty() ? e.code : e.detail) << "\n";
        return;
    }
    for (const auto& f : e.fields) {
        std::cerr << "relais: " << f.field << ": " << f.code;
        for (const auto& [k, v] : f.params) std::cerr << " (" << k << " " << v << ")";
        std::cerr << "\n";
    }
}

// A password from the terminal without echo (asked twice), or one line from a pipe.
std::optional<std::string> read_password(const std::string& prompt) {
    const auto read_line = [](std::string& line) {
        if (!std::getline(std::cin, line)) return false;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return true;
    };
    if (!isatty(STDIN_FILENO)) {
        std::string line;
        if (!read_line(line)) return std::nullopt;
        return line;
    }
    termios old{};
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    std::string first, second;
    std::cerr << prompt << ": " << std::flush;
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    const bool ok1 = read_line(first);
    std::cerr << "\nAgain: " << std::flush;
    const bool ok2 = ok1 && read_line(second);
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
    if (!ok2) return std::nullopt;
    if (first != second) {
        std::cerr << "relais: the two passwords differ\n";
        return std::nullopt;
    }
    return first;
}

}  // namespace

int run_check_config(const std::string& config_path) {
    auto config = load_config_or_report(config_path, ProblemReport::all);
    if (!config) return 1;
    std::cout << config_path << ": OK\n"
              << "  lan " << config->http.lan.to_string() << ", public " << config->http.public_listen.to_string()
              << ", links " << config->http.public_base_url << "\n";
    if (config->tls.public_ || config->tls.lan) {
        std::cout << "  https on "
                  << (config->tls.public_ && config->tls.lan ? "both listeners"
                      : config->tls.public_                  ? "the public listener"
                                                             : "the lan listener")
                  << ", certificate: " << to_string(config->tls.certificate);
        if (config->tls.redirect_listen) std::cout << ", plain HTTP on " << config->tls.redirect_listen->to_string();
        std::cout << "\n";
    }
    std::cout << "  data in " << config->storage.data_dir << "\n"
              << "  modem " << config->modem.device << ", mail "
              << (config->mail.relay_host.empty()
                      ? "to the maildir in the data directory"
                      : "via " + config->mail.relay_host + ":" + std::to_string(config->mail.relay_port) + " (" +
                            std::string(to_string(config->mail.tls)) + ")")
              << "\n  dealer " << config->dealer.name << " (" << config->dealer.country << ", "
              << config->dealer.timezone << ", " << config->dealer.language << ")\n";
    return 0;
}

int run_user_add(const std::string& config_path, const std::string& username, const std::string& role,
                 const std::string& display_name, const std::string& language) {
    const auto parsed_role = parse_enum<UserRole>(role);
    if (!parsed_role) {
        std::cerr << "relais: --role must be one of " << enum_choices<UserRole>() << "\n";
        return 1;
    }
    auto app = open_or_report(config_path);
    if (!app) return 1;
    const auto password = read_password("Password for " + username);
    if (!password) {
        std::cerr << "relais: no password on standard input\n";
        return 1;
    }
    NewUser u;
    u.username = username;
    u.display_name = display_name.empty() ? username : display_name;
    u.role = *parsed_role;
    u.password = *password;
    u.language = language;
    auto user = app->auth().create_user(u);
    if (!user) {
        print_problems(user.error());
        return 1;
    }
    std::cout << "user \"" << user->username << "\" created (" << to_string(user->role) << ")\n";
    return 0;
}

int run_user_passwd(const std::string& config_path, const std::string& username) {
    auto app = open_or_report(config_path);
    if (!app) return 1;
    const auto password = read_password("New password for " + username);
    if (!password) {
        std::cerr << "relais: no password on standard input\n";
        return 1;
    }
    auto user = app->auth().set_password(username, *password);
    if (!user) {
        print_problems(user.error());
        return 1;
    }
    std::cout << "password of \"" << user->username << "\" changed; their sessions were closed\n";
    return 0;
}

int run_user_list(const std::string& config_path) {
    auto app = open_or_report(config_path);
    if (!app) return 1;
    auto users = app->auth().list_users();
    if (!users) {
        print_problems(users.error());
        return 2;
    }
    for (const User& u : *users) {
        std::cout << u.username << "\t" << to_string(u.role) << "\t" << (u.active ? "active" : "inactive") << "\t"
                  << u.display_name << "\n";
    }
    return 0;
}

int run_apikey_create(const std::string& config_path, const std::string& name) {
    auto app = open_or_report(config_path);
    if (!app) return 1;
    auto key = app->auth().create_api_key(name, std::nullopt);
    if (!key) {
        print_problems(key.error());
        return 1;
    }
    std::cerr << "API key \"" << key->record.name << "\" created. It is shown only now: store it in the DMS.\n";
    std::cout << key->key << "\n";
    return 0;
}

int run_apikey_list(const std::string& config_path) {
    auto app = open_or_report(config_path);
    if (!app) return 1;
    auto keys = app->auth().list_api_keys();
    if (!keys) {
        print_problems(keys.error());
        return 2;
    }
    for (const auto& k : *keys) {
        std::cout << k.name << "\t" << k.prefix << "…\t" << (k.revoked_at ? "revoked" : "active") << "\n";
    }
    return 0;
}

int run_apikey_revoke(const std::string& config_path, const std::string& name) {
    auto app = open_or_report(config_path);
    if (!app) return 1;
    if (auto r = app->auth().revoke_api_key_by_name(name); !r) {
        std::cerr << "relais: no active API key named \"" << name << "\"\n";
        return 1;
    }
    std::cout << "API key \"" << name << "\" revoked\n";
    return 0;
}

int run_modem_ports() {
    std::cout << modem_ports_report(modem::list_serial_ports());
    return 0;
}

int run_send_test_email(const std::string& config_path, const std::string& to, int timeout_s, bool verbose) {
    auto config = load_config_or_report(config_path, ProblemReport::first_line);
    if (!config) return 1;
    auto address = normalize_email(to);
    if (!address) {
        std::cerr << "relais: --to: \"" << to << "\" is not an email address\n";
        return 1;
    }
    auto log = make_logger(verbose ? "debug" : "warn");
    boost::asio::io_context io;
    SystemClock clock;
    OpenSslRandom random;
    auto zone = make_system_time_zone(config->dealer.timezone);

    std::unique_ptr<mail::MailTransport> transport;
    if (config->mail.relay_host.empty()) {
        transport = make_mail_transport(io, *config, clock, mail_log_to(log));
    } else {
        mail::RelaySettings settings = relay_settings(*config);
        settings.timeouts.cap(std::chrono::seconds(timeout_s));
        transport = std::make_unique<mail::SmtpClient>(io, settings, mail_log_to(log));
    }
    std::cout << "sending a test email to " << *address << " through the " << transport->describe() << "\n";
    std::optional<mail::MailOutcome> outcome;
    const std::string message_id =
        send_test_email(*config, random, clock, *zone, *transport, *address, [&](mail::MailOutcome o) {
            outcome = std::move(o);
            if (auto* smtp = dynamic_cast<mail::SmtpClient*>(transport.get())) smtp->close();
        });
    io.run();
    if (!outcome) {
        std::cerr << "relais: the mail transport stopped without an answer\n";
        return 75;
    }
    if (outcome->delivered()) {
        if (config->mail.relay_host.empty()) {
            std::cout << "no relay configured ([mail] relay_host is empty): " << outcome->text << "\n";
        } else {
            std::cout << "the relay accepted it: " << outcome->code << " " << outcome->text << "\n";
            std::cout << (outcome->tls.empty() ? "sent without TLS" : "sent over " + outcome->tls) << "\n";
        }
        std::cout << "Message-ID: " << message_id << "\n";
        return 0;
    }
    const bool temporary = outcome->status == mail::DeliveryStatus::temporary;
    std::cerr << "relais: not sent (" << (temporary ? "temporary failure, worth retrying" : "refused")
              << "): " << (outcome->code ? std::to_string(outcome->code) + " " : "") << outcome->text << "\n";
    return temporary ? 75 : 1;
}

int run_seed_demo(const std::string& config_path, int count, unsigned long long seed) {
    auto app = open_or_report(config_path);
    if (!app) return 1;
    const auto started = std::chrono::steady_clock::now();
    // Three advisors to assign the ROs to; they get unusable random passwords until an admin
    // sets real ones.
    std::vector<Id> advisors;
    const std::array<std::pair<const char*, const char*>, 3> names = {
        {{"marie.lambert", "Marie Lambert"}, {"thomas.girard", "Thomas Girard"}, {"sophie.roux", "Sophie Roux"}}};
    auto existing = app->auth().list_users();
    if (!existing) {
        print_problems(existing.error());
        return 2;
    }
    for (const auto& [username, display] : names) {
        const auto found =
            std::find_if(existing->begin(), existing->end(), [&](const User& u) { return u.username == username; });
        if (found != existing->end()) {
            advisors.push_back(found->id);
            continue;
        }
        NewUser u;
        u.username = username;
        u.display_name = display;
        u.password = random_token(app->random(), 24);
        u.must_change_password = true;
        auto created = app->auth().create_user(u);
        if (!created) {
            print_problems(created.error());
            return 2;
        }
        advisors.push_back(created->id);
    }
    DemoOptions o;
    o.count = count;
    o.seed = seed;
    o.now = app->clock().now();
    o.days_back = std::max(30, count / 40);
    o.advisor_ids = advisors;
    o.zone = &app->zone();
    const auto items = make_demo_repair_orders(o);
    const Actor actor{Actor::Kind::system, 0, "seed-demo"};
    constexpr std::size_t chunk = 2000;
    for (std::size_t i = 0; i < items.size(); i += chunk) {
        std::vector<RepairOrderService::ImportItem> part(
            items.begin() + static_cast<std::ptrdiff_t>(i),
            items.begin() + static_cast<std::ptrdiff_t>(std::min(items.size(), i + chunk)));
        auto ids = app->repair_orders().import(part, actor);
        if (!ids) {
            print_problems(ids.error());
            return 2;
        }
    }
    const auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cout << "seeded " << items.size() << " demo repair orders in " << secs << " s\n";
    return 0;
}

}  // namespace relais
