#pragma once
// SMS as a message channel (message_channel.hpp): a row goes to the modem's queue; the modem's
// outcome (the network took every part, or said "later" or "never") and the status reports
// that follow become verdicts, with the failure codes the workspace words (outbox.cpp's list):
// not_mobile, sms_refused, sms_temporary, sms_sim_network (waits, attempts kept), sms_modem_full
// and sms_unknown (three tries) {cms}, sms_undelivered {status}.

#include "message_channel.hpp"
#include "modem_session.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace spdlog {
class logger;
}

namespace relais {

/// Attempts for a send the modem failed without an explanation (+CMS ERROR: 500, a vendor's code).
inline constexpr int kSmsUnknownMaxAttempts = 3;

/// What the SMS channel needs of a modem: ApplianceModem in the process, a fake in tests.
class SmsModem {
public:
    /// Receives send outcomes and delivery reports of the outbox's messages, on the io thread.
    struct Listener {
        std::function<void(const modem::SendOutcome&)> sent;
        std::function<void(const modem::DeliveryReport&)> delivery;
        std::function<void()> queued;  // an inbound SMS queued a reply (a STOP acknowledgement)
    };
    virtual ~SmsModem() = default;
    /// Queues an SMS of the outbox: `id` is the outbox row's (below 2^48). Thread-safe.
    virtual Result<modem::SmsCost> send(modem::MessageId id, const std::string& to, const std::string& text) = 0;
    /// Set before the event loop runs; an empty one stops the calls.
    virtual void set_listener(Listener listener) = 0;
    /// A clean stop, first part; on the io thread. The modem starts no new message and calls
    /// `idle` (once, on the io thread) when the one it is transmitting has its outcome —
    /// already given to the listener — or at once when there is none.
    virtual void hold(std::function<void()> idle) = 0;
    /// The message hold() found being transmitted, if any: it may have reached its recipient.
    virtual std::optional<modem::MessageId> transmitting_at_hold() const = 0;
};

struct SmsChannelDeps {
    /// None (none configured or found): a number that cannot receive SMS still fails at once and
    /// the others wait (`no_modem`), as a missing channel would make every SMS wait.
    SmsModem* modem = nullptr;
    std::shared_ptr<spdlog::logger> log;
};

/// On the io thread. The modem must outlive the channel; the channel is its listener until it goes.
class SmsChannel final : public MessageChannel {
public:
    explicit SmsChannel(SmsChannelDeps deps);
    ~SmsChannel() override;
    SmsChannel(const SmsChannel&) = delete;
    SmsChannel& operator=(const SmsChannel&) = delete;

    Channel kind() const override { return Channel::sms; }
    void connect(ChannelSink sink) override { sink_ = std::move(sink); }
    std::optional<ChannelVerdict> send(const OutboxMessage& message) override;
    void hold(std::function<void()> settled) override;
    std::vector<Id> may_have_left() const override;

private:
    void on_sent(const modem::SendOutcome& o) noexcept;
    void on_delivery(const modem::DeliveryReport& d) noexcept;
    void give(const ChannelVerdict& v);

    SmsModem* modem_;
    std::shared_ptr<spdlog::logger> log_;
    ChannelSink sink_;
};

}  // namespace relais
