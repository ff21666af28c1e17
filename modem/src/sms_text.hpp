#pragma once
// What an SMS text costs and how it is cut, before anything is sent: GSM 7-bit when every
// character has a GSM form, else UCS-2 — never a silently simplified text ("prêt" stays
// "prêt" and goes as UCS-2). Parts hold 153 septets or 67 UTF-16 units when concatenated
// (160 / 70 alone), and a part never ends between an escape and its character or inside a
// surrogate pair. Transliteration to GSM is an explicit option, never the default.

#include "result.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace relais::modem {

enum class SmsEncoding { gsm7, ucs2 };
enum class Transliteration { off, to_gsm7 };

std::string_view to_string(SmsEncoding e);

struct SmsText {
    std::string text;  // what will be sent (the input, unless transliterated)
    SmsEncoding encoding = SmsEncoding::gsm7;
    bool transliterated = false;
    std::size_t characters = 0;  // code points
    std::size_t units = 0;       // septets (gsm7) or UTF-16 code units (ucs2), all parts
    /// Per part: septets (gsm7, one per unit) or UTF-16BE octets (ucs2, two per unit).
    std::vector<std::vector<std::uint8_t>> parts;
};

constexpr std::size_t max_parts = 255;  // the concatenation header counts parts in one octet

/// Errors: "sms_empty", "sms_invalid_utf8", "sms_too_long" (more than max_parts parts).
Result<SmsText> prepare_sms(std::string_view utf8, Transliteration transliteration = Transliteration::off);

/// The closest GSM 7-bit text: accents dropped where GSM has no such letter (ê → e, ç → c,
/// œ → oe), typographic quotes and dashes made plain, anything else '?'.
std::string transliterate_to_gsm7(std::string_view utf8);

}  // namespace relais::modem
