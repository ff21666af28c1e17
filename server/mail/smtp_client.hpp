#pragma once
// The SMTP client (RFC 5321) on Boost.Asio and OpenSSL: EHLO with HELO fallback, STARTTLS
// (required or opportunistic) or implicit TLS, certificate and host name verification, AUTH
// PLAIN/LOGIN, PIPELINING, SIZE, SMTPUTF8, a timeout per stage, and one connection reused for
// the messages queued while it is open. Each message ends delivered to the relay, temporary
// (4xx, refused, timed out: the outbox retries) or permanent (5xx, refused certificate,
// refused credentials), per recipient.

#include "mail_transport.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace relais::mail {

enum class TlsMode {
    none,           // plain text; AUTH only with auth_without_tls
    starttls,       // STARTTLS required: a relay that does not offer it is refused
    opportunistic,  // STARTTLS when offered, plain text otherwise
    implicit,       // TLS from the first byte (port 465)
};

/// Per-stage limits. The defaults are RFC 5321 §4.5.3.2's (5 minutes for the greeting, MAIL
/// and RCPT, 2 for DATA, 3 per data block, 10 for the final dot); `cap` shortens them all
/// for people waiting at a terminal.
struct SmtpTimeouts {
    std::chrono::milliseconds connect{30'000};
    std::chrono::milliseconds greeting{300'000};
    std::chrono::milliseconds command{300'000};  // EHLO, STARTTLS, TLS handshake, AUTH, MAIL, RCPT, RSET
    std::chrono::milliseconds data_start{120'000};
    std::chrono::milliseconds data_block{180'000};
    std::chrono::milliseconds data_end{600'000};
    std::chrono::milliseconds quit{10'000};
    void cap(std::chrono::milliseconds limit);
};

struct RelaySettings {
    std::string host;
    std::uint16_t port = 587;
    TlsMode tls = TlsMode::starttls;
    std::string username;  // empty: no AUTH
    std::string password;
    /// Trust this PEM file (a CA, or the relay's own self-signed certificate) instead of the
    /// system's store. Empty: the system store.
    std::string ca_file;
    /// The name the certificate must carry; empty: `host`.
    std::string verify_name;
    bool auth_without_tls = false;
    std::string helo_name = "localhost";  // our name in EHLO
    SmtpTimeouts timeouts;
    /// How long an idle connection stays open for the next message.
    std::chrono::milliseconds keep_idle{15'000};
};

/// Thread-safe: send() and close() may be called from any thread; everything else happens on
/// the io_context's thread(s). `io` must outlive the client.
class SmtpClient final : public MailTransport {
public:
    SmtpClient(boost::asio::io_context& io, RelaySettings settings, MailLogger log);
    ~SmtpClient() override;
    SmtpClient(const SmtpClient&) = delete;
    SmtpClient& operator=(const SmtpClient&) = delete;

    void send(Envelope envelope, std::string message, Done done) override;
    std::string describe() const override;
    /// Says QUIT once the queue is empty and keeps no idle connection; later sends reconnect.
    void close();

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

const char* to_string(TlsMode mode);

}  // namespace relais::mail
