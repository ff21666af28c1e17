// SmtpClient against a scripted server on a loopback socket: the protocol paths a real relay
// rarely shows on demand (PIPELINING batches, HELO fallback, an idle connection closed under
// us, SIZE, SMTPUTF8, 354 after every RCPT was refused, silence, garbage). The common paths
// run against a real SMTP server in tests/integration/test_mail.py.

#include "smtp_client.hpp"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

using namespace relais::mail;

namespace {

// One line the server received, and which recv() chunk it came in (to see pipelining).
struct Received {
    std::string line;
    int chunk = 0;
    int connection = 0;
};

// Replies to each command line with what `respond` returns ("" = say nothing). Message
// bodies after a 354 are collected until "." and answered by `respond(".")`. Accepts
// connections one after another until stopped.
class ScriptedServer {
public:
    using Respond = std::function<std::string(const std::string& line, int connection)>;

    ScriptedServer(std::string greeting, Respond respond)
        : greeting_(std::move(greeting)), respond_(std::move(respond)) {
        listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        socklen_t len = sizeof a;
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        ::listen(listener_, 4);
        thread_ = std::thread([this] { serve(); });
    }
    ~ScriptedServer() {
        stop_ = true;
        ::shutdown(listener_, SHUT_RDWR);
        ::close(listener_);
        thread_.join();
    }
    std::uint16_t port() const { return port_; }
    std::vector<Received> received() {
        std::lock_guard lock(mutex_);
        return received_;
    }
    std::vector<std::string> bodies() {
        std::lock_guard lock(mutex_);
        return bodies_;
    }
    int connections() const { return connections_; }
    // Lines of the chunk that held `prefix`.
    std::vector<std::string> chunk_of(const std::string& prefix) {
        auto all = received();
        int chunk = -1;
        for (const auto& r : all)
            if (r.line.rfind(prefix, 0) == 0) chunk = r.chunk;
        std::vector<std::string> out;
        for (const auto& r : all)
            if (r.chunk == chunk) out.push_back(r.line);
        return out;
    }
    bool saw(const std::string& prefix) {
        for (const auto& r : received())
            if (r.line.rfind(prefix, 0) == 0) return true;
        return false;
    }

private:
    void serve() {
        while (!stop_) {
            int fd = ::accept(listener_, nullptr, nullptr);
            if (fd < 0) return;
            int connection = ++connections_;
            talk(fd, connection);
            ::close(fd);
        }
    }
    void send_all(int fd, const std::string& s) {
        std::size_t done = 0;
        while (done < s.size()) {
            ssize_t n = ::send(fd, s.data() + done, s.size() - done, MSG_NOSIGNAL);
            if (n <= 0) return;
            done += static_cast<std::size_t>(n);
        }
    }
    void talk(int fd, int connection) {
        if (!greeting_.empty()) send_all(fd, greeting_ + "\r\n");
        std::string pending;
        bool in_data = false;
        std::string body;
        char buf[8192];
        while (true) {
            ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) return;
            int chunk = ++chunks_;
            pending.append(buf, static_cast<std::size_t>(n));
            std::size_t nl;
            while ((nl = pending.find("\r\n")) != std::string::npos) {
                std::string line = pending.substr(0, nl);
                pending.erase(0, nl + 2);
                if (in_data) {
                    if (line != ".") {
                        body += line + "\n";
                        continue;
                    }
                    in_data = false;
                    {
                        std::lock_guard lock(mutex_);
                        bodies_.push_back(body);
                    }
                    body.clear();
                }
                {
                    std::lock_guard lock(mutex_);
                    received_.push_back({line, chunk, connection});
                }
                std::string reply = respond_(line, connection);
                if (reply == "<close>") return;
                if (reply == "<silent>") continue;
                if (!reply.empty()) send_all(fd, reply + "\r\n");
                if (reply.rfind("354", 0) == 0) in_data = true;
                if (line == "QUIT") return;
            }
        }
    }

    std::string greeting_;
    Respond respond_;
    int listener_ = -1;
    std::uint16_t port_ = 0;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    std::atomic<int> connections_{0};
    int chunks_ = 0;
    std::mutex mutex_;
    std::vector<Received> received_;
    std::vector<std::string> bodies_;
};

