#pragma once
// Time and randomness come in through these interfaces so that logic never calls now()
// or rand() itself (ENGINEERING.md, "Pass time in"). Production uses the System/OpenSsl
// implementations; tests use the fakes in tests/unit/fakes.hpp.

#include <cstdint>
#include <span>
#include <string>

namespace relais {

/// Milliseconds since the Unix epoch, UTC.
using UnixMs = std::int64_t;

class Clock {
public:
    virtual ~Clock() = default;
    /// Wall-clock time. Implementations must be callable from any thread.
    virtual UnixMs now() const = 0;
};

class SystemClock final : public Clock {
public:
    UnixMs now() const override;
};

class Random {
public:
    virtual ~Random() = default;
    /// Fills `out` with bytes fit for secrets. Must be callable from any thread.
    virtual void fill(std::span<std::uint8_t> out) = 0;
};

/// OpenSSL's CSPRNG (RAND_bytes). Aborts the process if the CSPRNG fails: no token may ever
/// be issued from weak randomness.
class OpenSslRandom final : public Random {
public:
    void fill(std::span<std::uint8_t> out) override;
};

/// `bytes` random bytes as unpadded base64url (for tokens in cookies and URLs).
std::string random_token(Random& random, std::size_t bytes);

}  // namespace relais
