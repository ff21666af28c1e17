#pragma once
// A modem session: everything Relais asks of a GSM/LTE modem, on top of the AT channel and a
// serial port. It runs the init sequence (waiting for a modem that boots, echo off, numeric
// errors, the vendor's quirks, SIM and PIN, PDU mode once the SMS service is up, the memories
// and routing the modem advertises, tried in ModemManager's order), watches registration and
// signal, sends (one message reference per part, AT+CMMS=2 for multipart), receives (+CMTI →
// read → hand over → delete; storage drained at start and polled, for indications that never
// come; concatenated parts reassembled), maps status reports back to sent messages (routed
// +CDS, acknowledged with +CNMA when +CSMS=1 asks, or read from their own store), notices a
// modem that restarted (boot codes, echo back on) and initialises it again, and reopens the
// port when it disappears (USB unplug), then carries on with the queued messages.
//
// Like the channel it does no I/O of its own beyond the SerialPort and reads no clock: the
// owner calls poll(now) when the port is readable or next_wakeup() has come (modem_service
// does this on Boost.Asio; unit tests with a fake port and a fake time). Not thread-safe: one
// thread drives it.

#include "at_channel.hpp"
#include "modem_caps.hpp"
#include "pdu.hpp"
#include "serial_port.hpp"
#include "sms_text.hpp"

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace relais::modem {

struct ModemConfig {
    std::string pin;                       // the SIM's PIN, if it has one
    Millis command_timeout = 5000;         // ordinary commands
    Millis send_timeout = 60000;           // +CMGS: the network's answer can take a while
    Millis status_interval = 30000;        // signal and registration checks
    Millis reopen_interval = 2000;         // after the port disappears
    Millis busy_retry = 2000;              // after "SIM busy" / "please wait"
    Millis reassembly_timeout = 3600000;   // a concatenated SMS missing parts is given up after
    int unresponsive_after = 3;            // timeouts in a row before the port is reopened
    Millis wake_timeout = 60000;           // a modem booting may stay deaf that long (a Telit: 20 s)
    Millis sms_ready_timeout = 120000;     // SMS commands refused until the SMS service is up
    Millis storage_poll_interval = 60000;  // stored messages read even without an indication
    std::string urc_port = "usbat";        // a Quectel's: the port relais talks on (the AT port)
    /// A part whose fate is unknown (no answer after its data, a reset or unplug meanwhile)
    /// waits this long for its status report or the modem's next reference before it is sent
    /// again: a duplicate is possible only then.
    Millis unresolved_wait = 180000;
    SubmitOptions submit;
};

enum class ModemHealth { disconnected, starting, sim_missing, pin_needed, not_registered, no_signal, ready };
std::string_view to_string(ModemHealth h);

struct ModemStatus {
    ModemHealth health = ModemHealth::disconnected;
    std::string detail;  // why, in a sentence for the logs and the workspace
    int signal = 99;     // +CSQ rssi: 0-31, 99 unknown
    bool registered = false;
    bool roaming = false;
    std::string operator_name;
    std::string manufacturer, model, revision, imei;
    bool operator==(const ModemStatus&) const = default;
};

using MessageId = std::uint64_t;

struct OutgoingSms {
    MessageId id = 0;
    std::string to;  // E.164
    std::string text;
    Transliteration transliteration = Transliteration::off;
};

/// What a message costs, known before it is sent.
struct SmsCost {
    SmsEncoding encoding = SmsEncoding::gsm7;
    std::size_t characters = 0;
    std::size_t units = 0;
    std::size_t parts = 0;
    bool transliterated = false;
    std::string text;  // as it will be sent
};

/// What a failed send means for the message (27.005 §3.2.5, 24.011 annex E-2, 23.040, and
/// the vendors' own codes 512 and up).
enum class SendError {
    none,
    temporary,       // congestion, network out of order, no answer: again after a backoff
    permanent,       // this message will never go (unknown or barred number, malformed): it fails
    sim_or_network,  // the SIM or the registration: the queue waits, the message keeps its attempts
    storage_full,    // the modem's message storage is full: drained, then again
    unknown,         // 500, a vendor's code, a bare ERROR: a few tries, then it fails and someone looks
};
std::string_view to_string(SendError e);
/// The class of `+CMS ERROR: <code>` from a modem of `vendor` (512 is "SIM not ready" on a
/// Quectel, "user abort" elsewhere).
SendError classify_cms_error(int code, Vendor vendor = Vendor::other);

struct SendOutcome {
    enum class Status { sent, temporary_failure, permanent_failure };
    MessageId id = 0;
    Status status = Status::sent;
    std::vector<int> references;  // one per part the network accepted
    int error_code = -1;          // +CMS / +CME ERROR number
    SendError error = SendError::none;
    std::string detail;
};
std::string_view to_string(SendOutcome::Status s);

struct InboundSms {
    Address from;
    std::string text;
    UnixMs sent_at = 0;
    int parts = 1;
    bool complete = true;  // false when parts never came (their place is marked "[…]")
};

struct DeliveryReport {
    MessageId id = 0;
    int part = 1;  // 1-based
    int parts = 1;
    int reference = 0;
    DeliveryState state = DeliveryState::pending;  // of this part
    std::uint8_t status = 0;
    UnixMs at = 0;  // when the network says it happened
    /// The message as a whole once every part has a final report: delivered only if all were.
    std::optional<DeliveryState> message_state;
};

class ModemEvents {
public:
    virtual ~ModemEvents() = default;
    virtual void on_status(const ModemStatus&) {}
    virtual void on_sent(const SendOutcome&) {}
    /// Return true once the message is kept safely (written to the database): only then is
    /// it deleted from the modem. False leaves it there, to be read again at the next start.
    virtual bool on_inbound(const InboundSms&) { return true; }
    virtual void on_delivery(const DeliveryReport&) {}
};

class ModemSession {
public:
    /// `port` and `events` must outlive the session.
    ModemSession(SerialPort& port, ModemConfig config, ModemEvents& events);

    /// Checks a message and queues it; the cost (encoding, parts) is known at once.
    Result<SmsCost> send(OutgoingSms sms);
    /// Reads the port, advances the channel and timers, writes what is due.
    void poll(Millis now);
    std::optional<Millis> next_wakeup() const;
    bool wants_write() const { return !out_.empty(); }
    const ModemStatus& status() const { return status_; }
    std::size_t queued() const { return queue_.size() + resumes_.size() + (sending_ ? 1 : 0) + (unresolved_ ? 1 : 0); }
    bool ready_to_send() const { return init_done_ && status_.registered; }

    /// A clean stop (never during a send): from now on no message is started from the queue,
    /// while the one being transmitted, if any, carries on to its outcome, every part of it.
    /// Queued messages stay queued (the owner knows they were never sent). Not undone.
    void hold() { held_ = true; }
    bool held() const { return held_; }
    /// The message being transmitted (its first AT+CMGS issued, its outcome not given yet).
    const OutgoingSms* transmitting() const {
        return sending_ ? &sending_->message.sms : !resumes_.empty() ? &resumes_.front().message.sms : nullptr;
    }
    /// A message one of whose parts may or may not have left (see ModemConfig::unresolved_wait).
    const OutgoingSms* unresolved() const { return unresolved_ ? &unresolved_->sending.message.sms : nullptr; }

private:
    struct Pending {
        OutgoingSms sms;
        SmsText text;
        std::vector<EncodedPdu> pdus;
    };
    struct Sending {
        Pending message;
        std::size_t part = 0;
        std::vector<int> references;
        int busy_retries = 0;
    };
    struct SentPart {
        MessageId id;
        int part;
        int parts;
        std::string recipient;
        int reference;
    };
    struct PartState {
        int parts = 1;
        std::map<int, DeliveryState> finals;  // part → final state
    };
    struct Assembly {
        Address from;
        int total = 1;
        std::map<int, std::string> texts;
        std::vector<int> indexes;  // where the parts are stored, to delete them when done
        UnixMs sent_at = 0;
        Millis expires = 0;
    };

    enum class Step {
        wake,
        echo_off,
        errors,
        manufacturer,
        model,
        revision,
        imei,
        vendor,
        sim,
        pin,
        pdu_mode,
        memories_asked,
        memories,
        service,
        routing_asked,
        routing,
        creg,
        cereg,
        drain,
    };
    void lost(Millis now, const std::string& why);
    /// The modem restarted under us (boot codes, echo back): the port stays, init again.
    void restart(const std::string& why);
    void submit(std::string command, std::function<void(const AtResult&)> done, std::string prefix = "",
                std::optional<std::string> data = std::nullopt, std::optional<Millis> timeout = std::nullopt);
    void init_step(Step step, Millis now);
    void next_step(Step step) { init_step(static_cast<Step>(static_cast<int>(step) + 1), now_); }
    void try_cnmi(std::size_t option, Millis now);
    void poll_storage();
    /// The received messages of an AT+CMGL=4 answer, handed over (each index once).
    void handle_listing(const AtResult& r);
    void drain_reports();
    void acknowledge();
    void check_routing();
    void refresh_status(Millis now);
    void pump(Millis now);
    void send_part(Millis now);
    void finish_send(SendOutcome::Status status, int code, SendError error, std::string detail, Millis now);
    void part_accepted(Sending& s, int reference);
    /// The port lost or the modem restarted: the message in flight set aside (before fail_all).
    void set_aside_in_flight(const std::string& why);
    /// The part being sent may have left: kept aside until its report or the next reference says.
    void set_unresolved(const std::string& why);
    /// What became of that part: it left with `reference`, or it did not (nullopt).
    void resolve(std::optional<int> reference, const std::string& how);
    void failed_send(SendError error, const AtResult& r);
    void on_urc(const Urc& urc);
    void read_stored(const std::string& memory, int index);
    void handle_pdu(const std::string& pdu, std::optional<int> tpdu_octets, std::optional<int> index, Millis now);
    void handle_report(const SmsStatusReport& report);
    void delete_stored(int index);
    void expire_assemblies(Millis now);
    void update_health();
    void set_status_detail(ModemHealth h, std::string detail);

    SerialPort& port_;
    ModemConfig config_;
    ModemEvents& events_;
    AtChannel channel_;
    ModemStatus status_;
    std::string out_;
    Millis now_ = 0;
    Millis reopen_at_ = 0;
    Millis next_status_at_ = 0;
    std::optional<Millis> retry_at_;
    std::function<void(Millis)> retry_;
    bool init_done_ = false;
    bool held_ = false;
    bool sim_ready_ = false;
    bool creg_ = false, cereg_ = false;
    // what init learnt of this modem
    Vendor vendor_ = Vendor::other;
    std::string memory_ = "SM";
    bool has_sr_ = false;
    std::vector<Cnmi> cnmi_ladder_;
    std::optional<Cnmi> cnmi_;
    bool ack_mode_ = false;  // +CSMS=1: routed +CMT/+CDS acknowledged with +CNMA
    std::optional<Millis> waking_since_;
    std::optional<Millis> sms_wait_since_;
    int echo_baseline_ = -1;  // command echoes seen when ATE0 took effect; -1: not watching
    Millis next_poll_at_ = 0;
    std::set<int> in_hand_;  // indexes read and not yet deleted
    int generation_ = 0;     // bumped on each (re)connect: late callbacks of a lost session are ignored
    std::deque<Pending> queue_;
    std::optional<Sending> sending_;
    struct Unresolved {
        Sending sending;                      // `part` is the one whose fate is unknown
        std::optional<int> reference_before;  // the modem's last reference before it
        Millis since = 0;
    };
    std::optional<Unresolved> unresolved_;
    std::deque<Sending> resumes_;        // messages to go on with (a part resolved), before the queue
    std::optional<int> last_reference_;  // the last reference a +CMGS gave
    int next_concat_reference_ = 0;
    std::deque<SentPart> sent_;
    std::map<MessageId, PartState> part_states_;
    std::map<std::string, Assembly> assemblies_;
};

}  // namespace relais::modem
