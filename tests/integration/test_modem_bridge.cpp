// The modem driver against the emulated modem, both real: firmware-bridge runs as a process
// on a pseudo-terminal, ModemService drives it through the termios port on a Boost.Asio loop,
// and the test talks to the bridge's control socket like the product's tests and demo do.
#include "bridge_rig.hpp"

#include <map>
#include <set>

using namespace relais;
using namespace relais::modem;
using namespace relais::test;

TEST_CASE("modem and bridge: init, identification, registration") {
    Rig rig;
    REQUIRE(rig.ready());
    const ModemStatus s = rig.service->status();
    CHECK(s.manufacturer == "Relais");
    CHECK(s.model == "EM-1 emulated modem");
    CHECK(s.operator_name == "Orange F");
    CHECK(s.signal == 21);
}

TEST_CASE("modem and bridge: exact texts reach the network, one reference per part") {
    Rig rig;
    REQUIRE(rig.ready());
    const std::vector<std::string> texts = {"Votre véhicule est prêt, ça fait 45 € 🚗",               // UCS-2
                                            "Bonjour, votre RDV est confirmé à 18h : {OK} [merci]",  // GSM with escapes
                                            std::string(400, 'a') + " fin"};                         // three parts
    for (std::size_t i = 0; i < texts.size(); ++i) REQUIRE(rig.service->send({i + 1, "+33612345678", texts[i]}).ok());
    REQUIRE(rig.run_until([&] { return rig.events.sent.size() == texts.size(); }));
    const auto messages = rig.sent_messages();
    REQUIRE(messages.size() == texts.size());
    for (std::size_t i = 0; i < texts.size(); ++i) {
        CAPTURE(i);
        CHECK(rig.events.sent[i].status == SendOutcome::Status::sent);
        CHECK(messages[i]["text"] == texts[i]);
        CHECK(messages[i]["recipient"] == "+33612345678");
        CHECK(messages[i]["references"] == json(rig.events.sent[i].references));
    }
    CHECK(messages[0]["encoding"] == "ucs2");
    CHECK(messages[1]["encoding"] == "gsm7");
    CHECK(messages[2]["parts"] == 3);
}

TEST_CASE("modem and bridge: status reports, delivered and failed") {
    Rig rig({"--report-delay-ms", "100", "--fail-number", "+33699999999"});
    REQUIRE(rig.ready());
    REQUIRE(rig.service->send({1, "+33612345678", "ok"}).ok());
    REQUIRE(rig.service->send({2, "+33699999999", "ko"}).ok());
    REQUIRE(rig.run_until([&] { return rig.events.reports.size() == 2; }));
    std::map<MessageId, DeliveryReport> by_id;
    for (const auto& r : rig.events.reports) by_id[r.id] = r;
    CHECK(by_id[1].message_state == DeliveryState::delivered);
    CHECK(by_id[2].message_state == DeliveryState::failed);
    CHECK(by_id[2].status == 0x41);
}

TEST_CASE("modem and bridge: inbound SMS, multipart and accented, are read and deleted") {
    Rig rig;
    REQUIRE(rig.ready());
    const std::string long_text =
        "Oui pour les plaquettes et la vidange, mais pas les pneus. " + std::string(150, '.') + " Ça marche !";
    REQUIRE(rig.bridge.command({{"cmd", "inject_sms"}, {"from", "+33612345678"}, {"text", long_text}})["ok"] == true);
    REQUIRE(rig.bridge.command({{"cmd", "inject_sms"}, {"from", "Garage"}, {"text", "Test 🚗 é"}})["ok"] == true);
    REQUIRE(rig.run_until([&] { return rig.events.inbound.size() == 2; }));
    CHECK(rig.events.inbound[0].text == long_text);
    CHECK(rig.events.inbound[0].parts == 2);
    CHECK(rig.events.inbound[0].from.value == "+33612345678");
    CHECK(rig.events.inbound[1].text == "Test 🚗 é");
    CHECK(rig.events.inbound[1].from.alphanumeric);
    REQUIRE(rig.run_until([&] { return rig.bridge.command({{"cmd", "status"}})["stored"]["SM"] == 0; }));
}

