#include "test_emails.hpp"

#include "appliance_mail.hpp"
#include "random.hpp"

namespace relais {

std::string send_test_email(const Config& config, Random& random, const Clock& clock, const TimeZone& zone,
                            mail::MailTransport& transport, const std::string& to, mail::MailTransport::Done done) {
    mail::MailMessage message = test_email(config, config.dealer.language);
    message.to = {{"", to}};
    message.auto_submitted = mail::AutoSubmitted::auto_generated;
    ComposedMail composed = compose_mail(config, random, clock, zone, std::move(message));
    transport.send(composed.envelope, std::move(composed.bytes), std::move(done));
    return composed.message_id;
}

TestEmails::TestEmails(TestEmailsDeps deps)
    : config_(deps.config),
      random_(deps.random),
      clock_(deps.clock),
      zone_(deps.zone),
      transport_(deps.transport),
      post_(std::move(deps.post)) {}

TestEmail TestEmails::start(const std::string& to) {
    TestEmail t;
    t.id = random_token(random_, 12);
    t.to = to;
    t.at = clock_.now();
    {
        const std::lock_guard lock(mutex_);
        recent_.push_back(t);
        while (recent_.size() > kKept) recent_.pop_front();
    }
    post_([this, id = t.id, to] {
        // On the core loop, whose callbacks never throw (composing may: a bad allocation).
        try {
            send_test_email(config_, random_, clock_, zone_, transport_, to,
                            [this, id](mail::MailOutcome outcome) { settle(id, outcome); });
        } catch (const std::exception& e) {
            mail::MailOutcome failed;
            failed.status = mail::DeliveryStatus::permanent;
            failed.text = e.what();
            settle(id, failed);
        }
    });
    return t;
}

void TestEmails::settle(const std::string& id, const mail::MailOutcome& outcome) {
    const std::lock_guard lock(mutex_);
    for (TestEmail& t : recent_) {
        if (t.id != id) continue;
        t.state = outcome.delivered() ? TestEmail::State::sent : TestEmail::State::failed;
        t.answer = outcome.code > 0 ? std::to_string(outcome.code) + " " + outcome.text : outcome.text;
    }
}

std::optional<TestEmail> TestEmails::find(std::string_view id) const {
    const std::lock_guard lock(mutex_);
    for (const TestEmail& t : recent_)
        if (t.id == id) return t;
    return std::nullopt;
}

}  // namespace relais
