#include "septets.hpp"

namespace relais::modem {

std::vector<std::uint8_t> pack_septets(std::span<const std::uint8_t> septets, int fill_bits) {
    const std::size_t bits = static_cast<std::size_t>(fill_bits) + septets.size() * 7;
    std::vector<std::uint8_t> out((bits + 7) / 8, 0);
    std::size_t bit = static_cast<std::size_t>(fill_bits);
    for (std::uint8_t s : septets) {
        const unsigned v = s & 0x7F;
        const std::size_t byte = bit / 8;
        const unsigned shift = static_cast<unsigned>(bit % 8);
        out[byte] = static_cast<std::uint8_t>(out[byte] | (v << shift));
        if (shift > 1) out[byte + 1] = static_cast<std::uint8_t>(out[byte + 1] | (v >> (8 - shift)));
        bit += 7;
    }
    return out;
}

std::vector<std::uint8_t> unpack_septets(std::span<const std::uint8_t> octets, std::size_t count, int fill_bits) {
    std::vector<std::uint8_t> out;
    out.reserve(count);
    std::size_t bit = static_cast<std::size_t>(fill_bits);
    for (std::size_t i = 0; i < count; ++i, bit += 7) {
        const std::size_t byte = bit / 8;
        if (byte >= octets.size()) break;
        const unsigned shift = static_cast<unsigned>(bit % 8);
        unsigned v = static_cast<unsigned>(octets[byte]) >> shift;
        if (shift > 1) {
            if (byte + 1 >= octets.size()) {
                // The last septet's high bits would be in an octet that is not there.
                break;
            }
            v |= static_cast<unsigned>(octets[byte + 1]) << (8 - shift);
        }
        out.push_back(static_cast<std::uint8_t>(v & 0x7F));
    }
    return out;
}

}  // namespace relais::modem
