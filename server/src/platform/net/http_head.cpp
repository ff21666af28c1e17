#include "http_head.hpp"

#include "text.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace relais {
namespace {

bool is_tchar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar); }

// Field values: HTAB, SP, visible ASCII and obs-text (bytes ≥ 0x80; made valid UTF-8 later,
// where the request enters the application).
bool is_field_value(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c == '\t' || (c >= 0x20 && c != 0x7F);
    });
}

std::string_view ows_trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Headers that must appear once: two of them are how request smuggling and cache poisoning
// start, and an application reading "the" value would pick one arbitrarily.
constexpr std::array<std::string_view, 14> kSingletons = {
    "host",    "content-length", "transfer-encoding", "authorization", "content-type",   "origin", "referer",
    "cookie2", "x-csrf-token",   "if-match",          "if-none-match", "sec-fetch-site", "expect", "user-agent"};

// Hop-by-hop: about this connection, not the request; the gate speaks for itself upstream.
constexpr std::array<std::string_view, 7> kHopByHop = {"connection", "keep-alive",        "proxy-connection", "te",
                                                       "trailer",    "transfer-encoding", "upgrade"};

template <std::size_t N>
bool one_of(const std::array<std::string_view, N>& list, std::string_view name) {
    return std::find(list.begin(), list.end(), name) != list.end();
}

HeadParse fail(int status, std::string code, std::string reason) {
    HeadParse p;
    p.state = HeadParse::State::error;
    p.error = {status, std::move(code), std::move(reason)};
    return p;
}

std::string quoted(std::string_view s) { return "\"" + escape_untrusted(s, 80) + "\""; }

constexpr std::array<std::string_view, 7> kMethods = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};

}  // namespace

const std::string* RequestHead::header(std::string_view lower_name) const {
    for (const auto& [n, v] : headers)
        if (n == lower_name) return &v;
    return nullptr;
}

