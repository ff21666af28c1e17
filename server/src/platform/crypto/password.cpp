#include "password.hpp"

#include "text.hpp"

#include <argon2.h>

#include <array>
#include <semaphore>
#include <vector>

namespace relais {
namespace {

class Argon2idHasher final : public PasswordHasher {
public:
    Argon2idHasher(Random& random, Argon2Params params) : random_(random), params_(params) {}

    std::string hash(std::string_view password) override {
        std::array<std::uint8_t, 16> salt{};
        random_.fill(salt);
        const std::size_t len =
            argon2_encodedlen(params_.iterations, params_.memory_kib, params_.parallelism, salt.size(), 32, Argon2_id);
        std::vector<char> encoded(len);
        Guard guard(slots_);
        const int rc =
            argon2id_hash_encoded(params_.iterations, params_.memory_kib, params_.parallelism, password.data(),
                                  password.size(), salt.data(), salt.size(), 32, encoded.data(), len);
        if (rc != ARGON2_OK) throw std::runtime_error(std::string("argon2id failed: ") + argon2_error_message(rc));
        return std::string(encoded.data());
    }

    bool verify(std::string_view encoded, std::string_view password) override {
        const std::string enc(encoded);
        Guard guard(slots_);
        return argon2id_verify(enc.c_str(), password.data(), password.size()) == ARGON2_OK;
    }

private:
    struct Guard {
        explicit Guard(std::counting_semaphore<2>& s) : sem(s) { sem.acquire(); }
        ~Guard() { sem.release(); }
        std::counting_semaphore<2>& sem;
    };
    Random& random_;
    Argon2Params params_;
    std::counting_semaphore<2> slots_{2};
};

}  // namespace

std::unique_ptr<PasswordHasher> make_argon2id_hasher(Random& random, Argon2Params params) {
    return std::make_unique<Argon2idHasher>(random, params);
}

std::optional<std::string> password_problem(std::string_view password, std::string_view username) {
    if (utf8_length(password) < 10) return "password_too_short";
    if (password.size() > 256) return "password_too_long";
    if (fold_for_search(password) == fold_for_search(username)) return "password_is_username";
    return std::nullopt;
}

std::string generate_one_time_password(Random& random) {
    static constexpr char alphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";  // no i, l, o, 0, 1
    constexpr std::size_t n = sizeof(alphabet) - 1;
    std::string out;
    std::array<std::uint8_t, 1> b{};
    while (out.size() < 19) {
        if (out.size() == 4 || out.size() == 9 || out.size() == 14) {
            out += '-';
            continue;
        }
        random.fill(b);
        if (b[0] >= 256 - (256 % n)) continue;  // rejection sampling: no modulo bias
        out += alphabet[b[0] % n];
    }
    return out;
}

}  // namespace relais
