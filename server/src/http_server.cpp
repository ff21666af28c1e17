#include "http_server.hpp"

#include "text.hpp"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <spdlog/spdlog.h>

#include <chrono>

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

}  // namespace

struct HttpServer::Impl {
    HttpServerOptions options;
    HttpHandler handler;
    std::shared_ptr<spdlog::logger> log;
    std::unique_ptr<Http::Endpoint> endpoint;

    std::mutex mutex;
    std::condition_variable idle;
    int in_flight = 0;
    bool draining = false;

    void finished() {
        std::lock_guard lock(mutex);
        --in_flight;
        if (in_flight == 0) idle.notify_all();
    }

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
        if (draining) {
            refuse = true;
        } else {
            ++in_flight;
        }
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
        if (!name || !value || !is_valid_utf8(*value)) {
            decoded = false;
            break;
        }
        req.query.emplace_back(std::move(*name), std::move(*value));
    }
    for (const auto& [name, raw] : preq.headers().rawList()) req.headers.emplace_back(ascii_lower(name), raw.value());
    for (const auto& cookie : preq.cookies()) req.cookies.emplace_back(cookie.name, cookie.value);
    req.body = preq.body();
    req.peer = preq.address().host();

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
            log->error("{} {} {}: unhandled exception: {}", options.name, to_string(req.method), req.path, e.what());
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
    const std::string& body = req.method == Method::head ? std::string() : res.body;
    auto sent = writer.send(code, body);
    const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    log->debug("{} {} {} {} {:.2f} ms", options.name, to_string(req.method), req.path, res.status, ms);
    if (refuse) return;
    // The request counts as finished once its response is on the socket, not before.
    sent.then([this](ssize_t) { finished(); }, [this](std::exception_ptr) { finished(); });
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
        Address address(o.address.host, Port(o.address.port));
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
        err.detail = "cannot listen on " + o.address.to_string() + " (" + o.name + "): " + e.what();
        return err;
    }
    return success();
}

std::uint16_t HttpServer::port() const {
    return impl_->endpoint ? static_cast<std::uint16_t>(impl_->endpoint->getPort()) : 0;
}

void HttpServer::shutdown(std::chrono::milliseconds grace) {
    if (!impl_->endpoint) return;
    int at_start = 0;
    int left = 0;
    {
        std::unique_lock lock(impl_->mutex);
        impl_->draining = true;
        at_start = impl_->in_flight;
        impl_->idle.wait_for(lock, grace, [this] { return impl_->in_flight == 0; });
        left = impl_->in_flight;
    }
    if (at_start > 0 || left > 0) {
        impl_->log->info("{}: {} in-flight request(s) at shutdown, {} finished, {} cut off", impl_->options.name,
                         at_start, at_start - left, left);
    }
    impl_->endpoint->shutdown();
    impl_->endpoint.reset();
}

}  // namespace relais
