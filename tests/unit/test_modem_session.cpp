// The modem session against a scripted fake modem with a fake time: init and its fallbacks,
// SIM and PIN, sending, errors, receiving, status reports, silence and reconnects.
#include "fake_modem.hpp"
#include "modem_recorder.hpp"
#include "modem_session.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace relais;
using namespace relais::modem;
using relais::test::FakeModem;

namespace {

using Recorder = relais::test::ModemRecorder;

struct Rig {
    FakeModem modem;
    Recorder events;
    ModemConfig config;
    std::unique_ptr<ModemSession> session;
    Millis now = 0;

    explicit Rig(ModemConfig c = {}) : config(std::move(c)) {
        session = std::make_unique<ModemSession>(modem, config, events);
    }
    // Lets the exchange run: every poll moves the conversation one step.
    void run(int polls = 60) {
        for (int i = 0; i < polls; ++i) session->poll(now);
    }
    void advance(Millis ms) {
        now += ms;
        run();
    }
    ModemHealth health() const { return session->status().health; }
};

std::string deliver_pdu(const std::string& from, const std::string& text, int ref = 0, int total = 1, int seq = 1) {
    auto sms = prepare_sms(text);
    SmsDeliver d;
    d.originator = Address{from};
    d.service_centre_time = Timestamp{2026, 11, 23, 9, 30, 0, 4};
    d.user_data.alphabet = sms->encoding == SmsEncoding::gsm7 ? Alphabet::gsm7 : Alphabet::ucs2;
    d.user_data.payload = sms->parts[0];
    if (total > 1) d.user_data.concat = Concat{ref, total, seq};
    return encode_pdu(d, Address{"+33609001390"}).hex;
}

std::string report_pdu(int reference, const std::string& to, std::uint8_t status) {
    SmsStatusReport r;
    r.message_reference = reference;
    r.recipient = Address{to};
    r.service_centre_time = Timestamp{2026, 11, 23, 9, 30, 0, 4};
    r.discharge_time = Timestamp{2026, 11, 23, 9, 30, 5, 4};
    r.status = status;
    return encode_pdu(r, Address{"+33609001390"}).hex;
}

}  // namespace

TEST_CASE("session: init sequence, identification, registration, ready") {
    Rig rig;
    rig.run();
    CHECK(rig.health() == ModemHealth::ready);
    const auto& c = rig.modem.commands;
    const auto pos = [&](const char* cmd) { return std::find(c.begin(), c.end(), cmd) - c.begin(); };
    CHECK(pos("ATE0") < pos("AT+CMEE=1"));
    CHECK(pos("AT+CMEE=1") < pos("AT+CPIN?"));
    CHECK(pos("AT+CPIN?") < pos("AT+CMGF=0"));
    CHECK(pos("AT+CMGF=0") < pos("AT+CNMI=2,1,0,1,0"));
    CHECK(rig.modem.saw("AT+CMGL=4"));
    const ModemStatus& s = rig.session->status();
    CHECK(s.manufacturer == "Fake Modems");
    CHECK(s.model == "FM-2");
    CHECK(s.imei == "356938035643809");
    CHECK(s.signal == 21);
    CHECK(s.operator_name == "Orange F");
    CHECK(s.registered);
    CHECK(rig.events.statuses.front().health == ModemHealth::starting);
}

TEST_CASE("session: +CNMI falls back to a combination the modem accepts") {
    Rig rig;
    rig.modem.refuse = {"AT+CNMI=2,1,0,1,0", "AT+CNMI=1,1,0,1,0"};
    rig.run();
    CHECK(rig.modem.saw("AT+CNMI=2,1,0,2,0"));
    CHECK_FALSE(rig.modem.saw("AT+CNMI=1,1,0,2,0"));
    CHECK(rig.health() == ModemHealth::ready);
}

TEST_CASE("session: the SIM PIN from the configuration is entered once") {
    ModemConfig config;
    config.pin = "1234";
    Rig rig(config);
    rig.modem.cpin = "SIM PIN";
    rig.run();
    rig.advance(1000);
    CHECK(rig.modem.saw("AT+CPIN=\"1234\""));
    CHECK(rig.health() == ModemHealth::ready);
}

TEST_CASE("session: no PIN configured, or a wrong one: PIN needed, and a wrong PIN is never retried") {
    Rig none;
    none.modem.cpin = "SIM PIN";
    none.run();
    CHECK(none.health() == ModemHealth::pin_needed);
    CHECK(none.session->status().detail.find("[modem] pin") != std::string::npos);

    ModemConfig config;
    config.pin = "0000";
    Rig wrong(config);
    wrong.modem.cpin = "SIM PIN";
    wrong.run();
    wrong.advance(60000);
    wrong.advance(60000);
    CHECK(wrong.health() == ModemHealth::pin_needed);
    CHECK(std::count(wrong.modem.commands.begin(), wrong.modem.commands.end(), "AT+CPIN=\"0000\"") == 1);
}

