#pragma once
// Where composed messages go: an SMTP relay (smtp_client.hpp) or, with no relay configured,
// a maildir under the data directory (maildir.hpp). The outbox talks to this interface only.

#include "mail_message.hpp"
#include "smtp_protocol.hpp"

#include <functional>
#include <string>

namespace relais::mail {

enum class MailLogLevel { debug, info, warn };
/// Receives the transport's log lines (the SMTP transcript at debug level, with secrets
/// already removed). May be called on the I/O thread.
using MailLogger = std::function<void(MailLogLevel, const std::string&)>;

class MailTransport {
public:
    using Done = std::function<void(MailOutcome)>;
    virtual ~MailTransport() = default;
    /// Sends `message` (RFC 5322 bytes, as built by build_mime) to the envelope's recipients.
    /// `done` is called exactly once, on the transport's I/O thread (or, for a synchronous
    /// transport, before send returns). Callable from any thread.
    virtual void send(Envelope envelope, std::string message, Done done) = 0;
    /// For people: "SMTP relay smtp.garage.fr:587 (STARTTLS)", "maildir /var/lib/relais/mail".
    virtual std::string describe() const = 0;
};

}  // namespace relais::mail
