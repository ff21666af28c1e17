// ModemSession, continued: the init sequence, a restart noticed on the line, and the storage
// and routing that init chose (polled, drained, acknowledged, set again when lost).
#include "at_parser.hpp"
#include "modem_session.hpp"
#include "text.hpp"

namespace relais::modem {
namespace {

bool starts_with(std::string_view s, std::string_view p) {
    return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}

}  // namespace

void ModemSession::init_step(Step step, Millis now) {
    const auto next = [this, step](const AtResult& r) {
        if (r.status != AtResult::Status::cancelled) next_step(step);
    };
    // An identification: its answer's line kept in `field` (empty if refused), then the next step.
    const auto identify = [this, next](const char* command, std::string ModemStatus::*field) {
        submit(command, [this, next, field](const AtResult& r) {
            if (r.ok()) status_.*field = r.lines.empty() ? std::string() : r.lines.front();
            if (field == &ModemStatus::manufacturer) vendor_ = vendor_of(status_.manufacturer);
            next(r);
        });
    };
    switch (step) {
        case Step::wake:
            // A modem powering up may hear nothing for a while (a Telit for about 20 s): ask
            // again every 2 s, without counting it as a modem that stopped answering, until
            // wake_timeout.
            if (!waking_since_) waking_since_ = now;
            // ESC first: a modem left waiting for a message's data (a driver that died after
            // the "> ") would take our commands for that data (gammu does the same).
            out_ += "\x1B";
            submit(
                "AT",
                [this](const AtResult& r) {
                    if (r.status == AtResult::Status::cancelled) return;
                    if (r.ok() || r.status == AtResult::Status::error) {
                        waking_since_.reset();
                        return next_step(Step::wake);
                    }
                    set_status_detail(ModemHealth::starting, "waiting for the modem to answer");
                    init_step(Step::wake, now_);
                },
                "", std::nullopt, 2000);
            return;
        case Step::echo_off:
            submit("ATE0", [this, next](const AtResult& r) {
                // Echo seen from here on means the modem restarted (its boot turns echo on).
                echo_baseline_ = r.ok() ? channel_.echoes() : -1;
                next(r);
            });
            return;
        case Step::errors: submit("AT+CMEE=1", next); return;
        case Step::manufacturer: return identify("AT+CGMI", &ModemStatus::manufacturer);
        case Step::model: return identify("AT+CGMM", &ModemStatus::model);
        case Step::revision: return identify("AT+CGMR", &ModemStatus::revision);
        case Step::imei: return identify("AT+CGSN", &ModemStatus::imei);
        case Step::vendor:
            // Known quirks, each harmless if refused: a Quectel's unsolicited codes may go to
            // another of its ports; a Huawei floods ^RSSI, ^DSFLOWRPT and ^BOOT; a Telit tells
            // SIM changes only when asked to.
            if (vendor_ == Vendor::quectel)
                submit("AT+QURCCFG=\"urcport\",\"" + config_.urc_port + "\"", nullptr);
            else if (vendor_ == Vendor::huawei)
                submit("AT^CURC=0", nullptr);
            else if (vendor_ == Vendor::telit)
                submit("AT#QSS=1", nullptr);
            return next_step(step);
        case Step::sim:
            submit(
                "AT+CPIN?",
                [this](const AtResult& r) {
                    if (r.status == AtResult::Status::cancelled) return;
                    const std::string state = r.value("+CPIN:").value_or("");
                    if (r.ok() && state == "READY") {
                        sim_ready_ = true;
                        return init_step(Step::pdu_mode, now_);
                    }
                    if (r.ok() && state == "SIM PIN") {
                        if (config_.pin.empty()) {
                            set_status_detail(ModemHealth::pin_needed, "the SIM asks for a PIN: set [modem] pin");
                        } else {
                            return init_step(Step::pin, now_);
                        }
                    } else if (r.ok() && state.find("PUK") != std::string::npos) {
                        // Never guess: the SIM is blocked until someone enters the PUK.
                        set_status_detail(ModemHealth::pin_needed, "the SIM is blocked and asks for its PUK");
                        return;
                    } else if (r.status == AtResult::Status::cme_error && r.code == 10) {
                        set_status_detail(ModemHealth::sim_missing, "no SIM card in the modem");
                    } else {
                        set_status_detail(ModemHealth::starting, "the SIM is not ready yet");
                    }
                    // Ask again later: a SIM can be inserted, or become ready after a few seconds.
                    retry_at_ = now_ + (r.code == 14 || r.code == 515 ? config_.busy_retry : config_.status_interval);
                    retry_ = [this](Millis) { init_step(Step::sim, now_); };
                },
                "+CPIN:");
            return;
        case Step::pin:
            submit("AT+CPIN=\"" + config_.pin + "\"", [this](const AtResult& r) {
                if (r.status == AtResult::Status::cancelled) return;
                if (!r.ok()) {
                    // A wrong PIN is not tried again: three wrong tries block the SIM.
                    set_status_detail(ModemHealth::pin_needed, "the SIM refused the configured PIN: check [modem] pin");
                    return;
                }
                retry_at_ = now_ + 1000;  // the SIM takes a moment after the PIN
                retry_ = [this](Millis) { init_step(Step::sim, now_); };
            });
            return;
        case Step::pdu_mode:
            // Set whatever the stored profile says (a SIM7600 boots in text mode). Refused
            // until the SMS service is up ("SMS DONE" a few seconds after boot): asked again.
            if (!sms_wait_since_) sms_wait_since_ = now;
            submit("AT+CMGF=0", [this](const AtResult& r) {
                if (r.status == AtResult::Status::cancelled) return;
                if (r.ok()) {
                    sms_wait_since_.reset();
                    return next_step(Step::pdu_mode);
                }
                const bool early = now_ - *sms_wait_since_ < config_.sms_ready_timeout;
                set_status_detail(ModemHealth::starting, early ? "waiting for the modem's SMS service"
                                                               : "the modem refuses PDU mode (AT+CMGF=0)");
                retry_at_ = now_ + (early ? config_.busy_retry : config_.status_interval);
                retry_ = [this](Millis) { init_step(Step::pdu_mode, now_); };
            });
            return;
        case Step::memories_asked:
            submit(
                "AT+CPMS=?",
                [this](const AtResult& r) {
                    if (r.status == AtResult::Status::cancelled) return;
                    const auto m = r.ok() ? parse_cpms_test(r.value("+CPMS:").value_or("")) : std::nullopt;
                    memory_ = m && !m->preferred().empty() ? m->preferred() : "SM";
                    has_sr_ = m && m->has_status_reports();
                    next_step(Step::memories_asked);
                },
                "+CPMS:");
            return;
        case Step::memories:
            submit("AT+CPMS=\"" + memory_ + "\",\"" + memory_ + "\",\"" + memory_ + "\"", next, "+CPMS:");
            return;
        case Step::service:
            // +CSMS=1 (stored by some integrators, a Telit's phase 2+) makes every routed +CMT
            // and +CDS wait for +CNMA: acknowledged once handled, else routing stops.
            submit(
                "AT+CSMS?",
                [this](const AtResult& r) {
                    if (r.status == AtResult::Status::cancelled) return;
                    const auto f = at_fields(r.value("+CSMS:").value_or(""));
                    ack_mode_ = r.ok() && parse_at_number(f.front()) == 1;
                    next_step(Step::service);
                },
                "+CSMS:");
            return;
        case Step::routing_asked:
            submit(
                "AT+CNMI=?",
                [this](const AtResult& r) {
                    if (r.status == AtResult::Status::cancelled) return;
                    const auto v = r.value("+CNMI:");
                    cnmi_ladder_ = cnmi_ladder(r.ok() && v ? std::optional<std::string_view>(*v) : std::nullopt);
                    next_step(Step::routing_asked);
                },
                "+CNMI:");
            return;
        case Step::routing: try_cnmi(0, now); return;
        case Step::creg:
            submit("AT+CREG=2", [this](const AtResult& r) {
                if (r.status == AtResult::Status::cancelled) return;
                if (!r.ok()) submit("AT+CREG=1", nullptr);
                next_step(Step::creg);
            });
            return;
        case Step::cereg: submit("AT+CEREG=2", next); return;
        case Step::drain:
            refresh_status(now);
            // Messages and reports that came while Relais was not listening: read them all now.
            if (has_sr_) drain_reports();
            submit(
                "AT+CMGL=4",
                [this](const AtResult& r) {
                    if (r.status == AtResult::Status::cancelled) return;
                    handle_listing(r);
                    init_done_ = true;
                    next_poll_at_ = now_ + config_.storage_poll_interval;
                    update_health();
                },
                "+CMGL:", std::nullopt, 30000);
            return;
    }
}

void ModemSession::try_cnmi(std::size_t option, Millis now) {
    if (option >= cnmi_ladder_.size()) {
        cnmi_.reset();  // none taken: the storage poll still finds what arrives
        return init_step(Step::creg, now);
    }
    const Cnmi c = cnmi_ladder_[option];
    submit(c.command(), [this, option, c](const AtResult& r) {
        if (r.status == AtResult::Status::cancelled) return;
        if (r.ok()) {
            cnmi_ = c;
            return init_step(Step::creg, now_);
        }
        try_cnmi(option + 1, now_);
    });
}

void ModemSession::restart(const std::string& why) {
    ++generation_;
    init_done_ = false;
    retry_at_.reset();
    retry_ = nullptr;
    echo_baseline_ = -1;
    in_hand_.clear();
    set_aside_in_flight(why);
    channel_.fail_all(AtResult::Status::cancelled);
    status_.registered = false;
    set_status_detail(ModemHealth::starting, why);
    init_step(Step::wake, now_);
}

void ModemSession::handle_listing(const AtResult& r) {
    for (std::size_t i = 0; i + 1 < r.lines.size(); ++i) {
        if (!starts_with(r.lines[i], "+CMGL:")) continue;
        const auto f = at_fields(r.lines[i].substr(6));
        const auto index = parse_at_number(f.front());
        const int stat = f.size() >= 2 ? parse_at_number(f[1]).value_or(0) : 0;
        const auto length = f.size() >= 4 ? parse_at_number(f[3]) : std::nullopt;
        // Only received messages: what the SIM keeps as sent or unsent is not ours.
        if (stat <= 1) handle_pdu(r.lines[i + 1], length, index, now_);
        ++i;
    }
}

void ModemSession::poll_storage() {
    next_poll_at_ = now_ + config_.storage_poll_interval;
    submit(
        "AT+CMGL=4",
        [this](const AtResult& r) {
            if (!r.ok()) return;
            handle_listing(r);
        },
        "+CMGL:", std::nullopt, 30000);
    if (has_sr_ && cnmi_ && cnmi_->ds == 2) drain_reports();
}

void ModemSession::drain_reports() {
    // The reports' own store: select it, list, and delete what was read before the usual
    // memory is selected again, nothing else in between (a read meant for SM must not land in SR).
    submit("AT+CPMS=\"SR\"", nullptr, "+CPMS:");
    submit(
        "AT+CMGL=4",
        [this](const AtResult& r) {
            const std::string back = "AT+CPMS=\"" + memory_ + "\",\"" + memory_ + "\",\"" + memory_ + "\"";
            std::vector<int> read;
            if (r.ok()) {
                for (std::size_t i = 0; i + 1 < r.lines.size(); ++i) {
                    if (!starts_with(r.lines[i], "+CMGL:")) continue;
                    const auto f = at_fields(r.lines[i].substr(6));
                    const auto index = parse_at_number(f.front());
                    const auto length = f.size() >= 4 ? parse_at_number(f[3]) : std::nullopt;
                    handle_pdu(r.lines[i + 1], length, std::nullopt, now_);
                    if (index) read.push_back(*index);
                    ++i;
                }
            }
            AtCommand select{back, "+CPMS:", std::nullopt, config_.command_timeout, nullptr};
            channel_.submit_front(std::move(select), now_);
            for (auto it = read.rbegin(); it != read.rend(); ++it) {
                AtCommand del{"AT+CMGD=" + std::to_string(*it), "", std::nullopt, config_.command_timeout, nullptr};
                channel_.submit_front(std::move(del), now_);
            }
        },
        "+CMGL:", std::nullopt, 30000);
}

void ModemSession::acknowledge() {
    const int generation = generation_;
    AtCommand ack{"AT+CNMA", "", std::nullopt, config_.command_timeout, [this, generation](const AtResult& r) {
                      if (generation != generation_ || r.status == AtResult::Status::cancelled) return;
                      // Too late (340: none expected): the modem stopped routing; set it again.
                      if (!r.ok()) check_routing();
                  }};
    channel_.submit_front(std::move(ack), now_);
}

void ModemSession::check_routing() {
    if (!cnmi_) return;
    submit(
        "AT+CNMI?",
        [this](const AtResult& r) {
            if (!r.ok() || !cnmi_) return;
            const auto now_set = parse_cnmi_read(r.value("+CNMI:").value_or(""));
            // A modem that dropped the routing (a missed +CNMA, a restart not seen) has it again.
            if (!now_set || now_set->mt != cnmi_->mt || now_set->ds != cnmi_->ds) submit(cnmi_->command(), nullptr);
        },
        "+CNMI:");
}

}  // namespace relais::modem
