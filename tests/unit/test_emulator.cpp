// The emulated modem's firmware, fed bytes like a program on the other end of the line.
#include "emulator.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

using namespace relais;
using namespace relais::bridge;

namespace {

struct Modem {
    test::FakeClock clock;
    std::vector<JournalEntry> journal;
    Emulator emu;
    Millis now = 0;

    explicit Modem(EmulatorOptions o = {})
        : emu(std::move(o), clock, [this](const JournalEntry& e) { journal.push_back(e); }) {}

    std::string at(const std::string& line) {
        emu.input(line + "\r", now);
        emu.tick(now);
        return emu.take_output();
    }
    std::string send_pdu(const std::string& hex, int length) {
        at("AT+CMGS=" + std::to_string(length));
        emu.input(hex + "\x1A", now);
        emu.tick(now);
        return emu.take_output();
    }
};

std::string submit_hex(const std::string& to, const std::string& text, int* length, bool report = true) {
    auto sms = modem::prepare_sms(text);
    modem::SubmitOptions o;
    o.status_report = report;
    auto pdus = modem::encode_submit(modem::Address{to}, *sms, o);
    *length = pdus[0].tpdu_octets;
    return pdus[0].hex;
}

}  // namespace

TEST_CASE("emulator: echo on by default, ATE0 turns it off; verbose and numeric results") {
    Modem m;
    CHECK(m.at("AT") == "AT\r\r\nOK\r\n");
    CHECK(m.at("ATE0") == "ATE0\r\r\nOK\r\n");
    CHECK(m.at("AT") == "\r\nOK\r\n");
    CHECK(m.at("ATV0") == "0\r");
    CHECK(m.at("AT+FOO") == "4\r");
    CHECK(m.at("ATV1") == "\r\nOK\r\n");
    CHECK(m.at("not a command") == "");  // ignored, like a real modem
}

TEST_CASE("emulator: chained commands, identification, unknown commands are ERROR") {
    Modem m;
    (void)m.at("ATE0");
    CHECK(m.at("AT+CGMI;+CGMM") == "\r\nRelais\r\n\r\nEM-1 emulated modem\r\n\r\nOK\r\n");
    CHECK(m.at("AT+CMEE=1;+CSQ") == "\r\n+CSQ: 21,99\r\n\r\nOK\r\n");
    CHECK(m.at("AT+MODE=2") == "\r\nERROR\r\n");                              // gammu's Motorola probe: must be refused
    CHECK(m.at("AT+CSQ;+NOPE;+CGMI") == "\r\n+CSQ: 21,99\r\n\r\nERROR\r\n");  // stops at the first error
    CHECK(m.at("AT+CSCS=?") == "\r\n+CSCS: (\"IRA\",\"GSM\",\"UCS2\")\r\n\r\nOK\r\n");
}

TEST_CASE("emulator: SIM PIN, three wrong tries, PUK") {
    EmulatorOptions o;
    o.pin = "1234";
    Modem m(o);
    (void)m.at("ATE0;+CMEE=1");
    CHECK(m.at("AT+CPIN?") == "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n");
    CHECK(m.at("AT+CMGL=4") == "\r\n+CMS ERROR: 311\r\n");
    CHECK(m.at("AT+CPIN=\"0000\"") == "\r\n+CME ERROR: 16\r\n");
    CHECK(m.at("AT+CPIN=\"1234\"") == "\r\nOK\r\n");
    CHECK(m.at("AT+CPIN?") == "\r\n+CPIN: READY\r\n\r\nOK\r\n");
    m.emu.set_sim(SimState::pin_required);
    for (int i = 0; i < 3; ++i) (void)m.at("AT+CPIN=\"9999\"");
    CHECK(m.at("AT+CPIN?") == "\r\n+CPIN: SIM PUK\r\n\r\nOK\r\n");
    m.emu.set_sim(SimState::missing);
    CHECK(m.at("AT+CPIN?") == "\r\n+CME ERROR: 10\r\n");
}