HeadParse parse_request_head(std::string_view bytes, const HeadLimits& limits) {
    std::size_t pos = 0;
    // A few blank lines before a request are tolerated (RFC 9112 §2.2).
    for (int i = 0; i < 4 && pos < bytes.size(); ++i) {
        if (bytes.compare(pos, 2, "\r\n") == 0) {
            pos += 2;
        } else if (bytes[pos] == '\n') {
            ++pos;
        } else {
            break;
        }
    }
    const std::size_t start = pos;
    // One line at a time: CRLF (or a bare LF, which RFC 9112 lets a server accept).
    auto next_line = [&](std::string_view& line) -> int {  // 1 a line, 0 incomplete, -1 bad
        const std::size_t lf = bytes.find('\n', pos);
        if (lf == std::string_view::npos) return 0;
        std::size_t end = lf;
        if (end > pos && bytes[end - 1] == '\r') --end;
        line = bytes.substr(pos, end - pos);
        pos = lf + 1;
        return line.find('\r') == std::string_view::npos ? 1 : -1;
    };
    const auto too_large = [&] {
        return fail(431, "head_too_large",
                    "the request's headers are larger than " + std::to_string(limits.max_head_bytes) + " bytes");
    };

    std::string_view line;
    int got = next_line(line);
    if (got == 0) {
        if (bytes.size() - start > limits.max_target_bytes + 32) {
            return fail(414, "target_too_long",
                        "the request line is longer than " + std::to_string(limits.max_target_bytes) + " bytes");
        }
        return {};
    }
    if (got < 0) return fail(400, "bad_request_line", "a bare CR in the request line");

    HeadParse p;
    RequestHead& h = p.head;
    {
        const std::size_t sp1 = line.find(' ');
        const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
        if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
            return fail(400, "bad_request_line", "the request line is not \"METHOD /path HTTP/1.1\"");
        const std::string_view method = line.substr(0, sp1);
        const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
        const std::string_view version = line.substr(sp2 + 1);
        if (!is_token(method)) return fail(400, "bad_request_line", "the method is not a token");
        if (!one_of(kMethods, method))
            return fail(501, "method_not_implemented", "the method " + quoted(method) + " is not served here");
        if (version.size() != 8 || version.substr(0, 7) != "HTTP/1." || version[7] < '0' || version[7] > '9')
            return fail(505, "http_version", "only HTTP/1.0 and HTTP/1.1 are served here");
        if (target.size() > limits.max_target_bytes)
            return fail(414, "target_too_long",
                        "the address is longer than " + std::to_string(limits.max_target_bytes) + " bytes");
        if (target.empty() || target.front() != '/' ||
            !std::all_of(target.begin(), target.end(), [](char c) { return c > 0x20 && c < 0x7F; }))
            return fail(400, "bad_target", "the address must be a path starting with '/', in visible ASCII");
        h.method = method;
        h.target = target;
        h.minor_version = version[7] - '0';
        h.keep_alive = h.minor_version >= 1;
    }

    bool saw_host = false;
    std::optional<std::string> transfer_encoding;
    std::optional<std::string> connection;
    std::size_t count = 0;
    while (true) {
        if (pos - start > limits.max_head_bytes) return too_large();
        got = next_line(line);
        if (got == 0)
            return pos - start > limits.max_head_bytes || bytes.size() - start > limits.max_head_bytes ? too_large()
                                                                                                       : HeadParse{};
        if (got < 0) return fail(400, "bad_header", "a bare CR in a header line");
        if (line.empty()) break;
        if (pos - start > limits.max_head_bytes) return too_large();
        if (line.front() == ' ' || line.front() == '\t')
            return fail(400, "bad_header", "a folded header line (obsolete line folding is not accepted)");
        if (++count > limits.max_headers)
            return fail(431, "too_many_headers", "more than " + std::to_string(limits.max_headers) + " headers");
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos)
            return fail(400, "bad_header", "a header line without ':': " + quoted(line.substr(0, 40)));
        const std::string_view raw_name = line.substr(0, colon);
        if (!is_token(raw_name))
            return fail(400, "bad_header", "the header name " + quoted(raw_name) + " is not a token");
        const std::string_view value = ows_trim(line.substr(colon + 1));
        const std::string name = ascii_lower(raw_name);
        if (!is_field_value(value)) return fail(400, "bad_header", "the header " + name + " holds a control character");

        if (name == "connection") {
            connection = connection ? *connection + "," + std::string(value) : std::string(value);
            continue;
        }
        if (name == "transfer-encoding") {
            if (transfer_encoding) return fail(400, "repeated_header", "the header transfer-encoding is repeated");
            transfer_encoding = ascii_lower(value);
            continue;
        }
        if (one_of(kHopByHop, name)) continue;
        if (name == "content-length") {
            if (p.head.header("content-length"))
                return fail(400, "repeated_header", "the header content-length is repeated");
            if (value.empty() || value.size() > 19 ||
                !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
                return fail(400, "bad_content_length", "Content-Length is not a number: " + quoted(value));
            h.content_length = std::stoull(std::string(value));
            if (h.content_length > limits.max_body_bytes)
                return fail(413, "body_too_large",
                            "the body is larger than " + std::to_string(limits.max_body_bytes) + " bytes");
        }
        if (name == "host") saw_host = true;
        if (name == "expect") {
            if (ascii_lower(value) != "100-continue")
                return fail(417, "expectation_failed", "only \"Expect: 100-continue\" is understood");
            h.expect_continue = true;
            continue;
        }
        bool merged = false;
        for (auto& [n, v] : h.headers) {
            if (n != name) continue;
            if (one_of(kSingletons, name)) return fail(400, "repeated_header", "the header " + name + " is repeated");
            v += name == "cookie" ? "; " : ", ";
            v += value;
            merged = true;
            break;
        }
        if (!merged) h.headers.emplace_back(name, std::string(value));
        std::size_t total = 0;
        for (const auto& [n, v] : h.headers) total += n.size() + v.size();
        if (total > limits.max_head_bytes) return too_large();
    }
    if (h.minor_version >= 1 && !saw_host) return fail(400, "missing_host", "an HTTP/1.1 request needs a Host header");
    if (transfer_encoding) {
        if (h.minor_version == 0) return fail(400, "bad_transfer_encoding", "Transfer-Encoding in an HTTP/1.0 request");
        if (h.header("content-length"))
            return fail(400, "bad_transfer_encoding", "both Content-Length and Transfer-Encoding are given");
        if (ows_trim(*transfer_encoding) != "chunked")
            return fail(501, "bad_transfer_encoding",
                        "only \"Transfer-Encoding: chunked\" is understood, not " + quoted(*transfer_encoding));
        h.chunked = true;
    }
    if (connection) {
        // A comma-separated list of tokens; "close" wins, "keep-alive" keeps an HTTP/1.0 one.
        std::string_view rest = *connection;
        while (!rest.empty()) {
            const std::size_t comma = rest.find(',');
            const std::string token = ascii_lower(ows_trim(rest.substr(0, comma)));
            if (token == "close") {
                h.keep_alive = false;
                break;
            }
            if (token == "keep-alive") h.keep_alive = true;
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
    }
    // The length header is the gate's to write (internal_head), after decoding any chunks.
    std::erase_if(h.headers, [](const auto& nv) { return nv.first == "content-length"; });
    p.state = HeadParse::State::done;
    p.consumed = pos;
    return p;
}

std::string internal_head(const RequestHead& head, std::uint64_t body_length) {
    std::string out;
    out.reserve(256);
    out += head.method;
    out += ' ';
    out += head.target;
    out += " HTTP/1.1\r\nHost: 127.0.0.1\r\n";  // HTTP/1.1 wants one; the client's travels wrapped
    if (body_length > 0 || head.method == "POST" || head.method == "PUT" || head.method == "PATCH") {
        out += "Content-Length: ";
        out += std::to_string(body_length);
        out += "\r\n";
    }
    // Said either way: without the header, Pistache answers "Connection: Close" and clients
    // reconnect for every request.
    out += head.keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
    for (const auto& [name, value] : head.headers) {
        out += kWrappedHeaderPrefix;
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
    }
    out += "\r\n";
    return out;
}

std::optional<std::string> unwrap_header(std::string_view name) {
    if (name.size() <= kWrappedHeaderPrefix.size()) return std::nullopt;
    if (ascii_lower(name.substr(0, kWrappedHeaderPrefix.size())) != kWrappedHeaderPrefix) return std::nullopt;
    return ascii_lower(name.substr(kWrappedHeaderPrefix.size()));
}

std::string gate_response(const HeadError& e, bool json) {
    static const std::array<std::pair<int, std::string_view>, 12> reasons = {{{400, "Bad Request"},
                                                                              {408, "Request Timeout"},
                                                                              {411, "Length Required"},
                                                                              {413, "Content Too Large"},
                                                                              {414, "URI Too Long"},
                                                                              {417, "Expectation Failed"},
                                                                              {421, "Misdirected Request"},
                                                                              {429, "Too Many Requests"},
                                                                              {431, "Request Header Fields Too Large"},
                                                                              {501, "Not Implemented"},
                                                                              {503, "Service Unavailable"},
                                                                              {505, "HTTP Version Not Supported"}}};
    std::string_view reason = "Error";
    for (const auto& [code, text] : reasons)
        if (code == e.status) reason = text;
    std::string body;
    if (json) {
        // The reason is ASCII or escaped; JSON-escape the two characters that matter.
        std::string msg;
        for (char c : e.reason) {
            if (c == '"' || c == '\\') msg += '\\';
            msg += c;
        }
        body = "{\"error\":{\"code\":\"" + e.code + "\",\"message\":\"" + msg + "\"}}";
    } else {
        body = std::string(reason) + ": " + e.reason + ".\n";
    }
    std::string out = "HTTP/1.1 " + std::to_string(e.status) + " " + std::string(reason) + "\r\n";
    out += json ? "Content-Type: application/json; charset=utf-8\r\n" : "Content-Type: text/plain; charset=utf-8\r\n";
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    if (e.status == 503 || e.status == 429) out += "Retry-After: 5\r\n";
    out += "X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
    out += body;
    return out;
}

namespace {

bool is_ipv4(std::string_view s) {
    int parts = 0;
    while (true) {
        std::size_t n = 0;
        int value = 0;
        while (n < s.size() && n < 4 && s[n] >= '0' && s[n] <= '9') value = value * 10 + (s[n++] - '0');
        if (n == 0 || n > 3 || value > 255) return false;
        ++parts;
        s.remove_prefix(n);
        if (s.empty()) return parts == 4;
        if (s.front() != '.' || parts == 4) return false;
        s.remove_prefix(1);
    }
}

bool is_ipv6_literal(std::string_view s) {
    if (s.size() < 4 || s.front() != '[' || s.back() != ']') return false;
    s = s.substr(1, s.size() - 2);
    return s.find(':') != std::string_view::npos && std::all_of(s.begin(), s.end(), [](char c) {
               return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
           });
}

}  // namespace

std::optional<HostHeader> split_host_header(std::string_view host_header) {
    std::string_view host = ows_trim(host_header);
    const auto digits = [](std::string_view port) {
        return std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    HostHeader out;
    if (!host.empty() && host.front() == '[') {
        const std::size_t close = host.find(']');
        if (close == std::string_view::npos || !is_ipv6_literal(host.substr(0, close + 1))) return std::nullopt;
        const std::string_view rest = host.substr(close + 1);
        if (!rest.empty() && (rest.front() != ':' || !digits(rest.substr(1)))) return std::nullopt;
        out.name = ascii_lower(host.substr(1, close - 1));
        out.port = std::string(rest.empty() ? rest : rest.substr(1));
        out.ipv6 = true;
        return out;
    }
    if (const std::size_t colon = host.rfind(':'); colon != std::string_view::npos) {
        if (!digits(host.substr(colon + 1))) return std::nullopt;
        out.port = std::string(host.substr(colon + 1));
        host = host.substr(0, colon);
    }
    out.name = ascii_lower(host);
    if (!out.name.empty() && out.name.back() == '.') out.name.pop_back();  // "garage.example." is the same name
    if (out.name.empty()) return std::nullopt;
    return out;
}

bool HostPolicy::allows(std::string_view host_header) const {
    const auto host = split_host_header(host_header);
    if (!host) return false;
    if (host->ipv6 || is_ipv4(host->name)) return true;
    return std::find(names.begin(), names.end(), host->name) != names.end();
}

NameValues parse_cookie_header(std::string_view header) {
    NameValues out;
    while (!header.empty()) {
        const std::size_t semi = header.find(';');
        const std::string_view pair = ows_trim(header.substr(0, semi));
        header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
        const std::size_t eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        const std::string_view name = ows_trim(pair.substr(0, eq));
        std::string_view value = ows_trim(pair.substr(eq + 1));
        if (!is_token(name)) continue;
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        if (out.size() >= 50) break;  // more than any page of ours sets
        out.emplace_back(std::string(name), std::string(value));
    }
    return out;
}

ChunkedDecoder::State ChunkedDecoder::fail(int status, std::string code, std::string reason) {
    error_ = {status, std::move(code), std::move(reason)};
    return State::error;
}

ChunkedDecoder::State ChunkedDecoder::feed(std::string_view& in, std::string& out) {
    while (!in.empty()) {
        switch (stage_) {
            case Stage::size:
            case Stage::data_end:
            case Stage::trailers: {
                const std::size_t lf = in.find('\n');
                const std::string_view part = in.substr(0, lf);
                if (line_.size() + part.size() > 4096)
                    return fail(400, "bad_chunk", "a chunk-size or trailer line is longer than 4096 bytes");
                line_.append(part);
                if (lf == std::string_view::npos) {
                    in = {};
                    return State::more;
                }
                in.remove_prefix(lf + 1);
                std::string_view l = line_;
                if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
                const std::string text(l);
                line_.clear();
                if (stage_ == Stage::data_end) {
                    if (!text.empty()) return fail(400, "bad_chunk", "a chunk is longer than its size says");
                    stage_ = Stage::size;
                    break;
                }
                if (stage_ == Stage::trailers) {
                    trailer_bytes_ += text.size();
                    if (trailer_bytes_ > 8192) return fail(400, "bad_chunk", "the trailers are larger than 8192 bytes");
                    if (text.empty()) {
                        stage_ = Stage::done;
                        return State::done;
                    }
                    break;
                }
                const std::string_view digits = ows_trim(std::string_view(text).substr(0, text.find(';')));
                if (digits.empty() || digits.size() > 15 || !std::all_of(digits.begin(), digits.end(), [](char c) {
                        return std::isxdigit(static_cast<unsigned char>(c)) != 0;
                    }))
                    return fail(400, "bad_chunk", "a chunk size is not a hexadecimal number");
                left_ = std::stoull(std::string(digits), nullptr, 16);
                total_ += left_;
                if (total_ > max_body_)
                    return fail(413, "body_too_large",
                                "the body is larger than " + std::to_string(max_body_) + " bytes");
                stage_ = left_ == 0 ? Stage::trailers : Stage::data;
                break;
            }
            case Stage::data: {
                const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left_, in.size()));
                out.append(in.substr(0, n));
                in.remove_prefix(n);
                left_ -= n;
                if (left_ == 0) stage_ = Stage::data_end;
                break;
            }
            case Stage::done: return State::done;
        }
    }
    return stage_ == Stage::done ? State::done : State::more;
}

