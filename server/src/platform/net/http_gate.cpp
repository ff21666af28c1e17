#include "http_gate.hpp"

#include "plain_http.hpp"
#include "text.hpp"
#include "tls.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace relais {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using error_code = boost::system::error_code;

// Bytes read at once; one buffer per gate thread, so an idle connection holds none.
constexpr std::size_t kScratch = 64 * 1024;
// Past this much waiting to be written, the other side is not read until it drains.
constexpr std::size_t kHighWater = 256 * 1024;
// What a request may take the engine before its client is told it is too slow (the HTTP
// handlers answer in milliseconds; a live-update stream writes every 15 s).
constexpr std::chrono::minutes kEngineTimeout{2};
// Requests of one connection passed on before their answers have gone out: a client that
// pipelines hundreds and reads none would otherwise make the engine hold all the answers.
constexpr std::size_t kMaxPipelined = 8;

bool wants_json(const RequestHead* head, std::string_view target_prefix) {
    if (head) return head->target.rfind("/api/", 0) == 0 || head->method != "GET";
    return target_prefix.find("/api/") != std::string_view::npos;
}

}  // namespace

struct HttpGate::Impl : std::enable_shared_from_this<Impl> {
    struct Conn;

    GateOptions options;
    std::shared_ptr<spdlog::logger> log;
    asio::io_context io;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
    tcp::acceptor acceptor{io};
    asio::steady_timer pause_timer{io};
    asio::steady_timer sweep{io};
    std::thread thread;
    tcp::endpoint engine;
    std::uint16_t bound_port = 0;
    std::vector<char> scratch = std::vector<char>(kScratch);

    bool accepting = false;  // an async_wait on the acceptor is pending
    bool paused = false;     // out of descriptors: waiting on pause_timer
    bool stopped = false;
    std::unordered_map<Conn*, std::shared_ptr<Conn>> conns;
    std::unordered_map<std::string, std::size_t> per_address;
    Clock::time_point last_pause_log{};

    mutable std::mutex peers_mutex;
    std::unordered_map<std::uint16_t, std::string> peers;  // engine peer port → client address

    std::atomic<int> outstanding{0};
    std::atomic<std::uint64_t> n_open{0}, n_accepted{0}, n_refused_address{0}, n_at_capacity{0}, n_pauses{0},
        n_timed_out{0}, n_bad{0}, n_tls{0}, n_tls_resumed{0}, n_tls_failed{0}, n_here{0};
    Clock::time_point last_tls_log{}, last_no_context_log{};

    Impl(GateOptions o, std::shared_ptr<spdlog::logger> l) : options(std::move(o)), log(std::move(l)) {}

    // ---- accepting ----------------------------------------------------------------------

    void arm_accept() {
        if (accepting || paused || stopped || conns.size() >= options.max_connections) return;
        accepting = true;
        acceptor.async_wait(tcp::acceptor::wait_read, [self = shared_from_this()](const error_code& ec) {
            self->accepting = false;
            if (ec || self->stopped) return;
            self->accept_ready();
        });
    }

