#include "appliance_modem.hpp"

#include "inbound_sms.hpp"

#include "sms_store.hpp"
#include "text.hpp"

#include <spdlog/spdlog.h>

namespace relais {

Result<std::unique_ptr<ApplianceModem>> ApplianceModem::start(ApplianceModemDeps deps) {
    const Config& config = deps.config;
    std::unique_ptr<ApplianceModem> m(
        new ApplianceModem(config, deps.db, deps.clock, std::move(deps.log), std::move(deps.inbound)));
    modem::SerialSettings settings;
    settings.baud = config.modem.baud;
    settings.rtscts = config.modem.rtscts;
    if (config.modem.device == "virtual") {
        const std::string dir = config.storage.data_dir + "/modem";
        TRY_ASSIGN(auto takeover, VirtualModem::take_over(dir));
        if (takeover == BridgeTakeover::orphan_ended)
            m->log_->warn("modem: ended the emulated modem an earlier relais left running in {}", dir);
        TRY_ASSIGN(m->virtual_, VirtualModem::start(find_bridge_binary(), dir, config.modem.emulated_profile));
        settings.path = m->virtual_->link();
        const std::string& profile = config.modem.emulated_profile;
        m->device_ = "emulated modem" + (profile == "generic" ? "" : " " + profile) + " (" + settings.path + ")";
    } else {
        settings.path = config.modem.device;
        m->device_ = config.modem.device;
    }
    modem::ModemConfig modem_config;
    modem_config.pin = config.modem.pin;
    modem_config.unresolved_wait = static_cast<modem::Millis>(config.modem.unknown_send_wait_s) * 1000;
    m->service_ = std::make_unique<modem::ModemService>(deps.io, modem::make_serial_port(settings), modem_config, *m);
    m->service_->start();
    return m;
}

ApplianceModem::~ApplianceModem() { stop(); }

void ApplianceModem::hold(std::function<void()> idle) {
    const auto sms = service_->hold(std::move(idle));
    if (!sms) return;
    transmitting_at_hold_ = sms->id;
    log_->info("stopping: the modem is sending {} to {}: waiting for its outcome",
               sms->id < kFirstTestId ? "outbox message " + std::to_string(sms->id) : std::string("a test SMS"),
               sms->to);
}

void ApplianceModem::stop() {
    if (service_) service_->stop();
    if (virtual_) virtual_->stop();
}

modem::ModemStatus ApplianceModem::status() const { return service_->status(); }
std::size_t ApplianceModem::queued() const { return service_->queued(); }
std::string ApplianceModem::device() const { return device_; }

Result<TestSms> ApplianceModem::send_test(const std::string& to, const std::string& text,
                                          modem::Transliteration transliteration) {
    TestSms t;
    {
        std::lock_guard lock(mutex_);
        t.id = next_test_id_++;
    }
    t.to = to;
    t.text = text;
    t.at = clock_.now();
    TRY_ASSIGN(t.cost, service_->send({t.id, to, text, transliteration}));
    std::lock_guard lock(mutex_);
    tests_.push_front(t);
    if (tests_.size() > 10) tests_.pop_back();
    log_->info("test SMS to {} queued: {} {}, {} part(s)", to, modem::to_string(t.cost.encoding), t.cost.units,
               t.cost.parts);
    return t;
}

Result<modem::SmsCost> ApplianceModem::send(modem::MessageId id, const std::string& to, const std::string& text) {
    return service_->send({id, to, text, modem::Transliteration::off});
}

std::vector<TestSms> ApplianceModem::recent_tests() const {
    std::lock_guard lock(mutex_);
    return {tests_.begin(), tests_.end()};
}

void ApplianceModem::on_status(const modem::ModemStatus& s) {
    if (s.health == modem::ModemHealth::ready) {
        log_->info("modem ready: {} {}, {}, signal {}", s.manufacturer, s.model, s.operator_name, s.signal);
    } else if (s.health == modem::ModemHealth::starting) {
        log_->info("modem: {}", s.detail);
    } else {
        log_->warn("modem {}: {}", modem::to_string(s.health), s.detail);
    }
}

void ApplianceModem::on_sent(const modem::SendOutcome& o) {
    if (o.id < kFirstTestId) {
        if (listener_.sent) listener_.sent(o);
        return;
    }
    std::lock_guard lock(mutex_);
    for (TestSms& t : tests_) {
        if (t.id != o.id) continue;
        t.state = o.status == modem::SendOutcome::Status::sent ? "sent" : "failed";
        t.references = o.references;
        t.detail = o.detail;
    }
    if (o.status != modem::SendOutcome::Status::sent) log_->warn("SMS {} not sent: {}", o.id, o.detail);
}

bool ApplianceModem::on_inbound(const modem::InboundSms& m) {
    InboundSmsRecord r;
    // A sender name is the network's text (GSM 7-bit may carry line ends): made safe where it
    // enters, as it is logged and shown. A number is digits and passes unchanged. The text is
    // what the customer wrote, kept whole (the codec gives valid UTF-8).
    r.sender = escape_untrusted(m.from.value, 64);
    r.text = is_valid_utf8(m.text) ? m.text : escape_untrusted(m.text);
    r.parts = m.parts;
    r.complete = m.complete;
    r.sent_at = m.sent_at;
    r.received_at = clock_.now();
    // Stored, matched to its offer and, for a STOP, the opt-out recorded, all in one
    // transaction, before the modem may delete the message.
    auto stored = db_.write([&](Connection& c) -> Result<InboundOutcome> {
        TRY_ASSIGN(r.id, sms_store::insert_inbound(c, r));
        return handle_inbound_sms(c, config_, r, r.received_at, inbound_);
    });
    if (!stored) {
        log_->error("inbound SMS from {} kept on the modem: cannot store it ({})", r.sender, stored.error().detail);
        return false;
    }
    log_->info("SMS received from {} ({} part(s)){}{}", r.sender, r.parts,
               stored->ro_id ? ", on repair order " + std::to_string(*stored->ro_id) : std::string(),
               stored->opted_out ? ": STOP, the number is opted out"
               : stored->applied ? ": taken as the customer's answer to the offer"
                                 : "");
    if (stored->queued && listener_.queued) listener_.queued();
    return true;
}

void ApplianceModem::on_delivery(const modem::DeliveryReport& d) {
    if (d.id < kFirstTestId) {
        if (listener_.delivery) listener_.delivery(d);
        return;
    }
    if (!d.message_state) return;
    std::lock_guard lock(mutex_);
    for (TestSms& t : tests_) {
        if (t.id == d.id) t.state = *d.message_state == modem::DeliveryState::delivered ? "delivered" : "failed";
    }
}

}  // namespace relais
