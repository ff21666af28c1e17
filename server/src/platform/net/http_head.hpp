#pragma once
// HTTP/1.1 framing as the gate (http_gate.hpp) reads it from clients, without I/O: a strict
// request-head parser (RFC 9112) that refuses what servers disagree on (a repeated
// Content-Length, Content-Length with Transfer-Encoding, folded or malformed header lines, bare
// CR) with a status and a reason; the canonical head the HTTP engine behind the gate receives;
// a chunked-body decoder; the framing of the engine's responses (to know when one ends); and the
// Cookie header, parsed leniently (a pair without '=' is skipped, as browsers do).
// Standard library and relais_base only: fuzzed by tests/fuzz/fuzz_http_request.cpp.

#include "http.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace relais {

struct HeadLimits {
    std::size_t max_head_bytes = 16 * 1024;  // request line and headers together
    std::size_t max_target_bytes = 8 * 1024;
    std::size_t max_headers = 100;
    std::uint64_t max_body_bytes = 1 << 20;
};

struct RequestHead {
    std::string method;  // one of GET HEAD POST PUT PATCH DELETE OPTIONS
    std::string target;  // origin-form, as sent: "/o/abc/open?x=1"
    int minor_version = 1;
    NameValues headers;  // lower-case names; repeated ones joined ("; " for cookie, ", " else);
                         // hop-by-hop ones (connection, transfer-encoding, ...) left out
    std::uint64_t content_length = 0;
    bool chunked = false;
    bool keep_alive = true;
    bool expect_continue = false;
    const std::string* header(std::string_view lower_name) const;
};

/// Why a request was refused before reaching the application.
struct HeadError {
    int status = 400;
    std::string code;    // stable: "repeated_header", "bad_header", "head_too_large", ...
    std::string reason;  // one English sentence naming what is wrong
};

struct HeadParse {
    enum class State { incomplete, done, error } state = State::incomplete;
    RequestHead head;
    std::size_t consumed = 0;  // bytes of the head (with its blank line) when done
    HeadError error;
};

/// Parses the request head at the start of `bytes` (leading blank lines are skipped).
HeadParse parse_request_head(std::string_view bytes, const HeadLimits& limits);

/// The head as the HTTP engine behind the gate receives it: HTTP/1.1 with a Host of its own, a Content-Length of
/// `body_length` (the gate has decoded any chunked body), "Connection: keep-alive" or "close" as
/// the client asked (the engine echoes it), and every client header renamed "x-c-<name>" so that none
/// reaches the engine's own parsers (unwrap_header() undoes it).
std::string internal_head(const RequestHead& head, std::uint64_t body_length);
inline constexpr std::string_view kWrappedHeaderPrefix = "x-c-";
/// "x-c-user-agent" → "user-agent"; nullopt for a header the gate did not wrap.
std::optional<std::string> unwrap_header(std::string_view name);

/// A Host header (RFC 9110 §7.2) split as the box compares it: the name in lower case without a
/// final dot ("Garage.example.:443" → "garage.example"), an IPv6 address without its brackets;
/// the port as written, "" when there is none.
struct HostHeader {
    std::string name;
    std::string port;
    bool ipv6 = false;
};
/// nullopt when malformed: empty, a port that is not digits, brackets around no IPv6 address.
std::optional<HostHeader> split_host_header(std::string_view host_header);

/// The names this box answers to, so that a page on another site whose name was pointed at
/// the box (DNS rebinding) is refused before any application sees it.
struct HostPolicy {
    std::vector<std::string> names;  // lower case, without port
    /// Whether a Host header names this box: an IP literal (IPv4, or IPv6 in brackets), whose
    /// origin no other site can take, or one of `names`. The port is not compared (a forwarded
    /// port differs from the one listened on).
    bool allows(std::string_view host_header) const;
};

/// A complete answer written by the gate itself (a refused request): JSON for the API and the
/// customer page's calls, plain text otherwise; always "Connection: close".
std::string gate_response(const HeadError& e, bool json);

/// Name/value pairs of a Cookie header: pairs without '=', with an empty name or a name that
/// is not a token are skipped; values lose surrounding quotes.
NameValues parse_cookie_header(std::string_view header);

/// Decodes a chunked body as it arrives (RFC 9112 §7.1); trailers are read and dropped.
class ChunkedDecoder {
public:
    explicit ChunkedDecoder(std::uint64_t max_body) : max_body_(max_body) {}
    enum class State { more, done, error };
    /// Consumes from `in` (advancing it) and appends the data to `out`. After `done`, `in`
    /// starts with whatever followed the body (a pipelined request).
    State feed(std::string_view& in, std::string& out);
    const HeadError& error() const { return error_; }

private:
    enum class Stage { size, data, data_end, trailers, done } stage_ = Stage::size;
    std::string line_;
    std::uint64_t left_ = 0;
    std::uint64_t total_ = 0;
    std::uint64_t max_body_;
    std::size_t trailer_bytes_ = 0;
    HeadError error_;
    State fail(int status, std::string code, std::string reason);
};

/// Where the HTTP engine's responses end, for a gate that relays them byte for byte: one
/// response per request, in order (interim 1xx answers do not count).
class ResponseFramer {
public:
    /// Starts on the next response, to a request with this method.
    void expect(std::string_view method) { head_request_ = method == "HEAD"; }
    enum class State { more, complete, until_close, error };
    /// Reads from the front of `in`; returns how many bytes belong to the current response and
    /// sets `state`: `complete` (the next bytes start the next response), `until_close` (a
    /// stream: everything left belongs to it), `more` or `error` (not HTTP: close).
    std::size_t feed(std::string_view in, State& state);

private:
    enum class Stage { head, body, chunked, close } stage_ = Stage::head;
    std::string head_;
    std::uint64_t left_ = 0;
    bool head_request_ = false;
    std::optional<ChunkedDecoder> chunks_;
    bool parse_head(State& state);
};

}  // namespace relais
