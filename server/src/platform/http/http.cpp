#include "http.hpp"

#include "text.hpp"

namespace relais {
namespace {

const std::string* find(const NameValues& list, std::string_view name) {
    for (const auto& [k, v] : list) {
        if (k == name) return &v;
    }
    return nullptr;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string_view to_string(Method m) {
    switch (m) {
        case Method::get: return "GET";
        case Method::head: return "HEAD";
        case Method::post: return "POST";
        case Method::put: return "PUT";
        case Method::patch: return "PATCH";
        case Method::del: return "DELETE";
        case Method::options: return "OPTIONS";
        case Method::other: return "OTHER";
    }
    return "OTHER";
}

const std::string* HttpRequest::header(std::string_view lower_name) const { return find(headers, lower_name); }
const std::string* HttpRequest::cookie(std::string_view name) const { return find(cookies, name); }
const std::string* HttpRequest::query_param(std::string_view name) const { return find(query, name); }

HttpResponse& HttpResponse::header(std::string name, std::string value) {
    for (auto& [k, v] : headers) {
        if (ascii_lower(k) == ascii_lower(name)) {
            v = std::move(value);
            return *this;
        }
    }
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
}

const std::string* HttpResponse::find_header(std::string_view name) const {
    const std::string lower = ascii_lower(name);
    for (const auto& [k, v] : headers) {
        if (ascii_lower(k) == lower) return &v;
    }
    return nullptr;
}

std::string loggable_path(std::string_view path) {
    if (path.rfind("/o/", 0) == 0) {
        const std::size_t slash = path.find('/', 3);
        return "/o/\u2026" + escape_untrusted(slash == std::string_view::npos ? "" : path.substr(slash), 200);
    }
    return escape_untrusted(path, 200);
}

std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '%') {
            if (i + 2 >= s.size()) return std::nullopt;
            const int hi = hex_value(s[i + 1]);
            const int lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

const std::string& PathParams::get(std::string_view name) const {
    static const std::string empty;
    const std::string* v = find(values_, name);
    return v ? *v : empty;
}

std::optional<long long> PathParams::id(std::string_view name) const {
    const std::string& v = get(name);
    if (v.empty() || v.size() > 15) return std::nullopt;
    long long n = 0;
    for (char c : v) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + (c - '0');
    }
    if (n <= 0) return std::nullopt;
    return n;
}

}  // namespace relais
