// The AT line parser and channel, fed bytes the way modems send them.
#include "at_channel.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace relais::modem;

namespace {

struct Harness {
    std::vector<Urc> urcs;
    std::vector<AtResult> results;
    AtChannel channel{[this](const Urc& u) { urcs.push_back(u); }};
    Millis now = 1000;

    void submit(std::string command, std::string prefix = "", std::optional<std::string> data = std::nullopt,
                Millis timeout = 5000) {
        AtCommand c;
        c.command = std::move(command);
        c.prefix = std::move(prefix);
        c.data = std::move(data);
        c.timeout = timeout;
        c.on_done = [this](const AtResult& r) { results.push_back(r); };
        channel.submit(std::move(c), now);
    }
    void modem(std::string_view bytes) { channel.feed(bytes, now); }
};

}  // namespace

TEST_CASE("line parser: CR, LF, CRLF, empty lines, partial lines, the prompt") {
    AtLineParser p;
    CHECK(p.feed("\r\nOK\r\n") == std::vector<std::string>{"OK"});
    CHECK(p.feed("+CSQ: 2").empty());
    CHECK(p.pending() == "+CSQ: 2");
    CHECK(p.feed("1,99\r\n\r\nOK\n") == std::vector<std::string>{"+CSQ: 21,99", "OK"});
    CHECK(p.feed("a\rb\nc\r\n").size() == 3);
    CHECK(p.feed("\r\n> ").empty());
    CHECK(p.pending() == "> ");
    p.reset();
    CHECK(p.feed(std::string("O\0K\r", 4)) == std::vector<std::string>{"OK"});
    CHECK(p.feed(std::string(AtLineParser::max_line + 10, 'x') + "\r\nOK\r\n").back() == "OK");
}

TEST_CASE("channel: one command at a time, intermediate lines, OK") {
    Harness h;
    h.submit("AT+CGMI");
    h.submit("AT+CSQ", "+CSQ:");
    CHECK(h.channel.take_output() == "AT+CGMI\r");
    h.modem("\r\nQuectel\r\n\r\nOK\r\n");
    REQUIRE(h.results.size() == 1);
    CHECK(h.results[0].ok());
    CHECK(h.results[0].lines == std::vector<std::string>{"Quectel"});
    CHECK(h.channel.take_output() == "AT+CSQ\r");  // the next one goes only now
    h.modem("\r\n+CSQ: 21,99\r\n\r\nOK\r\n");
    REQUIRE(h.results.size() == 2);
    CHECK(*h.results[1].value("+CSQ:") == "21,99");
    CHECK(h.channel.idle());
}

TEST_CASE("channel: echo on is tolerated") {
    Harness h;
    h.submit("AT+CMGF=0");
    h.modem("AT+CMGF=0\r\r\nOK\r\n");
    REQUIRE(h.results.size() == 1);
    CHECK(h.results[0].ok());
    CHECK(h.results[0].lines.empty());
}

TEST_CASE("channel: errors in every form") {
    Harness h;
    h.submit("AT+CPIN?", "+CPIN:");
    h.modem("\r\n+CME ERROR: 10\r\n");
    h.submit("AT+CMGS=23", "+CMGS:", "00");
    h.modem("\r\n+CMS ERROR: 304\r\n");
    h.submit("AT^FOO");
    h.modem("\r\nERROR\r\n");
    h.submit("AT+CPIN?", "+CPIN:");
    h.modem("\r\n+CME ERROR: SIM not inserted\r\n");
    h.submit("ATD123;");
    h.modem("NO CARRIER\r\n");
    h.submit("AT");
    h.modem("4\r");  // numeric results (ATV0)
    REQUIRE(h.results.size() == 6);
    CHECK(h.results[0].status == AtResult::Status::cme_error);
    CHECK(h.results[0].code == 10);
    CHECK(h.results[1].status == AtResult::Status::cms_error);
    CHECK(h.results[1].code == 304);
    CHECK(h.results[2].status == AtResult::Status::error);
    CHECK(h.results[3].status == AtResult::Status::cme_error);
    CHECK(h.results[3].code == -1);
    CHECK(h.results[4].status == AtResult::Status::error);
    CHECK(h.results[5].status == AtResult::Status::error);
}

TEST_CASE("channel: unsolicited codes in the middle of a response reach the listener") {
    Harness h;
    h.submit("AT+CMGL=4");
    h.modem("\r\n+CMGL: 1,1,,24\r\n0791...\r\n+CMTI: \"SM\",3\r\n+CMGL: 2,1,,24\r\n");
    h.modem("0791ABCD\r\nRING\r\n^RSSI: 14\r\n\r\nOK\r\n");
    REQUIRE(h.results.size() == 1);
    CHECK(h.results[0].lines == std::vector<std::string>{"+CMGL: 1,1,,24", "0791...", "+CMGL: 2,1,,24", "0791ABCD"});
    REQUIRE(h.urcs.size() == 3);
    CHECK(h.urcs[0].line == "+CMTI: \"SM\",3");
    CHECK(h.urcs[1].line == "RING");
    CHECK(h.urcs[2].line == "^RSSI: 14");
}

