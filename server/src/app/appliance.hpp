#pragma once
// The appliance's parts, opened and wired in one place: data directory, database (migrated),
// clock, randomness, phone numbers, time zone, and the services. The `relais` server and the
// command-line tools (user, apikey, seed-demo) open the same Appliance.

#include "auth.hpp"
#include "config.hpp"
#include "db.hpp"
#include "phone.hpp"
#include "random.hpp"
#include "ro_service.hpp"
#include "timezone.hpp"

#include <memory>

namespace spdlog {
class logger;
}

namespace relais {

class Appliance {
public:
    /// Creates the data directory (mode 0700) if needed, opens and migrates the database; an
    /// older schema is first copied to backups_path(), and not migrated if that fails.
    static Result<std::unique_ptr<Appliance>> open(const Config& config, std::shared_ptr<spdlog::logger> log);
    ~Appliance();

    const Config& config() const { return config_; }
    Database& db() { return *db_; }
    AuthService& auth() { return *auth_; }
    RepairOrderService& repair_orders() { return *repair_orders_; }
    const PhoneNumbers& phones() const { return *phones_; }
    const TimeZone& zone() const { return *zone_; }
    const Clock& clock() const { return clock_; }
    Random& random() { return random_; }
    std::shared_ptr<spdlog::logger> log() const { return log_; }
    std::string database_path() const;
    /// Where the database is copied before a schema migration (schema_backup.hpp).
    std::string backups_path() const;

private:
    explicit Appliance(const Config& config) : config_(config) {}

    Config config_;
    std::shared_ptr<spdlog::logger> log_;
    SystemClock clock_;
    OpenSslRandom random_;
    std::unique_ptr<TimeZone> zone_;
    std::unique_ptr<PhoneNumbers> phones_;
    std::unique_ptr<Database> db_;
    std::unique_ptr<PasswordHasher> hasher_;
    std::unique_ptr<AuthService> auth_;
    std::unique_ptr<RepairOrderService> repair_orders_;
};

/// What configuration checks ask of this machine: its time zones, libphonenumber's regions.
ConfigEnvironment appliance_config_environment();

/// Loads and checks the configuration; on problems prints them (all, or the first with a
/// count) to stderr and returns nullopt.
enum class ProblemReport { all, first_line };
std::optional<Config> load_config_or_report(const std::string& path, ProblemReport report);

/// The configuration file to use when none is given: $RELAIS_CONFIG, /etc/relais/relais.toml,
/// or config/relais.toml in a checkout.
std::string default_config_path();

std::shared_ptr<spdlog::logger> make_logger(const std::string& level);

}  // namespace relais
