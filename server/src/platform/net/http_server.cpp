#include "http_server.hpp"

#include "http_head.hpp"
#include "text.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/peer.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>
#include <vector>

namespace relais {
namespace {

using namespace Pistache;

// Pistache 0.0.5 drops headers added with addRaw() from responses; a typed header with a
// run-time name is written.
class NamedHeader final : public Http::Header::Header {
public:
    NamedHeader(std::string name, std::string value) : name_(std::move(name)), value_(std::move(value)) {}
    const char* name() const override { return name_.c_str(); }
    void parse(const std::string& data) override { value_ = data; }
    void write(std::ostream& os) const override { os << value_; }
#ifdef SAFE_HEADER_CAST
    uint64_t hash() const override { return std::hash<std::string>{}(name_); }
#endif

private:
    std::string name_;
    std::string value_;
};

Method method_of(Http::Method m) {
    switch (m) {
        case Http::Method::Get: return Method::get;
        case Http::Method::Head: return Method::head;
        case Http::Method::Post: return Method::post;
        case Http::Method::Put: return Method::put;
        case Http::Method::Patch: return Method::patch;
        case Http::Method::Delete: return Method::del;
        case Http::Method::Options: return Method::options;
        default: return Method::other;
    }
}

// A response kept open (server-sent events). Pistache 0.0.5's own streams cannot be written
// from other threads (its transport aborts on "could not find write data"), so the stream
// owns a duplicate of the connection's socket and writes it directly, never blocking: a
// client that stops reading until its socket buffer fills is dropped. The response has no
// length and "Connection: close": it ends when either side closes.
class SocketSink final : public StreamSink {
public:
    explicit SocketSink(int fd) : fd_(fd) {}
    ~SocketSink() override { close(); }
    bool write(std::string_view chunk) override {
        std::lock_guard lock(mutex_);
        while (fd_ >= 0 && !chunk.empty()) {
            const ssize_t n = ::send(fd_, chunk.data(), chunk.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                close_locked();  // gone (EPIPE, ECONNRESET) or not reading (EAGAIN)
                return false;
            }
            chunk.remove_prefix(static_cast<std::size_t>(n));
        }
        return fd_ >= 0;
    }
    void close() override {
        std::lock_guard lock(mutex_);
        close_locked();
    }

private:
    void close_locked() {
        if (fd_ < 0) return;
        ::shutdown(fd_, SHUT_RDWR);
        ::close(fd_);
        fd_ = -1;
    }
    std::mutex mutex_;
    int fd_;
};

}  // namespace

struct HttpServer::Impl {
    HttpServerOptions options;
    HttpHandler handler;
    std::shared_ptr<spdlog::logger> log;
    std::unique_ptr<Http::Endpoint> endpoint;
    std::unique_ptr<HttpGate> gate;

    std::mutex mutex;
    bool draining = false;
    std::vector<std::weak_ptr<SocketSink>> streams;  // to close at shutdown