bool ResponseFramer::parse_head(State& state) {
    const std::size_t end = head_.find("\r\n\r\n");
    if (end == std::string::npos) {
        if (head_.size() > 64 * 1024) state = State::error;
        return false;
    }
    const std::string_view head(head_.data(), end);
    int status = 0;
    if (head.size() < 12 || head.substr(0, 7) != "HTTP/1." || head[8] != ' ') {
        state = State::error;
        return false;
    }
    for (std::size_t i = 9; i < 12; ++i) {
        if (head[i] < '0' || head[i] > '9') {
            state = State::error;
            return false;
        }
        status = status * 10 + (head[i] - '0');
    }
    std::optional<std::uint64_t> length;
    bool chunked = false;
    std::size_t pos = head.find("\r\n");
    while (pos != std::string_view::npos && pos + 2 < head.size()) {
        const std::size_t next = head.find("\r\n", pos + 2);
        const std::string_view line = head.substr(pos + 2, next == std::string_view::npos ? next : next - pos - 2);
        pos = next;
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        const std::string name = ascii_lower(line.substr(0, colon));
        const std::string_view value = ows_trim(line.substr(colon + 1));
        if (name == "content-length" && !value.empty() && value.size() <= 19 &&
            std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
            length = std::stoull(std::string(value));
        if (name == "transfer-encoding" && ascii_lower(value).find("chunked") != std::string::npos) chunked = true;
    }
    if (status >= 100 && status < 200) {
        stage_ = Stage::head;  // interim: the final response follows
        return true;
    }
    if (head_request_ || status == 204 || status == 304) {
        stage_ = Stage::head;
        state = State::complete;
        return true;
    }
    if (chunked) {
        chunks_.emplace(UINT64_MAX);
        stage_ = Stage::chunked;
    } else if (length) {
        left_ = *length;
        stage_ = Stage::body;
        if (left_ == 0) {
            stage_ = Stage::head;
            state = State::complete;
        }
    } else {
        stage_ = Stage::close;
        state = State::until_close;
    }
    return true;
}

std::size_t ResponseFramer::feed(std::string_view in, State& state) {
    state = State::more;
    std::size_t used = 0;
    while (used < in.size() && state == State::more) {
        switch (stage_) {
            case Stage::head: {
                // Bytes up to the end of the head; a few of the last ones may be in head_ already.
                const std::size_t before = head_.size();
                const std::string_view rest = in.substr(used);
                head_.append(rest.substr(0, std::min<std::size_t>(rest.size(), 64 * 1024 + 4)));
                const std::size_t end = head_.find("\r\n\r\n");
                if (end == std::string::npos) {
                    used += head_.size() - before;
                    if (head_.size() > 64 * 1024) state = State::error;
                    return used;
                }
                const std::size_t head_len = end + 4;
                used += head_len - before;
                head_.resize(head_len);
                if (!parse_head(state)) {
                    if (state == State::more) state = State::error;
                    return used;
                }
                head_.clear();
                break;
            }
            case Stage::body: {
                const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left_, in.size() - used));
                used += n;
                left_ -= n;
                if (left_ == 0) {
                    stage_ = Stage::head;
                    state = State::complete;
                }
                break;
            }
            case Stage::chunked: {
                std::string_view rest = in.substr(used);
                const std::size_t size_before = rest.size();
                std::string discard;
                const auto s = chunks_->feed(rest, discard);
                used += size_before - rest.size();
                if (s == ChunkedDecoder::State::error) {
                    state = State::error;
                } else if (s == ChunkedDecoder::State::done) {
                    chunks_.reset();
                    stage_ = Stage::head;
                    state = State::complete;
                }
                break;
            }
            case Stage::close: state = State::until_close; return in.size();
        }
    }
    if (stage_ == Stage::close && state == State::more) state = State::until_close;
    return used;
}

}  // namespace relais
