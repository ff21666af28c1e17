#pragma once
// The emulated modem's firmware: AT commands in, answers and unsolicited codes out, with a
// simulated network behind it. It speaks like the generic modems standard SMS software knows
// (gammu works against it unchanged): echo on by default, verbose results, ';'-chained
// commands, PDU and text mode, SM/ME/SR storage, +CMTI/+CMT/+CDS/+CDSI per AT+CNMI, +CNMA
// acknowledgements with +CSMS=1, and ERROR for what it does not implement, as real modems do.
// A Profile (profiles.hpp) makes it behave like a module people buy: its boot codes, stored
// settings, storage, routing quirks and floods. Faults (latency, +CMS errors, resets, silence,
// PIN, SIM, registration, signal) are switched at run time. No I/O and no clock of its own:
// bridge.cpp puts it on a pseudo-terminal.

#include "clock.hpp"
#include "pdu.hpp"
#include "profiles.hpp"
#include "result.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace relais::bridge {

using Millis = std::int64_t;  // monotonic

struct EmulatorOptions {
    Profile profile;
    Millis cmgs_latency_ms = 0;  // between the PDU and +CMGS (the radio link), unless realistic
    /// Each send's latency drawn from what modems show: 2–15 s (log-uniform), and 3 % of sends
    /// 15–120 s; multiplied by `time_scale` (tests run it at 1/100).
    bool realistic_latency = false;
    double time_scale = 1.0;
    Millis report_delay_ms = 1000;  // between +CMGS and the status report
    /// A share of sends (0 to 1) during which the modem resets by itself.
    double reset_share = 0;
    std::uint32_t seed = 1;  // for the drawn latencies, errors and resets
    std::string smsc = "+33609001390";
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

    /// A power cycle (replug, reset): settings back to the stored profile, the SIM's messages
    /// kept, the profile's boot codes and boot time; the network's reports still on their way.
    void power_on(Millis now);
    /// A reset of the modem by itself (a crash of its firmware): power_on, with nothing said
    /// about what it was doing.
    void reset(Millis now);
    /// A reset of a modem whose port re-enumerates happened since the last call: the bridge
    /// takes the port away, and brings it back (power_on) a moment later.
    bool take_reenumeration() { return std::exchange(reenumerate_, false); }
    /// The next `count` sends reset the modem before it answers +CMGS; with `accepted`, after
    /// the network took the part (the DTE never learns its reference), else before.
    void reset_during_next_sends(int count, bool accepted);

    // ---- the simulated network and the fault switches ----
    /// Delivers an SMS from `from` (a number or an alphanumeric sender); split and stored
    /// like a real network's parts, each announced per AT+CNMI. Returns the storage indexes.
    Result<std::vector<int>> inject_sms(const std::string& from, const std::string& text, Millis now);
    void set_cmgs_latency(Millis ms) { options_.cmgs_latency_ms = ms; }
    void set_report_delay(Millis ms) { options_.report_delay_ms = ms; }
    /// The time the DTE has to acknowledge a routed +CMT/+CDS with +CNMA (when +CSMS=1).
    void set_cnma_timeout(Millis ms) { options_.profile.cnma_timeout_ms = ms; }
    void set_signal(int rssi);
    void set_registration(int stat, Millis now);  // 0 none, 1 home, 2 searching, 3 denied, 5 roaming
    void set_sim(SimState state);
    void set_silent(bool silent) { silent_ = silent; }
    /// The next `count` sends are refused with `+CMS ERROR: <cms_error>`; with `text`, the
    /// line carries those raw bytes instead of the number, as a modem in verbose error mode
    /// (AT+CMEE=2) with a translated firmware does (not always UTF-8).
    void fail_next_sends(int count, int cms_error, std::string text = {});
    void set_failing_numbers(std::set<std::string> numbers) { failing_numbers_ = std::move(numbers); }

    std::string urc_port() const { return urc_port_; }
    /// What the DTE made of this modem, for tests: the routing in force, the service level,
    /// acknowledgements given and missed, power-ups, the last +CMMS.
    struct Counters {
        std::string cnmi;
        int csms = 0, cmms = 0;
        int acknowledged = 0, missed_acks = 0, power_ups = 0;
    };
    Counters counters() const;
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
        bool modem_side = true;  // the modem's own (answers, boot, floods): a reset forgets them
    };
    struct Routed {  // a +CMT or +CDS for the DTE, which +CSMS=1 asks it to acknowledge
        std::string pdu;
        int tpdu_octets = 0;
        bool report = false;
        int attempts = 0;
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
    void apply_stored_profile();
    void start_flood(Millis now);
    void start_flood_next(Millis at, Millis period, std::shared_ptr<int> count);
    bool sms_refused();  // before the SMS service is ready: answers ERROR
    Millis draw_latency();
    void route_report(const std::string& pdu_hex, int tpdu_octets, int attempts);
    void route_direct(Routed r, Millis now);
    void acknowledged(Millis now);
    std::string cmgs_answer(int reference) const;
    void submit_pdu(const std::string& hex, int declared_length, Millis now);
    void submit_text(const std::string& to, const std::string& text, Millis now);
    void accept_submit(const modem::SmsSubmit& s, const std::string& hex, Millis now);
    void deliver_direct(const std::string& pdu_hex, int tpdu_octets);
    std::optional<int> store(const std::string& memory, Stored message);
    void schedule(Millis at, std::function<void(Millis)> fire, bool modem_side = true);
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
    std::string csmp_;
    int cnmi_mode_ = 2, cnmi_mt_ = 0, cnmi_ds_ = 0;
    int creg_n_ = 0, cereg_n_ = 0, cgreg_n_ = 0;
    int cops_format_ = 0;
    std::string mem1_ = "SM", mem2_ = "SM", mem3_ = "SM";
    int csms_ = 0;
    bool curc_ = true;  // Huawei's periodic codes
    int qss_ = 0;       // Telit's #QSS codes
    bool sms_ready_ = true;
    Millis awake_at_ = 0;  // deaf until then
    std::optional<Routed> awaiting_ack_;
    std::deque<Routed> routed_waiting_;
    std::deque<Routed> routed_held_;  // while a +CMGS holds the line (<mode>=2 buffers them)
    int ack_serial_ = 0;
    int cmms_ = 0;
    int acknowledged_ = 0, missed_acks_ = 0, power_ups_ = 0;
    // kept over a power cycle (the module saves it)
    std::string urc_port_;
    // the SIM and the network
    std::map<std::string, Memory> memories_;
    SimState sim_ = SimState::ready;
    int pin_tries_ = 3;
    int registration_ = 1;
    int rssi_ = 21;
    bool silent_ = false;
    int reset_count_ = 0;
    bool reenumerate_ = false;
    bool reset_accepted_ = false;
    std::uint64_t rng_state_ = 1;
    double random();  // [0, 1)
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
    Millis now_hint_ = 0;  // the latest time given by input(), tick() or inject_sms()
    struct Partial {
        std::map<int, std::string> texts;
        std::vector<int> references;
        std::vector<std::string> pdus;
    };
    std::map<std::string, Partial> partial_messages_;
};

}  // namespace relais::bridge
