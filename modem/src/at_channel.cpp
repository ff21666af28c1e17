#include "at_channel.hpp"

#include "text.hpp"

#include <array>
#include <cstdlib>

namespace relais::modem {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

// URCs that carry their PDU on the following line.
bool two_line_urc(std::string_view line) { return starts_with(line, "+CMT:") || starts_with(line, "+CDS:"); }

std::optional<int> number_after(std::string_view line, std::string_view prefix) {
    std::string_view rest = trim(line.substr(prefix.size()));
    if (rest.empty() || rest.size() > 6) return std::nullopt;
    int n = 0;
    for (char c : rest) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + (c - '0');
    }
    return n;
}

}  // namespace

std::string_view to_string(AtResult::Status s) {
    switch (s) {
        case AtResult::Status::ok: return "ok";
        case AtResult::Status::error: return "error";
        case AtResult::Status::cme_error: return "cme_error";
        case AtResult::Status::cms_error: return "cms_error";
        case AtResult::Status::timeout: return "timeout";
        case AtResult::Status::cancelled: return "cancelled";
    }
    return "error";
}

std::optional<std::string> AtResult::value(std::string_view prefix) const {
    for (const auto& line : lines) {
        if (starts_with(line, prefix)) return std::string(trim(std::string_view(line).substr(prefix.size())));
    }
    return std::nullopt;
}

bool AtChannel::is_urc_prefix(std::string_view line) {
    // Standard codes, and vendors' (Huawei's floods, Quectel's and SIMCom's boot codes, Telit's
    // SIM status): any of them may come between the lines of an answer.
    static constexpr std::array<std::string_view, 38> prefixes = {
        "+CMTI:",    "+CDSI:",     "+CDS:",       "+CMT:",      "+CBM:",      "+CREG:",    "+CEREG:",  "+CGREG:",
        "+C5GREG:",  "RING",       "^RSSI:",      "^BOOT:",     "^MODE:",     "^SYSSTART", "^SIMST:",  "RDY",
        "+CPIN:",    "+CFUN:",     "+QIND:",      "+CIEV:",     "Call Ready", "SMS Ready", "SMS DONE", "PB DONE",
        "+QUSIM:",   "#QSS:",      "^DSFLOWRPT:", "^SRVST:",    "^HCSQ:",     "^CSNR:",    "^STIN:",   "^NWTIME:",
        "^RSSILVL:", "^HRSSILVL:", "^NDISSTAT:",  "+QSIMSTAT:", "^CEND:",     "^ORIG:"};
    for (std::string_view p : prefixes) {
        if (starts_with(line, p)) return true;
    }
    return false;
}

AtChannel::AtChannel(std::function<void(const Urc&)> on_urc) : on_urc_(std::move(on_urc)) {}

void AtChannel::submit(AtCommand command, Millis now) {
    queue_.push_back(std::move(command));
    if (!current_ && !in_callback_) start_next(now);
}

bool AtChannel::data_sent() const { return current_ && current_->stage == Stage::data_sent; }

void AtChannel::submit_front(AtCommand command, Millis now) {
    queue_.push_front(std::move(command));
    if (!current_ && !in_callback_) start_next(now);
}

void AtChannel::start_next(Millis now) {
    if (current_ || queue_.empty()) return;
    InFlight f;
    f.command = std::move(queue_.front());
    queue_.pop_front();
    f.stage = f.command.data ? Stage::waiting_prompt : Stage::sent;
    f.deadline = now + f.command.timeout;
    output_ += f.command.command;
    output_ += '\r';
    current_ = std::move(f);
}

std::string AtChannel::take_output() {
    std::string out;
    out.swap(output_);
    return out;
}

std::optional<Millis> AtChannel::deadline() const {
    if (!current_) return std::nullopt;
    return current_->deadline;
}

void AtChannel::feed(std::string_view bytes, Millis now) {
    for (const std::string& line : parser_.feed(bytes)) on_line(line, now);
    // The prompt for the data of +CMGS has no line end.
    if (current_ && current_->stage == Stage::waiting_prompt) {
        const std::string_view pending = trim(parser_.pending());
        if (!pending.empty() && pending.front() == '>') {
            parser_.clear_pending();
            output_ += *current_->command.data;
            output_ += '\x1A';
            current_->stage = Stage::data_sent;
            current_->deadline = now + current_->command.timeout;
        }
    }
}

