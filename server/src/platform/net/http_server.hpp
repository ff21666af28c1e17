#pragma once
// One HTTP listener: the gate (http_gate.hpp) on the configured address, Pistache behind it on
// a loopback port of its own. It turns Pistache requests into HttpRequest values (the client's
// address from the gate, its headers unwrapped and made valid UTF-8, cookies parsed here),
// calls the application, and writes its HttpResponse. Shutdown is graceful: new requests get
// 503 while in-flight ones finish and their responses reach their clients, then it closes.

#include "config.hpp"
#include "http.hpp"
#include "http_gate.hpp"
#include "result.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace spdlog {
class logger;
}

namespace relais {

struct HttpServerOptions {
    ListenAddress address;
    int threads = 2;
    std::size_t max_request_bytes = (1 << 20) + (64 << 10);  // the API's body limit + headers
    std::string name;                                        // "lan" or "public", for logs
    GateOptions gate;  // limits and timeouts; its name, host and port are taken from the above
};

class HttpServer {
public:
    /// `handler` must be thread-safe and outlive the server.
    HttpServer(HttpServerOptions options, HttpHandler handler, std::shared_ptr<spdlog::logger> log);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Binds and starts serving on background threads. Returns an error naming the address
    /// when the port is taken or the address is not on this machine.
    Result<void> start();
    /// The bound port (useful with port 0).
    std::uint16_t port() const;
    /// Stops accepting work, waits up to `grace` for in-flight requests, then closes.
    void shutdown(std::chrono::milliseconds grace);
    /// The gate's counters (open connections, refusals), for /healthz.
    GateStats stats() const;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace relais