TEST_CASE("session: a missing SIM is reported and found again when inserted") {
    Rig rig;
    rig.modem.cpin = "missing";
    rig.run();
    CHECK(rig.health() == ModemHealth::sim_missing);
    rig.modem.cpin = "READY";
    rig.advance(rig.config.status_interval);
    CHECK(rig.health() == ModemHealth::ready);
}

TEST_CASE("session: not registered: messages wait, then go") {
    Rig rig;
    rig.modem.creg = 2;  // searching
    rig.run();
    CHECK(rig.health() == ModemHealth::not_registered);
    REQUIRE(rig.session->send({1, "+33612345678", "Bonjour"}).ok());
    rig.run();
    CHECK(rig.modem.pdus.empty());
    rig.modem.say("\r\n+CREG: 1\r\n");
    rig.run();
    CHECK(rig.health() == ModemHealth::ready);
    REQUIRE(rig.modem.pdus.size() == 1);
    REQUIRE(rig.events.sent.size() == 1);
    CHECK(rig.events.sent[0].status == SendOutcome::Status::sent);
}

TEST_CASE("session: sending gives the cost first, then one reference per part") {
    Rig rig;
    rig.run();
    auto single = rig.session->send({7, "+33612345678", "Votre véhicule est prêt"});
    REQUIRE(single.ok());
    CHECK(single->encoding == SmsEncoding::ucs2);
    CHECK(single->parts == 1);
    std::string long_text;
    for (int i = 0; i < 30; ++i) long_text += "Pièce no" + std::to_string(i) + " ; ";
    auto multi = rig.session->send({8, "+33612345678", long_text});
    REQUIRE(multi.ok());
    CHECK(multi->parts == 3);
    rig.run();
    REQUIRE(rig.events.sent.size() == 2);
    CHECK(rig.events.sent[0].id == 7);
    CHECK(rig.events.sent[0].references == std::vector<int>{1});
    CHECK(rig.events.sent[1].id == 8);
    CHECK(rig.events.sent[1].references == std::vector<int>{2, 3, 4});
    // What went over the line is exactly the text.
    std::string joined;
    for (std::size_t i = 1; i < rig.modem.pdus.size(); ++i) {
        auto d = decode_pdu(rig.modem.pdus[i], Direction::to_network);
        REQUIRE(d.ok());
        joined += text_of(std::get<SmsSubmit>(d->tpdu).user_data);
    }
    CHECK(joined == long_text);
    CHECK(text_of(std::get<SmsSubmit>(decode_pdu(rig.modem.pdus[0], Direction::to_network)->tpdu).user_data) ==
          "Votre véhicule est prêt");
    CHECK(rig.session->send({9, "+33612345678", ""}).error().code == "sms_empty");
}

TEST_CASE("session: +CMS ERROR is temporary or permanent; busy is retried") {
    Rig rig;
    rig.run();
    rig.modem.cmgs_errors = {"+CMS ERROR: 38", "+CMS ERROR: 304", "+CME ERROR: 515"};
    REQUIRE(rig.session->send({1, "+33612345678", "a"}).ok());
    REQUIRE(rig.session->send({2, "+33612345678", "b"}).ok());
    REQUIRE(rig.session->send({3, "+33612345678", "c"}).ok());
    rig.run();
    REQUIRE(rig.events.sent.size() == 2);
    CHECK(rig.events.sent[0].status == SendOutcome::Status::temporary_failure);
    CHECK(rig.events.sent[0].error_code == 38);
    CHECK(rig.events.sent[1].status == SendOutcome::Status::permanent_failure);
    CHECK(rig.events.sent[1].error_code == 304);
    rig.advance(rig.config.busy_retry);  // 515: please wait, then it goes
    REQUIRE(rig.events.sent.size() == 3);
    CHECK(rig.events.sent[2].status == SendOutcome::Status::sent);
    CHECK(cms_error_is_permanent(21));
    CHECK_FALSE(cms_error_is_permanent(41));
    CHECK_FALSE(cms_error_is_permanent(42));
    CHECK_FALSE(cms_error_is_permanent(332));
}