    void serve(const Http::Request& preq, Http::ResponseWriter writer);
};

namespace {

class Adapter final : public Http::Handler {
public:
    HTTP_PROTOTYPE(Adapter)
    explicit Adapter(HttpServer::Impl* impl) : impl_(impl) {}
    void onRequest(const Http::Request& request, Http::ResponseWriter writer) override {
        impl_->serve(request, std::move(writer));
    }

private:
    HttpServer::Impl* impl_;
};

}  // namespace

void HttpServer::Impl::serve(const Http::Request& preq, Http::ResponseWriter writer) {
    const auto started = std::chrono::steady_clock::now();
    bool refuse = false;
    {
        std::lock_guard lock(mutex);
        refuse = draining;
    }
    // Only the gate talks to the engine: anything else on its loopback port is turned away.
    // Pistache 0.0.5 keeps the peer's port in network byte order (IP::IP(sockaddr*) copies
    // sin_port as it is); a version that converts it is looked up as given.
    const auto port = static_cast<std::uint16_t>(preq.address().port());
    auto client = gate ? gate->peer_of(ntohs(port)) : std::nullopt;
    if (!client && gate) client = gate->peer_of(port);
    if (!client) {
        writer.headers().add(std::make_shared<NamedHeader>("Connection", "close"));
        writer.send(Http::Code::Forbidden, "Forbidden: connect to the listener's own address.\n");
        return;
    }
    HttpRequest req;
    req.method = method_of(preq.method());
    HttpResponse res;
    bool decoded = true;
    if (auto path = percent_decode(preq.resource(), false); path && is_valid_utf8(*path)) {
        req.path = *path;
    } else {
        decoded = false;
    }
    for (auto it = preq.query().parameters_begin(); it != preq.query().parameters_end(); ++it) {
        auto name = percent_decode(it->first, true);
        auto value = percent_decode(it->second, true);
        if (!name || !value || !is_valid_utf8(*name) || !is_valid_utf8(*value)) {
            decoded = false;
            break;
        }
        req.query.emplace_back(std::move(*name), std::move(*value));
    }
    // The client's headers, as the gate wrapped them (http_head.hpp): made valid UTF-8 here,
    // where they enter the application. Cookies are parsed here too, leniently.
    for (const auto& [name, raw] : preq.headers().rawList()) {
        auto original = unwrap_header(name);
        if (!original) continue;
        if (*original == "cookie") {
            req.cookies = parse_cookie_header(raw.value());
            for (auto& [n, v] : req.cookies) v = escape_untrusted(v, 4096);
            continue;
        }
        req.headers.emplace_back(std::move(*original), escape_untrusted(raw.value()));
    }
    req.body = preq.body();
    req.peer = *client;

    if (refuse) {
        res.status = 503;
        res.header("Retry-After", "5");
        res.header("Connection", "close");
        res.header("Content-Type", "application/json; charset=utf-8");
        res.body =
            R"({"error":{"code":"shutting_down","message":"Relais is restarting: try again in a few seconds."}})";
    } else if (!decoded) {
        res.status = 400;
        res.header("Content-Type", "text/plain; charset=utf-8");
        res.body = "Bad request: the address is not valid percent-encoded UTF-8.\n";
    } else {
        try {
            res = handler(req);
        } catch (const std::exception& e) {
            log->error("{} {} {}: unhandled exception: {}", options.name, to_string(req.method),
                       loggable_path(req.path), escape_untrusted(e.what(), 500));
            res = HttpResponse{};
            res.status = 500;
        }
    }

    for (const auto& [name, value] : res.headers) writer.headers().add(std::make_shared<NamedHeader>(name, value));
    for (const SetCookie& c : res.cookies) {
        Http::Cookie cookie(c.name, c.value);
        cookie.path = c.path;
        cookie.httpOnly = c.http_only;
        cookie.secure = c.secure;
        if (c.max_age_s) cookie.maxAge = *c.max_age_s;
        if (!c.same_site.empty()) cookie.ext["SameSite"] = c.same_site;
        writer.cookies().add(cookie);
    }
    const auto code = static_cast<Http::Code>(res.status);
    if (res.stream && !refuse && req.method == Method::get) {
        std::shared_ptr<SocketSink> sink;
        if (auto peer = writer.getPeer()) {
            const int fd = ::fcntl(peer->fd(), F_DUPFD_CLOEXEC, 0);
            if (fd >= 0) sink = std::make_shared<SocketSink>(fd);
        }
        std::string head = "HTTP/1.1 " + std::to_string(res.status) + " " + Http::codeString(code) + "\r\n";
        for (const auto& [name, value] : res.headers) head += name + ": " + value + "\r\n";
        head += "Connection: close\r\n\r\n";
        if (!sink || !sink->write(head)) return;
        {
            std::lock_guard lock(mutex);
            std::erase_if(streams, [](const auto& w) { return w.expired(); });
            streams.push_back(sink);
        }
        log->debug("{} {} {} {} stream opened", options.name, to_string(req.method), loggable_path(req.path),
                   res.status);
        res.stream(std::move(sink));
        return;
    }
    const std::string& body = req.method == Method::head ? std::string() : res.body;
    // Written on: the gate counts the request as finished once the response has reached the
    // client (or the client has gone), which is what shutdown waits for.
    writer.send(code, body);
    const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    log->debug("{} {} {} {} {:.2f} ms", options.name, to_string(req.method), loggable_path(req.path), res.status, ms);
}

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler, std::shared_ptr<spdlog::logger> log)
    : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
    impl_->handler = std::move(handler);
    impl_->log = std::move(log);
}

