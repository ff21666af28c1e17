#include "modem_session.hpp"

#include "at_parser.hpp"
#include "text.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>

namespace relais::modem {
namespace {

bool starts_with(std::string_view s, std::string_view p) {
    return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}

std::vector<std::string> fields(std::string_view s) { return at_fields(s); }
std::string unquote(std::string s) { return at_unquote(std::move(s)); }

bool registered_state(int stat) { return stat == 1 || stat == 5 || stat == 6 || stat == 7; }

// Numbers are compared by their last nine digits: a report may name the recipient in national
// form although the message went to the international one (ofono does the same).
bool same_number(const std::string& a, const std::string& b) {
    std::string da, db;
    for (char c : a) {
        if (c >= '0' && c <= '9') da += c;
    }
    for (char c : b) {
        if (c >= '0' && c <= '9') db += c;
    }
    const std::size_t n = std::min<std::size_t>(9, std::min(da.size(), db.size()));
    return n > 0 && da.substr(da.size() - n) == db.substr(db.size() - n);
}

}  // namespace

std::string_view to_string(ModemHealth h) {
    switch (h) {
        case ModemHealth::disconnected: return "disconnected";
        case ModemHealth::starting: return "starting";
        case ModemHealth::sim_missing: return "sim_missing";
        case ModemHealth::pin_needed: return "pin_needed";
        case ModemHealth::not_registered: return "not_registered";
        case ModemHealth::no_signal: return "no_signal";
        case ModemHealth::ready: return "ready";
    }
    return "disconnected";
}

std::string_view to_string(SendOutcome::Status s) {
    switch (s) {
        case SendOutcome::Status::sent: return "sent";
        case SendOutcome::Status::temporary_failure: return "temporary_failure";
        case SendOutcome::Status::permanent_failure: return "permanent_failure";
    }
    return "temporary_failure";
}

std::string_view to_string(SendError e) {
    switch (e) {
        case SendError::none: return "none";
        case SendError::temporary: return "temporary";
        case SendError::permanent: return "permanent";
        case SendError::sim_or_network: return "sim_or_network";
        case SendError::storage_full: return "storage_full";
        case SendError::unknown: return "unknown";
    }
    return "unknown";
}

SendError classify_cms_error(int code, Vendor vendor) {
    switch (code) {
        // TS 24.011 E.2: unassigned or barred numbers, rejected, unknown subscriber, no SMS
        // subscription, invalid message.
        case 1:
        case 8:
        case 10:
        case 21:
        case 28:
        case 29:
        case 30:
        case 50:
        case 69:
        case 95:
        case 96:
        case 97:
        case 98:
        case 99:
        case 111:
        case 127:
        // TS 23.040: the network refuses what the message is.
        case 128:
        case 129:
        case 130:
        case 143:
        case 144:
        case 145:
        case 159:
        case 160:
        case 161:
        case 175:
        case 176:
        case 193:
        case 195:
        case 196:
        case 197:
        case 198:
        case 199:
        // TS 27.005: the request itself is wrong.
        case 302:
        case 303:
        case 304:
        case 305:
        case 320:
        case 321:
        case 340: return SendError::permanent;
        // The SIM (missing, PIN, PUK, failure, busy, wrong) or the service: no message can go.
        case 310:
        case 311:
        case 312:
        case 313:
        case 315:
        case 316:
        case 317:
        case 318:
        case 330:  // the SIM has no service centre number
        case 331: return SendError::sim_or_network;
        // Storage full: 23.040's "SIM SMS storage full" (0xD3), 27.005's memory full.
        case 211:
        case 322: return SendError::storage_full;
        case 332: return SendError::temporary;                                                        // network timeout
        case 512: return vendor == Vendor::quectel ? SendError::sim_or_network : SendError::unknown;  // SIM not ready
        case 531: return vendor == Vendor::quectel ? SendError::storage_full : SendError::unknown;    // ME storage full
        default: break;
    }
    // Any other RP-cause (congestion 42, network out of order 38, temporary failure 41...)
    // is the network's state; 500 ("unknown error") and the manufacturers' codes are not known.
    if (code >= 0 && code <= 127) return SendError::temporary;
    return SendError::unknown;
}

ModemSession::ModemSession(SerialPort& port, ModemConfig config, ModemEvents& events)
    : port_(port), config_(std::move(config)), events_(events), channel_([this](const Urc& u) { on_urc(u); }) {}

Result<SmsCost> ModemSession::send(OutgoingSms sms) {
    TRY_ASSIGN(SmsText text, prepare_sms(sms.text, sms.transliteration));
    Pending p;
    p.text = std::move(text);
    SubmitOptions options = config_.submit;
    if (p.text.parts.size() > 1) options.concat_reference = next_concat_reference_++ & 0xFF;
    p.pdus = encode_submit(Address{sms.to}, p.text, options);
    p.sms = std::move(sms);
    SmsCost cost{p.text.encoding,     p.text.characters,     p.text.units,
                 p.text.parts.size(), p.text.transliterated, p.text.text};
    queue_.push_back(std::move(p));
    return cost;
}

void ModemSession::submit(std::string command, std::function<void(const AtResult&)> done, std::string prefix,
                          std::optional<std::string> data, std::optional<Millis> timeout) {
    AtCommand c;
    c.command = std::move(command);
    c.prefix = std::move(prefix);
    c.data = std::move(data);
    c.timeout = timeout.value_or(config_.command_timeout);
    const int generation = generation_;
    c.on_done = [this, generation, done = std::move(done)](const AtResult& r) {
        // A session that was lost and reopened since does not want this answer.
        if (generation != generation_ && r.status != AtResult::Status::cancelled) return;
        if (done) done(r);
    };
    channel_.submit(std::move(c), now_);
}

void ModemSession::set_status_detail(ModemHealth h, std::string detail) {
    ModemStatus next = status_;
    next.health = h;
    next.detail = std::move(detail);
    if (!(next == status_)) {
        status_ = std::move(next);
        events_.on_status(status_);
    }
}

void ModemSession::update_health() {
    if (!port_.is_open() || !init_done_) return;
    if (!status_.registered)
        return set_status_detail(ModemHealth::not_registered, "the modem is not registered on a network");
    if (status_.signal == 99) return set_status_detail(ModemHealth::no_signal, "no signal");
    set_status_detail(ModemHealth::ready, "");
}

void ModemSession::poll(Millis now) {
    now_ = now;
    if (!port_.is_open()) {
        if (now < reopen_at_) return;
        auto opened = port_.open();
        if (!opened) {
            reopen_at_ = now + config_.reopen_interval;
            set_status_detail(ModemHealth::disconnected, opened.error().detail);
            return;
        }
        ++generation_;
        out_.clear();
        init_done_ = false;
        sim_ready_ = false;
        status_.registered = false;
        set_status_detail(ModemHealth::starting, "initialising " + port_.describe());
        waking_since_.reset();
        sms_wait_since_.reset();
        echo_baseline_ = -1;
        in_hand_.clear();
        init_step(Step::wake, now);
    }

    auto bytes = port_.read();
    if (!bytes) return lost(now, bytes.error().detail);
    if (!bytes->empty()) channel_.feed(*bytes, now);
    channel_.tick(now);
    if (channel_.consecutive_timeouts() >= config_.unresponsive_after) {
        // Waking up is not "stopped answering", for a while (a Telit is deaf for ~20 s).
        if (!waking_since_) return lost(now, "the modem stopped answering");
        if (now - *waking_since_ >= config_.wake_timeout) return lost(now, "the modem does not answer");
    }
    if (init_done_ && echo_baseline_ >= 0 && channel_.echoes() > echo_baseline_) {
        // Echo is back although ATE0 turned it off: the modem restarted without a word.
        restart("the modem restarted (it echoes again): initialising again");
    }
    if (retry_at_ && now >= *retry_at_) {
        retry_at_.reset();
        auto retry = std::move(retry_);
        retry_ = nullptr;
        if (retry) retry(now);
    }
    if (unresolved_ && now >= unresolved_->since + config_.unresolved_wait) {
        // Neither a report nor a later reference: sent again (at most one duplicate).
        resolve(std::nullopt, "");
    }
    if (init_done_ && now >= next_status_at_) refresh_status(now);
    if (init_done_ && now >= next_poll_at_ && !sending_) poll_storage();
    expire_assemblies(now);
    pump(now);

    out_ += channel_.take_output();
    if (!out_.empty()) {
        auto written = port_.write(out_);
        if (!written) return lost(now, written.error().detail);
        out_.erase(0, *written);
    }
}

std::optional<Millis> ModemSession::next_wakeup() const {
    std::optional<Millis> t;
    const auto consider = [&t](Millis m) { t = t ? std::min(*t, m) : m; };
    if (!port_.is_open()) {
        consider(reopen_at_);
        return t;
    }
    if (auto d = channel_.deadline()) consider(*d);
    if (retry_at_) consider(*retry_at_);
    if (init_done_) consider(next_status_at_), consider(next_poll_at_);
    if (unresolved_) consider(unresolved_->since + config_.unresolved_wait);
    for (const auto& [key, a] : assemblies_) consider(a.expires);
    return t;
}

void ModemSession::lost(Millis now, const std::string& why) {
    port_.close();
    ++generation_;
    init_done_ = false;
    retry_at_.reset();
    retry_ = nullptr;
    out_.clear();
    set_aside_in_flight(why);
    channel_.fail_all(AtResult::Status::cancelled);
    status_.registered = false;
    reopen_at_ = now + config_.reopen_interval;
    set_status_detail(ModemHealth::disconnected, why);
}

void ModemSession::refresh_status(Millis now) {
    next_status_at_ = now + config_.status_interval;
    const auto registration = [this](const char* prefix, bool& flag) {
        return [this, prefix, &flag](const AtResult& r) {
            if (!r.ok()) return;
            const auto v = r.value(prefix);
            if (!v) return;
            const auto f = fields(*v);
            if (f.size() >= 2) {
                const int stat = parse_at_number(f[1]).value_or(0);
                flag = registered_state(stat);
                status_.roaming = stat == 5 || stat == 7;
            }
            status_.registered = creg_ || cereg_;
            update_health();
        };
    };
    submit("AT+CREG?", registration("+CREG:", creg_), "+CREG:");
    submit("AT+CEREG?", registration("+CEREG:", cereg_), "+CEREG:");
    submit(
        "AT+CSQ",
        [this](const AtResult& r) {
            if (!r.ok()) return;
            const auto f = fields(r.value("+CSQ:").value_or(""));
            status_.signal = parse_at_number(f.front()).value_or(99);
            update_health();
        },
        "+CSQ:");
    submit("AT+COPS=3,0", nullptr);
    submit(
        "AT+COPS?",
        [this](const AtResult& r) {
            if (!r.ok()) return;
            const auto f = fields(r.value("+COPS:").value_or(""));
            if (f.size() >= 3) status_.operator_name = unquote(f[2]);
        },
        "+COPS:");
    check_routing();
}

void ModemSession::pump(Millis now) {
    if (sending_ || !ready_to_send()) return;
    if (!resumes_.empty()) {  // a message already on its way goes on, even when held
        sending_ = std::move(resumes_.front());
        resumes_.pop_front();
        return send_part(now);
    }
    if (held_ || queue_.empty()) return;
    sending_ = Sending{std::move(queue_.front()), 0, {}, 0};
    queue_.pop_front();
    // Parts of one message: the radio link kept open between them (27.005 "more messages to
    // send"); a modem that refuses it sends them anyway.
    if (sending_->message.pdus.size() > 1) submit("AT+CMMS=2", nullptr);
    send_part(now);
}

void ModemSession::send_part(Millis) {
    const EncodedPdu& pdu = sending_->message.pdus[sending_->part];
    submit(
        "AT+CMGS=" + std::to_string(pdu.tpdu_octets),
        [this](const AtResult& r) {
            if (!sending_ || r.status == AtResult::Status::cancelled) return;
            if (r.ok()) {
                const auto f = fields(r.value("+CMGS:").value_or(""));
                const int reference = parse_at_number(f.front()).value_or(-1);
                // The modem counts its references on (TS 23.040 TP-MR): the one it gives now
                // tells whether a part of unknown fate took the one before.
                if (unresolved_ && unresolved_->reference_before && reference >= 0) {
                    const int before = *unresolved_->reference_before;
                    if (reference == (before + 1) % 256)
                        resolve(std::nullopt, "the modem's next reference shows it did not leave");
                    else if (reference == (before + 2) % 256)
                        resolve((before + 1) % 256, "the modem's next reference shows it left");
                }
                if (reference >= 0) last_reference_ = reference;
                part_accepted(*sending_, reference);
                if (++sending_->part < sending_->message.pdus.size()) {
                    sending_->busy_retries = 0;
                    return send_part(now_);
                }
                return finish_send(SendOutcome::Status::sent, -1, SendError::none, "", now_);
            }
            const bool busy = (r.status == AtResult::Status::cme_error && (r.code == 14 || r.code == 515)) ||
                              (r.status == AtResult::Status::cms_error && (r.code == 314 || r.code == 515));
            if (busy && sending_->busy_retries++ < 3) {
                retry_at_ = now_ + config_.busy_retry;
                retry_ = [this](Millis t) { send_part(t); };
                return;
            }
            if (r.status == AtResult::Status::cms_error) return failed_send(classify_cms_error(r.code, vendor_), r);
            if (r.status == AtResult::Status::timeout) {
                // After its data, the part may have left: not sent again blindly.
                if (r.data_sent) {
                    set_unresolved("the modem did not answer after the message's data");
                    return pump(now_);
                }
                return finish_send(SendOutcome::Status::temporary_failure, -1, SendError::temporary,
                                   "the modem did not answer AT+CMGS", now_);
            }
            // +CME ERROR 10–18: the SIM (missing, PIN, PUK, failure, busy, wrong). A bare ERROR
            // says nothing: not known.
            const bool sim = r.status == AtResult::Status::cme_error && r.code >= 10 && r.code <= 18;
            failed_send(sim ? SendError::sim_or_network : SendError::unknown, r);
        },
        "+CMGS:", pdu.hex, config_.send_timeout);
}

void ModemSession::part_accepted(Sending& s, int reference) {
    s.references.push_back(reference);
    const int parts = static_cast<int>(s.message.pdus.size());
    sent_.push_back(SentPart{s.message.sms.id, static_cast<int>(s.part) + 1, parts, s.message.sms.to, reference});
    if (sent_.size() > 2000) sent_.pop_front();  // references wrap at 256 anyway
    part_states_[s.message.sms.id].parts = parts;
    if (part_states_.size() > 2000) part_states_.erase(part_states_.begin());
}

void ModemSession::set_aside_in_flight(const std::string& why) {
    // If its part's data went out it may have left (settled by its report or the next
    // reference); if not, it goes on from that part once the modem is back.
    if (sending_ && channel_.data_sent()) {
        set_unresolved(why);
    } else if (sending_) {
        resumes_.push_front(std::move(*sending_));
        sending_.reset();
    }
}

void ModemSession::set_unresolved(const std::string& why) {
    if (unresolved_) {
        // Two at once (rare): the older one is given up as not known, and sent again whole.
        queue_.push_front(std::move(unresolved_->sending.message));
        unresolved_.reset();
    }
    unresolved_ = Unresolved{std::move(*sending_), last_reference_, now_};
    sending_.reset();
    unresolved_->sending.busy_retries = 0;
    set_status_detail(status_.health, why + ": waiting for its status report before sending it again");
}

void ModemSession::resolve(std::optional<int> reference, const std::string& how) {
    Sending s = std::move(unresolved_->sending);
    unresolved_.reset();
    if (!reference) {
        resumes_.push_back(std::move(s));  // that part again: it never left
        return;
    }
    part_accepted(s, *reference);
    if (++s.part < s.message.pdus.size()) {
        resumes_.push_back(std::move(s));  // the parts after it
        return;
    }
    SendOutcome outcome;
    outcome.id = s.message.sms.id;
    outcome.status = SendOutcome::Status::sent;
    outcome.references = std::move(s.references);
    outcome.detail = how;
    events_.on_sent(outcome);
}

void ModemSession::failed_send(SendError error, const AtResult& r) {
    finish_send(
        error == SendError::permanent ? SendOutcome::Status::permanent_failure : SendOutcome::Status::temporary_failure,
        r.code, error, r.final_line.empty() ? "error" : r.final_line, now_);
    // What the error says of the modem, acted on: the SIM looked at again (init from the
    // start), the registration asked, the storage emptied of what it holds for us.
    if (error == SendError::sim_or_network) {
        if (r.code == 331 && init_done_)
            refresh_status(now_);
        else if (init_done_)
            restart("the SIM refused a send (" + r.final_line + "): checking it again");
    } else if (error == SendError::storage_full && init_done_) {
        poll_storage();
        if (has_sr_) drain_reports();
    }
}

void ModemSession::finish_send(SendOutcome::Status status, int code, SendError error, std::string detail, Millis now) {
    SendOutcome outcome;
    outcome.id = sending_->message.sms.id;
    outcome.status = status;
    outcome.references = std::move(sending_->references);
    outcome.error_code = code;
    outcome.error = error;
    outcome.detail = std::move(detail);
    sending_.reset();
    events_.on_sent(outcome);
    pump(now);
}

void ModemSession::on_urc(const Urc& urc) {
    const std::string& line = urc.line;
    if (starts_with(line, "+CDSI:") && has_sr_) {
        // Where a report is said to be is not trusted (an EC25 says "SM",0 for what it keeps in
        // SR, and SM 0 may hold someone's SMS): the reports' store is read whole.
        drain_reports();
    } else if (starts_with(line, "+CMTI:") || starts_with(line, "+CDSI:")) {
        const auto f = fields(line.substr(6));
        if (f.size() >= 2) {
            if (auto index = parse_at_number(f[1])) read_stored(unquote(f[0]), *index);
        }
    } else if (starts_with(line, "+CMT:") || starts_with(line, "+CDS:")) {
        if (urc.pdu) {
            const auto f = fields(line.substr(5));
            handle_pdu(*urc.pdu, parse_at_number(f.back()), std::nullopt, now_);
        }
        // Handed over (inbound written to the database, the report to the outbox): only now
        // may the network hear that it arrived.
        if (ack_mode_) acknowledge();
    } else if (starts_with(line, "SMS DONE") || starts_with(line, "+QIND: SMS DONE")) {
        // The SMS service is up: no need to wait for the next try of AT+CMGF.
        if (sms_wait_since_ && retry_at_) retry_at_ = now_;
    } else if (starts_with(line, "+CREG:") || starts_with(line, "+CEREG:")) {
        // Unsolicited form: stat first.
        const bool lte = starts_with(line, "+CEREG:");
        const auto f = fields(line.substr(lte ? 7 : 6));
        const int stat = parse_at_number(f.front()).value_or(0);
        (lte ? cereg_ : creg_) = registered_state(stat);
        status_.registered = creg_ || cereg_;
        status_.roaming = stat == 5 || stat == 7;
        update_health();
    } else if (starts_with(line, "+CPIN:") || starts_with(line, "RDY") || starts_with(line, "^SIMST") ||
               starts_with(line, "+QUSIM:") || starts_with(line, "#QSS:")) {
        // The modem restarted (its boot codes) or the SIM changed: start over, the message
        // being sent back in the queue. (A Huawei's ^BOOT repeats all along: not a restart.)
        if (init_done_) restart("the modem restarted: initialising again");
    }
}

void ModemSession::read_stored(const std::string& memory, int index) {
    if (memory != "SR" && memory != memory_) return;  // not where this session stores: found by the poll
    const bool reports = memory == "SR";
    if (reports) submit("AT+CPMS=\"SR\"", nullptr, "+CPMS:");
    submit(
        "AT+CMGR=" + std::to_string(index),
        [this, index, reports](const AtResult& r) {
            if (!r.ok() || r.lines.size() < 2) return;
            const auto f = fields(r.lines[0].substr(6));
            // A report in "SR" is deleted just below, before the storage is switched back.
            handle_pdu(r.lines[1], parse_at_number(f.back()), reports ? std::nullopt : std::optional<int>(index), now_);
        },
        "+CMGR:");
    if (reports) {
        submit("AT+CMGD=" + std::to_string(index), nullptr);
        submit("AT+CPMS=\"" + memory_ + "\",\"" + memory_ + "\",\"" + memory_ + "\"", nullptr, "+CPMS:");
    }
}

void ModemSession::delete_stored(int index) {
    submit("AT+CMGD=" + std::to_string(index), [this, index, generation = generation_](const AtResult&) {
        if (generation == generation_) in_hand_.erase(index);
    });
}

void ModemSession::handle_pdu(const std::string& hex, std::optional<int> tpdu_octets, std::optional<int> index,
                              Millis now) {
    if (index) {
        // Already read (an indication and the poll can both find it) and not yet deleted.
        if (in_hand_.count(*index)) return;
        in_hand_.insert(*index);
    }
    auto decoded = decode_pdu(hex, Direction::from_network, tpdu_octets);
    if (!decoded) {
        // Unreadable: keeping it would make every start read it again.
        if (index) delete_stored(*index);
        return;
    }
    if (auto* report = std::get_if<SmsStatusReport>(&decoded->tpdu)) {
        handle_report(*report);
        if (index) delete_stored(*index);
        return;
    }
    auto* deliver = std::get_if<SmsDeliver>(&decoded->tpdu);
    if (!deliver) {
        if (index) delete_stored(*index);
        return;
    }
    const std::string text = text_of(deliver->user_data);
    if (!deliver->user_data.concat || deliver->user_data.concat->total <= 1) {
        const bool kept =
            events_.on_inbound(InboundSms{deliver->originator, text, deliver->service_centre_time.to_unix(), 1, true});
        if (kept && index) delete_stored(*index);
        if (!kept && index) in_hand_.erase(*index);  // read again at the next poll
        return;
    }
    const Concat& c = *deliver->user_data.concat;
    const std::string key =
        deliver->originator.value + "/" + std::to_string(c.reference) + "/" + std::to_string(c.total);
    Assembly& a = assemblies_[key];
    a.from = deliver->originator;
    a.total = c.total;
    a.texts[c.sequence] = text;
    if (index && std::find(a.indexes.begin(), a.indexes.end(), *index) == a.indexes.end()) a.indexes.push_back(*index);
    if (a.sent_at == 0 || c.sequence == 1) a.sent_at = deliver->service_centre_time.to_unix();
    a.expires = now + config_.reassembly_timeout;
    if (static_cast<int>(a.texts.size()) >= a.total) {
        std::string joined;
        for (const auto& [seq, part] : a.texts) joined += part;
        if (events_.on_inbound(InboundSms{a.from, joined, a.sent_at, a.total, true})) {
            for (int i : a.indexes) delete_stored(i);
        } else {
            for (int i : a.indexes) in_hand_.erase(i);
        }
        assemblies_.erase(key);
    }
}

void ModemSession::expire_assemblies(Millis now) {
    for (auto it = assemblies_.begin(); it != assemblies_.end();) {
        if (now < it->second.expires) {
            ++it;
            continue;
        }
        const Assembly& a = it->second;
        std::string joined;
        for (int seq = 1; seq <= a.total; ++seq) {
            const auto part = a.texts.find(seq);
            joined += part == a.texts.end() ? "[…]" : part->second;
        }
        if (events_.on_inbound(InboundSms{a.from, joined, a.sent_at, a.total, false})) {
            for (int i : a.indexes) delete_stored(i);
        } else {
            for (int i : a.indexes) in_hand_.erase(i);
        }
        it = assemblies_.erase(it);
    }
}

void ModemSession::handle_report(const SmsStatusReport& report) {
    // A report for the part whose fate was unknown: it left, with this reference.
    if (unresolved_ && same_number(unresolved_->sending.message.sms.to, report.recipient.value)) {
        const auto& before = unresolved_->reference_before;
        const bool its = before ? report.message_reference == (*before + 1) % 256
                                : std::none_of(sent_.begin(), sent_.end(), [&](const SentPart& p) {
                                      return p.reference == report.message_reference &&
                                             same_number(p.recipient, report.recipient.value);
                                  });
        if (its) resolve(report.message_reference, "its status report came");
    }
    // The newest part sent with this reference to this number (references wrap at 256).
    for (auto it = sent_.rbegin(); it != sent_.rend(); ++it) {
        if (it->reference != report.message_reference || !same_number(it->recipient, report.recipient.value)) continue;
        DeliveryReport d;
        d.id = it->id;
        d.part = it->part;
        d.parts = it->parts;
        d.reference = it->reference;
        d.state = report.state();
        d.status = report.status;
        d.at = report.discharge_time.to_unix();
        if (d.state != DeliveryState::pending) {
            PartState& ps = part_states_[it->id];
            ps.parts = it->parts;
            ps.finals[it->part] = d.state;
            if (static_cast<int>(ps.finals.size()) >= ps.parts) {
                const bool all = std::all_of(ps.finals.begin(), ps.finals.end(),
                                             [](const auto& kv) { return kv.second == DeliveryState::delivered; });
                d.message_state = all ? DeliveryState::delivered : DeliveryState::failed;
            }
        }
        events_.on_delivery(d);
        return;
    }
}

}  // namespace relais::modem
