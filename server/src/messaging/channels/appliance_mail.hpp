#pragma once
// The appliance's email: the transport the configuration names (the dealership's SMTP relay,
// or the maildir under the data directory when no relay is set), and composing messages the
// way Relais sends them (From the dealership, a Message-ID and Date in its zone, the branded
// layout). The outbox (issue 5) sends through this; `relais send-test-email` uses it alone.

#include "config.hpp"
#include "email_layout.hpp"
#include "mail_transport.hpp"
#include "smtp_client.hpp"

#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}
namespace spdlog {
class logger;
}

namespace relais {

class Clock;
class Random;
class TimeZone;

struct ComposedMail {
    mail::Envelope envelope;
    std::string bytes;  // RFC 5322, CRLF
    std::string message_id;
};

mail::RelaySettings relay_settings(const Config& config);

/// The maildir root for a configuration: <data_dir>/mail.
std::string maildir_root(const Config& config);

/// SmtpClient when [mail] relay_host is set, MaildirTransport otherwise. `io`, `clock` must
/// outlive the transport.
std::unique_ptr<mail::MailTransport> make_mail_transport(boost::asio::io_context& io, const Config& config,
                                                         const Clock& clock, mail::MailLogger log);

/// Log lines of the mail transport into `log` (the SMTP transcript at debug level).
mail::MailLogger mail_log_to(std::shared_ptr<spdlog::logger> log);

/// Sets From (the dealership's name and [mail] from), Message-ID, Date and the zone offset,
/// then builds the MIME bytes and the envelope.
ComposedMail compose_mail(const Config& config, Random& random, const Clock& clock, const TimeZone& zone,
                          mail::MailMessage message);

/// The dealership's look for emails.
mail::EmailBrand email_brand(const Config& config);

/// The message `relais send-test-email` sends, in `language` ("fr" or "en").
mail::MailMessage test_email(const Config& config, const std::string& language);

/// Minutes east of UTC of `zone` at `instant`.
int utc_offset_minutes(const TimeZone& zone, UnixMs instant);

}  // namespace relais
