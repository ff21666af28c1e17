#include "support.hpp"

#include <doctest/doctest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace relais::test {

std::shared_ptr<spdlog::logger> null_logger() {
    return std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
}

ConfigEnvironment config_environment() {
    ConfigEnvironment env;
    env.timezone_exists = [](std::string_view tz) { return tz == "Europe/Paris" || tz == "Europe/Brussels"; };
    env.phone_region_supported = [](std::string_view r) { return r == "FR" || r == "BE"; };
    return env;
}

TempDir::TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "relais-unit-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

void write_file(const std::string& path, const std::string& bytes) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

World::World() {
    auto opened = Database::open(dir.path() + "/relais.db", 2);
    REQUIRE(opened.ok());
    db = std::move(opened).value();
    auto migrated = db->with_writer([](Connection& c) { return migrate(c, builtin_migrations()); });
    REQUIRE(migrated.ok());
    // Argon2id with tiny parameters: the same code path, microseconds instead of 50 ms.
    hasher = make_argon2id_hasher(random, Argon2Params{64, 1, 1});
    auth = std::make_unique<AuthService>(
        AuthServiceDeps{.db = *db, .hasher = *hasher, .random = random, .clock = clock, .log = null_logger()});
    ros = std::make_unique<RepairOrderService>(
        RepairOrderServiceDeps{.db = *db, .phones = *phones, .clock = clock, .zone = *zone, .default_vat_bp = 2000});
}

User World::add_user(const std::string& name, UserRole role) {
    NewUser u;
    u.username = name;
    u.display_name = name;
    u.role = role;
    u.password = "correct horse battery";
    auto user = auth->create_user(u);
    REQUIRE(user.ok());
    return *user;
}

}  // namespace relais::test