// A relay that says yes to everything, with the given EHLO extensions.
ScriptedServer::Respond relay(std::string extensions, std::function<std::string(const std::string&)> special = {}) {
    return [extensions, special](const std::string& line, int) -> std::string {
        if (special) {
            std::string r = special(line);
            if (!r.empty()) return r;
        }
        if (line.rfind("EHLO", 0) == 0)
            return extensions.empty() ? "250 relay.test" : "250-relay.test\r\n" + extensions;
        if (line.rfind("MAIL", 0) == 0 || line.rfind("RCPT", 0) == 0 || line == "RSET") return "250 2.1.0 Ok";
        if (line == "DATA") return "354 End data with <CR><LF>.<CR><LF>";
        if (line == ".") return "250 2.0.0 Ok: queued as 4F2A1";
        if (line == "QUIT") return "221 2.0.0 Bye";
        return "502 5.5.2 Error: command not recognized";
    };
}

RelaySettings settings_for(const ScriptedServer& server, TlsMode tls = TlsMode::none) {
    RelaySettings s;
    s.host = "127.0.0.1";
    s.port = server.port();
    s.tls = tls;
    s.helo_name = "relais.test";
    s.timeouts.cap(std::chrono::milliseconds(2000));
    return s;
}

// Sends each message in turn, waiting for the outcome of one before sending the next, then
// closes the client and returns the outcomes.
std::vector<MailOutcome> send_all(RelaySettings settings, std::vector<Envelope> envelopes,
                                  std::vector<std::string>* log_lines = nullptr,
                                  std::string message = "Subject: t\r\n\r\nhello\r\n") {
    boost::asio::io_context io;
    std::vector<MailOutcome> outcomes;
    SmtpClient client(io, std::move(settings), [log_lines](MailLogLevel, const std::string& line) {
        if (log_lines) log_lines->push_back(line);
    });
    std::function<void(std::size_t)> next = [&](std::size_t i) {
        if (i == envelopes.size()) {
            client.close();
            return;
        }
        client.send(envelopes[i], message, [&, i](MailOutcome o) {
            outcomes.push_back(std::move(o));
            next(i + 1);
        });
    };
    next(0);
    io.run();
    return outcomes;
}

Envelope envelope(std::vector<std::string> to) { return {"atelier@garage.test", std::move(to)}; }

}  // namespace

TEST_CASE("with PIPELINING, MAIL, every RCPT and DATA go in one write, a refused recipient is reported alone") {
    ScriptedServer server("220 relay.test ESMTP", relay("250-PIPELINING\r\n250 8BITMIME", [](const std::string& l) {
                              return l == "RCPT TO:<nobody@example.test>"
                                         ? std::string("550 5.1.1 <nobody@example.test>: User unknown")
                                         : std::string();
                          }));
    auto out = send_all(settings_for(server), {envelope({"zoe@example.test", "nobody@example.test"})});
    REQUIRE(out.size() == 1);
    CHECK(out[0].status == DeliveryStatus::delivered);
    CHECK(out[0].code == 250);
    CHECK(out[0].text == "2.0.0 Ok: queued as 4F2A1");
    REQUIRE(out[0].recipients.size() == 2);
    CHECK(out[0].recipients[0].status == DeliveryStatus::delivered);
    CHECK(out[0].recipients[1].status == DeliveryStatus::permanent);
    CHECK(out[0].recipients[1].code == 550);
    CHECK(out[0].recipients[1].text == "5.1.1 <nobody@example.test>: User unknown");
    auto batch = server.chunk_of("MAIL FROM");
    CHECK(batch == std::vector<std::string>{"MAIL FROM:<atelier@garage.test>", "RCPT TO:<zoe@example.test>",
                                            "RCPT TO:<nobody@example.test>", "DATA"});
    REQUIRE(server.bodies().size() == 1);
    CHECK(server.bodies()[0] == "Subject: t\n\nhello\n");
}

TEST_CASE("without PIPELINING each command waits for its reply") {
    ScriptedServer server("220 relay.test ESMTP", relay("250 8BITMIME"));
    auto out = send_all(settings_for(server), {envelope({"zoe@example.test", "marc@example.test"})});
    REQUIRE(out.size() == 1);
    CHECK(out[0].delivered());
    CHECK(server.chunk_of("MAIL FROM") == std::vector<std::string>{"MAIL FROM:<atelier@garage.test>"});
    CHECK(server.chunk_of("DATA") == std::vector<std::string>{"DATA"});
}

