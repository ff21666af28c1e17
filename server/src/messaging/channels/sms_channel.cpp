#include "sms_channel.hpp"

#include "inbound_sms.hpp"
#include "text.hpp"

#include <spdlog/spdlog.h>

namespace relais {

namespace {

using Kind = ChannelVerdict::Kind;

ChannelVerdict outcome_verdict(const modem::SendOutcome& o) {
    const Id id = static_cast<Id>(o.id);
    if (o.status == modem::SendOutcome::Status::sent) {
        std::string refs;
        for (int ref : o.references) refs += (refs.empty() ? "" : ",") + std::to_string(ref);
        return {id, Kind::sent, "references " + refs, {}};
    }
    using modem::SendError;
    const SendError e = o.status == modem::SendOutcome::Status::permanent_failure ? SendError::permanent
                        : o.error == SendError::none                              ? SendError::temporary
                                                                                  : o.error;
    const char* code = e == SendError::permanent        ? "sms_refused"
                       : e == SendError::sim_or_network ? "sms_sim_network"
                       : e == SendError::storage_full   ? "sms_modem_full"
                       : e == SendError::unknown        ? "sms_unknown"
                                                        : "sms_temporary";
    OutboxFailure f{code, {}, escape_untrusted(o.detail, 500)};
    if (o.error_code >= 0) f.params.emplace_back("cms", std::to_string(o.error_code));
    const Kind kind = e == SendError::permanent        ? Kind::fail
                      : e == SendError::sim_or_network ? Kind::wait
                                                       : Kind::retry;
    // An error nobody explains is tried three times, not eight: then it fails, which tells the
    // advisor (the failure's notification) and shows on the RO.
    return {id, kind, "", std::move(f), e == SendError::unknown ? kSmsUnknownMaxAttempts : 0};
}

// None for a part (the message's verdict comes with the last one) or a state not final.
std::optional<ChannelVerdict> report_verdict(const modem::DeliveryReport& d) {
    if (!d.message_state) return std::nullopt;
    const Id id = static_cast<Id>(d.id);
    if (*d.message_state == modem::DeliveryState::delivered)
        return ChannelVerdict{id, Kind::delivered, "delivered to the handset", {}};
    if (*d.message_state == modem::DeliveryState::failed)
        return ChannelVerdict{id,
                              Kind::fail,
                              "",
                              {"sms_undelivered",
                               {{"status", std::to_string(d.status)}},
                               "the network could not deliver it (status " + std::to_string(d.status) + ")"}};
    return std::nullopt;
}

}  // namespace

SmsChannel::SmsChannel(SmsChannelDeps deps) : modem_(deps.modem), log_(std::move(deps.log)) {
    if (!modem_) return;
    modem_->set_listener({[this](const modem::SendOutcome& o) { on_sent(o); },
                          [this](const modem::DeliveryReport& d) { on_delivery(d); },
                          [this] {
                              if (sink_.wake) sink_.wake();
                          }});
}

SmsChannel::~SmsChannel() {
    if (modem_) modem_->set_listener({});
}

std::optional<ChannelVerdict> SmsChannel::send(const OutboxMessage& m) {
    if (!can_receive_sms(m.address))
        return ChannelVerdict{m.id, Kind::fail, "", {"not_mobile", {}, "not a number an SMS can be sent to"}};
    if (!modem_) return ChannelVerdict{m.id, Kind::retry, "", {"no_modem", {}, "no modem"}};
    auto queued = modem_->send(static_cast<modem::MessageId>(m.id), m.address, m.body);
    if (!queued) {
        const Error& e = queued.error();
        return ChannelVerdict{m.id, Kind::fail, "", {"sms_refused", {}, e.detail.empty() ? e.code : e.detail}};
    }
    return std::nullopt;  // the modem's outcome comes through on_sent
}

void SmsChannel::hold(std::function<void()> settled) {
    if (!modem_) return settled();
    modem_->hold(std::move(settled));
}

std::vector<Id> SmsChannel::may_have_left() const {
    if (!modem_) return {};
    if (auto id = modem_->transmitting_at_hold()) return {static_cast<Id>(*id)};
    return {};
}

void SmsChannel::give(const ChannelVerdict& v) {
    if (sink_.verdict) sink_.verdict(v);
}

// Called by the modem on the io thread: nothing may escape to the event loop.
void SmsChannel::on_sent(const modem::SendOutcome& o) noexcept {
    try {
        give(outcome_verdict(o));
    } catch (const std::exception& e) {
        log_->error("outbox: SMS outcome: unexpected error: {}", escape_untrusted(e.what(), 500));
    } catch (...) {
        log_->error("outbox: SMS outcome: unexpected error");
    }
}

void SmsChannel::on_delivery(const modem::DeliveryReport& d) noexcept {
    try {
        if (auto v = report_verdict(d)) give(*v);
    } catch (const std::exception& e) {
        log_->error("outbox: SMS report: unexpected error: {}", escape_untrusted(e.what(), 500));
    } catch (...) {
        log_->error("outbox: SMS report: unexpected error");
    }
}

}  // namespace relais
