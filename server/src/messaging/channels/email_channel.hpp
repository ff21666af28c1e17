#pragma once
// Email as a message channel (message_channel.hpp): a row is composed the way Relais sends
// email (appliance_mail.hpp: From, Message-ID, Date, the branded layout) and handed to the
// mail transport (the dealership's relay or the maildir). The relay's acceptance is the
// email's "delivered" (DESIGN.md §2); its refusals and silences become relay_refused,
// relay_temporary {reply} and relay_unreachable. A clean stop waits for the emails handed over.

#include "message_channel.hpp"

#include <memory>
#include <optional>
#include <vector>

namespace spdlog {
class logger;
}
namespace relais::mail {
class MailTransport;
}

namespace relais {

class Clock;
struct Config;
class Random;
class TimeZone;

struct EmailChannelDeps {
    /// Answers on the io thread (the SMTP client), or inside send() (the maildir).
    mail::MailTransport& transport;
    const Config& config;
    Random& random;
    const Clock& clock;
    const TimeZone& zone;
    std::shared_ptr<spdlog::logger> log;
};

/// On the io thread. Everything in `deps` must outlive the channel.
class EmailChannel final : public MessageChannel {
public:
    explicit EmailChannel(EmailChannelDeps deps);
    ~EmailChannel() override;
    EmailChannel(const EmailChannel&) = delete;
    EmailChannel& operator=(const EmailChannel&) = delete;

    Channel kind() const override { return Channel::email; }
    void connect(ChannelSink sink) override;
    std::optional<ChannelVerdict> send(const OutboxMessage& message) override;
    void hold(std::function<void()> settled) override;
    std::vector<Id> may_have_left() const override;

    struct State;

private:
    // Shared with the transport's callbacks, which may outlive the channel.
    std::shared_ptr<State> state_;
};

}  // namespace relais