TEST_CASE("lines starting with a dot are doubled on the wire") {
    ScriptedServer server("220 relay.test ESMTP", relay("250 8BITMIME"));
    auto out = send_all(settings_for(server), {envelope({"zoe@example.test"})}, nullptr,
                        "Subject: dots\r\n\r\n.hidden\r\n..two\r\n.\r\nlast");
    REQUIRE(out.size() == 1);
    CHECK(out[0].delivered());
    REQUIRE(server.bodies().size() == 1);
    // The scripted server keeps the bytes as sent (it does not undo the stuffing).
    CHECK(server.bodies()[0] == "Subject: dots\n\n..hidden\n...two\n..\nlast\n");
}

TEST_CASE("a relay that does not know EHLO gets HELO") {
    ScriptedServer server("220 old.relay.test SMTP", [](const std::string& line, int) -> std::string {
        if (line.rfind("EHLO", 0) == 0) return "502 5.5.2 Error: command not recognized";
        if (line.rfind("HELO", 0) == 0) return "250 old.relay.test";
        return relay("")(line, 1);
    });
    auto out = send_all(settings_for(server), {envelope({"zoe@example.test"})});
    REQUIRE(out.size() == 1);
    CHECK(out[0].delivered());
    CHECK(server.saw("HELO relais.test"));
}

TEST_CASE("one connection carries several messages, an idle connection the relay dropped is reopened") {
    SUBCASE("reused") {
        ScriptedServer server("220 relay.test ESMTP", relay("250 PIPELINING"));
        boost::asio::io_context io;
        int delivered = 0;
        SmtpClient client(io, settings_for(server), {});
        for (int i = 0; i < 5; ++i)
            client.send(envelope({"zoe@example.test"}), "Subject: x\r\n\r\nbody\r\n", [&](MailOutcome o) {
                delivered += o.delivered() ? 1 : 0;
                if (delivered == 5) client.close();
            });
        io.run();
        CHECK(delivered == 5);
        CHECK(server.connections() == 1);
        CHECK(server.bodies().size() == 5);
    }
    SUBCASE("dropped while idle") {
        // The relay closes the connection right after accepting the first message (like an
        // idle timeout); the second message must go through a new connection, not fail.
        auto mails = std::make_shared<int>(0);
        ScriptedServer server("220 relay.test ESMTP", [mails](const std::string& line, int connection) -> std::string {
            if (connection == 1 && line.rfind("MAIL", 0) == 0 && ++*mails == 2) return "<close>";
            return relay("")(line, connection);
        });
        auto out = send_all(settings_for(server), {envelope({"a@example.test"}), envelope({"b@example.test"})});
        REQUIRE(out.size() == 2);
        CHECK(out[0].delivered());
        CHECK(out[1].delivered());
        CHECK(server.connections() == 2);
    }
}

TEST_CASE("SIZE: too large is refused before sending, otherwise announced") {
    ScriptedServer server("220 relay.test ESMTP", relay("250 SIZE 100"));
    std::string big = "Subject: big\r\n\r\n" + std::string(200, 'x') + "\r\n";
    auto out = send_all(settings_for(server), {envelope({"zoe@example.test"})}, nullptr, big);
    REQUIRE(out.size() == 1);
    CHECK(out[0].status == DeliveryStatus::permanent);
    CHECK(out[0].text.find("accepts at most 100") != std::string::npos);
    CHECK_FALSE(server.saw("MAIL"));

    ScriptedServer roomy("220 relay.test ESMTP", relay("250 SIZE 10000"));
    auto ok = send_all(settings_for(roomy), {envelope({"zoe@example.test"})}, nullptr, big);
    CHECK(ok[0].delivered());
    CHECK(roomy.saw("MAIL FROM:<atelier@garage.test> SIZE=" + std::to_string(big.size())));
}

