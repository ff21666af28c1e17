#include "mime.hpp"

#include "civil_time.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace relais::mail {
namespace {

constexpr std::size_t kMaxLine = 78;    // RFC 5322 §2.1.1: SHOULD
constexpr std::size_t kQpLine = 76;     // RFC 2045 §6.7 rule 5
constexpr std::size_t kWordLimit = 75;  // RFC 2047 §2: an encoded-word

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kHex[] = "0123456789ABCDEF";

bool is_ascii_printable(unsigned char c) { return c >= 0x20 && c < 0x7f; }

// Length of the UTF-8 sequence that starts with `lead` (1 for stray bytes, so they are
// never glued to a neighbour).
std::size_t utf8_sequence_length(unsigned char lead) {
    if (lead < 0x80) return 1;
    if ((lead & 0xe0) == 0xc0) return 2;
    if ((lead & 0xf0) == 0xe0) return 3;
    if ((lead & 0xf8) == 0xf0) return 4;
    return 1;
}

// RFC 5322 atext, for display names that need no quotes.
bool is_atext(unsigned char c) {
    if (std::isalnum(c) != 0) return true;
    static constexpr std::string_view extra = "!#$%&'*+-/=?^_`{|}~";
    return extra.find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_plain_ascii(std::string_view s) {
    for (unsigned char c : s)
        if (!is_ascii_printable(c)) return false;
    return true;
}

// Joins tokens with single spaces, breaking lines before a token when the line would pass
// 78 octets. `used` is what the line already holds ("Subject: ").
std::string fold_tokens(const std::vector<std::string>& tokens, std::size_t used) {
    std::string out;
    std::size_t column = used;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const std::string& t = tokens[i];
        if (i > 0) {
            if (column + 1 + t.size() > kMaxLine) {
                out += "\r\n ";
                column = 1;
            } else {
                out += ' ';
                ++column;
            }
        }
        out += t;
        column += t.size();
    }
    return out;
}

// RFC 2047 "B" encoded-words for `text`, each holding whole UTF-8 characters; the first is
// sized to fit after `first_used` columns, the rest after a folding space.
std::vector<std::string> encoded_words(std::string_view text, std::size_t first_used) {
    static constexpr std::string_view prefix = "=?utf-8?B?";
    static constexpr std::string_view suffix = "?=";
    std::vector<std::string> words;
    std::size_t i = 0;
    std::size_t room = first_used + 1 + prefix.size() + suffix.size() < kMaxLine
                           ? kMaxLine - first_used - 1 - prefix.size() - suffix.size()
                           : kWordLimit - prefix.size() - suffix.size();
    room = std::min(room, kWordLimit - prefix.size() - suffix.size());
    while (i < text.size()) {
        std::size_t max_bytes = std::max<std::size_t>(room / 4 * 3, 3);
        std::size_t end = i;
        while (end < text.size()) {
            std::size_t n = utf8_sequence_length(static_cast<unsigned char>(text[end]));
            if (end + n > text.size()) n = text.size() - end;
            if (end - i + n > max_bytes && end > i) break;
            end += n;
        }
        words.push_back(std::string(prefix) + base64_encode(text.substr(i, end - i)) + std::string(suffix));
        i = end;
        room = kWordLimit - prefix.size() - suffix.size();
    }
    if (words.empty()) words.push_back(std::string(prefix) + std::string(suffix));
    return words;
}

bool needs_encoded_words(std::string_view text) {
    if (!is_plain_ascii(text)) return true;
    if (text.find("=?") != std::string_view::npos) return true;
    if (text.empty()) return false;
    if (text.front() == ' ' || text.back() == ' ' || text.find("  ") != std::string_view::npos) return true;
    std::size_t word = 0;
    for (char c : text) {
        word = c == ' ' ? 0 : word + 1;
        if (word > kMaxLine - 10) return true;  // a word that could not be folded
    }
    return false;
}

std::vector<std::string> split_spaces(std::string_view text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t sp = text.find(' ', start);
        if (sp == std::string_view::npos) sp = text.size();
        out.emplace_back(text.substr(start, sp - start));
        start = sp + 1;
    }
    return out;
}