TEST_CASE("session: receiving: +CMTI (even mid-response) → read → hand over → delete") {
    Rig rig;
    rig.run();
    const int index = rig.modem.receive(deliver_pdu("+33612345678", "OK pour les plaquettes, merci !"), false);
    REQUIRE(rig.session->send({1, "+33698765432", "x"}).ok());
    rig.session->poll(rig.now);  // AT+CMGS is out: the URC now comes in the middle of it
    rig.modem.say("\r\n+CMTI: \"SM\"," + std::to_string(index) + "\r\n");
    rig.run();
    REQUIRE(rig.events.inbound.size() == 1);
    CHECK(rig.events.inbound[0].from.value == "+33612345678");
    CHECK(rig.events.inbound[0].text == "OK pour les plaquettes, merci !");
    CHECK(rig.modem.saw("AT+CMGD=" + std::to_string(index)));
    CHECK(rig.modem.stored.empty());
    CHECK(rig.events.sent.size() == 1);
}

TEST_CASE("session: a message the listener could not keep stays on the modem") {
    Rig rig;
    rig.run();
    rig.events.keep = false;  // e.g. the disk is full
    rig.modem.receive(deliver_pdu("+33612345678", "Important"));
    rig.run();
    REQUIRE(rig.events.inbound.size() == 1);
    CHECK(rig.modem.stored.size() == 1);
    CHECK_FALSE(rig.modem.saw("AT+CMGD=1"));
}

TEST_CASE("session: what is stored at start is drained; parts out of order are joined") {
    Rig rig;
    rig.modem.receive(deliver_pdu("+33612345678", " à 18h.", 0x21, 2, 2), false);
    rig.modem.receive(deliver_pdu("+33612345678", "Oui, je passe", 0x21, 2, 1), false);
    rig.modem.receive(deliver_pdu("+33611111111", "STOP"), false);
    rig.modem.stored[9] = {3, "0011000B916407281553F80000AA0AE8329BFD4697D9EC37"};  // a sent message on the SIM
    rig.run();
    REQUIRE(rig.events.inbound.size() == 2);
    CHECK(rig.events.inbound[0].text == "Oui, je passe à 18h.");  // complete with the second stored part
    CHECK(rig.events.inbound[0].parts == 2);
    CHECK(rig.events.inbound[1].text == "STOP");
    CHECK(rig.modem.stored.size() == 1);  // only the SIM's own sent message is left
    CHECK(rig.modem.stored.count(9) == 1);
}

TEST_CASE("session: a concatenated message missing a part is given up after a while, marked") {
    Rig rig;
    rig.run();
    rig.modem.receive(deliver_pdu("+33612345678", "début ", 5, 3, 1));
    rig.modem.receive(deliver_pdu("+33612345678", " fin", 5, 3, 3));
    rig.run();
    CHECK(rig.events.inbound.empty());
    CHECK(rig.modem.stored.size() == 2);  // kept until the message is handed over
    rig.advance(rig.config.reassembly_timeout);
    REQUIRE(rig.events.inbound.size() == 1);
    CHECK(rig.events.inbound[0].text == "début […] fin");
    CHECK_FALSE(rig.events.inbound[0].complete);
    CHECK(rig.modem.stored.empty());
}

TEST_CASE("session: status reports map back to the message and its parts") {
    Rig rig;
    rig.run();
    std::string text(200, 'x');
    REQUIRE(rig.session->send({42, "+33612345678", text}).ok());
    rig.run();
    REQUIRE(rig.events.sent.size() == 1);
    const auto refs = rig.events.sent[0].references;
    REQUIRE(refs.size() == 2);
    const auto cds = [&](int ref, std::uint8_t status) {
        const std::string pdu = report_pdu(ref, "0612345678", status);
        rig.modem.say("\r\n+CDS: " + std::to_string(pdu.size() / 2 - 8) + "\r\n" + pdu + "\r\n");
        rig.run();
    };
    cds(refs[0], 0x20);  // pending
    REQUIRE(rig.events.reports.size() == 1);
    CHECK(rig.events.reports[0].id == 42);
    CHECK(rig.events.reports[0].state == DeliveryState::pending);
    CHECK_FALSE(rig.events.reports[0].message_state);
    cds(refs[0], 0x00);
    cds(refs[1], 0x00);
    REQUIRE(rig.events.reports.size() == 3);
    CHECK(rig.events.reports[2].part == 2);
    CHECK(rig.events.reports[2].message_state == DeliveryState::delivered);
    cds(200, 0x00);  // a reference we never used: nothing
    CHECK(rig.events.reports.size() == 3);
}