TEST_CASE("a non-ASCII address needs SMTPUTF8") {
    ScriptedServer plain("220 relay.test ESMTP", relay("250 8BITMIME"));
    auto refused = send_all(settings_for(plain), {envelope({"zoé@exemple.fr"})});
    CHECK(refused[0].status == DeliveryStatus::permanent);
    CHECK(refused[0].text.find("SMTPUTF8") != std::string::npos);
    CHECK_FALSE(plain.saw("MAIL"));

    ScriptedServer modern("220 relay.test ESMTP", relay("250 SMTPUTF8"));
    auto ok = send_all(settings_for(modern), {envelope({"zoé@exemple.fr"})});
    CHECK(ok[0].delivered());
    CHECK(modern.saw("MAIL FROM:<atelier@garage.test> SMTPUTF8"));
    CHECK(modern.saw("RCPT TO:<zoé@exemple.fr>"));
}

TEST_CASE("a 354 after every recipient was refused gets an empty message and RSET") {
    ScriptedServer server("220 relay.test ESMTP", relay("250 PIPELINING", [](const std::string& l) -> std::string {
                              if (l.rfind("RCPT", 0) == 0) return "550 5.1.1 User unknown";
                              if (l == ".") return "554 5.5.1 No valid recipients";
                              return {};
                          }));
    auto out = send_all(settings_for(server), {envelope({"nobody@example.test"})});
    REQUIRE(out.size() == 1);
    CHECK(out[0].status == DeliveryStatus::permanent);
    CHECK(out[0].code == 550);
    CHECK(server.saw("RSET"));
    REQUIRE(server.bodies().size() == 1);
    CHECK(server.bodies()[0].empty());
}

TEST_CASE("temporary and permanent answers per stage") {
    SUBCASE("421 greeting") {
        ScriptedServer server("421 4.3.2 Service shutting down", relay(""));
        auto out = send_all(settings_for(server), {envelope({"zoe@example.test"})});
        CHECK(out[0].status == DeliveryStatus::temporary);
        CHECK(out[0].code == 421);
        CHECK(out[0].text.find("Service shutting down") != std::string::npos);
    }
    SUBCASE("451 at the end of data") {
        ScriptedServer server("220 relay.test", relay("", [](const std::string& l) {
                                  return l == "." ? std::string("451 4.3.0 Try again later") : std::string();
                              }));
        auto out = send_all(settings_for(server), {envelope({"zoe@example.test"})});
        CHECK(out[0].status == DeliveryStatus::temporary);
        CHECK(out[0].recipients[0].code == 451);
    }
    SUBCASE("554 to MAIL FROM") {
        ScriptedServer server("220 relay.test", relay("", [](const std::string& l) {
                                  return l.rfind("MAIL", 0) == 0 ? std::string("554 5.7.1 Sender rejected")
                                                                 : std::string();
                              }));
        auto out = send_all(settings_for(server), {envelope({"zoe@example.test"})});
        CHECK(out[0].status == DeliveryStatus::permanent);
        CHECK(out[0].text == "5.7.1 Sender rejected");
    }
    SUBCASE("a multi-line final reply is read whole") {
        ScriptedServer server("220 relay.test", relay("", [](const std::string& l) {
                                  return l == "." ? std::string("250-2.0.0 Ok\r\n250 2.0.0 queued as ABC")
                                                  : std::string();
                              }));
        auto out = send_all(settings_for(server), {envelope({"zoe@example.test"})});
        CHECK(out[0].delivered());
        CHECK(out[0].text == "2.0.0 Ok 2.0.0 queued as ABC");
    }
}

TEST_CASE("a relay that stops answering is given up on, not waited for") {
    ScriptedServer server("220 relay.test", relay("", [](const std::string& l) {
                              return l == "." ? std::string("<silent>") : std::string();
                          }));
    RelaySettings s = settings_for(server);
    s.timeouts.cap(std::chrono::milliseconds(300));
    auto out = send_all(s, {envelope({"zoe@example.test"})});
    REQUIRE(out.size() == 1);
    CHECK(out[0].status == DeliveryStatus::temporary);
    CHECK(out[0].text.find("timed out after 300 ms") != std::string::npos);
}

TEST_CASE("garbage instead of a reply is a protocol error") {
    ScriptedServer server("220 relay.test", relay("", [](const std::string& l) {
                              return l.rfind("MAIL", 0) == 0 ? std::string("HTTP/1.1 400 Bad Request") : std::string();
                          }));
    auto out = send_all(settings_for(server), {envelope({"zoe@example.test"})});
    CHECK(out[0].status == DeliveryStatus::temporary);
    CHECK(out[0].text.find("protocol error") != std::string::npos);
}

