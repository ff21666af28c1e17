#include "at_parser.hpp"

#include "text.hpp"

namespace relais::modem {

std::vector<std::string> AtLineParser::feed(std::string_view bytes) {
    std::vector<std::string> lines;
    for (char c : bytes) {
        if (c == '\r' || c == '\n') {
            // A modem's words reach logs, the database and pages: valid UTF-8 from here on
            // (a translated firmware's Latin-1, line noise), what was not kept visible as \xHH.
            if (!partial_.empty()) lines.push_back(escape_untrusted(partial_));
            partial_.clear();
        } else if (c != '\0') {  // some modems emit NULs while booting
            if (partial_.size() >= max_line) partial_.clear();
            partial_ += c;
        }
    }
    return lines;
}

std::optional<int> parse_at_number(std::string_view s) {
    s = trim(s);
    if (s.empty() || s.size() > 9) return std::nullopt;
    int n = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + (c - '0');
    }
    return n;
}

std::vector<std::string> at_fields(std::string_view s) {
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false;
    for (char c : s) {
        if (c == '"') quoted = !quoted;
        if (c == ',' && !quoted) {
            out.emplace_back(trim(cur));
            cur.clear();
        } else {
            cur += c;
        }
    }
    out.emplace_back(trim(cur));
    return out;
}

std::string at_unquote(std::string s) {
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
    return s;
}

}  // namespace relais::modem