TEST_CASE("session: a modem that stops answering is detected and the port reopened") {
    ModemConfig config;
    config.send_timeout = 10000;
    Rig rig(config);
    rig.run();
    rig.modem.cmgs_silent = true;
    REQUIRE(rig.session->send({1, "+33612345678", "hello"}).ok());
    rig.run();
    rig.advance(10000);
    REQUIRE(rig.events.sent.size() == 1);
    CHECK(rig.events.sent[0].status == SendOutcome::Status::temporary_failure);
    rig.modem.silent = true;  // now nothing at all
    for (int i = 0; i < 200 && rig.health() != ModemHealth::disconnected; ++i) rig.advance(1000);
    CHECK(rig.health() == ModemHealth::disconnected);
    CHECK(rig.events.statuses.back().detail == "the modem stopped answering");
    rig.modem.silent = false;
    rig.modem.cmgs_silent = false;
    for (int i = 0; i < 20 && rig.health() != ModemHealth::ready; ++i) rig.advance(1000);
    CHECK(rig.modem.opens >= 2);
    CHECK(rig.health() == ModemHealth::ready);
}

TEST_CASE("session: unplugged while messages are queued: none lost, all sent after the replug") {
    Rig rig;
    rig.run();
    rig.modem.cmgs_silent = true;  // the first one is in flight when the cable goes
    for (MessageId id = 1; id <= 5; ++id) REQUIRE(rig.session->send({id, "+33612345678", "msg"}).ok());
    rig.run();
    rig.modem.lost = true;
    rig.run();
    CHECK(rig.health() == ModemHealth::disconnected);
    rig.modem.fail_open = true;
    rig.advance(rig.config.reopen_interval);
    CHECK(rig.health() == ModemHealth::disconnected);
    CHECK(rig.session->queued() == 5);
    rig.modem.lost = false;
    rig.modem.fail_open = false;
    rig.modem.cmgs_silent = false;
    rig.advance(rig.config.reopen_interval);
    CHECK(rig.health() == ModemHealth::ready);
    std::vector<MessageId> sent;
    for (const auto& o : rig.events.sent) {
        if (o.status == SendOutcome::Status::sent) sent.push_back(o.id);
    }
    CHECK(sent == std::vector<MessageId>{1, 2, 3, 4, 5});
    CHECK(rig.session->queued() == 0);
}

TEST_CASE("session: held for a clean stop, it finishes every part of the message it is sending and starts no other") {
    Rig rig;
    rig.run();
    std::string long_text;
    for (int i = 0; i < 30; ++i) long_text += "Pièce no" + std::to_string(i) + " ; ";
    REQUIRE(rig.session->send({1, "+33612345678", long_text})->parts == 3);
    REQUIRE(rig.session->send({2, "+33612345678", "queued behind it"}).ok());
    // Step by step until the modem has the first part: the message is in the middle of its send.
    for (int i = 0; i < 20 && rig.modem.pdus.empty(); ++i) rig.session->poll(rig.now);
    REQUIRE(rig.modem.pdus.size() == 1);
    REQUIRE(rig.session->transmitting() != nullptr);
    CHECK(rig.session->transmitting()->id == 1);

    rig.session->hold();
    rig.run();
    rig.advance(rig.config.status_interval);
    CHECK(rig.session->held());
    CHECK(rig.session->transmitting() == nullptr);
    REQUIRE(rig.events.sent.size() == 1);
    CHECK(rig.events.sent[0].id == 1);
    CHECK(rig.events.sent[0].status == SendOutcome::Status::sent);
    CHECK(rig.events.sent[0].references.size() == 3);
    CHECK(rig.modem.pdus.size() == 3);  // message 2 never reached the modem
    CHECK(rig.session->queued() == 1);
    // Messages queued after the hold do not start either; the modem still receives.
    REQUIRE(rig.session->send({3, "+33612345678", "too late"}).ok());
    rig.modem.receive(deliver_pdu("+33612345678", "Merci"));
    rig.run();
    CHECK(rig.modem.pdus.size() == 3);
    CHECK(rig.session->queued() == 2);
    REQUIRE(rig.events.inbound.size() == 1);
    CHECK(rig.events.inbound[0].text == "Merci");
}

TEST_CASE("session: held with nothing being sent, nothing is") {
    Rig rig;
    rig.modem.creg = 2;  // searching: the message waits for the network
    rig.run();
    REQUIRE(rig.session->send({1, "+33612345678", "Bonjour"}).ok());
    rig.run();
    CHECK(rig.session->transmitting() == nullptr);
    rig.session->hold();
    rig.modem.say("\r\n+CREG: 1\r\n");
    rig.run();
    CHECK(rig.health() == ModemHealth::ready);
    CHECK(rig.modem.pdus.empty());
    CHECK(rig.events.sent.empty());
    CHECK(rig.session->queued() == 1);
}
