// Benchmark program: a customer's request on a connection of its own, over TLS, as phones do
// when they open a link: connect, handshake (new, or resuming the session this client had),
// one request, the whole answer, close. `connections` clients at once (one thread each,
// blocking I/O: the load generator stays simple and its cost shows in the figures), for
// `seconds`; as fast as they can, or paced to `rate` requests a second in all (an open load
// well below saturation, where latency is the server's, not the queue's). Prints one JSON line: latency percentiles
// (ms, from connect to the answer's last byte) and counts. Run by tests/bench/bench_customer_page.py --https (wrk
// resumes sessions whenever it reconnects, so it cannot measure new ones).
//
//   relais_bench_tls PORT PATH CONNECTIONS SECONDS new|resumed [RATE] [COOKIE]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Shared {
    SSL_CTX* ctx = nullptr;
    int port = 0;
    int clients = 0;
    std::string request;
    bool resume = false;
    double rate = 0;  // requests a second in all; 0: as fast as possible
    Clock::time_point end;
    std::mutex mutex;
    std::vector<double> latencies_ms;
    std::atomic<long> errors{0}, resumed{0}, handshakes{0};
};

// One request on a new connection; false on any error.
bool once(Shared& s, SSL_SESSION*& session, double& ms) {
    const auto start = Clock::now();
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(s.port));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
    SSL* ssl = ok ? SSL_new(s.ctx) : nullptr;
    if (ssl) {
        SSL_set_fd(ssl, fd);
        SSL_set_tlsext_host_name(ssl, "relais.garage-test.fr");
        if (s.resume && session) SSL_set_session(ssl, session);
        ok = SSL_connect(ssl) == 1;
    }
    if (ok) {
        ++s.handshakes;
        if (SSL_session_reused(ssl)) ++s.resumed;
        ok = SSL_write(ssl, s.request.data(), static_cast<int>(s.request.size())) > 0;
    }
    // The answer is read until the server closes (the request says Connection: close); TLS 1.3
    // tickets arrive here too, so the session is taken after the reading.
    char buf[16384];
    std::size_t got = 0;
    while (ok) {
        const int n = SSL_read(ssl, buf, sizeof buf);
        if (n <= 0) {
            const int e = SSL_get_error(ssl, n);
            ok = got > 0 && (e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL);
            break;
        }
        if (got == 0 && (n < 12 || std::memcmp(buf, "HTTP/1.1 200", 12) != 0)) ok = false;
        got += static_cast<std::size_t>(n);
    }
    if (ok && s.resume) {
        if (SSL_SESSION* fresh = SSL_get1_session(ssl)) {
            if (session) SSL_SESSION_free(session);
            session = fresh;
        }
    }
    if (ssl) {
        SSL_shutdown(ssl);
        SSL_free(ssl);
    }
    ::close(fd);
    ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    ERR_clear_error();
    return ok;
}

void client(Shared& s) {
    SSL_SESSION* session = nullptr;
    std::vector<double> mine;
    const auto gap = s.rate > 0 ? std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(static_cast<double>(s.clients) / s.rate))
                                : Clock::duration::zero();
    // Spread out: the clients do not all start at once.
    auto next = Clock::now() + std::chrono::duration_cast<Clock::duration>(gap * (std::rand() % 1000) / 1000.0);
    while (Clock::now() < s.end) {
        if (gap.count()) {
            std::this_thread::sleep_until(next);
            next += gap;
        }
        double ms = 0;
        if (once(s, session, ms))
            mine.push_back(ms);
        else
            ++s.errors;
    }
    if (session) SSL_SESSION_free(session);
    std::lock_guard lock(s.mutex);
    s.latencies_ms.insert(s.latencies_ms.end(), mine.begin(), mine.end());
}

double percentile(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    const auto i = static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1) + 0.5);
    return sorted[std::min(i, sorted.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 6) {
        std::fprintf(stderr, "usage: %s PORT PATH CONNECTIONS SECONDS new|resumed [RATE] [COOKIE]\n", argv[0]);
        return 2;
    }
    std::signal(SIGPIPE, SIG_IGN);  // a connection the server closed is an error counted, not the end
    Shared s;
    s.port = std::atoi(argv[1]);
    const std::string path = argv[2];
    const int connections = std::atoi(argv[3]);
    s.clients = connections;
    if (argc > 6) s.rate = std::atof(argv[6]);
    const int seconds = std::atoi(argv[4]);
    s.resume = std::string(argv[5]) == "resumed";
    // PATH "POST /o/<token>/open": the offer's data, as the page asks for it.
    const bool post = path.rfind("POST ", 0) == 0;
    s.request = (post ? path : "GET " + path) + " HTTP/1.1\r\nHost: relais.garage-test.fr\r\nConnection: close\r\n";
    if (argc > 7) s.request += std::string("Cookie: ") + argv[7] + "\r\n";
    if (post)
        s.request +=
            "Origin: https://relais.garage-test.fr\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
    else
        s.request += "\r\n";
    s.ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(s.ctx, SSL_VERIFY_NONE, nullptr);        // the box's self-signed certificate
    SSL_CTX_set_session_cache_mode(s.ctx, SSL_SESS_CACHE_OFF);  // sessions are kept per client here
    s.end = Clock::now() + std::chrono::seconds(seconds);
    std::vector<std::thread> threads;
    for (int i = 0; i < connections; ++i) threads.emplace_back([&s] { client(s); });
    for (auto& t : threads) t.join();
    std::sort(s.latencies_ms.begin(), s.latencies_ms.end());
    const auto& l = s.latencies_ms;
    std::printf(
        "{\"requests\": %zu, \"errors\": %ld, \"handshakes\": %ld, \"resumed\": %ld, \"p50\": %.3f, \"p95\": %.3f, "
        "\"p99\": %.3f, \"max\": %.3f, \"per_second\": %.1f}\n",
        l.size(), s.errors.load(), s.handshakes.load(), s.resumed.load(), percentile(l, 50), percentile(l, 95),
        percentile(l, 99), l.empty() ? 0.0 : l.back(), static_cast<double>(l.size()) / seconds);
    SSL_CTX_free(s.ctx);
    return 0;
}
