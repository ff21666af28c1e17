#pragma once
// The AT command channel (TS 27.007 §5, TS 27.005): one command at a time, with its own
// timeout; intermediate lines collected; final results recognised (OK, ERROR, +CME ERROR,
// +CMS ERROR, numeric codes, NO CARRIER...); the "> " prompt answered with the command's data
// and Ctrl-Z; echo ignored; unsolicited result codes (URCs) handed to a listener even when
// they arrive in the middle of a response. No I/O and no clock of its own: the session feeds
// it bytes and the time, and takes the bytes to write.

#include "at_parser.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace relais::modem {

/// Monotonic milliseconds (steady clock): for timeouts only, never for dates.
using Millis = std::int64_t;

struct AtResult {
    enum class Status { ok, error, cme_error, cms_error, timeout, cancelled };
    Status status = Status::ok;
    int code = -1;                   // the number of +CME/+CMS ERROR, -1 if none or verbose
    std::vector<std::string> lines;  // intermediate lines, in order
    std::string final_line;
    bool data_sent = false;  // a command with data: the data had been written (after "> ")
    bool ok() const { return status == Status::ok; }
    /// The first intermediate line starting with `prefix`, with the prefix and spaces removed.
    std::optional<std::string> value(std::string_view prefix) const;
};

std::string_view to_string(AtResult::Status s);

struct AtCommand {
    std::string command;  // "AT+CMGS=23", without the line end
    /// Lines starting with this are answers to this command even when the same prefix can
    /// also arrive unsolicited ("+CREG:", "+CPIN:").
    std::string prefix;
    std::optional<std::string> data;  // sent after "> ", then Ctrl-Z
    Millis timeout = 5000;            // for the answer; counted again from the data for "> "
    std::function<void(const AtResult&)> on_done;
};

/// An unsolicited result code; +CMT and +CDS carry their PDU on a second line.
struct Urc {
    std::string line;
    std::optional<std::string> pdu;
};

class AtChannel {
public:
    explicit AtChannel(std::function<void(const Urc&)> on_urc);

    /// Queues a command; it is written when those before it are done.
    void submit(AtCommand command, Millis now);
    /// Queues a command before every other waiting one (an acknowledgement due in seconds).
    void submit_front(AtCommand command, Millis now);
    /// Echoes of commands seen so far: a modem that echoes again after ATE0 has restarted.
    int echoes() const { return echoes_; }
    /// The command in flight has data, and it was written (the modem may have acted on it).
    bool data_sent() const;
    void feed(std::string_view bytes, Millis now);
    /// Fails the command in flight if its time is up.
    void tick(Millis now);
    std::optional<Millis> deadline() const;
    /// The bytes to write to the modem, once.
    std::string take_output();
    bool idle() const { return !current_ && queue_.empty(); }
    std::size_t queued() const { return queue_.size() + (current_ ? 1 : 0); }
    /// Timeouts in a row, without any answer in between: a modem that stopped answering.
    int consecutive_timeouts() const { return consecutive_timeouts_; }
    /// Ends every command with `status` (the port is gone), forgets partial input and the
    /// count of timeouts.
    void fail_all(AtResult::Status status);

    static bool is_urc_prefix(std::string_view line);

private:
    enum class Stage { sent, waiting_prompt, data_sent };
    struct InFlight {
        AtCommand command;
        Stage stage = Stage::sent;
        Millis deadline = 0;
        AtResult result;
    };

    void start_next(Millis now);
    void on_line(const std::string& line, Millis now);
    void finish(AtResult::Status status, int code, const std::string& final_line, Millis now);

    std::function<void(const Urc&)> on_urc_;
    AtLineParser parser_;
    std::deque<AtCommand> queue_;
    std::optional<InFlight> current_;
    std::optional<std::string> urc_waiting_pdu_;
    std::string output_;
    int consecutive_timeouts_ = 0;
    int echoes_ = 0;
    bool in_callback_ = false;
};

}  // namespace relais::modem
