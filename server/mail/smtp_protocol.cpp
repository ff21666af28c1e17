#include "smtp_protocol.hpp"

#include "mime.hpp"
#include "text.hpp"

#include <cctype>

namespace relais::mail {
namespace {

constexpr std::size_t kMaxReplyLine = 4096;
// A relay that never ends a multi-line reply must not grow our memory without bound.
constexpr std::size_t kMaxReplyLines = 200;

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

std::vector<std::string_view> words(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
        std::size_t start = i;
        while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
        if (i > start) out.push_back(s.substr(start, i - start));
    }
    return out;
}

}  // namespace

std::string SmtpReply::text() const {
    std::string out;
    for (const auto& l : lines) {
        if (!out.empty()) out += ' ';
        out += l;
    }
    return out;
}

std::string SmtpReply::summary() const {
    std::string out = std::to_string(code);
    if (!lines.empty() && !lines.back().empty()) out += " " + lines.back();
    return out;
}

std::string ReplyParser::feed(std::string_view bytes, std::vector<SmtpReply>& out) {
    if (failed_) return "the reply parser already failed";
    for (char c : bytes) {
        if (c != '\n') {
            if (partial_line_.size() >= kMaxReplyLine) {
                failed_ = true;
                return "reply line longer than 4096 octets";
            }
            partial_line_ += c;
            continue;
        }
        std::string line = std::move(partial_line_);
        partial_line_.clear();
        if (!line.empty() && line.back() == '\r') line.pop_back();
        bool digits = line.size() >= 3 && std::isdigit(static_cast<unsigned char>(line[0])) &&
                      std::isdigit(static_cast<unsigned char>(line[1])) &&
                      std::isdigit(static_cast<unsigned char>(line[2]));
        char sep = line.size() > 3 ? line[3] : ' ';
        if (!digits || line[0] < '1' || line[0] > '5' || (sep != ' ' && sep != '-')) {
            failed_ = true;
            return "not an SMTP reply: \"" + escape_untrusted(line, 120) + "\"";
        }
        int code = std::stoi(line.substr(0, 3));
        if (current_.code != 0 && current_.code != code) {
            failed_ = true;
            return "reply code changed within a multi-line reply";
        }
        if (current_.lines.size() >= kMaxReplyLines) {
            failed_ = true;
            return "reply longer than " + std::to_string(kMaxReplyLines) + " lines";
        }
        current_.code = code;
        // The relay's words are stored, logged and shown: valid UTF-8 from here on, the bytes
        // that were not (a relay answering in Latin-1) kept visible as \xHH.
        current_.lines.push_back(line.size() > 4 ? escape_untrusted(std::string_view(line).substr(4)) : std::string());
        if (sep == ' ') {
            out.push_back(std::move(current_));
            current_ = SmtpReply{};
        }
    }
    return {};
}

Capabilities parse_ehlo(const SmtpReply& reply) {
    Capabilities caps;
    caps.esmtp = true;
    for (std::size_t i = 1; i < reply.lines.size(); ++i) {
        auto w = words(reply.lines[i]);
        if (w.empty()) continue;
        std::string key = upper(w[0]);
        if (key == "STARTTLS")
            caps.starttls = true;
        else if (key == "PIPELINING")
            caps.pipelining = true;
        else if (key == "8BITMIME")
            caps.eight_bit_mime = true;
        else if (key == "SMTPUTF8")
            caps.smtputf8 = true;
        else if (key == "ENHANCEDSTATUSCODES")
            caps.enhanced_status_codes = true;
        else if (key == "SIZE") {
            caps.size_limit = 0;
            if (w.size() > 1) {
                std::uint64_t v = 0;
                bool ok = !w[1].empty() && w[1].size() < 19;
                for (char c : w[1]) {
                    if (!std::isdigit(static_cast<unsigned char>(c)))
                        ok = false;
                    else
                        v = v * 10 + static_cast<std::uint64_t>(c - '0');
                }
                if (ok) caps.size_limit = v;
            }
        } else if (key == "AUTH" || key.rfind("AUTH=", 0) == 0) {
            // "AUTH=PLAIN LOGIN" is what old Exchange and Outlook-era servers announced.
            if (key.size() > 5) caps.auth.insert(key.substr(5));
            for (std::size_t k = 1; k < w.size(); ++k) caps.auth.insert(upper(w[k]));
        }
    }
    return caps;
}

std::string dot_stuff(std::string_view message) {
    std::string out;
    out.reserve(message.size() + message.size() / 40 + 8);
    bool line_start = true;
    for (std::size_t i = 0; i < message.size(); ++i) {
        char c = message[i];
        if (line_start && c == '.') out += '.';
        line_start = false;
        if (c == '\r') {
            // A lone CR (never produced by mime.cpp) becomes a line end rather than a bare CR,
            // which RFC 5321 §2.3.8 forbids.
            out += "\r\n";
            if (i + 1 < message.size() && message[i + 1] == '\n') ++i;
            line_start = true;
        } else if (c == '\n') {
            out += "\r\n";
            line_start = true;
        } else {
            out += c;
        }
    }
    if (!line_start) out += "\r\n";
    out += ".\r\n";
    return out;
}

std::string auth_plain_response(std::string_view user, std::string_view password) {
    std::string raw;
    raw += '\0';
    raw += user;
    raw += '\0';
    raw += password;
    return base64_encode(raw);
}

bool is_safe_envelope_address(std::string_view address) {
    if (address.empty() || address.size() > 320) return false;
    for (unsigned char c : address)
        if (c <= 0x20 || c == 0x7f || c == '<' || c == '>') return false;
    return address.find('@') != std::string_view::npos;
}

const char* to_string(DeliveryStatus s) {
    switch (s) {
        case DeliveryStatus::delivered: return "delivered";
        case DeliveryStatus::temporary: return "temporary";
        case DeliveryStatus::permanent: return "permanent";
    }
    return "temporary";
}

DeliveryStatus status_for_code(int code) {
    if (code >= 200 && code < 300) return DeliveryStatus::delivered;
    if (code >= 500 && code < 600) return DeliveryStatus::permanent;
    return DeliveryStatus::temporary;
}

}  // namespace relais::mail
