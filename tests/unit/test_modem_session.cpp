// The modem session against a scripted fake modem with a fake time: init and its fallbacks,
// SIM and PIN, sending, errors, receiving, status reports, silence and reconnects.
#include "fake_modem.hpp"
#include "modem_recorder.hpp"
#include "modem_session.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>

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

TEST_CASE("session: +CMS ERROR is temporary or permanent, busy is retried") {
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
    CHECK(classify_cms_error(21) == SendError::permanent);
    CHECK(classify_cms_error(41) == SendError::temporary);
    CHECK(classify_cms_error(42) == SendError::temporary);
    CHECK(classify_cms_error(332) == SendError::temporary);
}

TEST_CASE("session: what a send's error says of the modem is acted on: the SIM checked again, the storage emptied") {
    Rig rig;
    rig.run();
    // +CMS ERROR: 310 (SIM not inserted): the outcome says so, and init starts over from the
    // SIM check, so that the status shows the SIM and nothing more is sent meanwhile.
    rig.modem.cmgs_errors = {"+CMS ERROR: 310"};
    REQUIRE(rig.session->send({1, "+33612345678", "a"}).ok());
    const auto sims_before = std::count(rig.modem.commands.begin(), rig.modem.commands.end(), "AT+CPIN?");
    rig.run();
    REQUIRE(rig.events.sent.size() == 1);
    CHECK(rig.events.sent[0].status == SendOutcome::Status::temporary_failure);
    CHECK(rig.events.sent[0].error == SendError::sim_or_network);
    CHECK(std::count(rig.modem.commands.begin(), rig.modem.commands.end(), "AT+CPIN?") == sims_before + 1);
    CHECK(rig.health() == ModemHealth::ready);

    // +CMS ERROR: 322 (memory full): what is stored is read and handed over, then deleted.
    const int index = rig.modem.receive(deliver_pdu("+33698765432", "Stockée"), false);
    rig.modem.cmgs_errors = {"+CMS ERROR: 322"};
    REQUIRE(rig.session->send({2, "+33612345678", "b"}).ok());
    rig.run();
    REQUIRE(rig.events.sent.size() == 2);
    CHECK(rig.events.sent[1].error == SendError::storage_full);
    REQUIRE(rig.events.inbound.size() == 1);
    CHECK(rig.events.inbound[0].text == "Stockée");
    CHECK(rig.modem.stored.count(index) == 0);

    // 500 on a send: not known, temporary for the outbox (which gives it three tries).
    rig.modem.cmgs_errors = {"+CMS ERROR: 500"};
    REQUIRE(rig.session->send({3, "+33612345678", "c"}).ok());
    rig.run();
    REQUIRE(rig.events.sent.size() == 3);
    CHECK(rig.events.sent[2].status == SendOutcome::Status::temporary_failure);
    CHECK(rig.events.sent[2].error == SendError::unknown);
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

TEST_CASE("session: what is stored at start is drained, parts out of order are joined") {
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
    // No answer after the data: it may have left, so no verdict yet (and no blind resend).
    CHECK(rig.events.sent.empty());
    REQUIRE(rig.session->unresolved() != nullptr);
    CHECK(rig.session->unresolved()->id == 1);
    rig.modem.silent = true;  // now nothing at all
    for (int i = 0; i < 200 && rig.health() != ModemHealth::disconnected; ++i) rig.advance(1000);
    CHECK(rig.health() == ModemHealth::disconnected);
    CHECK(rig.events.statuses.back().detail == "the modem stopped answering");
    rig.modem.silent = false;
    rig.modem.cmgs_silent = false;
    for (int i = 0; i < 20 && rig.health() != ModemHealth::ready; ++i) rig.advance(1000);
    CHECK(rig.modem.opens >= 2);
    CHECK(rig.health() == ModemHealth::ready);
    // No report and no later reference within unresolved_wait: sent again, once.
    rig.advance(rig.config.unresolved_wait);
    REQUIRE(rig.events.sent.size() == 1);
    CHECK(rig.events.sent[0].status == SendOutcome::Status::sent);
    CHECK(rig.modem.pdus.size() == 2);
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
    // The first one's data had gone when the cable went: it waits to learn whether it left
    // (the modem's first reference is not known, so by its report, or in the end sent again).
    CHECK(sent == std::vector<MessageId>{2, 3, 4, 5});
    CHECK(rig.session->queued() == 1);
    rig.advance(rig.config.unresolved_wait);
    REQUIRE(rig.events.sent.size() == 5);
    CHECK(rig.events.sent[4].id == 1);
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

// ---- modems that restart, boot slowly, and ask more of the driver ---------------------------

namespace {

bool ever(const std::vector<ModemStatus>& statuses, ModemHealth h) {
    return std::any_of(statuses.begin(), statuses.end(), [h](const ModemStatus& s) { return s.health == h; });
}

bool ever_said(const std::vector<ModemStatus>& statuses, const std::string& detail) {
    return std::any_of(statuses.begin(), statuses.end(), [&](const ModemStatus& s) { return s.detail == detail; });
}

std::vector<std::string> since(const FakeModem& modem, std::size_t from) {
    return {modem.commands.begin() + static_cast<std::ptrdiff_t>(from), modem.commands.end()};
}

// Position of the last `command` received, or -1.
long last(const FakeModem& modem, const std::string& command) {
    const auto& c = modem.commands;
    const auto it = std::find(c.rbegin(), c.rend(), command);
    return it == c.rend() ? -1 : static_cast<long>(c.rend() - it) - 1;
}

long first(const FakeModem& modem, const std::string& command) {
    const auto& c = modem.commands;
    const auto it = std::find(c.begin(), c.end(), command);
    return it == c.end() ? -1 : static_cast<long>(it - c.begin());
}

std::string cds(const std::string& pdu) {
    return "\r\n+CDS: " + std::to_string(pdu.size() / 2 - 8) + "\r\n" + pdu + "\r\n";
}

}  // namespace

TEST_CASE("session: RDY while a message is being sent: initialised again, the message sent again") {
    Rig rig;
    rig.run();
    REQUIRE(rig.health() == ModemHealth::ready);
    // A message before: the modem's last reference is known (1), so the next one tells.
    REQUIRE(rig.session->send({9, "+33612345678", "avant"}).ok());
    rig.run();
    REQUIRE(rig.events.sent.size() == 1);
    rig.events.sent.clear();
    rig.modem.pdus.clear();
    rig.modem.commands.clear();
    rig.modem.cmgs_silent = true;  // the modem restarts before it answers
    REQUIRE(rig.session->send({1, "+33612345678", "Votre voiture est prête"}).ok());
    rig.run();
    REQUIRE(rig.modem.pdus.size() == 1);
    REQUIRE(rig.session->transmitting() != nullptr);
    CHECK(rig.modem.count("ATE0") == 0);
    rig.modem.cmgs_silent = false;
    rig.modem.say("\r\nRDY\r\n");
    rig.run();
    CHECK(ever_said(rig.events.statuses, "the modem restarted: initialising again"));
    CHECK(rig.modem.count("ATE0") == 1);
    CHECK(rig.modem.count("AT+CMGF=0") == 1);
    CHECK(rig.modem.count("AT+CNMI=2,1,0,1,0") == 1);
    CHECK(rig.modem.opens == 1);  // the port stays open
    // Its data had gone: it may have left. The queue is empty, so no later reference will tell;
    // no report comes either: after unresolved_wait it is sent again.
    REQUIRE(rig.session->unresolved() != nullptr);
    CHECK(rig.modem.pdus.size() == 1);
    rig.advance(rig.config.unresolved_wait);
    REQUIRE(rig.modem.pdus.size() == 2);
    CHECK(rig.modem.pdus[1] == rig.modem.pdus[0]);
    // Sent again only once the modem was set up again (storage drained last).
    const auto& c = rig.modem.commands;
    const auto is_cmgs = [](const std::string& s) { return s.rfind("AT+CMGS=", 0) == 0; };
    CHECK(std::count_if(c.begin(), c.end(), is_cmgs) == 2);
    CHECK(last(rig.modem, "AT+CMGL=4") < static_cast<long>(c.rend() - std::find_if(c.rbegin(), c.rend(), is_cmgs)) - 1);
    REQUIRE(rig.events.sent.size() == 1);
    CHECK(rig.events.sent[0].id == 1);
    CHECK(rig.events.sent[0].status == SendOutcome::Status::sent);
    CHECK(rig.events.sent[0].references == std::vector<int>{2});
    CHECK(rig.health() == ModemHealth::ready);
}

TEST_CASE("session: a part of unknown fate is resolved by its status report: it left, not sent again") {
    Rig rig;
    rig.run();
    REQUIRE(rig.session->send({1, "+33612345678", "premier"}).ok());
    rig.run();
    REQUIRE(rig.events.sent.size() == 1);  // reference 1
    rig.modem.cmgs_silent = true;
    REQUIRE(rig.session->send({2, "+33612345678", "deuxieme"}).ok());
    rig.run();
    rig.advance(rig.config.send_timeout);
    REQUIRE(rig.session->unresolved() != nullptr);
    CHECK(rig.events.sent.size() == 1);
    // The network took it (reference 2) and says it was delivered.
    rig.modem.say(cds(report_pdu(2, "+33612345678", 0x00)));
    rig.run();
    CHECK(rig.session->unresolved() == nullptr);
    REQUIRE(rig.events.sent.size() == 2);
    CHECK(rig.events.sent[1].id == 2);
    CHECK(rig.events.sent[1].status == SendOutcome::Status::sent);
    CHECK(rig.events.sent[1].references == std::vector<int>{2});
    CHECK(rig.events.sent[1].detail == "its status report came");
    REQUIRE(rig.events.reports.size() == 1);
    CHECK(rig.events.reports[0].id == 2);
    CHECK(rig.events.reports[0].message_state == DeliveryState::delivered);
    rig.advance(rig.config.unresolved_wait);
    CHECK(rig.modem.pdus.size() == 2);  // never sent again
}

TEST_CASE("session: a part of unknown fate is resolved by the modem's next reference, either way") {
    for (const bool took : {false, true}) {
        CAPTURE(took);
        Rig rig;
        rig.run();
        REQUIRE(rig.session->send({1, "+33612345678", "premier"}).ok());
        rig.run();  // reference 1
        rig.modem.cmgs_silent = true;
        REQUIRE(rig.session->send({2, "+33612345678", "deuxieme"}).ok());
        rig.run();
        rig.advance(rig.config.send_timeout);
        REQUIRE(rig.session->unresolved() != nullptr);
        rig.modem.cmgs_silent = false;
        if (took) ++rig.modem.next_reference;  // the modem had used reference 2 for it
        REQUIRE(rig.session->send({3, "+33612345678", "troisieme"}).ok());
        rig.run();
        CHECK(rig.session->unresolved() == nullptr);
        std::map<MessageId, std::vector<int>> refs;
        for (const auto& o : rig.events.sent) {
            CHECK(o.status == SendOutcome::Status::sent);
            refs[o.id] = o.references;
        }
        REQUIRE(refs.size() == 3);
        if (took) {
            CHECK(refs[2] == std::vector<int>{2});  // it left: not sent again
            CHECK(refs[3] == std::vector<int>{3});
            CHECK(rig.modem.pdus.size() == 3);
        } else {
            CHECK(refs[3] == std::vector<int>{2});  // 2 was free: it never left...
            CHECK(refs[2] == std::vector<int>{3});  // ...and went again, after the third
            CHECK(rig.modem.pdus.size() == 4);
        }
    }
}

TEST_CASE("session: each vendor's boot code restarts init, a Huawei's repeated ^BOOT does not") {
    for (const char* code : {"RDY", "+CPIN: READY", "^SIMST: 1", "+QUSIM: 1", "#QSS: 3"}) {
        CAPTURE(code);
        Rig rig;
        rig.run();
        REQUIRE(rig.health() == ModemHealth::ready);
        rig.modem.say(std::string("\r\n") + code + "\r\n");
        rig.run();
        CHECK(rig.modem.count("ATE0") == 2);
        CHECK(rig.health() == ModemHealth::ready);
    }
    Rig huawei;
    huawei.run();
    huawei.modem.say("\r\n^BOOT:20952548,0,0,0,72\r\n\r\n^RSSI:21\r\n");
    huawei.run();
    CHECK(huawei.modem.count("ATE0") == 1);
}

TEST_CASE("session: echo back after ATE0 means a restart without a word: initialised again") {
    Rig rig;
    rig.modem.echo = true;  // as after power-up: the echoes before ATE0 are no restart
    rig.run();
    REQUIRE(rig.health() == ModemHealth::ready);
    CHECK(rig.modem.count("ATE0") == 1);
    rig.advance(rig.config.status_interval);
    CHECK(rig.modem.count("ATE0") == 1);  // no echo, no restart
    rig.modem.echo = true;
    rig.advance(rig.config.status_interval);
    CHECK(ever_said(rig.events.statuses, "the modem restarted (it echoes again): initialising again"));
    CHECK(rig.modem.count("ATE0") == 2);
    CHECK(rig.health() == ModemHealth::ready);
    rig.advance(rig.config.status_interval);
    CHECK(rig.modem.count("ATE0") == 2);  // echo off again: no third init
}

TEST_CASE("session: a modem deaf while it boots is waited for until wake_timeout, with ESC first") {
    ModemConfig config;
    config.wake_timeout = 30000;
    Rig rig(config);
    rig.modem.silent = true;
    rig.run();
    CHECK(rig.modem.written.rfind("\x1B"
                                  "AT\r",
                                  0) == 0);  // a pending "> " ended before anything
    SUBCASE("deaf for 10 s") {
        for (int i = 0; i < 10; ++i) rig.advance(1000);
        CHECK(rig.health() == ModemHealth::starting);
        CHECK(rig.session->status().detail == "waiting for the modem to answer");
        CHECK(rig.modem.count("AT") >= 5);  // asked again every 2 s
        rig.modem.silent = false;
        for (int i = 0; i < 10 && rig.health() != ModemHealth::ready; ++i) rig.advance(1000);
        CHECK(rig.health() == ModemHealth::ready);
        CHECK_FALSE(ever(rig.events.statuses, ModemHealth::disconnected));
        CHECK(rig.modem.opens == 1);
    }
    SUBCASE("deaf for good") {
        while (rig.now < 29000) {
            rig.advance(1000);
            REQUIRE(rig.health() != ModemHealth::disconnected);
        }
        rig.advance(1000);  // 30 s
        CHECK(rig.health() == ModemHealth::disconnected);
        CHECK(rig.session->status().detail == "the modem does not answer");
    }
}

TEST_CASE("session: AT+CMGF=0 refused while the SMS service starts: asked again, sooner after SMS DONE") {
    const char* done = nullptr;
    SUBCASE("SIMCom") { done = "SMS DONE"; }
    SUBCASE("Quectel") { done = "+QIND: SMS DONE"; }
    CAPTURE(done);
    Rig rig;
    rig.modem.refuse = {"AT+CMGF=0"};
    rig.run();
    CHECK(rig.health() == ModemHealth::starting);
    CHECK(rig.session->status().detail == "waiting for the modem's SMS service");
    CHECK(rig.modem.count("AT+CMGF=0") == 1);
    rig.advance(rig.config.busy_retry);
    CHECK(rig.modem.count("AT+CMGF=0") == 2);
    CHECK_FALSE(rig.modem.saw("AT+CPMS=?"));  // nothing SMS-related before PDU mode
    rig.modem.refuse.clear();
    rig.advance(rig.config.busy_retry / 2);
    CHECK(rig.modem.count("AT+CMGF=0") == 2);  // the next try is not due yet
    rig.modem.say(std::string("\r\n") + done + "\r\n");
    rig.run();  // no time passes
    CHECK(rig.modem.count("AT+CMGF=0") == 3);
    CHECK(rig.health() == ModemHealth::ready);
    CHECK(last(rig.modem, "AT+CMGF=0") < first(rig.modem, "AT+CPMS=?"));
}

TEST_CASE("session: +CDSI with a report store: SR selected, listed, read ones deleted, memory back, nothing between") {
    const char* cdsi = nullptr;
    SUBCASE("where it is") { cdsi = "+CDSI: \"SR\",3"; }
    SUBCASE("an EC25's") { cdsi = "+CDSI: \"SM\",0"; }
    CAPTURE(cdsi);
    Rig rig;
    rig.modem.sr_store = true;
    rig.run();
    REQUIRE(rig.health() == ModemHealth::ready);
    REQUIRE(rig.session->send({5, "+33612345678", "Votre voiture est prête"}).ok());
    rig.run();
    REQUIRE(rig.events.sent.size() == 1);
    rig.modem.reports[3] = {0, report_pdu(rig.events.sent[0].references[0], "+33612345678", 0x00)};
    const int index = rig.modem.receive(deliver_pdu("+33612345678", "Merci"), false);
    const std::size_t before = rig.modem.commands.size();
    // A message's indication right behind: its read must not land in SR.
    rig.modem.say("\r\n" + std::string(cdsi) + "\r\n\r\n+CMTI: \"SM\"," + std::to_string(index) + "\r\n");
    rig.run();
    CHECK(since(rig.modem, before) ==
          std::vector<std::string>{"AT+CPMS=\"SR\"", "AT+CMGL=4", "AT+CMGD=3", "AT+CPMS=\"SM\",\"SM\",\"SM\"",
                                   "AT+CMGR=" + std::to_string(index), "AT+CMGD=" + std::to_string(index)});
    REQUIRE(rig.events.reports.size() == 1);
    CHECK(rig.events.reports[0].id == 5);
    CHECK(rig.events.reports[0].message_state == DeliveryState::delivered);
    REQUIRE(rig.events.inbound.size() == 1);
    CHECK(rig.events.inbound[0].text == "Merci");
    CHECK(rig.modem.reports.empty());
    CHECK(rig.modem.stored.empty());
    CHECK(rig.modem.memory == "SM");
}

TEST_CASE("session: +CSMS: 1: AT+CNMA right after a routed +CDS, before commands already queued") {
    Rig rig;
    rig.modem.csms = 1;
    rig.run();
    REQUIRE(rig.health() == ModemHealth::ready);
    REQUIRE(rig.session->send({1, "+33612345678", "x"}).ok());
    rig.run();
    REQUIRE(rig.events.sent.size() == 1);
    // The status refresh is under way (AT+CREG? out, the rest queued) when the report comes.
    rig.now = rig.config.status_interval;
    rig.session->poll(rig.now);
    REQUIRE(rig.modem.commands.back() == "AT+CREG?");
    rig.modem.say(cds(report_pdu(rig.events.sent[0].references[0], "+33612345678", 0x00)));
    rig.run();
    REQUIRE(rig.events.reports.size() == 1);
    CHECK(rig.modem.count("AT+CNMA") == 1);
    // Only the command that was on the line when it came goes before it.
    CHECK(first(rig.modem, "AT+CNMA") == last(rig.modem, "AT+CEREG?") + 1);
    CHECK(first(rig.modem, "AT+CNMA") < last(rig.modem, "AT+CSQ"));

    Rig phase2;  // +CSMS: 0: nothing to acknowledge
    phase2.run();
    REQUIRE(phase2.session->send({1, "+33612345678", "x"}).ok());
    phase2.run();
    phase2.modem.say(cds(report_pdu(phase2.events.sent[0].references[0], "+33612345678", 0x00)));
    phase2.run();
    CHECK(phase2.events.reports.size() == 1);
    CHECK_FALSE(phase2.modem.saw("AT+CNMA"));
}

TEST_CASE("session: a refused AT+CNMA: routing read back, and set again as chosen") {
    Rig rig;
    rig.modem.csms = 1;
    rig.modem.cnma_refused = true;
    rig.run();
    REQUIRE(rig.health() == ModemHealth::ready);
    CHECK(rig.modem.count("AT+CNMI=2,1,0,1,0") == 1);
    rig.advance(rig.config.status_interval);
    CHECK(rig.modem.count("AT+CNMI?") >= 1);
    CHECK(rig.modem.count("AT+CNMI=2,1,0,1,0") == 1);  // in force: not set again
    REQUIRE(rig.session->send({1, "+33612345678", "x"}).ok());
    rig.run();
    REQUIRE(rig.events.sent.size() == 1);
    rig.modem.cnmi = "2,0,0,0,0";  // the ack came too late: the modem stopped routing
    const std::size_t before = rig.modem.commands.size();
    rig.modem.say(cds(report_pdu(rig.events.sent[0].references[0], "+33612345678", 0x00)));
    rig.run();
    CHECK(rig.events.reports.size() == 1);
    CHECK(since(rig.modem, before) == std::vector<std::string>{"AT+CNMA", "AT+CNMI?", "AT+CNMI=2,1,0,1,0"});
    CHECK(rig.modem.cnmi == "2,1,0,1,0");
}

TEST_CASE("session: the ladder from AT+CNMI=?: what the modem does not advertise is not tried") {
    Rig rig;
    rig.modem.cnmi_test = "+CNMI: (0-2),(0-3),(0,2),(0,2),(0,1)";  // no <ds>=1
    rig.run();
    CHECK(rig.health() == ModemHealth::ready);
    CHECK_FALSE(rig.modem.saw("AT+CNMI=2,1,0,1,0"));
    CHECK_FALSE(rig.modem.saw("AT+CNMI=1,1,0,1,0"));
    CHECK(rig.modem.saw("AT+CNMI=2,1,0,2,0"));
    CHECK(rig.modem.cnmi == "2,1,0,2,0");
}

TEST_CASE("session: AT+CMMS=2 before the parts of a multipart message, not before a single one") {
    Rig rig;
    rig.run();
    REQUIRE(rig.session->send({1, "+33612345678", "Bonjour"}).ok());
    rig.run();
    REQUIRE(rig.events.sent.size() == 1);
    CHECK_FALSE(rig.modem.saw("AT+CMMS=2"));
    std::string long_text;
    for (int i = 0; i < 30; ++i) long_text += "Pièce no" + std::to_string(i) + " ; ";
    const std::size_t before = rig.modem.commands.size();
    REQUIRE(rig.session->send({2, "+33612345678", long_text})->parts == 3);
    rig.run();
    REQUIRE(rig.events.sent.size() == 2);
    CHECK(rig.events.sent[1].references.size() == 3);
    const auto after = since(rig.modem, before);
    REQUIRE(after.size() == 4);
    CHECK(after[0] == "AT+CMMS=2");
    for (std::size_t i = 1; i < 4; ++i) CHECK(after[i].rfind("AT+CMGS=", 0) == 0);
    CHECK(rig.modem.count("AT+CMMS=2") == 1);
}

TEST_CASE("session: a stored message never announced is found by the storage poll, handed over once") {
    Rig rig;
    rig.run();
    REQUIRE(rig.health() == ModemHealth::ready);
    const int index = rig.modem.receive(deliver_pdu("+33612345678", "Je passe à 18h"), false);
    const std::string cmgd = "AT+CMGD=" + std::to_string(index);
    rig.now = rig.config.storage_poll_interval - 1;
    rig.run();
    CHECK(rig.events.inbound.empty());
    rig.now = rig.config.storage_poll_interval;
    SUBCASE("by the poll alone") { rig.run(); }
    SUBCASE("with its +CMTI at the same time: read twice before it is deleted") {
        rig.modem.say("\r\n+CMTI: \"SM\"," + std::to_string(index) + "\r\n");
        rig.run();
        CHECK(first(rig.modem, "AT+CMGR=" + std::to_string(index)) < first(rig.modem, cmgd));
        CHECK(last(rig.modem, "AT+CMGL=4") < first(rig.modem, cmgd));
    }
    REQUIRE(rig.events.inbound.size() == 1);
    CHECK(rig.events.inbound[0].text == "Je passe à 18h");
    CHECK(rig.modem.count(cmgd) == 1);
    CHECK(rig.modem.stored.empty());
    rig.advance(rig.config.storage_poll_interval);
    CHECK(rig.events.inbound.size() == 1);
}

TEST_CASE("session: +CMGS with a second field (+CSMS=1): the reference is the first") {
    Rig rig;
    rig.run();
    rig.modem.next_reference = 12;
    SUBCASE("text mode's time stamp") { rig.modem.cmgs_second_field = "\"07914306073011F0\""; }
    SUBCASE("PDU mode's ack PDU") { rig.modem.cmgs_second_field = "01006211721030520004"; }
    REQUIRE(rig.session->send({1, "+33612345678", "x"}).ok());
    rig.run();
    REQUIRE(rig.events.sent.size() == 1);
    CHECK(rig.events.sent[0].status == SendOutcome::Status::sent);
    CHECK(rig.events.sent[0].references == std::vector<int>{12});
}
