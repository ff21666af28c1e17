#pragma once
// 7-bit packing (3GPP TS 23.038 §6.1.2.1.1): septets laid end to end, least significant bit
// first. `fill_bits` zero bits come first when a user data header precedes the text, so the
// text starts on a septet boundary.

#include <cstdint>
#include <span>
#include <vector>

namespace relais::modem {

std::vector<std::uint8_t> pack_septets(std::span<const std::uint8_t> septets, int fill_bits = 0);

/// `count` septets from `octets`, after `fill_bits`; fewer if the octets run out.
std::vector<std::uint8_t> unpack_septets(std::span<const std::uint8_t> octets, std::size_t count, int fill_bits = 0);

}  // namespace relais::modem
