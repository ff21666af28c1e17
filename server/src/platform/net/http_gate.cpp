#include "http_gate.hpp"

#include "gate_impl.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

namespace relais {
namespace {
using tcp = asio::ip::tcp;
}

void HttpGate::Impl::arm_accept() {
    if (accepting || paused || stopped || conns.size() >= options.max_connections) return;
    accepting = true;
    acceptor.async_wait(tcp::acceptor::wait_read, [self = shared_from_this()](const error_code& ec) {
        self->accepting = false;
        if (ec || self->stopped) return;
        self->accept_ready();
    });
}

void HttpGate::Impl::accept_ready() noexcept {
    try {
        for (int i = 0; i < 64; ++i) {
            if (conns.size() >= options.max_connections) {
                ++n_at_capacity;
                log->warn("{}: {} connections open, the most allowed: new clients wait until one closes", options.name,
                          conns.size());
                return;  // resumed by a connection closing (closed())
            }
            error_code ec;
            tcp::socket s(io);
            tcp::endpoint from;
            acceptor.accept(s, from, ec);
            if (ec == asio::error::would_block || ec == asio::error::try_again) break;
            if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
                ec == asio::error::no_memory || ec.value() == ENFILE) {
                // Waiting on the listening socket again would wake at once: the client is
                // still there. Pause instead; clients wait in the kernel's queue.
                ++n_pauses;
                if (Clock::now() - last_pause_log > std::chrono::seconds(60)) {
                    last_pause_log = Clock::now();
                    log->error("{}: out of file descriptors ({}): not accepting for a moment ({} open)", options.name,
                               ec.message(), conns.size());
                }
                paused = true;
                pause_timer.expires_after(std::chrono::milliseconds(250));
                pause_timer.async_wait([self = shared_from_this()](const error_code& e) {
                    self->paused = false;
                    if (!e) self->arm_accept();
                });
                return;
            }
            if (ec) continue;  // the client left before we took it (ECONNABORTED)
            ++n_accepted;
            auto address = from.address();
            if (address.is_v6() && address.to_v6().is_v4_mapped())
                address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
            std::string ip = address.to_string();
            // A TLS listener serves TLS only: without a context for this connection it is
            // refused, never served as plain HTTP.
            const bool tls_listener = static_cast<bool>(options.tls);
            std::shared_ptr<const TlsContext> tls = tls_listener ? options.tls() : nullptr;
            if (per_address[ip] >= options.max_per_address) {
                ++n_refused_address;
                refuse_now(s, ip, tls_listener);
                continue;
            }
            if (tls_listener && !tls) {
                refuse_without_tls(s, ip);
                continue;
            }
            s.non_blocking(true, ec);
            s.set_option(tcp::no_delay(true), ec);
            ++per_address[ip];
            auto c = std::make_shared<Conn>(*this, std::move(s), std::move(ip));
            if (tls) c->tls = std::make_unique<TlsSession>(std::move(tls), c->client.native_handle());
            conns.emplace(c.get(), c);
            ++n_open;
            c->begin();
        }
    } catch (const std::exception& e) {
        log->error("{}: accepting: {}", options.name, e.what());
    }
    arm_accept();
}

void HttpGate::Impl::refuse_now(tcp::socket& s, const std::string& ip, bool tls) {
    HeadError e{503, "too_many_connections",
                "too many connections from your address at once (" + std::to_string(options.max_per_address) +
                    "); close some and try again"};
    const std::string answer = gate_response(e, false);
    error_code ec;
    s.non_blocking(true, ec);
    if (!tls) (void)s.write_some(asio::buffer(answer), ec);
    s.shutdown(tcp::socket::shutdown_both, ec);
    s.close(ec);
    static thread_local Clock::time_point last;
    if (Clock::now() - last > std::chrono::seconds(10)) {
        last = Clock::now();
        log->warn("{}: refused a connection from {}: already {} open from that address", options.name, ip,
                  options.max_per_address);
    }
}

void HttpGate::Impl::refuse_without_tls(tcp::socket& s, const std::string& ip) {
    error_code ec;
    s.shutdown(tcp::socket::shutdown_both, ec);
    s.close(ec);
    if (Clock::now() - last_no_context_log > std::chrono::seconds(10)) {
        last_no_context_log = Clock::now();
        log->error("{}: no TLS certificate to serve: refused a connection from {}", options.name, ip);
    }
}

