#pragma once
// Fakes and fixtures for unit tests (ENGINEERING.md, "Inject the world"): a clock the test
// moves, predictable randomness, a fresh database in a temporary folder, cheap password
// hashing, and the services wired together as in the appliance.

#include "auth.hpp"
#include "clock.hpp"
#include "config.hpp"
#include "db.hpp"
#include "migrations.hpp"
#include "password.hpp"
#include "phone.hpp"
#include "random.hpp"
#include "ro_service.hpp"
#include "timezone.hpp"

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

namespace spdlog {
class logger;
}

namespace relais::test {

class FakeClock final : public Clock {
public:
    explicit FakeClock(UnixMs start = 1'795'000'000'000LL) : now_(start) {}  // 2026-11-18
    UnixMs now() const override { return now_.load(); }
    void advance_ms(UnixMs ms) { now_ += ms; }
    void set(UnixMs t) { now_ = t; }

private:
    std::atomic<UnixMs> now_;
};

/// Different bytes on every call, the same sequence in every run; thread-safe like the real one.
class FakeRandom final : public Random {
public:
    void fill(std::span<std::uint8_t> out) override {
        std::lock_guard lock(mutex_);
        for (auto& b : out)
            b = static_cast<std::uint8_t>((counter_ = counter_ * 6364136223846793005ULL + 1442695040888963407ULL) >>
                                          56);
    }

private:
    std::mutex mutex_;
    std::uint64_t counter_ = 42;
};

/// What configuration checks ask of the machine, without the machine: the time zones
/// Europe/Paris and Europe/Brussels, the countries FR and BE.
ConfigEnvironment config_environment();

/// A fresh folder under /tmp, removed at the end of the test.
class TempDir {
public:
    TempDir();
    ~TempDir();
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

/// A file's bytes ("" when it cannot be read); a file written whole, its folders made first.
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& bytes);

/// A logger that writes nowhere. Declared only: spdlog's header is heavy, and most tests
/// just hand the logger on (the few that log themselves include spdlog).
std::shared_ptr<spdlog::logger> null_logger();

/// The least a repair order needs (a vehicle's plate): for tests about something else.
inline RepairOrderPatch with_plate(const char* plate = "AB-123-CD") {
    RepairOrderPatch p;
    VehiclePatch v;
    v.plate = std::string(plate);
    p.vehicle = v;
    return p;
}

/// A migrated database and the services over it, with fake time and randomness.
struct World {
    World();
    TempDir dir;
    FakeClock clock;
    FakeRandom random;
    std::unique_ptr<TimeZone> zone = make_fixed_offset_zone(60);  // Paris in winter
    std::unique_ptr<PhoneNumbers> phones = make_phone_numbers("FR");
    std::unique_ptr<Database> db;
    std::unique_ptr<PasswordHasher> hasher;
    std::unique_ptr<AuthService> auth;
    std::unique_ptr<RepairOrderService> ros;
    Actor actor{Actor::Kind::user, 1, "Test"};

    /// A user with a known password ("correct horse battery").
    User add_user(const std::string& name, UserRole role = UserRole::advisor);
};

}  // namespace relais::test
