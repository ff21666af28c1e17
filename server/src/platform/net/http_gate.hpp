#pragma once
// The front door of one HTTP listener: the socket clients connect to, in front of the HTTP
// engine (Pistache, on a loopback port of its own). Pistache 0.0.5 has no connection limit, no
// timeout for a client that never reads, spins when the process runs out of file descriptors,
// answers every request carrying a cookie without '=' with a 500, and keeps the first of two
// Content-Length headers while its typed header keeps the other. The gate takes those duties:
//
// - a cap on open connections per listener and per client address; at the cap it stops
//   accepting (the kernel queues new clients) and resumes below it; out of descriptors
//   (EMFILE), it pauses instead of spinning;
// - timeouts: a request head must arrive within `header_timeout` of its first byte, a body
//   must keep coming (`body_timeout` without a byte), an idle keep-alive connection closes after
//   `idle_timeout`, a client that stops reading its response for `write_timeout` is dropped;
// - each request head parsed strictly (http_head.hpp), its Host checked against the names of
//   the box, and passed on canonical, with the client's headers wrapped so that none reaches
//   Pistache's own parsers; chunked bodies decoded;
// - an idle client costs one descriptor: the connection to the engine is made for the first
//   request (three descriptors then: the client's, and both ends of the loopback connection).
//
// - TLS when `tls` is set (tls.hpp; a connection it has no context for is refused): the
//   handshake within `handshake_timeout`, so a client that stalls in it holds one connection of
//   its address's share and nothing else; a new certificate is taken by the connections
//   accepted after it, open ones keep theirs;
// - with `plain_http` set, no engine at all: the gate answers every request itself (port 80:
//   ACME challenges and redirects to HTTPS, plain_http.hpp).
//
// The engine learns who the client is from peer_of(), keyed by the port of the gate's end of
// the loopback connection (what the engine sees as its peer). Runs on its own thread, so that
// a flood on one listener does not hold up the other listener, the modem or the database.

#include "http_head.hpp"
#include "result.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace spdlog {
class logger;
}

namespace relais {

class TlsContext;

struct GateOptions {
    std::string name;  // "lan" or "public", for logs
    std::string host;  // the address clients connect to (IPv4 or IPv6 literal)
    std::uint16_t port = 0;
    std::size_t max_connections = 256;
    std::size_t max_per_address = 64;
    HeadLimits limits;
    HostPolicy hosts;
    std::chrono::milliseconds header_timeout{10'000};
    std::chrono::milliseconds body_timeout{10'000};
    std::chrono::milliseconds idle_timeout{15'000};
    std::chrono::milliseconds write_timeout{15'000};
    /// The TLS context for a connection being accepted (called on the gate's thread, at each
    /// accept). Set, the listener serves TLS only: a connection it gives null for is closed at
    /// once and logged, never served as plain HTTP. Unset: plain HTTP.
    std::function<std::shared_ptr<const TlsContext>()> tls;
    std::chrono::milliseconds handshake_timeout{10'000};
    struct PlainHttp {
        // Where a request for `host` (its Host header, "" when none) is sent: "https://name[:port]".
        std::function<std::string(std::string_view host)> base_for;
        std::function<std::optional<std::string>(std::string_view token)> challenge;
    };
    std::optional<PlainHttp> plain_http;
};

struct GateStats {
    std::uint64_t open = 0;      // client connections now
    std::uint64_t accepted = 0;  // since start
    std::uint64_t refused_per_address = 0;
    std::uint64_t at_capacity = 0;        // times accepting stopped at the cap
    std::uint64_t descriptor_pauses = 0;  // times accepting paused out of file descriptors
    std::uint64_t timed_out = 0;
    std::uint64_t bad_requests = 0;    // refused by the gate (4xx/5xx it wrote itself)
    std::uint64_t tls_handshakes = 0;  // completed
    std::uint64_t tls_resumed = 0;     // of which resumed sessions
    std::uint64_t tls_failed = 0;      // handshakes that failed (timeouts are in timed_out)
    std::uint64_t answered_here = 0;   // plain_http: answers written by the gate itself
};

/// Thread-safe. start() binds and runs the gate's thread; stop() (or the destructor) closes
/// every connection and joins it.
class HttpGate {
public:
    HttpGate(GateOptions options, std::shared_ptr<spdlog::logger> log);
    ~HttpGate();
    HttpGate(const HttpGate&) = delete;
    HttpGate& operator=(const HttpGate&) = delete;

    /// Binds `options.host:port` and relays to the engine at 127.0.0.1:`engine_port` (unused
    /// with `plain_http`).
    Result<void> start(std::uint16_t engine_port);
    std::uint16_t port() const;
    /// The client address behind the engine's peer port `engine_peer_port`, or nullopt when
    /// that connection did not come through this gate.
    std::optional<std::string> peer_of(std::uint16_t engine_peer_port) const;
    /// Requests passed on whose response has not reached its client yet (streams and clients
    /// that have gone excluded): what a graceful shutdown waits for.
    int outstanding() const;
    GateStats stats() const;
    const GateOptions& options() const;
    void stop();

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace relais