// Tokens for a display name: a single atom or quoted-string, or encoded-words.
std::vector<std::string> display_name_tokens(std::string_view name, std::size_t used) {
    if (name.empty()) return {};
    if (needs_encoded_words(name)) return encoded_words(name, used);
    bool atoms_only = true;
    for (unsigned char c : name)
        if (!is_atext(c) && c != ' ') atoms_only = false;
    if (atoms_only) return split_spaces(name);
    std::string quoted = "\"";
    for (char c : name) {
        if (c == '"' || c == '\\') quoted += '\\';
        quoted += c;
    }
    quoted += '"';
    return {quoted};
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        std::uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) |
                          (static_cast<unsigned char>(bytes[i + 1]) << 8) | static_cast<unsigned char>(bytes[i + 2]);
        out += kBase64[(v >> 18) & 63];
        out += kBase64[(v >> 12) & 63];
        out += kBase64[(v >> 6) & 63];
        out += kBase64[v & 63];
    }
    if (std::size_t rest = bytes.size() - i; rest > 0) {
        std::uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
        if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        out += kBase64[(v >> 18) & 63];
        out += kBase64[(v >> 12) & 63];
        out += rest == 2 ? kBase64[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::string base64_body(std::string_view bytes) {
    std::string encoded = base64_encode(bytes);
    std::string out;
    for (std::size_t i = 0; i < encoded.size(); i += 76) {
        out.append(encoded, i, 76);
        out += "\r\n";
    }
    return out;
}

std::string quoted_printable(std::string_view text) {
    std::string out;
    std::string line;  // the encoded current line, without its line end

    auto flush_soft = [&] {
        out += line;
        out += "=\r\n";
        line.clear();
    };
    auto put = [&](std::string_view piece) {
        // A soft break needs one column for '='.
        if (line.size() + piece.size() > kQpLine - 1) flush_soft();
        line += piece;
    };
    auto escape = [](unsigned char c) {
        std::string e = "=";
        e += kHex[c >> 4];
        e += kHex[c & 15];
        return e;
    };

    std::size_t i = 0;
    while (i <= text.size()) {
        std::size_t end = text.find('\n', i);
        bool last = end == std::string_view::npos;
        if (last) end = text.size();
        std::string_view raw = text.substr(i, end - i);
        if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);

        for (std::size_t k = 0; k < raw.size(); ++k) {
            auto c = static_cast<unsigned char>(raw[k]);
            bool at_start = k == 0;
            bool at_end = k + 1 == raw.size();
            bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_end);
            if (at_start && c == 'F' && raw.substr(0, 5) == "From ") literal = false;
            if (at_start && c == '.') literal = false;
            if (literal) {
                char ch = static_cast<char>(c);
                put(std::string_view(&ch, 1));
            } else {
                put(escape(c));
            }
        }
        out += line;
        line.clear();
        if (last) break;
        out += "\r\n";
        i = end + 1;
    }
    return out;
}

TransferEncoding choose_transfer_encoding(std::string_view text) {
    std::size_t escaped = 0;
    for (unsigned char c : text)
        if (c >= 0x80 || c == '=') ++escaped;
    // "=XX" triples each byte: past about a third of the bytes, base64 (4/3) is shorter and
    // no less readable for what is already unreadable.
    return escaped * 3 > text.size() ? TransferEncoding::base64 : TransferEncoding::quoted_printable;
}

std::string encode_unstructured(std::string_view text, std::size_t name_length) {
    std::size_t used = name_length + 2;
    if (needs_encoded_words(text)) return fold_tokens(encoded_words(text, used), used);
    return fold_tokens(split_spaces(text), used);
}

