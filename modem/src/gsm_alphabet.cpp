#include "gsm_alphabet.hpp"

#include "text.hpp"

#include <array>
#include <unordered_map>

namespace relais::modem {
namespace {

// 3GPP TS 23.038 Figure 6.2.1: code → Unicode. 0x1B is the escape (shown as NBSP if alone).
constexpr std::array<char32_t, 128> default_alphabet = {
    U'@', U'£', U'$', U'¥', U'è', U'é', U'ù', U'ì',  U'ò', U'Ç', U'\n', U'Ø',      U'ø', U'\r', U'Å', U'å',
    U'Δ', U'_', U'Φ', U'Γ', U'Λ', U'Ω', U'Π', U'Ψ',  U'Σ', U'Θ', U'Ξ',  U'\u00A0', U'Æ', U'æ',  U'ß', U'É',
    U' ', U'!', U'"', U'#', U'¤', U'%', U'&', U'\'', U'(', U')', U'*',  U'+',      U',', U'-',  U'.', U'/',
    U'0', U'1', U'2', U'3', U'4', U'5', U'6', U'7',  U'8', U'9', U':',  U';',      U'<', U'=',  U'>', U'?',
    U'¡', U'A', U'B', U'C', U'D', U'E', U'F', U'G',  U'H', U'I', U'J',  U'K',      U'L', U'M',  U'N', U'O',
    U'P', U'Q', U'R', U'S', U'T', U'U', U'V', U'W',  U'X', U'Y', U'Z',  U'Ä',      U'Ö', U'Ñ',  U'Ü', U'§',
    U'¿', U'a', U'b', U'c', U'd', U'e', U'f', U'g',  U'h', U'i', U'j',  U'k',      U'l', U'm',  U'n', U'o',
    U'p', U'q', U'r', U's', U't', U'u', U'v', U'w',  U'x', U'y', U'z',  U'ä',      U'ö', U'ñ',  U'ü', U'à'};

// Figure 6.2.1.1: the extension table's codes (after the escape).
constexpr std::array<std::pair<std::uint8_t, char32_t>, 10> extension = {{{0x0A, U'\f'},
                                                                          {0x14, U'^'},
                                                                          {0x28, U'{'},
                                                                          {0x29, U'}'},
                                                                          {0x2F, U'\\'},
                                                                          {0x3C, U'['},
                                                                          {0x3D, U'~'},
                                                                          {0x3E, U']'},
                                                                          {0x40, U'|'},
                                                                          {0x65, U'€'}}};

const std::unordered_map<char32_t, std::uint8_t>& reverse_default() {
    static const auto table = [] {
        std::unordered_map<char32_t, std::uint8_t> m;
        for (std::size_t i = 0; i < default_alphabet.size(); ++i) {
            if (i != gsm_escape) m.emplace(default_alphabet[i], static_cast<std::uint8_t>(i));
        }
        return m;
    }();
    return table;
}

}  // namespace

char32_t gsm_default_char(std::uint8_t code) { return default_alphabet[code & 0x7F]; }

std::optional<std::vector<std::uint8_t>> gsm_septets(char32_t c) {
    const auto& rev = reverse_default();
    if (auto it = rev.find(c); it != rev.end()) return std::vector<std::uint8_t>{it->second};
    for (const auto& [code, ch] : extension) {
        if (ch == c) return std::vector<std::uint8_t>{gsm_escape, code};
    }
    return std::nullopt;
}

std::string gsm_decode(std::span<const std::uint8_t> septets) {
    std::string out;
    out.reserve(septets.size());
    for (std::size_t i = 0; i < septets.size(); ++i) {
        const std::uint8_t s = septets[i] & 0x7F;
        if (s == gsm_escape && i + 1 < septets.size()) {
            const std::uint8_t next = septets[++i] & 0x7F;
            char32_t ch = 0;
            for (const auto& [code, c] : extension) {
                if (code == next) ch = c;
            }
            append_utf8(out, ch ? ch : default_alphabet[next]);
        } else if (s == gsm_escape) {
            append_utf8(out, U' ');  // a lone escape at the end: nothing meaningful to show
        } else {
            append_utf8(out, default_alphabet[s]);
        }
    }
    return out;
}

}  // namespace relais::modem
