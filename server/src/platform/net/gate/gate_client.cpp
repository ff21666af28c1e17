#include "gate_impl.hpp"

#include "plain_http.hpp"
#include "text.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

namespace relais {
namespace {

bool wants_json(const RequestHead* head, std::string_view target_prefix) {
    if (head) return head->target.rfind("/api/", 0) == 0 || head->method != "GET";
    return target_prefix.find("/api/") != std::string_view::npos;
}

}  // namespace

void HttpGate::Impl::Conn::begin() {
    idle_since = Clock::now();
    if (!tls) return read_client();
    handshaking = true;
    handshake_deadline = Clock::now() + opt().handshake_timeout;
    continue_handshake();
}

void HttpGate::Impl::Conn::continue_handshake() {
    const TlsSession::Step step = tls->handshake();
    if (step.io == TlsSession::Io::done) {
        handshaking = false;
        ++gate.n_tls;
        if (tls->resumed()) ++gate.n_tls_resumed;
        idle_since = Clock::now();
        return read_client();
    }
    if (step.io == TlsSession::Io::want_read || step.io == TlsSession::Io::want_write) {
        waiting_client_read = true;  // no other read is armed while the handshake runs
        const auto dir = step.io == TlsSession::Io::want_read ? tcp::socket::wait_read : tcp::socket::wait_write;
        client.async_wait(dir, [self = shared_from_this()](const error_code& ec) {
            self->waiting_client_read = false;
            if (self->gone) return;
            if (ec) return self->close();
            self->guard([&] { self->continue_handshake(); });
        });
        return;
    }
    if (step.io == TlsSession::Io::failed) {
        ++gate.n_tls_failed;
        if (Clock::now() - gate.last_tls_log > std::chrono::seconds(10)) {
            gate.last_tls_log = Clock::now();
            gate.log->info("{}: TLS handshake with {} failed: {}", opt().name, ip, escape_untrusted(tls->error(), 200));
        }
    }
    close();
}

std::size_t HttpGate::Impl::Conn::client_read_some(char* into, std::size_t size, error_code& ec) {
    if (!tls) return client.read_some(asio::buffer(into, size), ec);
    if (tls_end) {
        ec = *tls_end;
        return 0;
    }
    tls_read_wants_write = false;
    std::size_t total = 0;
    while (total < size) {
        const TlsSession::Step step = tls->read(into + total, size - total);
        if (step.io == TlsSession::Io::done) {
            total += step.bytes;
            continue;
        }
        if (step.io == TlsSession::Io::want_read || step.io == TlsSession::Io::want_write) {
            if (total > 0) break;  // what came is handled; the next read waits for more
            tls_read_wants_write = step.io == TlsSession::Io::want_write;
            ec = asio::error::would_block;
            return 0;
        }
        const error_code end = step.io == TlsSession::Io::closed ? error_code(asio::error::eof)
                                                                 : error_code(asio::error::connection_reset);
        if (total > 0) {  // what came is handled first; the next read reports the end
            tls_end = end;
            break;
        }
        ec = end;
        return 0;
    }
    return total;
}

std::size_t HttpGate::Impl::Conn::client_write_some(std::string_view bytes, error_code& ec) {
    if (!tls) return client.write_some(asio::buffer(bytes.data(), bytes.size()), ec);
    tls_write_wants_read = false;
    const TlsSession::Step step = tls->write(bytes.data(), bytes.size());
    if (step.io == TlsSession::Io::done) return step.bytes;
    if (step.io == TlsSession::Io::want_read || step.io == TlsSession::Io::want_write) {
        tls_write_wants_read = step.io == TlsSession::Io::want_read;
        ec = asio::error::would_block;
    } else {
        ec = asio::error::broken_pipe;
    }
    return 0;
}

void HttpGate::Impl::Conn::read_client() {
    if (waiting_client_read || gone || client_eof || closing || in == In::done) return;
    if (to_upstream.size() > kHighWater) return;  // resumed when the engine drains it
    if (in == In::head && in_buf.size() > opt().limits.max_head_bytes && methods.size() >= kMaxPipelined)
        return;  // resumed as answers go out
    waiting_client_read = true;
    // Decrypted bytes, or the session's end, wait inside the session, not on the socket.
    if (tls && (tls->pending() || tls_end)) {
        asio::post(gate.io, [self = shared_from_this()] {
            self->waiting_client_read = false;
            if (!self->gone) self->guard([&] { self->client_readable(); });
        });
        return;
    }
    const auto dir = tls_read_wants_write ? tcp::socket::wait_write : tcp::socket::wait_read;
    client.async_wait(dir, [self = shared_from_this()](const error_code& ec) {
        self->waiting_client_read = false;
        if (self->gone) return;
        if (ec) return self->close();
        self->guard([&] { self->client_readable(); });
    });
}

void HttpGate::Impl::Conn::failed(const std::exception& e) noexcept {
    gate.log->error("{}: connection from {}: {}", opt().name, ip, escape_untrusted(e.what(), 300));
    close();
}

void HttpGate::Impl::Conn::client_readable() {
    error_code ec;
    const std::size_t n = client_read_some(gate.scratch.data(), gate.scratch.size(), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return read_client();
    if (ec || n == 0) {
        // The client is done sending (or gone). Answers already asked for are still
        // written: "send, shut down writing, read" is a valid way to use HTTP.
        client_eof = true;
        if (ec && ec != asio::error::eof) return close();
        if (in == In::body || in == In::chunked) return close();  // a request cut short
        std::string().swap(in_buf);
        return finish();
    }
    if (in == In::head && in_buf.empty() && !head_started) {
        head_started = true;
        head_deadline = Clock::now() + opt().header_timeout;
    }
    in_buf.append(gate.scratch.data(), n);
    process_input();
    read_client();
}

void HttpGate::Impl::Conn::process_input() {
    while (!in_buf.empty() && !closing && in != In::done) {
        if (in == In::head) {
            if (methods.size() >= kMaxPipelined) {
                head_started = false;  // the wait is ours, not the client's: no header timeout
                return;                // resumed as answers go out
            }
            if (!head_started) {
                head_started = true;
                head_deadline = Clock::now() + opt().header_timeout;
            }
            HeadParse p = parse_request_head(in_buf, opt().limits);
            if (p.state == HeadParse::State::incomplete) return;
            if (p.state == HeadParse::State::error) return refuse(p.error, nullptr);
            in_buf.erase(0, p.consumed);
            head_started = false;
            if (!start_request(std::move(p.head))) return;
        } else if (in == In::body) {
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(body_left, in_buf.size()));
            send_upstream(std::string_view(in_buf).substr(0, n));
            in_buf.erase(0, n);
            body_left -= n;
            body_deadline = Clock::now() + opt().body_timeout;
            if (body_left == 0) in = close_after ? In::done : In::head;
        } else if (in == In::chunked) {
            std::string_view rest = in_buf;
            const std::size_t before = rest.size();
            const auto s = chunks->feed(rest, chunk_body);
            in_buf.erase(0, before - rest.size());
            body_deadline = Clock::now() + opt().body_timeout;
            if (s == ChunkedDecoder::State::error) return refuse(chunks->error(), &*chunked_head);
            if (s == ChunkedDecoder::State::done) {
                send_upstream(internal_head(*chunked_head, chunk_body.size()));
                send_upstream(chunk_body);
                std::string().swap(chunk_body);
                chunks.reset();
                chunked_head.reset();
                in = close_after ? In::done : In::head;
            }
        }
    }
    if (in_buf.empty()) std::string().swap(in_buf);  // an idle connection keeps no buffer
}

bool HttpGate::Impl::Conn::start_request(RequestHead head) {
    if (const std::string* host = head.header("host"); host && !opt().hosts.allows(*host)) {
        refuse({421, "unknown_host",
                "this box does not answer to the name " + escape_untrusted(*host, 80) +
                    " (a name of its own is added in [http] host_names)"},
               &head);
        return false;
    }
    if (opt().plain_http) return answer_here(head);
    if (!upstream && !connect_upstream()) {
        refuse({503, "busy", "the box is too busy to take this request now; try again in a few seconds"}, &head);
        return false;
    }
    if (head.expect_continue && (head.content_length > 0 || head.chunked) && methods.empty())
        send_client("HTTP/1.1 100 Continue\r\n\r\n");
    if (methods.empty()) {
        framer.expect(head.method);
        engine_since = Clock::now();
    }
    methods.push_back(head.method);
    ++gate.outstanding;
    if (!head.keep_alive) close_after = true;
    if (head.chunked) {
        chunks.emplace(opt().limits.max_body_bytes);
        chunked_head = std::move(head);
        in = In::chunked;
        body_deadline = Clock::now() + opt().body_timeout;
        return true;
    }
    // The head and what has come of the body go in one write: the engine then parses the
    // request in one read instead of waiting for a second segment.
    std::string out = internal_head(head, head.content_length);
    const std::size_t now_in = static_cast<std::size_t>(std::min<std::uint64_t>(head.content_length, in_buf.size()));
    out.append(in_buf, 0, now_in);
    in_buf.erase(0, now_in);
    send_upstream(out);
    body_left = head.content_length - now_in;
    if (body_left > 0) {
        in = In::body;
        body_deadline = Clock::now() + opt().body_timeout;
    } else {
        in = close_after ? In::done : In::head;
    }
    return true;
}

bool HttpGate::Impl::Conn::answer_here(const RequestHead& head) {
    ++gate.n_here;
    const bool body = head.content_length > 0 || head.chunked;
    const bool last = body || !head.keep_alive;
    const std::string* host = head.header("host");
    const std::string base = opt().plain_http->base_for(host ? std::string_view(*host) : std::string_view());
    send_client(plain_http_answer(head, base, opt().plain_http->challenge, last));
    if (!last) {
        idle_since = Clock::now();
        return true;
    }
    in = In::done;
    close_after = true;
    std::string().swap(in_buf);
    closing = true;
    linger = body && !client_eof;
    flush_then_close();
    return false;
}

void HttpGate::Impl::Conn::refuse(const HeadError& e, const RequestHead* head) {
    ++gate.n_bad;
    in = In::done;
    close_after = true;
    std::string answer = gate_response(e, wants_json(head, in_buf.substr(0, 64)));
    std::string().swap(in_buf);
    if (methods.empty()) {
        send_client(answer);
        closing = true;
        linger = !client_eof;
        return flush_then_close();
    }
    pending_error = std::move(answer);
}

void HttpGate::Impl::Conn::start_linger() {
    error_code ec;
    if (tls) tls->shutdown();
    client.shutdown(tcp::socket::shutdown_send, ec);
    linger_until = Clock::now() + std::chrono::seconds(5);
    discard_client();
}

void HttpGate::Impl::Conn::discard_client() {
    if (gone || waiting_client_read) return;
    if (tls_end) return close();  // nothing more can come
    waiting_client_read = true;
    client.async_wait(tcp::socket::wait_read, [self = shared_from_this()](const error_code& ec) {
        self->waiting_client_read = false;
        if (self->gone) return;
        if (ec) return self->close();
        error_code e;
        const std::size_t n = self->client_read_some(self->gate.scratch.data(), self->gate.scratch.size(), e);
        if (e == asio::error::would_block || e == asio::error::try_again) return self->discard_client();
        self->lingered += n;
        if (e || n == 0 || self->lingered > (16u << 20)) return self->close();
        self->discard_client();
    });
}

void HttpGate::Impl::Conn::check_time() {
    const auto now = Clock::now();
    if (handshaking) {
        if (now >= handshake_deadline) {
            ++gate.n_timed_out;
            close();
        }
        return;
    }
    if (linger && closing && to_client.empty()) {
        if (now >= linger_until) close();
        return;
    }
    if (!to_client.empty() && now >= last_client_write_progress + opt().write_timeout) {
        ++gate.n_timed_out;
        return close();  // not reading what it asked for
    }
    if (in == In::head && head_started && now >= head_deadline) {
        ++gate.n_timed_out;
        return refuse({408, "request_timeout", "the request's headers took too long to arrive"}, nullptr);
    }
    if ((in == In::body || in == In::chunked) && now >= body_deadline) {
        ++gate.n_timed_out;
        return close();  // the engine holds half a request: closing is the only clean end
    }
    if (!methods.empty() && !streaming && now >= engine_since + kEngineTimeout) {
        ++gate.n_timed_out;
        gate.log->error("{}: a request from {} got no answer in {} s; closing", opt().name, ip,
                        std::chrono::duration_cast<std::chrono::seconds>(kEngineTimeout).count());
        return close();
    }
    if (methods.empty() && !streaming && to_client.empty() && !head_started && now >= idle_since + opt().idle_timeout)
        return close();
}

void HttpGate::Impl::Conn::finish() {
    if (!methods.empty()) return;
    closing = true;
    flush_then_close();
}

void HttpGate::Impl::Conn::close() {
    if (gone) return;
    gone = true;
    settle_all();
    error_code ec;
    if (tls && !handshaking) tls->shutdown();
    client.shutdown(tcp::socket::shutdown_both, ec);
    client.close(ec);
    if (upstream) {
        // Reset rather than closed: nothing more is wanted from the engine, and a reset
        // leaves no TIME_WAIT behind on either side of the loopback connection.
        upstream->set_option(asio::socket_base::linger(true, 0), ec);
        upstream->close(ec);
        std::lock_guard lock(gate.peers_mutex);
        if (upstream_port) gate.peers.erase(upstream_port);
    }
    // Last: this may destroy the connection.
    asio::post(gate.io, [g = gate.shared_from_this(), self = shared_from_this()] { g->closed(self.get(), self->ip); });
}

}  // namespace relais