TEST_CASE("channel: +CDS and +CMT carry their PDU on the next line, even mid-response") {
    Harness h;
    h.submit("AT+CSQ", "+CSQ:");
    h.modem(
        "\r\n+CDS: 24\r\n07914356060013F10659098136395339F6219011707193802190117071938030\r\n+CSQ: 18,99\r\nOK\r\n");
    REQUIRE(h.urcs.size() == 1);
    CHECK(h.urcs[0].line == "+CDS: 24");
    CHECK(*h.urcs[0].pdu == "07914356060013F10659098136395339F6219011707193802190117071938030");
    REQUIRE(h.results.size() == 1);
    CHECK(h.results[0].lines == std::vector<std::string>{"+CSQ: 18,99"});
}

TEST_CASE("channel: a prefix that can be unsolicited is an answer while its command runs") {
    Harness h;
    h.modem("+CREG: 1\r\n");  // unsolicited: no command
    h.submit("AT+CREG?", "+CREG:");
    h.modem("\r\n+CREG: 2,1\r\n\r\nOK\r\n");
    REQUIRE(h.urcs.size() == 1);
    CHECK(h.urcs[0].line == "+CREG: 1");
    CHECK(*h.results[0].value("+CREG:") == "2,1");
}

TEST_CASE("channel: the > prompt gets the data and Ctrl-Z, the timeout restarts from there") {
    Harness h;
    h.submit("AT+CMGS=23", "+CMGS:", std::string("0011000B916407281553F80000AA0AE8329BFD4697D9EC37"), 3000);
    CHECK(h.channel.take_output() == "AT+CMGS=23\r");
    h.now += 2000;
    h.modem("\r\n> ");
    CHECK(h.channel.take_output() == "0011000B916407281553F80000AA0AE8329BFD4697D9EC37\x1A");
    h.now += 2500;  // 4.5 s after the command, 2.5 s after the data: not yet late
    h.channel.tick(h.now);
    CHECK(h.results.empty());
    h.modem("\r\n+CMGS: 172\r\n\r\nOK\r\n");
    REQUIRE(h.results.size() == 1);
    CHECK(*h.results[0].value("+CMGS:") == "172");
}

TEST_CASE("channel: a prompt followed at once by a URC still gets the data") {
    Harness h;
    h.submit("AT+CMGS=23", "+CMGS:", std::string("0011"));
    (void)h.channel.take_output();
    h.modem("\r\n> \r\n+CMTI: \"SM\",1\r\n");
    CHECK(h.channel.take_output() == "0011\x1A");
    REQUIRE(h.urcs.size() == 1);
    h.modem("\r\n+CMGS: 9\r\n\r\nOK\r\n");
    REQUIRE(h.results.size() == 1);
    CHECK(h.results[0].ok());
}

TEST_CASE("channel: the data echoed back is not an answer") {
    Harness h;
    const std::string pdu = "0011000B916407281553F80000AA0AE8329BFD4697D9EC37";
    h.submit("AT+CMGS=23", "+CMGS:", pdu);
    h.modem("AT+CMGS=23\r\r\n> ");
    h.modem(pdu + "\x1A\r\n+CMGS: 5\r\n\r\nOK\r\n");
    REQUIRE(h.results.size() == 1);
    CHECK(h.results[0].lines == std::vector<std::string>{"+CMGS: 5"});
}

TEST_CASE("channel: a silent modem times out, ESC ends a pending data prompt, and timeouts are counted") {
    Harness h;
    h.submit("AT+CMGS=23", "+CMGS:", std::string("00"), 1000);
    h.submit("AT");
    (void)h.channel.take_output();
    CHECK(*h.channel.deadline() == 2000);
    h.now = 2000;
    h.channel.tick(h.now);
    REQUIRE(h.results.size() == 1);
    CHECK(h.results[0].status == AtResult::Status::timeout);
    CHECK(h.channel.take_output() ==
          "\x1B"
          "AT\r");
    CHECK(h.channel.consecutive_timeouts() == 1);
    h.now = 7000;
    h.channel.tick(h.now);
    CHECK(h.channel.consecutive_timeouts() == 2);
    h.submit("AT");
    h.modem("OK\r\n");
    CHECK(h.channel.consecutive_timeouts() == 0);
}