void HttpGate::Impl::arm_sweep() {
    sweep.expires_after(std::chrono::milliseconds(250));
    sweep.async_wait([self = shared_from_this()](const error_code& ec) {
        if (ec || self->stopped) return;
        for (auto& [_, c] : self->conns)  // close() only posts the removal: safe to iterate
            if (!c->gone) c->guard([&] { c->check_time(); });
        self->arm_sweep();
    });
}

void HttpGate::Impl::closed(Conn* c, const std::string& ip) {
    if (auto it = per_address.find(ip); it != per_address.end() && --it->second == 0) per_address.erase(it);
    conns.erase(c);
    --n_open;
    arm_accept();
}

void HttpGate::Impl::close_all() {
    std::vector<std::shared_ptr<Conn>> all;
    for (auto& [_, c] : conns) all.push_back(c);
    for (auto& c : all) c->close();
}

HttpGate::HttpGate(GateOptions options, std::shared_ptr<spdlog::logger> log)
    : impl_(std::make_shared<Impl>(std::move(options), std::move(log))) {}

HttpGate::~HttpGate() { stop(); }

Result<void> HttpGate::start(std::uint16_t engine_port) {
    Impl& g = *impl_;
    g.engine = tcp::endpoint(boost::asio::ip::address_v4::loopback(), engine_port);
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(g.options.host, ec);
    if (ec) return internal_error("cannot listen on " + g.options.host + " (" + g.options.name + "): not an address");
    const tcp::endpoint at(address, g.options.port);
    g.acceptor.open(at.protocol(), ec);
    if (!ec) g.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) g.acceptor.bind(at, ec);
    if (!ec) g.acceptor.listen(1024, ec);
    if (!ec) g.acceptor.non_blocking(true, ec);
    if (ec) {
        Error err = make_error(ErrorKind::internal, "listen_failed");
        const std::string shown = address.is_v6() ? "[" + g.options.host + "]" : g.options.host;
        err.detail = "cannot listen on " + shown + ":" + std::to_string(g.options.port) + " (" + g.options.name +
                     "): " + ec.message();
        return err;
    }
    g.bound_port = g.acceptor.local_endpoint(ec).port();
    g.work.emplace(g.io.get_executor());
    boost::asio::post(g.io, [self = impl_] {
        self->arm_accept();
        self->arm_sweep();
    });
    g.thread = std::thread([self = impl_] {
        for (;;) {
            try {
                self->io.run();
                return;
            } catch (const std::exception& e) {
                self->log->error("{}: gate: {}", self->options.name, e.what());
            }
        }
    });
    return success();
}

std::uint16_t HttpGate::port() const { return impl_->bound_port; }

std::optional<std::string> HttpGate::peer_of(std::uint16_t engine_peer_port) const {
    std::lock_guard lock(impl_->peers_mutex);
    const auto it = impl_->peers.find(engine_peer_port);
    if (it == impl_->peers.end()) return std::nullopt;
    return it->second;
}

int HttpGate::outstanding() const { return impl_->outstanding.load(); }

GateStats HttpGate::stats() const {
    const Impl& g = *impl_;
    GateStats s;
    s.open = g.n_open.load();
    s.accepted = g.n_accepted.load();
    s.refused_per_address = g.n_refused_address.load();
    s.at_capacity = g.n_at_capacity.load();
    s.descriptor_pauses = g.n_pauses.load();
    s.timed_out = g.n_timed_out.load();
    s.bad_requests = g.n_bad.load();
    s.tls_handshakes = g.n_tls.load();
    s.tls_resumed = g.n_tls_resumed.load();
    s.tls_failed = g.n_tls_failed.load();
    s.answered_here = g.n_here.load();
    return s;
}

const GateOptions& HttpGate::options() const { return impl_->options; }

void HttpGate::stop() {
    Impl& g = *impl_;
    if (!g.thread.joinable()) return;
    boost::asio::post(g.io, [self = impl_] {
        self->stopped = true;
        boost::system::error_code ec;
        self->acceptor.close(ec);
        self->pause_timer.cancel();
        self->sweep.cancel();
        self->close_all();
        self->work.reset();
    });
    g.thread.join();
}

}  // namespace relais
