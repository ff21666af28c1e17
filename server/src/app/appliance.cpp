#include "appliance.hpp"

#include "migrations.hpp"
#include "offer_service.hpp"
#include "schema_backup.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace relais {
namespace fs = std::filesystem;

std::shared_ptr<spdlog::logger> make_logger(const std::string& level) {
    auto logger = std::make_shared<spdlog::logger>("relais", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
    logger->set_level(spdlog::level::from_str(level));
    logger->flush_on(spdlog::level::info);
    return logger;
}

std::string default_config_path() {
    if (const char* env = std::getenv("RELAIS_CONFIG"); env && *env) return env;
    std::error_code ec;
    if (fs::exists("/etc/relais/relais.toml", ec)) return "/etc/relais/relais.toml";
    return "config/relais.toml";
}

ConfigEnvironment appliance_config_environment() {
    ConfigEnvironment env = ConfigEnvironment::system();
    env.phone_region_supported = phone_region_supported;
    env.read_phone = [](std::string_view number, std::string_view region) -> std::optional<ConfigEnvironment::Phone> {
        auto phones = make_phone_numbers(std::string(region));
        auto e164 = phones->normalize(number);
        if (!e164) return std::nullopt;
        return ConfigEnvironment::Phone{*e164, phones->display(*e164)};
    };
    return env;
}

std::optional<Config> load_config_or_report(const std::string& path, ProblemReport report) {
    ConfigLoad load = load_config_file(path, appliance_config_environment());
    if (load.config) return load.config;
    if (report == ProblemReport::all) {
        for (const auto& p : load.problems) std::cerr << p.to_string() << "\n";
        std::cerr << load.problems.size() << (load.problems.size() == 1 ? " problem" : " problems") << " in " << path
                  << "\n";
    } else {
        std::cerr << "relais: " << load.problems.front().to_string();
        if (load.problems.size() > 1) {
            std::cerr << " (and " << load.problems.size() - 1 << " more: run `relais check-config --config " << path
                      << "`)";
        }
        std::cerr << "\n";
    }
    return std::nullopt;
}

Appliance::~Appliance() = default;

std::string Appliance::database_path() const { return config_.storage.data_dir + "/relais.db"; }
std::string Appliance::backups_path() const { return config_.storage.data_dir + "/backups"; }

Result<std::unique_ptr<Appliance>> Appliance::open(const Config& config, std::shared_ptr<spdlog::logger> log) {
    std::unique_ptr<Appliance> a(new Appliance(config));
    a->log_ = std::move(log);
    std::error_code ec;
    fs::create_directories(config.storage.data_dir, ec);
    if (ec) return internal_error("cannot create the data directory " + config.storage.data_dir + ": " + ec.message());
    fs::permissions(config.storage.data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);

    a->zone_ = make_system_time_zone(config.dealer.timezone);
    a->phones_ = make_phone_numbers(config.dealer.country);
    TRY_ASSIGN(a->db_, Database::open(a->database_path(), 2 * config.http.threads));
    // An older schema is copied before it is migrated (issue 12): if the copy cannot be made,
    // nothing is migrated and relais does not start.
    const int latest = static_cast<int>(builtin_migrations().size());
    const UnixMs opened_at = a->clock_.now();
    TRY_ASSIGN(auto copy, a->db_->with_writer([&](Connection& c) {
        return backup_before_migration(c, a->backups_path(), latest, opened_at);
    }));
    if (copy)
        a->log_->info("database copied to {} before migrating from schema v{} to v{}", copy->path, copy->version,
                      latest);
    TRY_ASSIGN(int applied, a->db_->with_writer([](Connection& c) { return migrate(c, builtin_migrations()); }));
    if (applied > 0) a->log_->info("database schema migrated ({} migration{})", applied, applied == 1 ? "" : "s");
    // Search documents made by an older version are rebuilt once (what they hold has grown).
    TRY_ASSIGN(int reindexed,
               a->db_->write([](Connection& c) { return RepairOrderService::refresh_search_documents(c); }));
    if (reindexed > 0) a->log_->info("search: {} repair order{} indexed again", reindexed, reindexed == 1 ? "" : "s");
    a->hasher_ = make_argon2id_hasher(a->random_);
    a->auth_ = std::make_unique<AuthService>(AuthServiceDeps{
        .db = *a->db_, .hasher = *a->hasher_, .random = a->random_, .clock = a->clock_, .log = a->log_});
    a->repair_orders_ = std::make_unique<RepairOrderService>(
        RepairOrderServiceDeps{.db = *a->db_,
                               .phones = *a->phones_,
                               .clock = a->clock_,
                               .zone = *a->zone_,
                               .default_vat_bp = config.dealer.default_vat_rate_bp});
    // What a customer agreed to is the offers' to guard: a change to it must be said to be wanted.
    a->repair_orders_->set_agreement_guard(&OfferService::check_agreed_change);
    return a;
}

}  // namespace relais
