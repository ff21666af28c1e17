#pragma once
// Password hashing behind an interface: production uses Argon2id with OWASP's parameters;
// unit tests use cheap parameters so that a login test runs in microseconds.

#include "clock.hpp"
#include "random.hpp"
#include "result.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace relais {

class PasswordHasher {
public:
    virtual ~PasswordHasher() = default;
    /// A self-describing encoded hash ("$argon2id$v=19$m=19456,t=2,p=1$salt$hash").
    virtual std::string hash(std::string_view password) = 0;
    virtual bool verify(std::string_view encoded, std::string_view password) = 0;
};

struct Argon2Params {
    std::uint32_t memory_kib = 19456;  // OWASP Password Storage Cheat Sheet: m=19 MiB, t=2, p=1
    std::uint32_t iterations = 2;
    std::uint32_t parallelism = 1;
};

/// Argon2id (libargon2). At most two hashes run at once, bounding memory to 2 × m.
std::unique_ptr<PasswordHasher> make_argon2id_hasher(Random& random, Argon2Params params = {});

/// Problems with a new password: "password_too_short" (under 10 characters),
/// "password_too_long" (over 256 bytes), "password_is_username".
std::optional<std::string> password_problem(std::string_view password, std::string_view username);

/// A one-time password people can type: 4 groups of 4 characters without look-alikes.
std::string generate_one_time_password(Random& random);

}  // namespace relais
