#include "text.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace relais {
namespace {

// Decodes one code point at s[i], advancing i. Returns 0xFFFFFFFF on malformed input.
std::uint32_t next_code_point(std::string_view s, std::size_t& i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
        ++i;
        return b0;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    std::uint32_t min = 0;
    if ((b0 & 0xE0) == 0xC0) {
        len = 2, cp = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        len = 3, cp = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        len = 4, cp = b0 & 0x07, min = 0x10000;
    } else {
        ++i;
        return 0xFFFFFFFF;
    }
    if (i + len > s.size()) {
        i = s.size();
        return 0xFFFFFFFF;
    }
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) {
            i += k;
            return 0xFFFFFFFF;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    i += len;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0xFFFFFFFF;
    return cp;
}

void append_utf8_cp(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Base letters of U+00C0..U+00FF; "" means "not a letter, keep as is".
constexpr const char* latin1[64] = {"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
                                    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
                                    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
                                    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y"};

// Base letters of U+0100..U+017F (Latin Extended-A).
constexpr const char* latin_ext_a[128] = {
    "a", "a", "a",  "a",  "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",   // 0100
    "d", "d", "e",  "e",  "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",   // 0110
    "g", "g", "g",  "g",  "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",   // 0120
    "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",   // 0130
    "l", "l", "l",  "n",  "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",   // 0140
    "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",   // 0150
    "s", "s", "t",  "t",  "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",   // 0160
    "u", "u", "u",  "u",  "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s"};  // 0170

const char* fold_code_point(std::uint32_t cp) {
    if (cp >= 0xC0 && cp <= 0xFF) return latin1[cp - 0xC0];
    if (cp >= 0x100 && cp <= 0x17F) return latin_ext_a[cp - 0x100];
    switch (cp) {
        case 0x218:
        case 0x219: return "s";  // Ș ș
        case 0x21A:
        case 0x21B: return "t";  // Ț ț
        case 0x2018:
        case 0x2019: return "'";
        case 0x201C:
        case 0x201D: return "\"";
        case 0x2010:
        case 0x2011:
        case 0x2012:
        case 0x2013:
        case 0x2014: return "-";
        default: return "";
    }
}

bool is_space_cp(std::uint32_t cp) {
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' || cp == 0xA0 ||
           cp == 0x202F || cp == 0x2009;
}

}  // namespace

std::u32string utf8_to_utf32(std::string_view s) {
    std::u32string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        const std::uint32_t cp = next_code_point(s, i);
        out += cp == 0xFFFFFFFF ? char32_t{0xFFFD} : static_cast<char32_t>(cp);
    }
    return out;
}

std::string utf32_to_utf8(std::u32string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char32_t cp : s) append_utf8_cp(out, cp);
    return out;
}

void append_utf8(std::string& out, char32_t code_point) { append_utf8_cp(out, code_point); }

bool is_valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        if (next_code_point(s, i) == 0xFFFFFFFF) return false;
    }
    return true;
}

std::size_t utf8_length(std::string_view s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

namespace {

// Length of the valid UTF-8 sequence at s[i] (1–4), or 0 when the byte there does not start one.
std::size_t valid_sequence_at(std::string_view s, std::size_t i) {
    std::size_t j = i;
    const std::uint32_t cp = next_code_point(s, j);
    if (cp == 0xFFFFFFFF) return 0;
    return j - i;
}

bool is_bidi_control(std::uint32_t cp) { return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069); }

constexpr char hex_digits[] = "0123456789ABCDEF";

}  // namespace

std::string escape_untrusted(std::string_view bytes, std::size_t max_bytes) {
    std::string out;
    out.reserve(bytes.size());
    std::size_t i = 0;
    while (i < bytes.size()) {
        const std::size_t start_of_char = out.size();
        const std::size_t n = valid_sequence_at(bytes, i);
        if (n == 0) {
            const auto b = static_cast<unsigned char>(bytes[i]);
            out += "\\x";
            out += hex_digits[b >> 4];
            out += hex_digits[b & 0xF];
            ++i;
        } else {
            std::size_t j = i;
            const std::uint32_t cp = next_code_point(bytes, j);
            if ((cp < 0x20 && cp != '\t') || cp == 0x7F) {
                out += "\\x";
                out += hex_digits[cp >> 4];
                out += hex_digits[cp & 0xF];
            } else if ((cp >= 0x80 && cp < 0xA0) || cp == 0x2028 || cp == 0x2029 || is_bidi_control(cp)) {
                out += "\\u";
                for (int shift = 12; shift >= 0; shift -= 4) out += hex_digits[(cp >> shift) & 0xF];
            } else {
                out.append(bytes.substr(i, n));
            }
            i += n;
        }
        if (max_bytes && out.size() > max_bytes) {
            out.resize(start_of_char);
            static constexpr std::string_view ellipsis = "\u2026";
            while (!out.empty() && out.size() + ellipsis.size() > max_bytes) {
                // Back off whole characters (everything in `out` is valid UTF-8 by now).
                std::size_t cut = out.size() - 1;
                while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
                out.resize(cut);
            }
            if (out.size() + ellipsis.size() <= max_bytes) out += ellipsis;
            return out;
        }
    }
    return out;
}

std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes) {
    if (s.size() <= max_bytes) return s;
    std::size_t cut = max_bytes;
    // Step back over continuation bytes to the start of the character that would be split.
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    return s.substr(0, cut);
}

bool has_bidi_controls(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size())
        if (const std::uint32_t cp = next_code_point(s, i); cp != 0xFFFFFFFF && is_bidi_control(cp)) return true;
    return false;
}

bool has_control_chars(std::string_view s, bool allow_newlines) {
    std::size_t i = 0;
    while (i < s.size()) {
        const std::uint32_t cp = next_code_point(s, i);
        if (allow_newlines && (cp == '\n' || cp == '\r' || cp == '\t')) continue;
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x2028 || cp == 0x2029) return true;
    }
    return false;
}

std::string_view trim(std::string_view s) {
    const auto is_space = [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    };
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

std::string fold_for_search(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    bool pending_space = false;
    std::size_t i = 0;
    while (i < s.size()) {
        const std::uint32_t cp = next_code_point(s, i);
        if (cp == 0xFFFFFFFF) continue;
        if (is_space_cp(cp)) {
            pending_space = !out.empty();
            continue;
        }
        if (cp >= 0x300 && cp <= 0x36F) continue;  // combining marks of decomposed text
        if (pending_space) {
            out += ' ';
            pending_space = false;
        }
        if (cp < 0x80) {
            out += (cp >= 'A' && cp <= 'Z') ? static_cast<char>(cp + 32) : static_cast<char>(cp);
            continue;
        }
        const char* base = fold_code_point(cp);
        if (*base) {
            out += base;
        } else {
            append_utf8_cp(out, cp);
        }
    }
    return out;
}

std::string compact_alnum(std::string_view s) {
    std::string folded = fold_for_search(s);
    std::string out;
    for (char c : folded) {
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out += c;
    }
    return out;
}

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    }
    return out;
}

std::string ascii_upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    }
    return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

}  // namespace relais
