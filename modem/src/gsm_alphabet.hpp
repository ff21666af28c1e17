#pragma once
// The GSM 7-bit default alphabet and its extension table (3GPP TS 23.038 §6.2.1): which
// characters an SMS can carry in 7 bits, and what septets mean. Pure functions.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace relais::modem {

constexpr std::uint8_t gsm_escape = 0x1B;

/// The septets for one character: one from the default alphabet, or ESC + one from the
/// extension table (€ [ ] { } ^ ~ | \ and form feed cost two). nullopt when the character has
/// no GSM 7-bit form (ç, ê, â, œ, emoji...): such a text goes as UCS-2.
std::optional<std::vector<std::uint8_t>> gsm_septets(char32_t c);

/// The text of a septet sequence, as UTF-8. An escape followed by a code the extension table
/// does not have shows the default alphabet's character for that code (TS 23.038 §6.2.1.1).
std::string gsm_decode(std::span<const std::uint8_t> septets);

/// What a default-alphabet code means (0..127).
char32_t gsm_default_char(std::uint8_t code);

}  // namespace relais::modem
