#include "clock.hpp"

#include "crypto.hpp"

#include <openssl/rand.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace relais {

UnixMs SystemClock::now() const {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void OpenSslRandom::fill(std::span<std::uint8_t> out) {
    if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
        std::fputs("relais: fatal: the CSPRNG failed (RAND_bytes)\n", stderr);
        std::abort();
    }
}

std::string random_token(Random& random, std::size_t bytes) {
    std::vector<std::uint8_t> buf(bytes);
    random.fill(buf);
    return base64url(buf);
}

}  // namespace relais
