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

TEST_CASE("emulator: echo on by default, ATE0 turns it off, verbose and numeric results") {
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

TEST_CASE("emulator: status reports stored in SR with +CDSI when asked, failing numbers fail") {
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

// ---- profiles ---------------------------------------------------------------------------------

namespace {

EmulatorOptions profile_options(const char* name) {
    EmulatorOptions o;
    o.profile = *profile_named(name);
    o.report_delay_ms = 10;
    return o;
}

// The PDU line of a "+CDS: <length>" indication.
std::string cds_pdu(const std::string& out) {
    const auto start = out.find("+CDS: ");
    if (start == std::string::npos) return "";
    const auto pdu_start = out.find("\r\n", start) + 2;
    return out.substr(pdu_start, out.find("\r\n", pdu_start) - pdu_start);
}

bool has(const std::string& out, const std::string& what) { return out.find(what) != std::string::npos; }

}  // namespace

TEST_CASE("emulator: =? forms answered with nothing but their final OK say it once") {
    Modem m;
    (void)m.at("ATE0");
    CHECK(m.at("AT+CPIN=?") == "\r\nOK\r\n");
    CHECK(m.at("AT+CSCA=?") == "\r\nOK\r\n");
    CHECK(m.at("AT+CMGR=?") == "\r\nOK\r\n");
    CHECK(m.at("AT+CPIN=?;+CSQ") == "\r\n+CSQ: 21,99\r\n\r\nOK\r\n");  // the line goes on after them
}

TEST_CASE("emulator: quectel-ec25: unsolicited codes only on the port AT+QURCCFG names, kept over a reset") {
    Modem m(profile_options("quectel-ec25"));
    m.emu.power_on(0);
    CHECK(m.emu.urc_port() == "usbmodem");
    CHECK(m.emu.take_output().empty());  // RDY, +CPIN: READY... went to the other port
    m.now = 3000;
    m.emu.tick(m.now);
    CHECK(m.emu.take_output().empty());  // and so did +QIND: SMS DONE
    (void)m.at("ATE0");
    CHECK(m.at("AT+QURCCFG=\"urcport\"") == "\r\n+QURCCFG: \"urcport\",\"usbmodem\"\r\n\r\nOK\r\n");
    CHECK(m.at("AT+QURCCFG=\"urcport\",\"usbat\"") == "\r\nOK\r\n");
    CHECK(m.emu.urc_port() == "usbat");
    m.emu.reset(m.now);
    CHECK(m.emu.take_output() == "\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\n+QUSIM: 1\r\n");
    CHECK(m.emu.urc_port() == "usbat");  // saved by the module
    m.now += 3000;
    m.emu.tick(m.now);
    CHECK(m.emu.take_output() == "\r\n+QIND: SMS DONE\r\n\r\n+QIND: PB DONE\r\n");
    CHECK(m.at("AT+QURCCFG=\"urcport\",\"nowhere\"") == "AT+QURCCFG=\"urcport\",\"nowhere\"\r\r\nERROR\r\n");
}

TEST_CASE("emulator: quectel-ec25: a report kept in SR is announced as +CDSI: \"SM\",0") {
    Modem m(profile_options("quectel-ec25"));
    m.emu.power_on(0);
    (void)m.at("ATE0;+CMEE=1;+QURCCFG=\"urcport\",\"usbat\";+CNMI=2,1,0,2,0");
    (void)m.emu.take_output();
    int length = 0;
    const std::string hex = submit_hex("+33612345678", "x", &length);
    CHECK(m.send_pdu(hex, length) == "\r\n+CMGS: 1\r\n\r\nOK\r\n");
    m.now += 10;
    m.emu.tick(m.now);
    CHECK(m.emu.take_output() == "\r\n+CDSI: \"SM\",0\r\n");
    CHECK(m.emu.stored("SR") == 1);
    CHECK(m.emu.stored("SM") == 0);  // where it says it is, nothing
    CHECK(m.at("AT+CPMS=\"SM\";+CMGR=0") == "\r\n+CPMS: 0,30,0,100,0,100\r\n\r\n+CMS ERROR: 321\r\n");
    const std::string list = m.at("AT+CPMS=\"SR\";+CMGL=4");
    CHECK(has(list, "+CMGL: 1,0,,"));
}

TEST_CASE("emulator: simcom-sim7600: SMS commands refused until SMS DONE, the stored profile is text mode") {
    Modem m(profile_options("simcom-sim7600"));
    m.emu.power_on(0);
    CHECK(m.emu.take_output() == "\r\nRDY\r\n\r\n+CPIN: READY\r\n");
    (void)m.at("ATE0");
    CHECK(m.at("AT+CMGF=0") == "\r\nERROR\r\n");
    CHECK(m.at("AT+CPMS=?") == "\r\nERROR\r\n");
    CHECK(m.at("AT+CSQ") == "\r\n+CSQ: 21,99\r\n\r\nOK\r\n");  // the rest answers
    m.now = 7999;
    m.emu.tick(m.now);
    CHECK(m.emu.take_output().empty());
    CHECK(m.at("AT+CMGF=0") == "\r\nERROR\r\n");
    m.now = 8000;
    m.emu.tick(m.now);
    CHECK(m.emu.take_output() == "\r\nSMS DONE\r\n\r\nPB DONE\r\n");
    CHECK(m.at("AT+CMGF?") == "\r\n+CMGF: 1\r\n\r\nOK\r\n");
    CHECK(m.at("AT+CPMS=?") ==
          "\r\n+CPMS: (\"ME\",\"MT\",\"SM\",\"SR\"),(\"ME\",\"MT\",\"SM\"),(\"ME\",\"SM\")\r\n\r\nOK\r\n");
    CHECK(m.at("AT+CMGF=0") == "\r\nOK\r\n");
    CHECK(m.at("AT+CMGF?") == "\r\n+CMGF: 0\r\n\r\nOK\r\n");
    // A power cycle brings the stored profile back: echo, text mode, the wait.
    m.emu.power_on(m.now);
    CHECK(m.emu.take_output() == "\r\nRDY\r\n\r\n+CPIN: READY\r\n");
    CHECK(m.at("AT+CMGF?") == "AT+CMGF?\r\r\nERROR\r\n");
    m.now += 8000;
    m.emu.tick(m.now);
    (void)m.emu.take_output();
    CHECK(m.at("AT+CMGF?") == "AT+CMGF?\r\r\n+CMGF: 1\r\n\r\nOK\r\n");
}

TEST_CASE("emulator: simcom-sim7600: text-mode sends fail with +CMS ERROR: 500 until +CSMP is set") {
    EmulatorOptions o = profile_options("simcom-sim7600");
    o.profile.cms500_share = 0;  // its random 500s off: only the +CSMP one is looked at here
    Modem m(o);
    m.emu.power_on(0);
    m.now = 8000;
    m.emu.tick(m.now);
    (void)m.at("ATE0");
    CHECK(m.at("AT+CSMP?") == "\r\n+CSMP: ,,0,0\r\n\r\nOK\r\n");
    const auto send_text = [&] {
        REQUIRE(m.at("AT+CMGS=\"+33612345678\"") == "\r\n> ");
        m.emu.input("Bonjour\x1A", m.now);
        m.emu.tick(m.now);
        return m.emu.take_output();
    };
    CHECK(send_text() == "\r\n+CMS ERROR: 500\r\n");
    CHECK(send_text() == "\r\n+CMS ERROR: 500\r\n");
    CHECK(m.journal.empty());
    SUBCASE("AT+CSMP") {
        CHECK(m.at("AT+CSMP=17,167,0,0") == "\r\nOK\r\n");
        CHECK(send_text() == "\r\n+CMGS: 1\r\n\r\nOK\r\n");
    }
    SUBCASE("AT&F, which also leaves text mode") {
        CHECK(m.at("AT&F") == "\r\nOK\r\n");
        (void)m.at("ATE0;+CMGF=1");
        CHECK(send_text() == "\r\n+CMGS: 1\r\n\r\nOK\r\n");
    }
    REQUIRE(m.journal.size() == 1);
    CHECK(m.journal[0].text == "Bonjour");
}

TEST_CASE("emulator: huawei-e3372: indices from 0, no SR store, reports only as +CDS") {
    Modem m(profile_options("huawei-e3372"));
    m.emu.power_on(0);
    CHECK(m.emu.take_output() == "\r\n^BOOT:20952548,0,0,0,72\r\n\r\n^SIMST: 1\r\n\r\n^SRVST: 2\r\n\r\n^MODE:5,4\r\n");
    (void)m.at("ATE0;+CMEE=1;^CURC=0;+CNMI=2,1,0,2,0");
    const auto indexes = m.emu.inject_sms("+33612345678", "Bonjour", m.now);
    REQUIRE(indexes.ok());
    CHECK(*indexes == std::vector<int>{0});
    CHECK(m.emu.take_output() == "\r\n+CMTI: \"SM\",0\r\n");
    CHECK(has(m.at("AT+CMGR=0"), "+CMGR: 0,,"));
    CHECK(m.at("AT+CPMS=\"SR\"") == "\r\n+CMS ERROR: 302\r\n");
    CHECK(m.at("AT+CPMS=\"SM\",\"SR\",\"SM\"") == "\r\n+CMS ERROR: 302\r\n");
    int length = 0;
    const std::string hex = submit_hex("+33612345678", "x", &length);
    (void)m.send_pdu(hex, length);
    m.now += 10;
    m.emu.tick(m.now);
    const std::string out = m.emu.take_output();
    CHECK(out.rfind("\r\n+CDS: ", 0) == 0);  // although <ds>=2 asked for +CDSI
    CHECK_FALSE(has(out, "+CDSI"));
    CHECK(m.emu.stored("SR") == 0);
}

TEST_CASE("emulator: huawei-e3372: ^DSFLOWRPT every flood_ms, ^RSSI every fifth, until AT^CURC=0") {
    EmulatorOptions o = profile_options("huawei-e3372");
    o.profile.flood_ms = 1000;
    Modem m(o);
    m.emu.power_on(0);
    (void)m.emu.take_output();
    std::string out;
    for (m.now = 100; m.now <= 5000; m.now += 100) {
        m.emu.tick(m.now);
        out += m.emu.take_output();
    }
    int flows = 0;
    for (auto p = out.find("^DSFLOWRPT:"); p != std::string::npos; p = out.find("^DSFLOWRPT:", p + 1)) ++flows;
    CHECK(flows == 5);
    CHECK(has(out, "\r\n^RSSI:21\r\n"));
    CHECK(m.emu.deadline() == 6000);
    (void)m.at("ATE0");
    CHECK(m.at("AT^CURC?") == "\r\n^CURC: 1\r\n\r\nOK\r\n");
    CHECK(m.at("AT^CURC=0") == "\r\nOK\r\n");
    out.clear();
    for (; m.now <= 60000; m.now += 100) {
        m.emu.tick(m.now);
        out += m.emu.take_output();
    }
    CHECK(out.empty());
}

TEST_CASE("emulator: telit-le910c1: deaf while booting, then echo and answers") {
    Modem m(profile_options("telit-le910c1"));
    m.emu.power_on(0);
    CHECK(m.emu.take_output().empty());  // no boot codes
    CHECK(m.at("AT").empty());           // no echo, no answer
    m.now = 19999;
    CHECK(m.at("AT").empty());
    m.now = 20000;
    CHECK(m.at("AT") == "AT\r\r\nOK\r\n");
    CHECK(m.at("AT+CSMS?") == "AT+CSMS?\r\r\n+CSMS: 1,1,1,1\r\n\r\nOK\r\n");  // phase 2+ stored
}

TEST_CASE("emulator: telit-le910c1: +CMGS carries the ack PDU with +CSMS=1, plain after +CSMS=0") {
    Modem m(profile_options("telit-le910c1"));
    m.emu.power_on(0);
    m.now = 20000;
    (void)m.at("ATE0;+CMEE=1");
    int length = 0;
    const std::string hex = submit_hex("+33612345678", "x", &length, false);
    const std::string first = m.send_pdu(hex, length);
    REQUIRE(first.rfind("\r\n+CMGS: 1,0100", 0) == 0);
    const std::size_t start = std::string("\r\n+CMGS: 1,").size();
    const auto ack = first.substr(start, first.find("\r\n", 2) - start);
    CHECK(ack.size() == 18);  // 0100, then the time stamp's seven semi-octets
    CHECK(ack.find_first_not_of("0123456789") == std::string::npos);
    CHECK(first.substr(first.size() - 6) == "\r\nOK\r\n");
    CHECK(m.at("AT+CSMS=0") == "\r\n+CSMS: 1,1,1\r\n\r\nOK\r\n");
    CHECK(m.send_pdu(hex, length) == "\r\n+CMGS: 2\r\n\r\nOK\r\n");
}

TEST_CASE("emulator: telit-le910c1: +CNMA acknowledges one routed +CDS, a second is 340") {
    Modem m(profile_options("telit-le910c1"));
    m.emu.power_on(0);
    m.now = 20000;
    (void)m.at("ATE0;+CMEE=1;+CNMI=2,1,0,1,0");
    CHECK(m.at("AT+CNMA") == "\r\n+CMS ERROR: 340\r\n");  // nothing to acknowledge yet
    int length = 0;
    const std::string hex = submit_hex("+33612345678", "x", &length);
    (void)m.send_pdu(hex, length);
    m.now += 10;
    m.emu.tick(m.now);
    CHECK(m.emu.take_output().rfind("\r\n+CDS: ", 0) == 0);
    CHECK(m.at("AT+CNMA") == "\r\nOK\r\n");
    CHECK(m.at("AT+CNMA") == "\r\n+CMS ERROR: 340\r\n");
    CHECK(m.emu.counters().acknowledged == 1);
    CHECK(m.emu.counters().missed_acks == 0);
    m.now += 60000;
    m.emu.tick(m.now);
    CHECK(m.emu.counters().missed_acks == 0);  // an acknowledged one has no timeout
    CHECK(m.emu.counters().cnmi == "2,1,0,1,0");
}

TEST_CASE("emulator: telit-le910c1: a +CDS not acknowledged in time turns routing off, sent again once set") {
    Modem m(profile_options("telit-le910c1"));
    m.emu.set_cnma_timeout(1000);
    m.emu.power_on(0);
    m.now = 20000;
    (void)m.at("ATE0;+CMEE=1;+CNMI=2,1,0,1,0");
    int length = 0;
    const std::string hex = submit_hex("+33612345678", "x", &length);
    (void)m.send_pdu(hex, length);
    m.now += 10;
    m.emu.tick(m.now);
    const std::string first = cds_pdu(m.emu.take_output());
    REQUIRE_FALSE(first.empty());
    m.now += 999;
    m.emu.tick(m.now);
    CHECK(m.emu.counters().missed_acks == 0);
    CHECK(m.at("AT+CNMI?") == "\r\n+CNMI: 2,1,0,1,0\r\n\r\nOK\r\n");
    m.now += 1;
    m.emu.tick(m.now);
    CHECK(m.emu.counters().missed_acks == 1);
    CHECK(m.at("AT+CNMI?") == "\r\n+CNMI: 2,0,0,0,0\r\n\r\nOK\r\n");
    // Routing off: the network's retries are not routed, not stored either.
    std::string out;
    for (int i = 0; i < 50; ++i) {
        m.now += 100;
        m.emu.tick(m.now);
        out += m.emu.take_output();
    }
    CHECK(out.empty());
    CHECK(m.emu.stored("SR") == 0);
    (void)m.at("AT+CNMI=2,1,0,1,0");
    for (int i = 0; i < 400 && !has(out, "+CDS: "); ++i) {
        m.now += 100;
        m.emu.tick(m.now);
        out += m.emu.take_output();
    }
    CHECK(cds_pdu(out) == first);  // the same report, once routing is back
    CHECK(m.at("AT+CNMA") == "\r\nOK\r\n");
    CHECK(m.emu.counters().acknowledged == 1);
}

TEST_CASE("emulator: a routed +CDS waits while a +CMGS holds the line, and follows its answer") {
    EmulatorOptions o;
    o.cmgs_latency_ms = 3000;
    o.report_delay_ms = 10;
    Modem m(o);
    (void)m.at("ATE0;+CMEE=1;+CNMI=2,1,0,1,0");
    int length = 0;
    const std::string hex = submit_hex("+33612345678", "x", &length);
    (void)m.at("AT+CMGS=" + std::to_string(length));
    m.emu.input(hex + "\x1A", m.now);
    m.now = 3000;
    m.emu.tick(m.now);
    CHECK(m.emu.take_output() == "\r\n+CMGS: 1\r\n\r\nOK\r\n");
    m.now = 3005;  // a second send is under way when the first one's report comes (3010)
    (void)m.at("AT+CMGS=" + std::to_string(length));
    m.emu.input(hex + "\x1A", m.now);
    m.now = 3010;
    m.emu.tick(m.now);
    CHECK(m.emu.take_output().empty());
    m.now = 6004;
    m.emu.tick(m.now);
    CHECK(m.emu.take_output().empty());
    m.now = 6005;
    m.emu.tick(m.now);
    const std::string out = m.emu.take_output();
    const std::string answer = "\r\n+CMGS: 2\r\n\r\nOK\r\n";
    REQUIRE(out.rfind(answer, 0) == 0);
    CHECK(out.find("\r\n+CDS: ") == answer.size());
    const auto report = modem::decode_pdu(cds_pdu(out), modem::Direction::from_network);
    REQUIRE(report.ok());
    CHECK(std::get<modem::SmsStatusReport>(report->tpdu).message_reference == 1);
}

TEST_CASE("emulator: a reset during a send: after the network took it, or before") {
    EmulatorOptions o = profile_options("simcom-sim7600");
    o.profile.cms500_share = 0;
    Modem m(o);
    m.emu.power_on(0);
    m.now = 8000;
    m.emu.tick(m.now);
    (void)m.at("ATE0;+CMEE=1;+CMGF=0");
    (void)m.emu.take_output();
    int length = 0;
    const std::string hex = submit_hex("+33612345678", "Votre voiture est prête", &length, false);
    SUBCASE("accepted") {
        m.emu.reset_during_next_sends(1, true);
        CHECK(m.send_pdu(hex, length).empty());  // no +CMGS
        REQUIRE(m.journal.size() == 1);
        CHECK(m.journal[0].text == "Votre voiture est prête");
    }
    SUBCASE("not accepted") {
        m.emu.reset_during_next_sends(1, false);
        CHECK(m.send_pdu(hex, length).empty());
        CHECK(m.journal.empty());
    }
    m.now += 1;
    m.emu.tick(m.now);
    const std::string boot = m.emu.take_output();
    CHECK(boot == "\r\nRDY\r\n\r\n+CPIN: READY\r\n");
    CHECK_FALSE(has(boot, "+CMGS"));
    CHECK(m.emu.counters().power_ups == 2);
    // Only the next one: the one after goes normally, once the SMS service is back.
    m.now += 8000;
    m.emu.tick(m.now);
    (void)m.emu.take_output();
    (void)m.at("ATE0;+CMGF=0");
    CHECK(m.send_pdu(hex, length).rfind("\r\n+CMGS: ", 0) == 0);
}

TEST_CASE("emulator: a Telit's reset takes its USB port away (the bridge plugs it back: power_on)") {
    Modem m(profile_options("telit-le910c1"));
    m.emu.power_on(0);
    m.now = 20000;
    (void)m.at("ATE0;+CMGF=0");
    int length = 0;
    const std::string hex = submit_hex("+33612345678", "Votre voiture est prête", &length, false);
    m.emu.reset_during_next_sends(1, true);
    CHECK(m.send_pdu(hex, length).empty());
    CHECK_FALSE(m.emu.take_reenumeration());  // not yet: the firmware is still on it
    m.now += 1;
    m.emu.tick(m.now);
    CHECK(m.emu.take_reenumeration());  // gone: no boot codes on this line
    CHECK_FALSE(m.emu.take_reenumeration());
    CHECK(m.emu.take_output().empty());
    CHECK(m.journal.size() == 1);
    m.emu.power_on(m.now);  // the new port
    CHECK(m.emu.counters().power_ups == 2);
    CHECK(m.at("AT").empty());  // deaf while it boots again
}

TEST_CASE("emulator: a Huawei's ^MODE at power-up and on a change of registration, until AT^CURC=0") {
    Modem m(profile_options("huawei-e3372"));
    m.emu.power_on(0);
    CHECK(has(m.emu.take_output(), "\r\n^MODE:5,4\r\n"));
    m.emu.set_registration(0, 1);
    CHECK(has(m.emu.take_output(), "\r\n^MODE:0,0\r\n"));
    (void)m.at("AT^CURC=0");
    m.emu.set_registration(1, 2);
    CHECK_FALSE(has(m.emu.take_output(), "^MODE"));
}