TEST_CASE("emulator: +CMGS in PDU mode: prompt, reference, journal, status report per +CNMI") {
    Modem m;
    (void)m.at("ATE0;+CMEE=1;+CMGF=0;+CNMI=2,1,0,1,0");
    int length = 0;
    const std::string hex = submit_hex("+33612345678", "Votre voiture est prête", &length);
    CHECK(m.at("AT+CMGS=" + std::to_string(length)) == "\r\n> ");
    m.emu.input(hex + "\x1A", m.now);
    CHECK(m.emu.take_output() == "\r\n+CMGS: 1\r\n\r\nOK\r\n");
    REQUIRE(m.journal.size() == 1);
    CHECK(m.journal[0].text == "Votre voiture est prête");
    CHECK(m.journal[0].encoding == "ucs2");
    CHECK(m.journal[0].references == std::vector<int>{1});
    CHECK(m.emu.deadline() == m.now + 1000);
    m.now += 1000;
    m.emu.tick(m.now);
    const std::string out = m.emu.take_output();
    REQUIRE(out.rfind("\r\n+CDS: ", 0) == 0);
    const std::string pdu = out.substr(out.find("\r\n", 2) + 2, out.size() - out.find("\r\n", 2) - 4);
    auto report = modem::decode_pdu(pdu, modem::Direction::from_network);
    REQUIRE(report.ok());
    CHECK(std::get<modem::SmsStatusReport>(report->tpdu).message_reference == 1);
    CHECK(std::get<modem::SmsStatusReport>(report->tpdu).state() == modem::DeliveryState::delivered);
}

TEST_CASE("emulator: status reports stored in SR with +CDSI when asked; failing numbers fail") {
    EmulatorOptions o;
    o.report_delay_ms = 10;
    o.failing_numbers = {"+33699999999"};
    Modem m(o);
    (void)m.at("ATE0;+CMEE=1;+CNMI=2,1,0,2,0");
    int length = 0;
    const std::string hex = submit_hex("+33699999999", "x", &length);
    (void)m.send_pdu(hex, length);
    m.now += 10;
    m.emu.tick(m.now);
    CHECK(m.emu.take_output() == "\r\n+CDSI: \"SR\",1\r\n");
    const std::string read = m.at("AT+CPMS=\"SR\";+CMGR=1");
    const auto line_start = read.find("+CMGR: ");
    REQUIRE(line_start != std::string::npos);
    const auto pdu_start = read.find("\r\n", line_start) + 2;
    auto report = modem::decode_pdu(read.substr(pdu_start, read.find("\r\n", pdu_start) - pdu_start),
                                    modem::Direction::from_network);
    REQUIRE(report.ok());
    CHECK(std::get<modem::SmsStatusReport>(report->tpdu).status == 0x41);
}

TEST_CASE("emulator: a wrong length, no network, and injected failures") {
    Modem m;
    (void)m.at("ATE0;+CMEE=1");
    int length = 0;
    const std::string hex = submit_hex("+33612345678", "a", &length);
    CHECK(m.send_pdu(hex, length + 1) == "\r\n+CMS ERROR: 304\r\n");
    m.emu.set_registration(2, m.now);
    CHECK(m.send_pdu(hex, length) == "\r\n+CMS ERROR: 331\r\n");
    m.emu.set_registration(1, m.now);
    m.emu.fail_next_sends(2, 42);
    CHECK(m.send_pdu(hex, length) == "\r\n+CMS ERROR: 42\r\n");
    CHECK(m.send_pdu(hex, length) == "\r\n+CMS ERROR: 42\r\n");
    CHECK(m.send_pdu(hex, length) == "\r\n+CMGS: 1\r\n\r\nOK\r\n");
    CHECK(m.journal.size() == 1);  // refused messages never reached the network
}

