#pragma once
// A fake serial port with a scripted modem behind it, for unit tests of the modem session:
// it answers AT commands like a generic modem, records what it was sent, and has switches
// for faults (a lost port, silence, errors, a SIM that wants a PIN).

#include "pdu.hpp"
#include "serial_port.hpp"

#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace relais::test {

class FakeModem final : public modem::SerialPort {
public:
    // ---- failure switches and behaviour ----
    bool fail_open = false;      // the device is missing
    bool lost = false;           // reads and writes fail (unplugged)
    bool silent = false;         // nothing is answered
    std::string cpin = "READY";  // or "SIM PIN", "SIM PUK"; "missing" answers +CME ERROR: 10
    std::string pin = "1234";
    std::vector<std::string> refuse;                    // commands answered with ERROR
    std::deque<std::string> cmgs_errors;                // the next +CMGS answers, e.g. "+CMS ERROR: 38"
    bool cmgs_silent = false;                           // +CMGS never answered
    int creg = 1;                                       // registration state
    std::map<int, std::pair<int, std::string>> stored;  // index → (stat, PDU)
    /// Echo every command line back (a modem that restarted: its boot turns echo on); ATE0
    /// turns it off.
    bool echo = false;
    /// A store of its own for status reports (AT+CPMS="SR"), advertised in AT+CPMS=?.
    bool sr_store = false;
    std::map<int, std::pair<int, std::string>> reports;              // "SR": index → (stat, PDU)
    std::string cnmi_test = "+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)";  // the AT+CNMI=? answer
    std::string cnmi = "0,0,0,0,0";                                  // AT+CNMI? (set by AT+CNMI=)
    int csms = 0;                                                    // AT+CSMS?: 1 asks for +CNMA
    bool cnma_refused = false;                                       // AT+CNMA: +CMS ERROR: 340
    std::string cmgs_second_field;  // "+CMGS: <mr>,<this>" when set (a Telit's ack PDU)

    // ---- what happened ----
    std::vector<std::string> commands;  // every AT command line received
    std::vector<std::string> pdus;      // every PDU sent after a prompt
    std::string written;                // every byte received, ESC included
    std::string memory = "SM";          // <mem1>, which +CMGL, +CMGR, +CMGD use
    int opens = 0;
    int next_reference = 1;

    // ---- SerialPort ----
    Result<void> open() override;
    void close() override { open_ = false; }
    bool is_open() const override { return open_; }
    Result<std::size_t> write(std::string_view bytes) override;
    Result<std::string> read() override;
    int fd() const override { return -1; }
    std::string describe() const override { return "fake modem"; }

    /// Something the modem says on its own (a URC).
    void say(const std::string& text) { inbox_ += text; }
    /// Stores an SMS-DELIVER and announces it with +CMTI.
    int receive(const std::string& pdu_hex, bool announce = true);
    bool saw(const std::string& command) const;
    /// How many times `command` was received.
    long count(const std::string& command) const;

private:
    void on_line(const std::string& line);
    void answer(const std::string& text) {
        if (!silent) inbox_ += text;
    }

    bool open_ = false;
    bool in_pdu_ = false;
    std::string line_;
    std::string inbox_;
};

}  // namespace relais::test
