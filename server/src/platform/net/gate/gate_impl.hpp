#pragma once
// The gate's insides (http_gate.hpp), shared by the files that implement it, private to
// platform/net: http_gate.cpp (the listener: accepting, the caps, the sweep, the public face),
// gate_client.cpp (one client: TLS, request heads read and checked, refusals, lingering, its
// deadlines), gate_relay.cpp (bytes to and from the engine, writes to the client, the engine's
// answers framed). Everything here runs on the gate's thread but peers (peers_mutex) and the
// counters (atomics).

#include "http_gate.hpp"
#include "http_head.hpp"
#include "tls.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace relais {

namespace asio = boost::asio;

struct HttpGate::Impl : std::enable_shared_from_this<Impl> {
    using tcp = asio::ip::tcp;
    using Clock = std::chrono::steady_clock;
    using error_code = boost::system::error_code;

    // Bytes read at once; one buffer per gate thread, so an idle connection holds none.
    static constexpr std::size_t kScratch = 64 * 1024;
    // Past this much waiting to be written, the other side is not read until it drains.
    static constexpr std::size_t kHighWater = 256 * 1024;
    // What a request may take the engine before its client is told it is too slow (the HTTP
    // handlers answer in milliseconds; a live-update stream writes every 15 s).
    static constexpr std::chrono::minutes kEngineTimeout{2};
    // Requests of one connection passed on before their answers have gone out: a client that
    // pipelines hundreds and reads none would otherwise make the engine hold all the answers.
    static constexpr std::size_t kMaxPipelined = 8;

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

    void arm_accept();
    void accept_ready() noexcept;

    // Too many connections from one address: a short answer it may read, then closed (under
    // TLS, closed: an answer would need a handshake, which is what is being refused).
    void refuse_now(tcp::socket& s, const std::string& ip, bool tls);

    // A TLS listener given no context for a connection (a bug, or no certificate yet): closed,
    // nothing said (an answer would need a handshake), and logged.
    void refuse_without_tls(tcp::socket& s, const std::string& ip);
    void arm_sweep();
    void closed(Conn* c, const std::string& ip);

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

        void begin();

        // -- TLS --

        void continue_handshake();

        // The client's bytes (decrypted under TLS); would_block when there are none yet.
        std::size_t client_read_some(char* into, std::size_t size, error_code& ec);
        std::size_t client_write_some(std::string_view bytes, error_code& ec);

        // -- reading the client --

        void read_client();

        // Runs a step of the connection; nothing escapes to the event loop: an exception is
        // logged and closes the connection.
        template <class F>
        void guard(F&& f) noexcept {
            try {
                f();
            } catch (const std::exception& e) {
                failed(e);
            }
        }
        void failed(const std::exception& e) noexcept;

        void client_readable();
        void process_input();

        // A complete head: checked, then passed on. False when refused.
        bool start_request(RequestHead head);

        // plain_http: the gate's own answer (no engine behind). A request with a body is
        // answered, then the connection ends: its body is never read as a request.
        bool answer_here(const RequestHead& head);

        // The gate answers itself: at once if nothing is on its way from the engine, else once
        // the earlier answers are through (they must not interleave). No more requests after.
        void refuse(const HeadError& e, const RequestHead* head);

        // A client refused while it was still sending (a body too large, say) reads our answer
        // only once it has sent everything: closing at once would reset the connection under
        // it and lose the answer. What it sends is read and dropped, for a while.
        void start_linger();
        void discard_client();
        bool connect_upstream();

        // -- writing --

        void send_upstream(std::string_view bytes);
        void flush_upstream();
        void wait_upstream_writable();
        void send_client(std::string_view bytes);
        void flush_client();
        void wait_client_writable();
        void flush_then_close();

        // -- the engine's answers --

        void read_upstream();
        void upstream_readable();
        void settle_one();
        void settle_all();

        // -- time --

        // Called by the gate's sweep (a few times a second): a deadline passed? One timer for all
        // connections costs nothing per read or write, where one each would be re-armed at every
        // byte; the deadlines are seconds long, a quarter second late is nothing.
        void check_time();

        // After a client's EOF: what was asked is answered, then closed.
        void finish();
        void close();
    };

    void close_all();
};

}  // namespace relais
