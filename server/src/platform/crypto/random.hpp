#pragma once
// Randomness for secrets comes in through this interface (ENGINEERING.md): production uses
// OpenSSL's CSPRNG; tests use a predictable fake.

#include <cstdint>
#include <span>
#include <string>

namespace relais {

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
