// The gate on a real loopback socket, with a listening socket of the test's as its engine: a
// TLS listener whose certificate manager gives no context for a connection refuses it (closed,
// logged) instead of serving it as plain HTTP.
#include "http_gate.hpp"
#include "support.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <doctest/doctest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <sstream>

using namespace relais;
using namespace relais::test;

namespace {

// A socket, closed at the end of the test.
struct Fd {
    int fd;
    explicit Fd(int f) : fd(f) { REQUIRE(fd >= 0); }
    ~Fd() { ::close(fd); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
};

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

// A listening socket on a port the kernel chooses; the port.
std::uint16_t listen_on(const Fd& s) {
    sockaddr_in a = loopback(0);
    REQUIRE(::bind(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(s.fd, 8) == 0);
    socklen_t len = sizeof a;
    REQUIRE(::getsockname(s.fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    return ntohs(a.sin_port);
}

}  // namespace

TEST_CASE("gate: a TLS listener without a context for a connection refuses it, never plain HTTP") {
    const Fd engine(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    const std::uint16_t engine_port = listen_on(engine);
    std::ostringstream logged;
    auto log = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_mt>(logged));
    GateOptions options;
    options.name = "public";
    options.host = "127.0.0.1";
    options.tls = [] { return std::shared_ptr<const TlsContext>(); };  // no certificate for it
    HttpGate gate(options, log);
    REQUIRE(gate.start(engine_port));

    const Fd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in to = loopback(gate.port());
    REQUIRE(::connect(client.fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
    const std::string request = "GET /robots.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    (void)::send(client.fd, request.data(), request.size(), MSG_NOSIGNAL);
    timeval wait{10, 0};
    REQUIRE(::setsockopt(client.fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait) == 0);
    char buf[256];
    const ssize_t n = ::recv(client.fd, buf, sizeof buf, 0);
    CHECK(n <= 0);                       // closed (or reset), nothing said
    CHECK((n == 0 || errno != EAGAIN));  // not the 10 s passing
    // Nothing went on to the engine as plain HTTP.
    CHECK(::accept(engine.fd, nullptr, nullptr) < 0);
    gate.stop();
    log->flush();
    CHECK(logged.str().find("public: no TLS certificate to serve: refused a connection from 127.0.0.1") !=
          std::string::npos);
}
