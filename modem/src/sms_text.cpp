#include "sms_text.hpp"

#include "gsm_alphabet.hpp"
#include "text.hpp"

#include <array>

namespace relais::modem {
namespace {

constexpr std::size_t gsm7_single = 160, gsm7_part = 153, ucs2_single = 70, ucs2_part = 67;

// Latin letters GSM 7-bit lacks, with the letter a French or European reader expects instead.
std::string_view transliteration_of(char32_t c) {
    switch (c) {
        case U'à':
        case U'á':
        case U'â':
        case U'ã': return "a";
        case U'À':
        case U'Á':
        case U'Â':
        case U'Ã': return "A";
        case U'ç': return "c";
        case U'ê':
        case U'ë': return "e";
        case U'È':
        case U'Ê':
        case U'Ë': return "E";
        case U'í':
        case U'î':
        case U'ï': return "i";
        case U'Ì':
        case U'Í':
        case U'Î':
        case U'Ï': return "I";
        case U'ó':
        case U'ô':
        case U'õ': return "o";
        case U'Ò':
        case U'Ó':
        case U'Ô':
        case U'Õ': return "O";
        case U'ú':
        case U'û': return "u";
        case U'Ù':
        case U'Ú':
        case U'Û': return "U";
        case U'ý':
        case U'ÿ': return "y";
        case U'Ý':
        case U'Ÿ': return "Y";
        case U'œ': return "oe";
        case U'Œ': return "OE";
        // Central European letters (Škoda, Dvořák, Łódź, Kovačić): the letter without its mark.
        case U'š':
        case U'ś': return "s";
        case U'Š':
        case U'Ś': return "S";
        case U'ž':
        case U'ź':
        case U'ż': return "z";
        case U'Ž':
        case U'Ź':
        case U'Ż': return "Z";
        case U'č':
        case U'ć': return "c";
        case U'Č':
        case U'Ć': return "C";
        case U'ř': return "r";
        case U'Ř': return "R";
        case U'ł': return "l";
        case U'Ł': return "L";
        case U'ń':
        case U'ň': return "n";
        case U'Ń':
        case U'Ň': return "N";
        case U'ą':
        case U'ă': return "a";
        case U'Ą':
        case U'Ă': return "A";
        case U'ę':
        case U'ě': return "e";
        case U'Ę':
        case U'Ě': return "E";
        case U'ő': return "o";
        case U'Ő': return "O";
        case U'ű':
        case U'ů': return "u";
        case U'Ű':
        case U'Ů': return "U";
        case U'ď':
        case U'đ': return "d";
        case U'Ď':
        case U'Đ': return "D";
        case U'ť': return "t";
        case U'Ť': return "T";
        case U'‘':
        case U'’':
        case U'‚':
        case U'′': return "'";
        case U'“':
        case U'”':
        case U'„':
        case U'«':
        case U'»': return "\"";
        case U'–':
        case U'—':
        case U'‐':
        case U'‑': return "-";
        case U'…': return "...";
        case U'\u00A0':
        case U'\u202F':
        case U'\u2009':
        case U'\t': return " ";
        default: return "";
    }
}

}  // namespace

std::string_view to_string(SmsEncoding e) { return e == SmsEncoding::gsm7 ? "gsm7" : "ucs2"; }

std::string transliterate_to_gsm7(std::string_view utf8) {
    std::string out;
    for (char32_t c : utf8_to_utf32(utf8)) {
        if (gsm_septets(c)) {
            append_utf8(out, c);
        } else if (auto t = transliteration_of(c); !t.empty()) {
            out += t;
        } else {
            out += '?';
        }
    }
    return out;
}

Result<SmsText> prepare_sms(std::string_view utf8, Transliteration transliteration) {
    if (!is_valid_utf8(utf8)) return make_error(ErrorKind::invalid, "sms_invalid_utf8");
    if (utf8.empty()) return make_error(ErrorKind::invalid, "sms_empty");
    SmsText sms;
    sms.text = std::string(utf8);
    if (transliteration == Transliteration::to_gsm7) {
        sms.text = transliterate_to_gsm7(utf8);
        sms.transliterated = sms.text != utf8;
    }
    const std::u32string chars = utf8_to_utf32(sms.text);
    sms.characters = chars.size();

    // GSM 7-bit when every character has a form in it.
    std::vector<std::vector<std::uint8_t>> per_char;
    per_char.reserve(chars.size());
    bool gsm = true;
    for (char32_t c : chars) {
        auto septets = gsm_septets(c);
        if (!septets) {
            gsm = false;
            break;
        }
        per_char.push_back(std::move(*septets));
    }

    if (gsm) {
        sms.encoding = SmsEncoding::gsm7;
        for (const auto& s : per_char) sms.units += s.size();
        const std::size_t limit = sms.units <= gsm7_single ? gsm7_single : gsm7_part;
        sms.parts.emplace_back();
        for (const auto& s : per_char) {
            if (sms.parts.back().size() + s.size() > limit) sms.parts.emplace_back();
            sms.parts.back().insert(sms.parts.back().end(), s.begin(), s.end());
        }
    } else {
        sms.encoding = SmsEncoding::ucs2;
        std::vector<std::vector<std::uint8_t>> units;  // UTF-16BE octets per character
        units.reserve(chars.size());
        for (char32_t c : chars) {
            std::vector<std::uint8_t> u;
            const auto push = [&u](std::uint32_t v) {
                u.push_back(static_cast<std::uint8_t>(v >> 8));
                u.push_back(static_cast<std::uint8_t>(v & 0xFF));
            };
            if (c >= 0x10000) {
                const std::uint32_t v = static_cast<std::uint32_t>(c) - 0x10000;
                push(0xD800 + (v >> 10));
                push(0xDC00 + (v & 0x3FF));
            } else {
                push(static_cast<std::uint32_t>(c));
            }
            sms.units += u.size() / 2;
            units.push_back(std::move(u));
        }
        const std::size_t limit = (sms.units <= ucs2_single ? ucs2_single : ucs2_part) * 2;
        sms.parts.emplace_back();
        for (const auto& u : units) {
            if (sms.parts.back().size() + u.size() > limit) sms.parts.emplace_back();
            sms.parts.back().insert(sms.parts.back().end(), u.begin(), u.end());
        }
    }
    if (sms.parts.size() > max_parts) {
        return make_error(ErrorKind::invalid, "sms_too_long", {{"parts", std::to_string(sms.parts.size())}});
    }
    return sms;
}

}  // namespace relais::modem