TEST_CASE("channel: garbage and stray lines between commands are ignored") {
    Harness h;
    h.modem("\xFF\xFE garbage\r\nOK\r\n");
    h.submit("AT");
    h.modem("\r\nOK\r\n");
    REQUIRE(h.results.size() == 1);
    CHECK(h.results[0].ok());
}

TEST_CASE("channel: a callback may queue the next command") {
    Harness h;
    AtCommand first;
    first.command = "AT+CMGR=3";
    first.on_done = [&](const AtResult&) {
        AtCommand del;
        del.command = "AT+CMGD=3";
        del.on_done = [&](const AtResult& r) { h.results.push_back(r); };
        h.channel.submit(std::move(del), h.now);
    };
    h.channel.submit(std::move(first), h.now);
    CHECK(h.channel.take_output() == "AT+CMGR=3\r");
    h.modem("+CMGR: 1,,20\r\n0791\r\nOK\r\n");
    CHECK(h.channel.take_output() == "AT+CMGD=3\r");
}

TEST_CASE("channel: losing the port ends every command, queued ones included") {
    Harness h;
    h.submit("AT+CMGS=23", "+CMGS:", std::string("00"));
    h.submit("AT+CSQ");
    h.channel.fail_all(AtResult::Status::cancelled);
    REQUIRE(h.results.size() == 2);
    CHECK(h.results[0].status == AtResult::Status::cancelled);
    CHECK(h.results[1].status == AtResult::Status::cancelled);
    CHECK(h.channel.idle());
    CHECK(h.channel.take_output().empty());
}

TEST_CASE("channel: submit_front goes before every waiting command, never before the one on the line") {
    Harness h;
    h.submit("AT+CREG?", "+CREG:");
    h.submit("AT+CSQ", "+CSQ:");
    AtCommand ack;
    ack.command = "AT+CNMA";
    ack.on_done = [&](const AtResult& r) { h.results.push_back(r); };
    h.channel.submit_front(std::move(ack), h.now);
    CHECK(h.channel.take_output() == "AT+CREG?\r");
    h.modem("\r\n+CREG: 2,1\r\n\r\nOK\r\n");
    CHECK(h.channel.take_output() == "AT+CNMA\r");
    h.modem("\r\nOK\r\n");
    CHECK(h.channel.take_output() == "AT+CSQ\r");
    // On an idle channel it goes at once.
    h.modem("\r\n+CSQ: 21,99\r\n\r\nOK\r\n");
    AtCommand alone;
    alone.command = "AT+CNMA";
    h.channel.submit_front(std::move(alone), h.now);
    CHECK(h.channel.take_output() == "AT+CNMA\r");
}

TEST_CASE("channel: echoes are counted, other lines are not") {
    Harness h;
    h.submit("AT");
    h.modem("AT\r\r\nOK\r\n");
    CHECK(h.channel.echoes() == 1);
    h.submit("ATE0");
    h.modem("ATE0\r\r\nOK\r\n");
    CHECK(h.channel.echoes() == 2);
    h.submit("AT+CSQ", "+CSQ:");
    h.modem("\r\n+CSQ: 21,99\r\n\r\nOK\r\n");
    CHECK(h.channel.echoes() == 2);
    h.submit("at+csq", "+CSQ:");
    h.modem("AT+CSQ\r\r\n+CSQ: 21,99\r\n\r\nOK\r\n");  // the case may differ
    CHECK(h.channel.echoes() == 3);
    REQUIRE(h.results.size() == 4);
    CHECK(h.results[3].lines == std::vector<std::string>{"+CSQ: 21,99"});
}

TEST_CASE("channel: vendors' unsolicited codes in the middle of an answer reach the listener") {
    Harness h;
    h.submit("AT+CMGL=4", "+CMGL:");
    h.modem("\r\n+CMGL: 0,1,,24\r\n0791AB\r\n^DSFLOWRPT:00000124,00000082\r\n^RSSI:21\r\n^BOOT:20952548,0,0,0,72\r\n");
    h.modem("+QIND: SMS DONE\r\n#QSS: 3\r\n^SIMST: 1\r\n+QUSIM: 1\r\nRDY\r\nSMS DONE\r\n\r\nOK\r\n");
    REQUIRE(h.results.size() == 1);
    CHECK(h.results[0].lines == std::vector<std::string>{"+CMGL: 0,1,,24", "0791AB"});
    std::vector<std::string> urcs;
    for (const auto& u : h.urcs) urcs.push_back(u.line);
    CHECK(urcs == std::vector<std::string>{"^DSFLOWRPT:00000124,00000082", "^RSSI:21", "^BOOT:20952548,0,0,0,72",
                                           "+QIND: SMS DONE", "#QSS: 3", "^SIMST: 1", "+QUSIM: 1", "RDY", "SMS DONE"});
}