    void accept_ready() noexcept {
        try {
            for (int i = 0; i < 64; ++i) {
                if (conns.size() >= options.max_connections) {
                    ++n_at_capacity;
                    log->warn("{}: {} connections open, the most allowed: new clients wait until one closes",
                              options.name, conns.size());
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
                        log->error("{}: out of file descriptors ({}): not accepting for a moment ({} open)",
                                   options.name, ec.message(), conns.size());
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

    // Too many connections from one address: a short answer it may read, then closed (under
    // TLS, closed: an answer would need a handshake, which is what is being refused).
    void refuse_now(tcp::socket& s, const std::string& ip, bool tls) {
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

    // A TLS listener given no context for a connection (a bug, or no certificate yet): closed,
    // nothing said (an answer would need a handshake), and logged.
    void refuse_without_tls(tcp::socket& s, const std::string& ip) {
        error_code ec;
        s.shutdown(tcp::socket::shutdown_both, ec);
        s.close(ec);
        if (Clock::now() - last_no_context_log > std::chrono::seconds(10)) {
            last_no_context_log = Clock::now();
            log->error("{}: no TLS certificate to serve: refused a connection from {}", options.name, ip);
        }
    }

    void arm_sweep() {
        sweep.expires_after(std::chrono::milliseconds(250));
        sweep.async_wait([self = shared_from_this()](const error_code& ec) {
            if (ec || self->stopped) return;
            for (auto& [_, c] : self->conns)  // close() only posts the removal: safe to iterate
                if (!c->gone) c->guard([&] { c->check_time(); });
            self->arm_sweep();
        });
    }

    void closed(Conn* c, const std::string& ip) {
        if (auto it = per_address.find(ip); it != per_address.end() && --it->second == 0) per_address.erase(it);
        conns.erase(c);
        --n_open;
        arm_accept();
    }

    // ---- one client ---------------------------------------------------------------------

    struct Conn : std::enable_shared_from_this<Conn> {
        Impl& gate;
        tcp::socket client;
        std::unique_ptr<TlsSession> tls;  // null: plain HTTP
        bool handshaking = false;
        Clock::time_point handshake_deadline{};
        bool tls_read_wants_write = false, tls_write_wants_read = false;
        // The session ended (close_notify, a fatal alert) in a read that also gave bytes: those
        // were handed over first, and the next read reports the end without the socket, which
        // may never become readable again (a client that keeps its TCP connection open).
        std::optional<error_code> tls_end;
        std::optional<tcp::socket> upstream;
        std::uint16_t upstream_port = 0;
        bool connecting = false;
        std::string ip;

        enum class In { head, body, chunked, done } in = In::head;
        std::string in_buf;
        std::uint64_t body_left = 0;
        std::optional<ChunkedDecoder> chunks;
        std::string chunk_body;
        std::optional<RequestHead> chunked_head;
        bool head_started = false;
        Clock::time_point head_deadline{}, body_deadline{};
        bool client_eof = false;

        std::string to_upstream, to_client;
        bool waiting_client_read = false, waiting_client_write = false;
        bool waiting_upstream_read = false, waiting_upstream_write = false;
        Clock::time_point last_client_write_progress{}, idle_since{}, engine_since{};

        ResponseFramer framer;
        std::deque<std::string> methods;           // requests passed on, awaiting their responses
        bool streaming = false;                    // the current response lasts until the engine closes
        bool close_after = false;                  // no more requests on this connection
        std::optional<std::string> pending_error;  // written once earlier responses are through
        bool closing = false;                      // flush to_client, then close
        bool linger = false;                       // after a refusal: read and drop what the client still sends
        Clock::time_point linger_until{};
        std::size_t lingered = 0;
        bool gone = false;
        Conn(Impl& g, tcp::socket s, std::string address) : gate(g), client(std::move(s)), ip(std::move(address)) {}

        const GateOptions& opt() const { return gate.options; }

        void begin() {
            idle_since = Clock::now();
            if (!tls) return read_client();
            handshaking = true;
            handshake_deadline = Clock::now() + opt().handshake_timeout;
            continue_handshake();
        }

        // -- TLS --

        void continue_handshake() {
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
                const auto dir =
                    step.io == TlsSession::Io::want_read ? tcp::socket::wait_read : tcp::socket::wait_write;
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
                    gate.log->info("{}: TLS handshake with {} failed: {}", opt().name, ip,
                                   escape_untrusted(tls->error(), 200));
                }
            }
            close();
        }

        // The client's bytes (decrypted under TLS); would_block when there are none yet.
        std::size_t client_read_some(char* into, std::size_t size, error_code& ec) {
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

        std::size_t client_write_some(std::string_view bytes, error_code& ec) {
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

        // -- reading the client --

        void read_client() {
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

        template <class F>
        void guard(F&& f) noexcept {
            try {
                f();
            } catch (const std::exception& e) {
                gate.log->error("{}: connection from {}: {}", opt().name, ip, escape_untrusted(e.what(), 300));
                close();
            }
        }

        void client_readable() {
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

        void process_input() {
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

        // A complete head: checked, then passed on. False when refused.
        bool start_request(RequestHead head) {
            if (const std::string* host = head.header("host"); host && !opt().hosts.allows(*host)) {
                refuse({421, "unknown_host",
                        "this box does not answer to the name " + escape_untrusted(*host, 80) +
                            " (a name of its own is added in [http] host_names)"},
                       &head);
                return false;
            }
            if (opt().plain_http) return answer_here(head);
            if (!upstream && !connect_upstream()) {
                refuse({503, "busy", "the box is too busy to take this request now; try again in a few seconds"},
                       &head);
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
            const std::size_t now_in =
                static_cast<std::size_t>(std::min<std::uint64_t>(head.content_length, in_buf.size()));
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

        // plain_http: the gate's own answer (no engine behind). A request with a body is
        // answered, then the connection ends: its body is never read as a request.
        bool answer_here(const RequestHead& head) {
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

        // The gate answers itself: at once if nothing is on its way from the engine, else once
        // the earlier answers are through (they must not interleave). No more requests after.
        void refuse(const HeadError& e, const RequestHead* head) {
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

        // A client refused while it was still sending (a body too large, say) reads our answer
        // only once it has sent everything: closing at once would reset the connection under
        // it and lose the answer. What it sends is read and dropped, for a while.
        void start_linger() {
            error_code ec;
            if (tls) tls->shutdown();
            client.shutdown(tcp::socket::shutdown_send, ec);
            linger_until = Clock::now() + std::chrono::seconds(5);
            discard_client();
        }

        void discard_client() {
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

        bool connect_upstream() {
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
                    self->gate.log->warn("{}: cannot reach the HTTP engine: {}", self->opt().name,
                                         (e ? e : le).message());
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

        // -- writing --

        void send_upstream(std::string_view bytes) {
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

        void flush_upstream() {
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

        void wait_upstream_writable() {
            if (waiting_upstream_write || connecting || !upstream) return;
            waiting_upstream_write = true;
            upstream->async_wait(tcp::socket::wait_write, [self = shared_from_this()](const error_code& ec) {
                self->waiting_upstream_write = false;
                if (self->gone) return;
                if (ec) return self->close();
                self->guard([&] { self->flush_upstream(); });
            });
        }

        void send_client(std::string_view bytes) {
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

        void flush_client() {
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

        void wait_client_writable() {
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

        void flush_then_close() {
            if (to_client.empty()) return linger ? start_linger() : close();
        }

        // -- the engine's answers --

        void read_upstream() {
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

        void upstream_readable() {
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

        void settle_one() {
            if (methods.empty()) return;
            methods.pop_front();
            --gate.outstanding;
        }

        void settle_all() {
            while (!methods.empty()) settle_one();
        }

        // -- time --

        // Called by the gate's sweep (a few times a second): a deadline passed? One timer for all
        // connections costs nothing per read or write, where one each would be re-armed at every
        // byte; the deadlines are seconds long, a quarter second late is nothing.
        void check_time() {
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
            if (methods.empty() && !streaming && to_client.empty() && !head_started &&
                now >= idle_since + opt().idle_timeout)
                return close();
        }

        // After a client's EOF: what was asked is answered, then closed.
        void finish() {
            if (!methods.empty()) return;
            closing = true;
            flush_then_close();
        }

        void close() {
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
            asio::post(gate.io,
                       [g = gate.shared_from_this(), self = shared_from_this()] { g->closed(self.get(), self->ip); });
        }
    };

    void close_all() {
        std::vector<std::shared_ptr<Conn>> all;
        for (auto& [_, c] : conns) all.push_back(c);
        for (auto& c : all) c->close();
    }
};

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
