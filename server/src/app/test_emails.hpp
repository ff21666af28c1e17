#pragma once
// The test email that checks the mail settings: composed as any email of the dealership
// (appliance_mail.hpp's test_email) and handed to the transport as configured, by one function
// that `relais send-test-email` and the workspace (the first-boot setup, Administration →
// Settings) both use; and, for the workspace, the recent ones with their outcome, followed by
// polling as a test SMS is (POST /api/v1/mail/test-email answers at once, 202 with an id).

#include "clock.hpp"
#include "config.hpp"
#include "enum_names.hpp"
#include "mail_transport.hpp"

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace relais {

class Random;
class TimeZone;

/// Composes the test email to `to` (an address already checked) in the dealership's language
/// and hands it to `transport`, whose `done` gets the outcome. Returns its Message-ID. On the
/// transport's thread (the core loop); the arguments need only last the call.
std::string send_test_email(const Config& config, Random& random, const Clock& clock, const TimeZone& zone,
                            mail::MailTransport& transport, const std::string& to, mail::MailTransport::Done done);

struct TestEmail {
    std::string id;  // random: an id from before a restart is unknown after it
    std::string to;
    enum class State { sending, sent, failed } state = State::sending;
    std::string answer;  // the relay's words ("250 2.0.0 Ok: queued"), or why it failed
    UnixMs at = 0;
};
/// As POST and GET /api/v1/mail/test-email send it ("state").
template <>
struct EnumNames<TestEmail::State> {
    static constexpr NameTable<TestEmail::State, 3> table{{{TestEmail::State::sending, "sending"},
                                                           {TestEmail::State::sent, "sent"},
                                                           {TestEmail::State::failed, "failed"}}};
};

struct TestEmailsDeps {
    const Config& config;
    Random& random;  // the Message-ID and the test email's id
    const Clock& clock;
    const TimeZone& zone;  // the Date header's offset
    /// Must also outlive every function posted.
    mail::MailTransport& transport;
    /// Runs a function on the transport's thread (the core loop).
    std::function<void(std::function<void()>)> post;
};

/// The test emails sent from the workspace, the newest kept with their outcome. start() and
/// find() from any thread.
class TestEmails {
public:
    using Post = std::function<void(std::function<void()>)>;
    /// The references in `deps` must outlive this object.
    explicit TestEmails(TestEmailsDeps deps);

    /// Posts the test email to `to` (an address already checked) and returns at once, `sending`.
    TestEmail start(const std::string& to);
    std::optional<TestEmail> find(std::string_view id) const;

    static constexpr std::size_t kKept = 20;

private:
    void settle(const std::string& id, const mail::MailOutcome& outcome);

    const Config& config_;
    Random& random_;
    const Clock& clock_;
    const TimeZone& zone_;
    mail::MailTransport& transport_;
    Post post_;
    mutable std::mutex mutex_;
    std::deque<TestEmail> recent_;  // newest last
};

}  // namespace relais
