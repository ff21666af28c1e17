#pragma once
// The emulated modem's firmware: AT commands in, answers and unsolicited codes out, with a
// simulated network behind it. It speaks like the generic modems standard SMS software knows
// (gammu works against it unchanged): echo on by default, verbose results, ';'-chained
// commands, PDU and text mode, SM/ME/SR storage, +CMTI/+CMT/+CDS/+CDSI per AT+CNMI, and ERROR
// for what it does not implement, as real modems do. Faults (latency, +CMS errors, silence,
// PIN, registration, signal) are switched at run time. No I/O and no clock of its own: bridge.cpp
// puts it on a pseudo-terminal.

#include "clock.hpp"
#include "pdu.hpp"
#include "result.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace relais::bridge {

using Millis = std::int64_t;  // monotonic

struct EmulatorOptions {
    Millis cmgs_latency_ms = 0;     // between the PDU and +CMGS (the radio link)
    Millis report_delay_ms = 1000;  // between +CMGS and the status report
    std::string smsc = "+33609001390";
    std::string manufacturer = "Relais";
    std::string model = "EM-1 emulated modem";  // no vendor name inside: gammu would switch profiles
    std::string revision = "EM-1.0";
    std::string imei = "356938035643809";
    std::string imsi = "208011234567890";
    std::string pin;                        // empty: the SIM has no PIN
    std::set<std::string> failing_numbers;  // their status reports say "failed"
    std::string operator_long = "Orange F";
    std::string operator_short = "Orange";
    std::string operator_numeric = "20801";
    int tz_quarters = 0;
};

/// One SMS-SUBMIT the network accepted, and, when it completes a message, the whole text.
struct JournalEntry {
    UnixMs at = 0;
    std::string recipient;
    std::string text;      // the part's text; the whole text when `complete`
    std::string encoding;  // gsm7, ucs2, 8bit
    int part = 1;
    int parts = 1;
    bool complete = true;         // the message is whole (single part, or its last missing part)
    std::vector<int> references;  // this part's, or all parts' when complete
    std::vector<std::string> pdus;
    bool status_report_requested = false;
};

enum class SimState { ready, pin_required, puk_required, missing };

class Emulator {
public:
    /// `wall` must outlive the emulator; `journal` is called for each accepted part.
    Emulator(EmulatorOptions options, const Clock& wall, std::function<void(const JournalEntry&)> journal);

    /// Bytes from the program that drives the modem (the DTE).
    void input(std::string_view bytes, Millis now);
    /// Bytes for the DTE, once.
    std::string take_output();
    void tick(Millis now);
    std::optional<Millis> deadline() const;

    /// A power cycle (replug): settings back to their defaults, the SIM's messages kept.
    void power_on();

    // ---- the simulated network and the fault switches ----
    /// Delivers an SMS from `from` (a number or an alphanumeric sender); split and stored
    /// like a real network's parts, each announced per AT+CNMI. Returns the storage indexes.
    Result<std::vector<int>> inject_sms(const std::string& from, const std::string& text, Millis now);
    void set_cmgs_latency(Millis ms) { options_.cmgs_latency_ms = ms; }
    void set_report_delay(Millis ms) { options_.report_delay_ms = ms; }
    void set_signal(int rssi);
    void set_registration(int stat, Millis now);  // 0 none, 1 home, 2 searching, 3 denied, 5 roaming
    void set_sim(SimState state);
    void set_silent(bool silent) { silent_ = silent; }
    /// The next `count` sends are refused with `+CMS ERROR: <cms_error>`; with `text`, the
    /// line carries those raw bytes instead of the number, as a modem in verbose error mode
    /// (AT+CMEE=2) with a translated firmware does (not always UTF-8).
    void fail_next_sends(int count, int cms_error, std::string text = {});
    void set_failing_numbers(std::set<std::string> numbers) { failing_numbers_ = std::move(numbers); }

    int signal() const { return rssi_; }
    int registration() const { return registration_; }
    SimState sim() const { return sim_; }
    bool silent() const { return silent_; }
    std::size_t stored(const std::string& memory) const;
    const EmulatorOptions& options() const { return options_; }

private:
    struct Stored {
        int stat = 0;  // 0 REC UNREAD, 1 REC READ, 2 STO UNSENT, 3 STO SENT
        std::string pdu;
    };
    struct Memory {
        std::map<int, Stored> messages;
        int capacity = 30;
    };
    struct Timer {
        Millis at;
        std::function<void(Millis)> fire;
    };

    void on_line(const std::string& line, Millis now);
    void execute(const std::string& command, Millis now);
    bool run_basic(std::string_view cmds);
    void final_ok();
    void final_error();
    void cme(int code);
    void cms(int code);
    void say(const std::string& line);  // an information line, with its line ends
    void urc(const std::string& text);
    void submit_pdu(const std::string& hex, int declared_length, Millis now);
    void submit_text(const std::string& to, const std::string& text, Millis now);
    void accept_submit(const modem::SmsSubmit& s, const std::string& hex, Millis now);
    void deliver_direct(const std::string& pdu_hex, int tpdu_octets);
    std::optional<int> store(const std::string& memory, Stored message);
    void schedule(Millis at, std::function<void(Millis)> fire);
    std::string list_entry(int index, const Stored& m, bool text_mode) const;
    bool sim_blocks_sms();
    modem::Timestamp timestamp_now() const;

    EmulatorOptions options_;
    const Clock& wall_;
    std::function<void(const JournalEntry&)> journal_;
    std::string out_;
    std::string line_;
    // state set by commands (reset by power_on)
    bool echo_ = true;
    bool verbose_ = true;
    int cmee_ = 0;
    int cmgf_ = 0;
    std::string cscs_ = "IRA";
    int cnmi_mt_ = 0, cnmi_ds_ = 0;
    int creg_n_ = 0, cereg_n_ = 0, cgreg_n_ = 0;
    int cops_format_ = 0;
    std::string mem1_ = "SM", mem2_ = "SM", mem3_ = "SM";
    int csms_ = 0;
    // the SIM and the network
    std::map<std::string, Memory> memories_;
    SimState sim_ = SimState::ready;
    int pin_tries_ = 3;
    int registration_ = 1;
    int rssi_ = 21;
    bool silent_ = false;
    int fail_count_ = 0;
    int fail_code_ = 0;
    std::string fail_text_;
    std::set<std::string> failing_numbers_;
    int next_reference_ = 0;
    int next_concat_ = 0;
    // input
    enum class Input { command, pdu, text } input_ = Input::command;
    std::string pending_command_;  // AT+CMGS=... waiting for its data
    std::string data_;
    std::optional<Millis> busy_until_;  // answering a +CMGS: input waits
    std::string held_input_;
    std::vector<Timer> timers_;
    struct Partial {
        std::map<int, std::string> texts;
        std::vector<int> references;
        std::vector<std::string> pdus;
    };
    std::map<std::string, Partial> partial_messages_;
};

}  // namespace relais::bridge