TEST_CASE("emulator: +CMGS latency holds what the program types meanwhile") {
    EmulatorOptions o;
    o.cmgs_latency_ms = 3000;
    Modem m(o);
    (void)m.at("ATE0");
    int length = 0;
    const std::string hex = submit_hex("+33612345678", "a", &length, false);
    (void)m.at("AT+CMGS=" + std::to_string(length));
    m.emu.input(hex + "\x1A" + "AT+CSQ\r", m.now);
    CHECK(m.emu.take_output().empty());
    CHECK(m.emu.deadline() == 3000);
    m.now = 3000;
    m.emu.tick(m.now);
    CHECK(m.emu.take_output() == "\r\n+CMGS: 1\r\n\r\nOK\r\n\r\n+CSQ: 21,99\r\n\r\nOK\r\n");
}

TEST_CASE("emulator: inbound SMS: +CMTI, +CMGL and +CMGR in PDU and text mode, deletes") {
    Modem m;
    (void)m.at("ATE0;+CMEE=1;+CNMI=2,1,0,0,0");
    auto indexes = m.emu.inject_sms("+33612345678", "Oui, merci ! " + std::string(200, '.'), m.now);
    REQUIRE(indexes.ok());
    CHECK(*indexes == std::vector<int>{1, 2});
    CHECK(m.emu.take_output() == "\r\n+CMTI: \"SM\",1\r\n\r\n+CMTI: \"SM\",2\r\n");
    const std::string list = m.at("AT+CMGL=4");
    CHECK(list.find("+CMGL: 1,0,,") != std::string::npos);
    CHECK(list.find("+CMGL: 2,0,,") != std::string::npos);
    CHECK(m.at("AT+CMGL=0") == "\r\nOK\r\n");  // both are read now
    (void)m.at("AT+CMGF=1");
    const std::string text = m.at("AT+CMGR=1");
    CHECK(text.find("+CMGR: \"REC READ\",\"+33612345678\"") != std::string::npos);
    CHECK(text.find("Oui, merci !") != std::string::npos);
    CHECK(m.at("AT+CMGD=1") == "\r\nOK\r\n");
    CHECK(m.at("AT+CMGD=1") == "\r\n+CMS ERROR: 321\r\n");
    CHECK(m.at("AT+CMGD=1,4") == "\r\nOK\r\n");  // delete all
    CHECK(m.emu.stored("SM") == 0);
    (void)m.at("AT+CNMI=2,2,0,0,0");
    REQUIRE(m.emu.inject_sms("Garage", "direct", m.now).ok());
    CHECK(m.emu.take_output().rfind("\r\n+CMT: ,", 0) == 0);
    CHECK(m.emu.stored("SM") == 0);
}

TEST_CASE("emulator: text mode sending with the UCS2 character set") {
    Modem m;
    (void)m.at("ATE0;+CMGF=1;+CSCS=\"UCS2\"");
    CHECK(m.at("AT+CMGS=\"+33612345678\"") == "\r\n> ");
    m.emu.input("00E700610020007600610020003F\x1A", m.now);  // "ça va ?"
    CHECK(m.emu.take_output() == "\r\n+CMGS: 1\r\n\r\nOK\r\n");
    REQUIRE(m.journal.size() == 1);
    CHECK(m.journal[0].text == "ça va ?");
}

TEST_CASE("emulator: silence, registration changes announced, storage full") {
    Modem m;
    (void)m.at("ATE0;+CREG=1");
    m.emu.set_registration(5, m.now);
    CHECK(m.emu.take_output() == "\r\n+CREG: 5\r\n");
    m.emu.set_silent(true);
    CHECK(m.at("AT").empty());
    m.emu.set_silent(false);
    for (int i = 0; i < 30; ++i) REQUIRE(m.emu.inject_sms("+33612345678", "x", m.now).ok());
    CHECK(m.emu.inject_sms("+33612345678", "x", m.now).error().code == "storage_full");
}