HttpServer::~HttpServer() { shutdown(std::chrono::milliseconds(0)); }

Result<void> HttpServer::start() {
    const auto& o = impl_->options;
    try {
        // The engine listens on loopback only; clients reach it through the gate.
        Address address("127.0.0.1", Port(0));
        impl_->endpoint = std::make_unique<Http::Endpoint>(address);
        auto opts = Http::Endpoint::options()
                        .threads(o.threads)
                        .threadsName("relais-" + o.name)
                        .flags(Tcp::Options::ReuseAddr)
                        .maxRequestSize(o.max_request_bytes)
                        .headerTimeout(std::chrono::seconds(20))
                        .bodyTimeout(std::chrono::seconds(60))
                        .keepaliveTimeout(std::chrono::seconds(75));
        impl_->endpoint->init(opts);
        impl_->endpoint->setHandler(Http::make_handler<Adapter>(impl_.get()));
        // serveThreaded() binds by itself; calling bind() first binds a second socket.
        impl_->endpoint->serveThreaded();
    } catch (const std::exception& e) {
        impl_->endpoint.reset();
        Error err = make_error(ErrorKind::internal, "listen_failed");
        err.detail = "cannot start the HTTP engine for " + o.address.to_string() + " (" + o.name + "): " + e.what();
        return err;
    }
    GateOptions g = o.gate;
    g.name = o.name;
    g.host = o.address.host;
    g.port = o.address.port;
    impl_->gate = std::make_unique<HttpGate>(std::move(g), impl_->log);
    if (auto r = impl_->gate->start(static_cast<std::uint16_t>(impl_->endpoint->getPort())); !r) {
        impl_->gate.reset();
        impl_->endpoint->shutdown();
        impl_->endpoint.reset();
        return r;
    }
    return success();
}

std::uint16_t HttpServer::port() const { return impl_->gate ? impl_->gate->port() : 0; }

GateStats HttpServer::stats() const { return impl_->gate ? impl_->gate->stats() : GateStats{}; }

void HttpServer::shutdown(std::chrono::milliseconds grace) {
    if (!impl_->endpoint) return;
    {
        std::lock_guard lock(impl_->mutex);
        impl_->draining = true;
    }
    // In flight: passed on by the gate, response not yet at its client (a client that reset
    // is not waited for).
    const auto outstanding = [this] { return impl_->gate ? impl_->gate->outstanding() : 0; };
    const int at_start = outstanding();
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (outstanding() > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const int left = outstanding();
    if (at_start > 0 || left > 0) {
        impl_->log->info("{}: {} in-flight request(s) at shutdown, {} finished, {} cut off", impl_->options.name,
                         at_start, at_start - left, left);
    }
    std::vector<std::weak_ptr<SocketSink>> streams;
    {
        std::lock_guard lock(impl_->mutex);
        streams.swap(impl_->streams);
    }
    for (auto& weak : streams)
        if (auto sink = weak.lock()) sink->close();
    if (impl_->gate) impl_->gate->stop();
    impl_->endpoint->shutdown();
    impl_->endpoint.reset();
}

}  // namespace relais