TEST_CASE("passwords never go over plain text unless allowed, and never into the log") {
    auto login_server = [] {
        return relay("250 AUTH LOGIN", [](const std::string& l) -> std::string {
            if (l == "AUTH LOGIN") return "334 VXNlcm5hbWU6";
            if (l == "YXRlbGllckBnYXJhZ2UudGVzdA==") return "334 UGFzc3dvcmQ6";         // atelier@garage.test
            if (l == "czNjcjN0LVBAc3M=") return "235 2.7.0 Authentication successful";  // s3cr3t-P@ss
            return {};
        });
    };
    SUBCASE("refused without TLS") {
        ScriptedServer server("220 relay.test", login_server());
        RelaySettings s = settings_for(server);
        s.username = "atelier@garage.test";
        s.password = "s3cr3t-P@ss";
        auto out = send_all(s, {envelope({"zoe@example.test"})});
        CHECK(out[0].status == DeliveryStatus::permanent);
        CHECK(out[0].text.find("without TLS") != std::string::npos);
        CHECK_FALSE(server.saw("AUTH"));
        CHECK_FALSE(server.saw("MAIL"));
    }
    SUBCASE("LOGIN when explicitly allowed") {
        ScriptedServer server("220 relay.test", login_server());
        RelaySettings s = settings_for(server);
        s.username = "atelier@garage.test";
        s.password = "s3cr3t-P@ss";
        s.auth_without_tls = true;
        std::vector<std::string> log;
        auto out = send_all(s, {envelope({"zoe@example.test"})}, &log);
        CHECK(out[0].delivered());
        CHECK(server.saw("AUTH LOGIN"));
        CHECK(server.saw("czNjcjN0LVBAc3M="));
        REQUIRE_FALSE(log.empty());
        for (const auto& line : log) {
            CHECK(line.find("s3cr3t") == std::string::npos);
            CHECK(line.find("czNjcjN0LVBAc3M=") == std::string::npos);
            CHECK(line.find("YXRlbGllckBnYXJhZ2UudGVzdA==") == std::string::npos);
        }
    }
    SUBCASE("a relay without AUTH while a user name is configured") {
        ScriptedServer server("220 relay.test", relay("250 8BITMIME"));
        RelaySettings s = settings_for(server);
        s.username = "atelier@garage.test";
        s.password = "x";
        s.auth_without_tls = true;
        auto out = send_all(s, {envelope({"zoe@example.test"})});
        CHECK(out[0].status == DeliveryStatus::permanent);
        CHECK(out[0].text.find("offers no authentication") != std::string::npos);
    }
}

TEST_CASE("STARTTLS required but not offered: nothing is sent in clear") {
    ScriptedServer server("220 relay.test", relay("250 8BITMIME"));
    auto out = send_all(settings_for(server, TlsMode::starttls), {envelope({"zoe@example.test"})});
    CHECK(out[0].status == DeliveryStatus::permanent);
    CHECK(out[0].text.find("does not offer STARTTLS") != std::string::npos);
    CHECK_FALSE(server.saw("MAIL"));

    ScriptedServer lax("220 relay.test", relay("250 8BITMIME"));
    auto sent = send_all(settings_for(lax, TlsMode::opportunistic), {envelope({"zoe@example.test"})});
    CHECK(sent[0].delivered());
    CHECK(sent[0].tls.empty());
}

TEST_CASE("addresses that could inject commands are refused before connecting") {
    ScriptedServer server("220 relay.test", relay(""));
    auto out = send_all(settings_for(server), {envelope({"zoe@example.test>\r\nRCPT TO:<evil@example.test"})});
    CHECK(out[0].status == DeliveryStatus::permanent);
    CHECK(server.connections() == 0);
}

TEST_CASE("nothing listening is a temporary failure") {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);  // the port is now free and nobody listens on it
    RelaySettings s;
    s.host = "127.0.0.1";
    s.port = ntohs(a.sin_port);
    s.tls = TlsMode::none;
    auto out = send_all(s, {envelope({"zoe@example.test"})});
    CHECK(out[0].status == DeliveryStatus::temporary);
    CHECK(out[0].text.find("refused") != std::string::npos);
}
