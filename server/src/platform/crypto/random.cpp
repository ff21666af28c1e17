#include "random.hpp"

#include "crypto.hpp"

#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace relais {

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
