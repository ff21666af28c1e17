#include "appliance_mail.hpp"

#include "maildir.hpp"
#include "mime.hpp"
#include "random.hpp"
#include "staff_texts.hpp"
#include "timezone.hpp"

#include <spdlog/spdlog.h>

namespace relais {

int utc_offset_minutes(const TimeZone& zone, UnixMs instant) {
    const UnixMs whole_seconds = (instant >= 0 ? instant / 1000 : (instant - 999) / 1000) * 1000;
    return static_cast<int>((utc_of(zone.to_local(instant)) - whole_seconds) / 60'000);
}

mail::RelaySettings relay_settings(const Config& config) {
    mail::RelaySettings s;
    s.host = config.mail.relay_host;
    s.port = static_cast<std::uint16_t>(config.mail.relay_port);
    switch (config.mail.tls) {
        case MailTls::none: s.tls = mail::TlsMode::none; break;
        case MailTls::starttls: s.tls = mail::TlsMode::starttls; break;
        case MailTls::opportunistic: s.tls = mail::TlsMode::opportunistic; break;
        case MailTls::tls: s.tls = mail::TlsMode::implicit; break;
    }
    s.username = config.mail.username;
    s.password = config.mail.password;
    s.ca_file = config.mail.ca_file;
    s.auth_without_tls = config.mail.auth_without_tls;
    // Our name in EHLO: the sender's domain is what relays see us as anyway.
    std::string domain(mail::domain_of(config.mail.from));
    s.helo_name = domain.empty() ? "localhost" : domain;
    return s;
}

std::string maildir_root(const Config& config) { return config.storage.data_dir + "/mail"; }

std::unique_ptr<mail::MailTransport> make_mail_transport(boost::asio::io_context& io, const Config& config,
                                                         const Clock& clock, mail::MailLogger log) {
    if (config.mail.relay_host.empty())
        return std::make_unique<mail::MaildirTransport>(maildir_root(config), clock, std::move(log));
    return std::make_unique<mail::SmtpClient>(io, relay_settings(config), std::move(log));
}

mail::MailLogger mail_log_to(std::shared_ptr<spdlog::logger> log) {
    return [log = std::move(log)](mail::MailLogLevel level, const std::string& line) {
        switch (level) {
            case mail::MailLogLevel::debug: log->debug("mail: {}", line); break;
            case mail::MailLogLevel::info: log->info("mail: {}", line); break;
            case mail::MailLogLevel::warn: log->warn("mail: {}", line); break;
        }
    };
}

ComposedMail compose_mail(const Config& config, Random& random, const Clock& clock, const TimeZone& zone,
                          mail::MailMessage message) {
    message.from = {config.dealer.name, config.mail.from};
    message.date = clock.now();
    message.utc_offset_minutes = utc_offset_minutes(zone, message.date);
    std::string domain(mail::domain_of(config.mail.from));
    if (domain.empty()) domain = "relais.invalid";
    // A retry keeps the Message-ID of the first attempt, so a relay or a reader can tell a
    // duplicate (DESIGN.md §5).
    if (message.message_id.empty()) message.message_id = "<" + random_token(random, 18) + "@" + domain + ">";
    std::string boundary = "=_relais_" + random_token(random, 12);
    ComposedMail out;
    out.bytes = mail::build_mime(message, boundary);
    out.message_id = message.message_id;
    out.envelope.mail_from = config.mail.from;
    for (const auto& to : message.to) out.envelope.rcpt_to.push_back(to.address);
    return out;
}

mail::EmailBrand email_brand(const Config& config) {
    mail::EmailBrand brand;
    brand.dealer_name = config.dealer.name;
    brand.color = config.dealer.brand_color;
    return brand;
}

mail::MailMessage test_email(const Config& config, const std::string& language) {
    const std::string lang = language == "en" ? "en" : "fr";
    const TextValues values = {{"dealer_name", config.dealer.name}};
    mail::EmailContent c;
    c.language = lang;
    c.heading = staff_text("test_email.heading", lang, values);
    c.preheader = staff_text("test_email.preheader", lang, values);
    c.paragraphs = {staff_text("test_email.purpose", lang, values), staff_text("test_email.outcome", lang, values)};
    c.button_label = staff_text("test_email.button", lang, values);
    c.button_url = config.http.public_base_url;
    c.link_intro = staff_text("test_email.link_intro", lang, values);
    mail::RenderedEmail r = mail::render_email(email_brand(config), c);
    mail::MailMessage m;
    m.subject = staff_text("test_email.subject", lang, values);
    m.text = std::move(r.text);
    m.html = std::move(r.html);
    return m;
}

}  // namespace relais
