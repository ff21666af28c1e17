// The test email (test_emails.hpp): one function composes and sends it for the CLI and the
// workspace; the workspace's tests answer at once and are followed to their outcome, the
// relay's own words kept.
#include "support.hpp"

#include "mail_transport.hpp"
#include "test_emails.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <stdexcept>
#include <vector>

using namespace relais;
using namespace relais::test;

namespace {

// A relay that keeps what it is given and answers when the test says.
struct HeldTransport final : mail::MailTransport {
    std::vector<mail::Envelope> envelopes;
    std::vector<std::string> messages;
    std::vector<Done> waiting;
    bool throws = false;
    void send(mail::Envelope envelope, std::string message, Done done) override {
        if (throws) throw std::runtime_error("no memory left");
        envelopes.push_back(std::move(envelope));
        messages.push_back(std::move(message));
        waiting.push_back(std::move(done));
    }
    std::string describe() const override { return "held relay"; }
};

mail::MailOutcome answered(mail::DeliveryStatus status, int code, std::string text) {
    mail::MailOutcome o;
    o.status = status;
    o.code = code;
    o.text = std::move(text);
    return o;
}

struct Box {
    FakeClock clock;
    FakeRandom random;
    std::unique_ptr<TimeZone> zone = make_fixed_offset_zone(60);
    Config config;
    HeldTransport relay;
    std::vector<std::function<void()>> core_loop;  // what was posted, run when the test says
    TestEmails tests{{.config = config,
                      .random = random,
                      .clock = clock,
                      .zone = *zone,
                      .transport = relay,
                      .post = [this](std::function<void()> f) { core_loop.push_back(std::move(f)); }}};
    Box() {
        config.dealer.name = "Garage Martin";
        config.mail.from = "atelier@garage-martin.fr";
    }
    void run_core_loop() {
        auto now = std::move(core_loop);
        core_loop.clear();
        for (auto& f : now) f();
    }
};

}  // namespace

TEST_CASE("send_test_email: the dealership's test message to the address, through the transport") {
    Box box;
    std::optional<mail::MailOutcome> outcome;
    const std::string id = send_test_email(box.config, box.random, box.clock, *box.zone, box.relay,
                                           "it@garage-martin.fr", [&](mail::MailOutcome o) { outcome = o; });
    CHECK(id.front() == '<');
    CHECK(id.find("@garage-martin.fr>") != std::string::npos);
    REQUIRE(box.relay.envelopes.size() == 1);
    CHECK(box.relay.envelopes[0].mail_from == "atelier@garage-martin.fr");
    CHECK(box.relay.envelopes[0].rcpt_to == std::vector<std::string>{"it@garage-martin.fr"});
    const std::string& bytes = box.relay.messages[0];
    CHECK(bytes.find("Message-ID: " + id) != std::string::npos);
    CHECK(bytes.find("Garage Martin") != std::string::npos);
    CHECK(bytes.find("Auto-Submitted: auto-generated") != std::string::npos);
    CHECK_FALSE(outcome);
    box.relay.waiting[0](answered(mail::DeliveryStatus::delivered, 250, "2.0.0 Ok: queued"));
    REQUIRE(outcome);
    CHECK(outcome->delivered());
}

TEST_CASE("the workspace's test emails answer at once and are followed to the relay's answer") {
    Box box;
    const TestEmail started = box.tests.start("it@garage-martin.fr");
    CHECK(started.state == TestEmail::State::sending);
    CHECK(started.to == "it@garage-martin.fr");
    CHECK(started.at == box.clock.now());
    CHECK(started.id.size() >= 16);
    // Nothing is sent on the caller's thread: the core loop sends it.
    CHECK(box.relay.envelopes.empty());
    CHECK(box.tests.find(started.id)->state == TestEmail::State::sending);

    box.run_core_loop();
    REQUIRE(box.relay.waiting.size() == 1);
    CHECK(box.tests.find(started.id)->state == TestEmail::State::sending);
    box.relay.waiting[0](answered(mail::DeliveryStatus::delivered, 250, "2.0.0 Ok: queued as 4XyZ"));
    const auto sent = box.tests.find(started.id);
    REQUIRE(sent);
    CHECK(sent->state == TestEmail::State::sent);
    CHECK(sent->answer == "250 2.0.0 Ok: queued as 4XyZ");
    CHECK(to_string(sent->state) == "sent");

    const TestEmail refused = box.tests.start("it@garage-martin.fr");
    CHECK(refused.id != started.id);
    box.run_core_loop();
    box.relay.waiting[1](answered(mail::DeliveryStatus::permanent, 535, "5.7.8 Authentication credentials invalid"));
    CHECK(box.tests.find(refused.id)->state == TestEmail::State::failed);
    CHECK(box.tests.find(refused.id)->answer == "535 5.7.8 Authentication credentials invalid");

    CHECK_FALSE(box.tests.find("no-such-test"));
}

TEST_CASE("a test email whose sending throws is failed, not left sending, only the newest are kept") {
    Box box;
    box.relay.throws = true;
    const TestEmail t = box.tests.start("it@garage-martin.fr");
    box.run_core_loop();
    CHECK(box.tests.find(t.id)->state == TestEmail::State::failed);
    CHECK(box.tests.find(t.id)->answer == "no memory left");

    box.relay.throws = false;
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < TestEmails::kKept + 1; ++i) ids.push_back(box.tests.start("it@garage-martin.fr").id);
    CHECK_FALSE(box.tests.find(ids.front()));
    CHECK(box.tests.find(ids.back()));
    box.run_core_loop();  // posted sends of tests no longer kept find nothing to settle
    for (auto& done : box.relay.waiting) done(answered(mail::DeliveryStatus::delivered, 250, "ok"));
    CHECK(box.tests.find(ids.back())->state == TestEmail::State::sent);
}
