#include "email_address.hpp"

#include "text.hpp"

#include <cstring>

namespace relais {
namespace {

Error email_error(const char* reason) { return make_error(ErrorKind::invalid, "email_invalid", {{"reason", reason}}); }

bool atext(unsigned char c) {
    if (c >= 0x80) return true;  // UTF-8 local parts (SMTPUTF8) are accepted
    if (std::isalnum(c)) return true;
    return std::strchr("!#$%&'*+-/=?^_`{|}~", c) != nullptr && c != 0;
}

bool valid_label(std::string_view label) {
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (unsigned char c : label) {
        if (!(std::isalnum(c) || c == '-' || c >= 0x80)) return false;
    }
    return true;
}

}  // namespace

Result<std::string> normalize_email(std::string_view input) {
    const std::string_view s = trim(input);
    for (unsigned char c : s) {
        if (c == ' ' || c == '\t') return email_error("spaces");
    }
    const auto at = s.rfind('@');
    if (at == std::string_view::npos) return email_error("missing_at");
    if (s.size() > 254) return email_error("too_long");
    const std::string_view local = s.substr(0, at);
    const std::string domain = ascii_lower(s.substr(at + 1));
    if (local.empty() || local.size() > 64 || local.front() == '.' || local.back() == '.' ||
        local.find("..") != std::string_view::npos)
        return email_error("local_part");
    for (unsigned char c : local) {
        if (c != '.' && !atext(c)) return email_error("local_part");
    }
    if (domain.empty() || domain.find('.') == std::string::npos || domain.back() == '.') return email_error("domain");
    std::size_t start = 0;
    while (start <= domain.size()) {
        const auto dot = domain.find('.', start);
        const std::string_view label =
            std::string_view(domain).substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (!valid_label(label)) return email_error("domain");
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    if (!is_valid_utf8(s)) return email_error("local_part");
    return std::string(local) + "@" + domain;
}

}  // namespace relais
