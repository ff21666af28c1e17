#include "gate_impl.hpp"

#include <spdlog/spdlog.h>

namespace relais {

bool HttpGate::Impl::Conn::connect_upstream() {
    error_code ec;
    tcp::socket s(gate.io);
    s.open(tcp::v4(), ec);
    if (ec) {
        gate.log->warn("{}: cannot open a connection to the HTTP engine: {}", opt().name, ec.message());
        return false;
    }
    s.non_blocking(true, ec);
    s.set_option(tcp::no_delay(true), ec);
    upstream.emplace(std::move(s));
    connecting = true;
    // No bind() first: a port chosen at connect time may be one still in TIME_WAIT toward
    // another peer, where a bound one may not (thousands of short connections would run
    // out of ports). Nothing is written before the port is known and registered.
    upstream->async_connect(gate.engine, [self = shared_from_this()](const error_code& e) {
        self->connecting = false;
        if (self->gone) return;
        error_code le;
        const auto local = e ? tcp::endpoint() : self->upstream->local_endpoint(le);
        if (e || le) {
            self->gate.log->warn("{}: cannot reach the HTTP engine: {}", self->opt().name, (e ? e : le).message());
            return self->close();
        }
        self->upstream_port = local.port();
        {
            // Its port names the client to the engine (peer_of) before a byte goes.
            std::lock_guard lock(self->gate.peers_mutex);
            self->gate.peers[self->upstream_port] = self->ip;
        }
        self->guard([&] {
            self->flush_upstream();
            self->read_upstream();
        });
    });
    return true;
}

void HttpGate::Impl::Conn::send_upstream(std::string_view bytes) {
    if (bytes.empty()) return;
    if (to_upstream.empty() && !connecting && upstream) {
        error_code ec;
        const std::size_t n = upstream->write_some(asio::buffer(bytes.data(), bytes.size()), ec);
        if (ec && ec != asio::error::would_block && ec != asio::error::try_again) return close();
        bytes.remove_prefix(ec ? 0 : n);
    }
    to_upstream.append(bytes);
    if (!to_upstream.empty()) wait_upstream_writable();
}

void HttpGate::Impl::Conn::flush_upstream() {
    if (to_upstream.empty() || connecting || !upstream) return;
    error_code ec;
    const std::size_t n = upstream->write_some(asio::buffer(to_upstream), ec);
    if (ec && ec != asio::error::would_block && ec != asio::error::try_again) return close();
    if (!ec) to_upstream.erase(0, n);
    if (to_upstream.empty()) {
        std::string().swap(to_upstream);
        read_client();  // it may have been held back by the high-water mark
    } else {
        wait_upstream_writable();
    }
}

void HttpGate::Impl::Conn::wait_upstream_writable() {
    if (waiting_upstream_write || connecting || !upstream) return;
    waiting_upstream_write = true;
    upstream->async_wait(tcp::socket::wait_write, [self = shared_from_this()](const error_code& ec) {
        self->waiting_upstream_write = false;
        if (self->gone) return;
        if (ec) return self->close();
        self->guard([&] { self->flush_upstream(); });
    });
}

void HttpGate::Impl::Conn::send_client(std::string_view bytes) {
    if (bytes.empty() || gone) return;
    if (to_client.empty()) {
        error_code ec;
        const std::size_t n = client_write_some(bytes, ec);
        if (ec && ec != asio::error::would_block && ec != asio::error::try_again) return close();
        if (!ec && n > 0) last_client_write_progress = Clock::now();
        bytes.remove_prefix(ec ? 0 : n);
    }
    if (!bytes.empty() && to_client.empty()) last_client_write_progress = Clock::now();
    to_client.append(bytes);
    if (!to_client.empty()) wait_client_writable();
}

void HttpGate::Impl::Conn::flush_client() {
    if (to_client.empty()) return;
    error_code ec;
    const std::size_t n = client_write_some(to_client, ec);
    if (ec && ec != asio::error::would_block && ec != asio::error::try_again) return close();
    if (!ec && n > 0) {
        to_client.erase(0, n);
        last_client_write_progress = Clock::now();
    }
    if (to_client.empty()) {
        std::string().swap(to_client);
        if (closing) return linger ? start_linger() : close();
        read_upstream();  // it may have been held back by the high-water mark
    } else {
        wait_client_writable();
    }
}

void HttpGate::Impl::Conn::wait_client_writable() {
    if (waiting_client_write) return;
    waiting_client_write = true;
    const auto dir = tls_write_wants_read ? tcp::socket::wait_read : tcp::socket::wait_write;
    client.async_wait(dir, [self = shared_from_this()](const error_code& ec) {
        self->waiting_client_write = false;
        if (self->gone) return;
        if (ec) return self->close();
        self->guard([&] { self->flush_client(); });
    });
}

void HttpGate::Impl::Conn::flush_then_close() {
    if (to_client.empty()) return linger ? start_linger() : close();
}

void HttpGate::Impl::Conn::read_upstream() {
    if (waiting_upstream_read || gone || connecting || !upstream) return;
    if (to_client.size() > kHighWater) return;  // resumed when the client drains it
    waiting_upstream_read = true;
    upstream->async_wait(tcp::socket::wait_read, [self = shared_from_this()](const error_code& ec) {
        self->waiting_upstream_read = false;
        if (self->gone) return;
        if (ec) return self->close();
        self->guard([&] { self->upstream_readable(); });
    });
}

void HttpGate::Impl::Conn::upstream_readable() {
    error_code ec;
    const std::size_t n = upstream->read_some(asio::buffer(gate.scratch), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return read_upstream();
    if (ec || n == 0) {
        // The engine closed: a stream ended, or its keep-alive ran out. What it sent is
        // written out, then the client's connection ends too.
        settle_all();
        closing = true;
        return flush_then_close();
    }
    std::string_view data(gate.scratch.data(), n);
    std::string_view pass = data;
    while (!data.empty() && !streaming) {
        ResponseFramer::State state;
        const std::size_t used = framer.feed(data, state);
        data.remove_prefix(used);
        if (state == ResponseFramer::State::error) {
            gate.log->error("{}: the HTTP engine's answer is not HTTP; closing", opt().name);
            return close();
        }
        if (state == ResponseFramer::State::until_close) {
            streaming = true;
            settle_one();  // a stream is not waited for at shutdown
        } else if (state == ResponseFramer::State::complete) {
            settle_one();
            if (!methods.empty()) {
                framer.expect(methods.front());
                engine_since = Clock::now();
            }
        }
    }
    send_client(pass);
    if (gone) return;
    if (methods.size() < kMaxPipelined && !in_buf.empty() && in == In::head) {
        process_input();  // requests held back while the pipeline was full
        if (gone) return;
    }
    read_client();
    if (methods.empty() && !streaming) {
        if (pending_error) {
            send_client(*pending_error);
            pending_error.reset();
            closing = true;
            return flush_then_close();
        }
        if (close_after || client_eof) {
            closing = true;
            return flush_then_close();
        }
        idle_since = Clock::now();
    }
    read_upstream();
}

void HttpGate::Impl::Conn::settle_one() {
    if (methods.empty()) return;
    methods.pop_front();
    --gate.outstanding;
}

void HttpGate::Impl::Conn::settle_all() {
    while (!methods.empty()) settle_one();
}

}  // namespace relais