void AtChannel::on_line(const std::string& raw, Millis now) {
    const std::string line(trim(raw));
    if (line.empty()) return;
    if (urc_waiting_pdu_) {
        Urc urc{*urc_waiting_pdu_, line};
        urc_waiting_pdu_.reset();
        if (on_urc_) on_urc_(urc);
        return;
    }
    const bool answer_prefix =
        current_ && !current_->command.prefix.empty() && starts_with(line, current_->command.prefix);
    if (!answer_prefix && is_urc_prefix(line)) {
        if (two_line_urc(line)) {
            urc_waiting_pdu_ = line;
        } else if (on_urc_) {
            on_urc_(Urc{line, std::nullopt});
        }
        return;
    }
    if (!current_) return;  // noise between commands (a modem booting, a stray result)

    // The prompt normally has no line end, but a URC right behind it turns it into a line.
    if (current_->stage == Stage::waiting_prompt && line.front() == '>') {
        output_ += *current_->command.data;
        output_ += '\x1A';
        current_->stage = Stage::data_sent;
        current_->deadline = now + current_->command.timeout;
        return;
    }

    // Echo of the command, or of the data after the prompt.
    if (ascii_upper(line) == ascii_upper(current_->command.command)) {
        ++echoes_;
        return;
    }
    if (current_->stage == Stage::data_sent && current_->command.data) {
        const std::string& data = *current_->command.data;
        if (starts_with(data, line) || starts_with(line, data) ||
            (line.size() > 8 && line.find(data.substr(0, 8)) == 0)) {
            return;
        }
        if (starts_with(line, ">")) return;  // the prompt echoed with the data on one line
    }

    if (line == "OK" || line == "0") return finish(AtResult::Status::ok, -1, line, now);
    if (line == "ERROR" || line == "4" || line == "NO CARRIER" || line == "3" || line == "BUSY" ||
        line == "NO ANSWER" || line == "NO DIALTONE" || line == "COMMAND NOT SUPPORT" ||
        line == "TOO MANY PARAMETERS") {
        return finish(AtResult::Status::error, -1, line, now);
    }
    if (starts_with(line, "+CME ERROR:")) {
        return finish(AtResult::Status::cme_error, number_after(line, "+CME ERROR:").value_or(-1), line, now);
    }
    if (starts_with(line, "+CMS ERROR:")) {
        return finish(AtResult::Status::cms_error, number_after(line, "+CMS ERROR:").value_or(-1), line, now);
    }
    current_->result.lines.push_back(line);
}

void AtChannel::finish(AtResult::Status status, int code, const std::string& final_line, Millis now) {
    InFlight done = std::move(*current_);
    current_.reset();
    done.result.status = status;
    done.result.code = code;
    done.result.final_line = final_line;
    done.result.data_sent = done.stage == Stage::data_sent;
    consecutive_timeouts_ = status == AtResult::Status::timeout ? consecutive_timeouts_ + 1 : 0;
    if (done.command.on_done) {
        in_callback_ = true;
        done.command.on_done(done.result);
        in_callback_ = false;
    }
    start_next(now);
}

void AtChannel::tick(Millis now) {
    if (!current_ || now < current_->deadline) return;
    if (current_->stage == Stage::waiting_prompt) {
        // A modem stuck waiting for data would swallow the next command: ESC ends the input.
        output_ += '\x1B';
    }
    parser_.clear_pending();
    finish(AtResult::Status::timeout, -1, "", now);
}

void AtChannel::fail_all(AtResult::Status status) {
    consecutive_timeouts_ = 0;  // whatever comes next talks to a fresh line
    parser_.reset();
    urc_waiting_pdu_.reset();
    output_.clear();
    std::deque<AtCommand> waiting;
    waiting.swap(queue_);
    std::optional<InFlight> flight;
    flight.swap(current_);
    in_callback_ = true;
    AtResult result;
    result.status = status;
    if (flight && flight->command.on_done) {
        AtResult first = result;
        first.data_sent = flight->stage == Stage::data_sent;
        flight->command.on_done(first);
    }
    for (auto& c : waiting) {
        if (c.on_done) c.on_done(result);
    }
    // Commands the callbacks queued meanwhile fail too: nothing is written to a lost port.
    for (int guard = 0; !queue_.empty() && guard < 1000; ++guard) {
        AtCommand c = std::move(queue_.front());
        queue_.pop_front();
        if (c.on_done) c.on_done(result);
    }
    queue_.clear();
    in_callback_ = false;
}

}  // namespace relais::modem
