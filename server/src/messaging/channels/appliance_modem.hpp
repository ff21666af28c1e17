#pragma once
// The appliance's modem: the configured device (or the emulated one, "virtual"), driven by
// modem::ModemService on the core event loop. Inbound SMS are written to the database before
// the modem may delete them; status changes are logged; administrators can send a test SMS.
// The outbox's SMS go through it as an SmsModem (sms_channel.hpp).

#include "config.hpp"
#include "db.hpp"
#include "inbound_sms.hpp"
#include "modem_service.hpp"
#include "sms_channel.hpp"
#include "virtual_modem.hpp"

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace boost::asio {
class io_context;
}
namespace spdlog {
class logger;
}

namespace relais {

struct TestSms {
    modem::MessageId id = 0;
    std::string to;
    std::string text;
    std::string state = "queued";  // queued, sent, delivered, failed
    std::string detail;
    std::vector<int> references;
    modem::SmsCost cost;
    UnixMs at = 0;
};

/// Thread-safe for status(), send_test() and recent_tests(); events run on the io thread.
/// What the appliance's modem is given (by name: serve.cpp).
struct ApplianceModemDeps {
    boost::asio::io_context& io;
    const Config& config;
    Database& db;
    const Clock& clock;
    std::shared_ptr<spdlog::logger> log;
    /// What an SMS received did, in the transaction that stores it: a STOP (the repair orders
    /// mark the number), the messages it stopped (the offers hear of them, as from the outbox),
    /// a reply the offers may take as the customer's answer.
    InboundListeners inbound = {};
};

class ApplianceModem final : public modem::ModemEvents, public SmsModem {
public:
    /// Opens the modem the configuration names; with "virtual", starts firmware-bridge in
    /// <data_dir>/modem. Everything passed must outlive the object.
    static Result<std::unique_ptr<ApplianceModem>> start(ApplianceModemDeps deps);
    ~ApplianceModem() override;
    /// A clean stop, first part; on the io thread. The modem starts no new message, logs the
    /// one it is transmitting, if any, and calls `idle` (once, on the io thread) when that one
    /// has its outcome — already given to the listener — or at once when there is none.
    void hold(std::function<void()> idle) override;
    /// The message hold() found being transmitted, if any: it may have reached its recipient,
    /// whatever came next (its outcome, a lost port, the stop's deadline). On the io thread.
    std::optional<modem::MessageId> transmitting_at_hold() const override { return transmitting_at_hold_; }
    void stop();

    modem::ModemStatus status() const;
    std::size_t queued() const;
    std::string device() const;  // what is being driven, for people
    const VirtualModem* virtual_modem() const { return virtual_.get(); }

    /// `to` in E.164.
    Result<TestSms> send_test(const std::string& to, const std::string& text, modem::Transliteration transliteration);
    std::vector<TestSms> recent_tests() const;

    /// Queues an SMS of the outbox: `id` is the outbox row's (below 2^48). Its outcome and
    /// delivery reports go to the listener (SmsModem::Listener: the SMS channel's).
    Result<modem::SmsCost> send(modem::MessageId id, const std::string& to, const std::string& text) override;
    void set_listener(Listener listener) override { listener_ = std::move(listener); }

    void on_status(const modem::ModemStatus& s) override;
    void on_sent(const modem::SendOutcome& o) override;
    bool on_inbound(const modem::InboundSms& m) override;
    void on_delivery(const modem::DeliveryReport& d) override;

private:
    ApplianceModem(const Config& config, Database& db, const Clock& clock, std::shared_ptr<spdlog::logger> log,
                   InboundListeners inbound)
        : config_(config), db_(db), clock_(clock), log_(std::move(log)), inbound_(std::move(inbound)) {}

    const Config& config_;
    Database& db_;
    const Clock& clock_;
    std::shared_ptr<spdlog::logger> log_;
    InboundListeners inbound_;
    std::unique_ptr<VirtualModem> virtual_;
    std::unique_ptr<modem::ModemService> service_;
    std::string device_;
    mutable std::mutex mutex_;
    std::deque<TestSms> tests_;
    modem::MessageId next_test_id_ = kFirstTestId;  // far from the outbox's ids
    static constexpr modem::MessageId kFirstTestId = 1ULL << 48;
    Listener listener_;
    std::optional<modem::MessageId> transmitting_at_hold_;
};

}  // namespace relais
