#pragma once
// Small cryptographic helpers over OpenSSL: hashing of tokens, constant-time comparison,
// base64url. Passwords use password.hpp (Argon2id), never these.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace relais {

/// SHA-256 of `data`, as 32 raw bytes in a string (for storing token hashes).
std::string sha256(std::string_view data);

/// SHA-256 over data given in parts (a file read in chunks). Not thread-safe: one owner.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(std::string_view data);
    /// The digest of everything given so far, as 64 lowercase hex digits; the hash goes on
    /// from there if update() is called again.
    std::string hex() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

/// Compares in time that depends only on the lengths, not on where the inputs differ.
bool constant_time_equal(std::string_view a, std::string_view b);

/// Unpadded base64url (RFC 4648 §5).
std::string base64url(std::span<const std::uint8_t> data);

std::string to_hex(std::string_view bytes);

}  // namespace relais