std::string format_mailbox(const Mailbox& mailbox) {
    std::vector<std::string> tokens = display_name_tokens(mailbox.name, 0);
    if (tokens.empty()) return "<" + mailbox.address + ">";
    std::string out;
    for (const auto& t : tokens) out += t + " ";
    return out + "<" + mailbox.address + ">";
}

std::string format_date(UnixMs instant, int utc_offset_minutes) {
    static constexpr std::array<const char*, 7> days = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr std::array<const char*, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const CivilTime c = civil_from_utc(instant + static_cast<UnixMs>(utc_offset_minutes) * 60'000);
    const int off = utc_offset_minutes < 0 ? -utc_offset_minutes : utc_offset_minutes;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %d %s %04d %02d:%02d:%02d %c%02d%02d",
                  days[static_cast<std::size_t>(weekday_of(c))], c.day, months[static_cast<std::size_t>(c.month - 1)],
                  c.year, c.hour, c.minute, c.second, utc_offset_minutes < 0 ? '-' : '+', off / 60, off % 60);
    return buf;
}

std::string_view domain_of(std::string_view address) {
    std::size_t at = address.rfind('@');
    return at == std::string_view::npos ? std::string_view{} : address.substr(at + 1);
}

bool needs_smtputf8(std::string_view address) {
    for (unsigned char c : address)
        if (c >= 0x80) return true;
    return false;
}

namespace {

std::string mailbox_list(const std::vector<Mailbox>& boxes, std::size_t used) {
    std::vector<std::string> tokens;
    for (std::size_t i = 0; i < boxes.size(); ++i) {
        auto name = display_name_tokens(boxes[i].name, tokens.empty() ? used : 1);
        tokens.insert(tokens.end(), name.begin(), name.end());
        tokens.push_back("<" + boxes[i].address + ">" + (i + 1 < boxes.size() ? "," : ""));
    }
    return fold_tokens(tokens, used);
}

std::string header(std::string_view name, const std::string& folded_value) {
    return std::string(name) + ": " + folded_value + "\r\n";
}

std::string part(std::string_view type, std::string_view text) {
    std::string out = "Content-Type: ";
    out += type;
    out += "; charset=utf-8\r\n";
    if (choose_transfer_encoding(text) == TransferEncoding::base64) {
        // Base64 carries the canonical form of text (RFC 2045 §6.8): CRLF line ends.
        std::string canonical;
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) canonical += '\r';
            canonical += text[i];
        }
        out += "Content-Transfer-Encoding: base64\r\n\r\n";
        out += base64_body(canonical);
    } else {
        out += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
        out += quoted_printable(text);
        out += "\r\n";
    }
    return out;
}

}  // namespace

std::string build_mime(const MailMessage& message, std::string_view boundary) {
    std::string out;
    out += header("From", mailbox_list({message.from}, 4));
    if (!message.reply_to.address.empty()) out += header("Reply-To", mailbox_list({message.reply_to}, 8));
    out += header("To", mailbox_list(message.to, 2));
    out += header("Subject", encode_unstructured(message.subject, 7));
    out += header("Date", format_date(message.date, message.utc_offset_minutes));
    out += header("Message-ID", message.message_id);
    out += "MIME-Version: 1.0\r\n";
    if (message.auto_submitted == AutoSubmitted::auto_generated) {
        // RFC 3834; the second keeps Exchange's out-of-office replies away.
        out += "Auto-Submitted: auto-generated\r\n";
        out += "X-Auto-Response-Suppress: All\r\n";
    }
    if (message.html.empty()) {
        out += part("text/plain", message.text);
        return out;
    }
    out += "Content-Type: multipart/alternative;\r\n boundary=\"";
    out += boundary;
    out += "\"\r\n\r\n";
    out += "--";
    out += boundary;
    out += "\r\n";
    out += part("text/plain", message.text);
    out += "--";
    out += boundary;
    out += "\r\n";
    out += part("text/html", message.html);
    out += "--";
    out += boundary;
    out += "--\r\n";
    return out;
}

}  // namespace relais::mail
