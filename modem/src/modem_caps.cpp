#include "modem_caps.hpp"

#include "at_parser.hpp"
#include "text.hpp"

namespace relais::modem {
namespace {

std::string_view after_prefix(std::string_view line, std::string_view prefix) {
    line = trim(line);
    if (line.size() >= prefix.size() && ascii_upper(line.substr(0, prefix.size())) == prefix)
        line = trim(line.substr(prefix.size()));
    return line;
}

// "(a,b),(c),d" → {"a,b", "c", "d"}: the top-level comma-separated items, parentheses taken off.
std::optional<std::vector<std::string>> groups(std::string_view s) {
    std::vector<std::string> out;
    std::string cur;
    int depth = 0;
    bool quoted = false, any = false;
    for (char c : s) {
        if (c == '"') quoted = !quoted;
        if (!quoted && c == '(') {
            if (depth++ == 0) continue;
        } else if (!quoted && c == ')') {
            if (--depth < 0) return std::nullopt;
            if (depth == 0) continue;
        } else if (!quoted && c == ',' && depth == 0) {
            out.push_back(std::string(trim(cur)));
            cur.clear();
            any = true;
            continue;
        }
        cur += c;
    }
    if (depth != 0 || quoted) return std::nullopt;
    out.push_back(std::string(trim(cur)));
    if (!any && out.front().empty()) return std::nullopt;
    return out;
}

// "0-2,5" or "0,2" → {0,1,2,5}
std::optional<std::set<int>> values(std::string_view s) {
    std::set<int> out;
    std::size_t i = 0;
    while (i <= s.size()) {
        std::size_t comma = s.find(',', i);
        if (comma == std::string_view::npos) comma = s.size();
        const std::string_view item = trim(s.substr(i, comma - i));
        const std::size_t dash = item.find('-');
        if (dash == std::string_view::npos) {
            const auto v = parse_at_number(item);
            if (!v) return std::nullopt;
            out.insert(*v);
        } else {
            const auto lo = parse_at_number(trim(item.substr(0, dash)));
            const auto hi = parse_at_number(trim(item.substr(dash + 1)));
            if (!lo || !hi || *hi < *lo || *hi - *lo > 32) return std::nullopt;
            for (int v = *lo; v <= *hi; ++v) out.insert(v);
        }
        i = comma + 1;
    }
    return out;
}

}  // namespace

Vendor vendor_of(std::string_view manufacturer) {
    const std::string m = ascii_lower(manufacturer);
    if (m.find("quectel") != std::string::npos) return Vendor::quectel;
    if (m.find("simcom") != std::string::npos) return Vendor::simcom;
    if (m.find("huawei") != std::string::npos) return Vendor::huawei;
    if (m.find("telit") != std::string::npos) return Vendor::telit;
    return Vendor::other;
}

std::string Memories::preferred() const {
    if (lists.empty()) return "";
    for (const char* candidate : {"SM", "ME", "MT"}) {
        bool everywhere = true;
        for (const auto& l : lists) everywhere = everywhere && l.count(candidate);
        if (everywhere) return candidate;
    }
    return "";
}

bool Memories::has_status_reports() const { return !lists.empty() && lists.front().count("SR") > 0; }

std::optional<Memories> parse_cpms_test(std::string_view line) {
    const auto g = groups(after_prefix(line, "+CPMS:"));
    if (!g || g->empty()) return std::nullopt;
    Memories m;
    for (const auto& item : *g) {
        std::set<std::string> names;
        std::string cur;
        bool quoted = false;
        for (char c : item) {
            if (c == '"') {
                if (quoted && !cur.empty()) names.insert(ascii_upper(cur));
                cur.clear();
                quoted = !quoted;
            } else if (quoted) {
                cur += c;
            }
        }
        if (names.empty()) return std::nullopt;
        m.lists.push_back(std::move(names));
    }
    return m;
}

std::string Cnmi::command() const {
    return "AT+CNMI=" + std::to_string(mode) + "," + std::to_string(mt) + "," + std::to_string(bm) + "," +
           std::to_string(ds) + "," + std::to_string(bfr);
}

std::vector<Cnmi> cnmi_ladder(std::optional<std::string_view> test_answer) {
    std::vector<std::set<int>> allowed;
    if (test_answer) {
        if (const auto g = groups(after_prefix(*test_answer, "+CNMI:"))) {
            for (const auto& item : *g) {
                auto v = values(item);
                if (!v) {
                    allowed.clear();
                    break;
                }
                allowed.push_back(std::move(*v));
            }
        }
    }
    const auto ok = [&](std::size_t field, int value) {
        return allowed.size() <= field || allowed[field].count(value) > 0;
    };
    std::vector<Cnmi> out;
    for (int ds : {1, 2, 0}) {
        for (int mode : {2, 1}) {
            const int bm = ok(2, 0) ? 0 : allowed.size() > 2 && !allowed[2].empty() ? *allowed[2].begin() : 0;
            const Cnmi c{mode, 1, bm, ds, 0};
            if (ok(0, mode) && ok(1, 1) && ok(3, ds)) out.push_back(c);
        }
    }
    if (out.empty()) {  // an answer that rules everything out is not believed
        for (int ds : {1, 2, 0}) out.push_back(Cnmi{2, 1, 0, ds, 0});
    }
    return out;
}

std::optional<Cnmi> parse_cnmi_read(std::string_view line) {
    const auto g = groups(after_prefix(line, "+CNMI:"));
    if (!g || g->size() < 4) return std::nullopt;
    Cnmi c;
    int* fields[] = {&c.mode, &c.mt, &c.bm, &c.ds, &c.bfr};
    for (std::size_t i = 0; i < g->size() && i < 5; ++i) {
        const auto v = parse_at_number((*g)[i]);
        if (!v) return std::nullopt;
        *fields[i] = *v;
    }
    return c;
}

}  // namespace relais::modem