TEST_CASE("modem and bridge: messages stored before the driver starts are drained") {
    BridgeProcess early;
    REQUIRE(early.command(
                {{"cmd", "inject_sms"}, {"from", "+33611111111"}, {"text", "Envoyé pendant l'arrêt"}})["ok"] == true);
    boost::asio::io_context io;
    Recorder events;
    ModemService service(io, make_serial_port({early.link()}), Rig::fast_config(), events);
    service.start();
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (events.inbound.empty() && std::chrono::steady_clock::now() < end) {
        io.run_for(std::chrono::milliseconds(10));
        io.restart();
    }
    REQUIRE(events.inbound.size() == 1);
    CHECK(events.inbound[0].text == "Envoyé pendant l'arrêt");
}

TEST_CASE("modem and bridge: +CMS errors are told apart, a silent modem is reopened") {
    Rig rig;
    REQUIRE(rig.ready());
    REQUIRE(rig.bridge.command({{"cmd", "fail_next"}, {"count", 1}, {"cms_error", 38}})["ok"] == true);
    REQUIRE(rig.service->send({1, "+33612345678", "a"}).ok());
    REQUIRE(rig.run_until([&] { return rig.events.sent.size() == 1; }));
    CHECK(rig.events.sent[0].status == SendOutcome::Status::temporary_failure);
    CHECK(rig.events.sent[0].error_code == 38);
    REQUIRE(rig.bridge.command({{"cmd", "fail_next"}, {"count", 1}, {"cms_error", 21}})["ok"] == true);
    REQUIRE(rig.service->send({2, "+33612345678", "b"}).ok());
    REQUIRE(rig.run_until([&] { return rig.events.sent.size() == 2; }));
    CHECK(rig.events.sent[1].status == SendOutcome::Status::permanent_failure);

    REQUIRE(rig.bridge.command({{"cmd", "set"}, {"silent", true}})["ok"] == true);
    REQUIRE(rig.run_until([&] { return rig.service->status().health == ModemHealth::disconnected; }));
    CHECK(rig.service->status().detail == "the modem stopped answering");
    REQUIRE(rig.bridge.command({{"cmd", "set"}, {"silent", false}})["ok"] == true);
    REQUIRE(rig.ready());
}

TEST_CASE("modem and bridge: unplugged with messages queued, replugged: none lost") {
    Rig rig({"--cmgs-latency-ms", "150"});
    REQUIRE(rig.ready());
    for (MessageId id = 1; id <= 6; ++id)
        REQUIRE(rig.service->send({id, "+33612345678", "Message " + std::to_string(id)}).ok());
    REQUIRE(rig.run_until([&] { return !rig.events.sent.empty(); }));
    REQUIRE(rig.bridge.command({{"cmd", "unplug"}})["ok"] == true);
    REQUIRE(rig.run_until([&] { return rig.service->status().health == ModemHealth::disconnected; }));
    REQUIRE(rig.run_until([] { return false; }, std::chrono::milliseconds(600)) ==
            false);  // the cable stays out a while
    CHECK(rig.service->status().health == ModemHealth::disconnected);
    REQUIRE(rig.bridge.command({{"cmd", "replug"}})["ok"] == true);
    REQUIRE(rig.run_until([&] {
        return std::count_if(rig.events.sent.begin(), rig.events.sent.end(),
                             [](const SendOutcome& o) { return o.status == SendOutcome::Status::sent; }) == 6;
    }));
    std::set<std::string> texts;
    for (const auto& m : rig.sent_messages()) texts.insert(m["text"].get<std::string>());
    for (int id = 1; id <= 6; ++id) CHECK(texts.count("Message " + std::to_string(id)) == 1);
    CHECK(rig.service->queued() == 0);
}

TEST_CASE("modem and bridge: a SIM PIN from the configuration") {
    ModemConfig config = Rig::fast_config();
    config.pin = "4321";
    Rig rig({"--pin", "4321"}, config);
    REQUIRE(rig.ready());
    ModemConfig none = Rig::fast_config();
    Rig locked({"--pin", "4321"}, none);
    REQUIRE(locked.run_until([&] { return locked.service->status().health == ModemHealth::pin_needed; }));
}
