// The outbox over channels the test scripts (fake_channel.hpp): an SMS's verdicts carried to
// the message, its offer and the timeline (sent, delivered, retried with backoff then failed,
// refused), unknown ids, a channel that throws or answers inside send(), a kind with no
// channel, the clean stop across channels. Then the SMS channel's and the email channel's own
// reading of what their transports say.

#include "support.hpp"

#include "email_channel.hpp"
#include "fake_channel.hpp"
#include "fake_timer.hpp"
#include "loop_timer.hpp"
#include "mail_transport.hpp"
#include "offer_service.hpp"
#include "offer_state.hpp"
#include "outbox.hpp"

#include <doctest/doctest.h>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>

using namespace relais;
using namespace relais::test;

namespace {

using Kind = ChannelVerdict::Kind;

// A repair order whose driver has a mobile number and an email address, offers over it, and
// the outbox with a fake channel for each kind the test asks for (SMS only by default).
struct ChannelWorld : World {
    Config config;
    std::unique_ptr<OfferService> offers;
    RepairOrder ro;
    Id phone = 0, email_address = 0;
    boost::asio::io_context io;
    LoopTimer timer{io, clock};
    Scheduler scheduler{{.db = *db, .clock = clock, .timer = timer, .log = null_logger()}};
    FakeChannel sms{Channel::sms};
    FakeChannel email{Channel::email};
    std::unique_ptr<Outbox> outbox;

    explicit ChannelWorld(std::vector<Channel> kinds = {Channel::sms}) {
        config.dealer.name = "Garage Demo";
        config.http.public_base_url = "https://relais.garage.test/";
        offers = std::make_unique<OfferService>(
            OfferServiceDeps{.db = *db, .config = config, .random = random, .clock = clock, .zone = *zone});
        RepairOrderPatch p = with_plate();
        PartyPatch driver;
        driver.first_name = std::string("Hélène");
        driver.last_name = std::string("Lefèvre");
        driver.roles = std::vector<PartyRole>{PartyRole::driver};
        ContactPointPatch mobile, mail;
        mobile.kind = ContactKind::phone;
        mobile.value = std::string("06 12 34 56 78");
        mail.kind = ContactKind::email;
        mail.value = std::string("helene@example.test");
        driver.contact_points = std::vector<ContactPointPatch>{mobile, mail};
        p.parties = std::vector<PartyPatch>{driver};
        InterventionPatch item;
        item.label = std::string("Plaquettes avant");
        item.price_excl = 15825;
        item.kind = InterventionKind::optional;
        p.interventions = std::vector<InterventionPatch>{item};
        auto created = ros->create(p, actor);
        REQUIRE(created.ok());
        ro = *created;
        for (const auto& cp : ro.parties.at(0).contact_points)
            (cp.kind == ContactKind::phone ? phone : email_address) = cp.id;
        std::vector<MessageChannel*> channels;
        for (Channel k : kinds) channels.push_back(k == Channel::sms ? &sms : &email);
        REQUIRE(scheduler.start().ok());
        outbox = std::make_unique<Outbox>(OutboxDeps{.io = io,
                                                     .db = *db,
                                                     .clock = clock,
                                                     .scheduler = scheduler,
                                                     .channels = channels,
                                                     .log = null_logger(),
                                                     .on_settled = &offer_state::on_message_settled});
        offers->on_queued([this] { outbox->wake(); });
        outbox->start();
        run();
    }

    /// Lets the outbox do what is due now (after the clock moved), without waiting.
    void run() {
        outbox->wake();
        io.restart();
        io.poll();
    }
    Offer send(std::vector<Id> to) {
        auto o = offers->send(ro.id, {std::move(to), "", false, {}}, actor);
        REQUIRE(o.ok());
        run();
        return *o;
    }
    Offer offer(Id id) {
        auto o = offers->get(id);
        REQUIRE(o.ok());
        return *o;
    }
    std::vector<std::string> events() {
        auto e = ros->timeline(ro.id);
        REQUIRE(e.ok());
        std::vector<std::string> types;
        for (const auto& event : *e) types.push_back(event.type);
        return types;
    }
    nlohmann::json last_event_data(const std::string& type) {
        auto e = ros->timeline(ro.id);
        REQUIRE(e.ok());
        for (auto it = e->rbegin(); it != e->rend(); ++it)
            if (it->type == type) return nlohmann::json::parse(it->data);
        FAIL("no event " << type);
        return {};
    }
};

ChannelVerdict verdict(Id id, Kind kind, std::string detail = "", OutboxFailure failure = {}) {
    return {id, kind, std::move(detail), std::move(failure)};
}

bool has(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("an SMS the channel reports sent, then delivered, moves its offer to sent, then received") {
    ChannelWorld w;
    const Offer o = w.send({w.phone});
    REQUIRE(w.sms.handed.size() == 1);
    const OutboxMessage& handed = w.sms.handed[0];
    const Id id = o.messages.at(0).id;
    CHECK(handed.id == id);
    CHECK(handed.channel == Channel::sms);
    CHECK(handed.address == "+33612345678");
    CHECK(handed.body == o.messages.at(0).body);
    CHECK(handed.state == OutboxState::sending);  // marked before the channel has it
    CHECK(handed.attempts == 1);
    CHECK(w.offer(o.id).messages[0].state == OutboxState::sending);
    CHECK(w.offer(o.id).state == OfferState::draft);

    w.clock.advance_ms(2000);
    w.sms.give(verdict(id, Kind::sent, "references 12,13"));
    Offer after = w.offer(o.id);
    CHECK(after.messages[0].state == OutboxState::sent);
    CHECK(after.messages[0].detail == "references 12,13");
    CHECK(after.messages[0].sent_at == w.clock.now());
    CHECK(after.state == OfferState::sent);
    CHECK(after.sent_at == w.clock.now());
    CHECK(w.last_event_data("message.sent")["detail"] == "references 12,13");
    CHECK(w.last_event_data("message.sent")["channel"] == "sms");
    CHECK(has(w.events(), "offer.sent"));

    w.clock.advance_ms(5000);
    w.sms.give(verdict(id, Kind::delivered, "delivered to the handset"));
    after = w.offer(o.id);
    CHECK(after.messages[0].state == OutboxState::delivered);
    CHECK(after.messages[0].delivered_at == w.clock.now());
    CHECK(after.messages[0].sent_at == w.clock.now() - 5000);  // kept
    CHECK(after.state == OfferState::received);
    CHECK(after.received_at == w.clock.now());
    CHECK(has(w.events(), "message.delivered"));
    CHECK(has(w.events(), "offer.received"));
    CHECK(w.sms.handed.size() == 1);  // never handed again
}

TEST_CASE("held back by the SIM or the network: tried again in a minute, its attempts kept, for as long as it takes") {
    ChannelWorld w;
    const Offer o = w.send({w.phone});
    const Id id = o.messages.at(0).id;
    // Twelve times in a row (more than kOutboxMaxAttempts): never failed, never an attempt spent.
    for (int round = 1; round <= kOutboxMaxAttempts + 4; ++round) {
        REQUIRE(w.sms.handed.size() == static_cast<std::size_t>(round));
        CHECK(w.sms.handed.back().attempts == 1);
        w.sms.give(verdict(id, Kind::wait, "", {"sms_sim_network", {{"cms", "310"}}, "+CMS ERROR: 310"}));
        const OutboxMessage m = w.offer(o.id).messages[0];
        CHECK(m.state == OutboxState::pending);
        CHECK(m.attempts == 0);
        CHECK(m.failure == R"({"code":"sms_sim_network","params":{"cms":"310"}})");
        CHECK(m.next_attempt_at == w.clock.now() + kOutboxWaitMs);
        w.clock.advance_ms(kOutboxWaitMs - 1);
        w.run();
        CHECK(w.sms.handed.size() == static_cast<std::size_t>(round));
        w.clock.advance_ms(1);
        w.run();
    }
    w.sms.give(verdict(id, Kind::sent, "references 4"));
    CHECK(w.offer(o.id).messages[0].state == OutboxState::sent);
    CHECK(w.offer(o.id).messages[0].attempts == 1);
}

TEST_CASE("a retry with its own cap: an unexplained modem error fails after three attempts, not eight") {
    ChannelWorld w;
    const Offer o = w.send({w.phone});
    const Id id = o.messages.at(0).id;
    ChannelVerdict unknown = verdict(id, Kind::retry, "", {"sms_unknown", {{"cms", "500"}}, "+CMS ERROR: 500"});
    unknown.max_attempts = 3;
    for (int attempt = 1; attempt <= 3; ++attempt) {
        REQUIRE(w.sms.handed.size() == static_cast<std::size_t>(attempt));
        w.sms.give(unknown);
        if (attempt < 3) {
            CHECK(w.offer(o.id).messages[0].state == OutboxState::pending);
            w.clock.advance_ms(outbox_backoff(attempt).count());
            w.run();
        }
    }
    const Offer after = w.offer(o.id);
    CHECK(after.messages[0].state == OutboxState::failed);
    CHECK(after.messages[0].last_error == "+CMS ERROR: 500 (gave up after 3 attempts)");
    CHECK(after.state == OfferState::failed);
    CHECK(w.last_event_data("offer.failed")["reason"]["code"] == "sms_unknown");
}

TEST_CASE("a temporary failure is retried with backoff, then fails the message and the offer after the last attempt") {
    ChannelWorld w;
    const Offer o = w.send({w.phone});
    const Id id = o.messages.at(0).id;
    for (int attempt = 1; attempt < kOutboxMaxAttempts; ++attempt) {
        REQUIRE(w.sms.handed.size() == static_cast<std::size_t>(attempt));
        CHECK(w.sms.handed.back().attempts == attempt);
        w.sms.give(verdict(id, Kind::retry, "", {"sms_temporary", {{"cms", "38"}}, "+CMS ERROR: 38"}));
        const OutboxMessage m = w.offer(o.id).messages[0];
        CHECK(m.state == OutboxState::pending);
        CHECK(m.last_error == "+CMS ERROR: 38");
        CHECK(m.failure == R"({"code":"sms_temporary","params":{"cms":"38"}})");
        CHECK(m.next_attempt_at == w.clock.now() + outbox_backoff(attempt).count());
        // Not before its time...
        w.clock.advance_ms(outbox_backoff(attempt).count() - 1);
        w.run();
        CHECK(w.sms.handed.size() == static_cast<std::size_t>(attempt));
        // ...then at once.
        w.clock.advance_ms(1);
        w.run();
    }
    REQUIRE(w.sms.handed.size() == static_cast<std::size_t>(kOutboxMaxAttempts));
    CHECK(w.offer(o.id).state == OfferState::draft);
    w.sms.give(verdict(id, Kind::retry, "", {"sms_temporary", {{"cms", "38"}}, "+CMS ERROR: 38"}));
    const Offer after = w.offer(o.id);
    CHECK(after.messages[0].state == OutboxState::failed);
    CHECK(after.messages[0].attempts == kOutboxMaxAttempts);
    CHECK(after.messages[0].last_error == "+CMS ERROR: 38 (gave up after 8 attempts)");
    CHECK(after.messages[0].failure == R"({"code":"sms_temporary","params":{"attempts":"8","cms":"38"}})");
    CHECK(after.state == OfferState::failed);
    CHECK(w.last_event_data("offer.failed")["reason"]["code"] == "sms_temporary");
    w.clock.advance_ms(24 * 3'600'000);
    w.run();
    CHECK(w.sms.handed.size() == static_cast<std::size_t>(kOutboxMaxAttempts));  // nothing for ever
}

TEST_CASE("a permanent failure fails the message and the offer, with its code and the channel's words") {
    ChannelWorld w;
    const Offer o = w.send({w.phone});
    w.sms.give(verdict(o.messages.at(0).id, Kind::fail, "", {"sms_refused", {{"cms", "21"}}, "+CMS ERROR: 21"}));
    const Offer after = w.offer(o.id);
    CHECK(after.messages[0].state == OutboxState::failed);
    CHECK(after.messages[0].last_error == "+CMS ERROR: 21");
    CHECK(after.messages[0].failure == R"({"code":"sms_refused","params":{"cms":"21"}})");
    CHECK(after.state == OfferState::failed);
    const auto failed = w.last_event_data("message.failed");
    CHECK(failed["reason"]["code"] == "sms_refused");
    CHECK(failed["error"] == "+CMS ERROR: 21");
    CHECK(w.last_event_data("offer.failed")["reason"]["params"]["cms"] == "21");
}

TEST_CASE("a verdict given at once by send(), or from inside it, is recorded like one that comes later") {
    ChannelWorld w;
    w.sms.answer = verdict(0, Kind::fail, "", {"not_mobile", {}, "not a number an SMS can be sent to"});
    const Offer refused = w.send({w.phone});
    CHECK(w.offer(refused.id).messages[0].failure == R"({"code":"not_mobile","params":{}})");
    CHECK(w.offer(refused.id).state == OfferState::failed);

    w.sms.answer = verdict(0, Kind::delivered, "taken");
    w.sms.answer_inside_send = true;
    const Offer taken = w.send({w.phone});
    CHECK(w.offer(taken.id).messages[0].state == OutboxState::delivered);
    CHECK(w.offer(taken.id).messages[0].detail == "taken");
    CHECK(w.offer(taken.id).state == OfferState::received);

    // A send that answered and then threw: its failed attempt is counted first, and the answer
    // it gave still stands (the message left).
    w.sms.throws = true;
    const Offer thrown = w.send({w.phone});
    CHECK(w.offer(thrown.id).messages[0].state == OutboxState::delivered);
    CHECK(w.offer(thrown.id).messages[0].failure.empty());
    CHECK(w.offer(thrown.id).state == OfferState::received);
}

TEST_CASE("a verdict for an unknown message is ignored, a late one does not undo a delivery") {
    ChannelWorld w;
    const Offer o = w.send({w.phone});
    const auto before = w.events();
    w.sms.give(verdict(o.messages.at(0).id + 1000, Kind::fail, "", {"sms_refused", {}, "who?"}));
    w.sms.give(verdict(0, Kind::sent, "references 1"));
    CHECK(w.events() == before);
    CHECK(w.offer(o.id).messages[0].state == OutboxState::sending);

    // A late "sent" after the delivery report does not undo it (nor the offer's received).
    w.sms.give(verdict(o.messages.at(0).id, Kind::delivered, "delivered to the handset"));
    w.sms.give(verdict(o.messages.at(0).id, Kind::sent, "references 1"));
    CHECK(w.offer(o.id).messages[0].state == OutboxState::delivered);
    CHECK(w.offer(o.id).state == OfferState::received);
}

TEST_CASE("a channel whose send throws counts a failed attempt, nothing escapes, and the next message goes") {
    ChannelWorld w;
    w.sms.throws = true;
    const Offer o = w.send({w.phone});
    const OutboxMessage m = w.offer(o.id).messages[0];
    CHECK(m.state == OutboxState::pending);
    CHECK(m.attempts == 1);
    CHECK(m.last_error == "internal error: channel broke \\xFF");
    CHECK(m.failure == R"({"code":"internal_error","params":{}})");
    CHECK(m.next_attempt_at == w.clock.now() + outbox_backoff(1).count());

    w.sms.throws = false;
    w.clock.advance_ms(outbox_backoff(1).count());
    w.run();
    CHECK(w.sms.handed.size() == 2);
    CHECK(w.offer(o.id).messages[0].state == OutboxState::sending);
}

TEST_CASE("a message of a kind no channel carries waits: no_modem, no_mail_transport") {
    ChannelWorld w;  // an SMS channel only
    const Offer o = w.send({w.email_address});
    const OutboxMessage m = w.offer(o.id).messages[0];
    CHECK(m.state == OutboxState::pending);
    CHECK(m.last_error == "no mail transport");
    CHECK(m.failure == R"({"code":"no_mail_transport","params":{}})");
    CHECK(w.sms.handed.empty());

    ChannelWorld email_only({Channel::email});
    const Offer s = email_only.send({email_only.phone});
    CHECK(email_only.offer(s.id).messages[0].last_error == "no modem");
    CHECK(email_only.offer(s.id).messages[0].failure == R"({"code":"no_modem","params":{}})");
}

TEST_CASE("a channel's wake runs a pass, the outbox disconnects from its channels when it goes") {
    ChannelWorld w;
    // Queued behind the outbox's back (as an inbound STOP's acknowledgement is, by the modem).
    REQUIRE(w.db->write([&](Connection& c) -> Result<void> {
                    OutboxMessage m;
                    m.purpose = "stop_ack";
                    m.channel = Channel::sms;
                    m.address = "+33612345678";
                    m.body = "STOP received";
                    TRY(outbox_store::enqueue(c, std::nullopt, m, w.clock.now()));
                    return {};
                })
                .ok());
    w.sms.wake();
    w.io.restart();
    w.io.poll();
    REQUIRE(w.sms.handed.size() == 1);
    CHECK(w.sms.handed[0].purpose == "stop_ack");
    CHECK(w.sms.connected());
    w.outbox.reset();
    CHECK_FALSE(w.sms.connected());
}

TEST_CASE("a clean stop holds every channel, settles when all have, and keeps the attempt of what may have left") {
    ChannelWorld w({Channel::sms, Channel::email});
    const Offer o = w.send({w.phone, w.email_address});
    REQUIRE(w.sms.handed.size() == 1);
    REQUIRE(w.email.handed.size() == 1);
    const Id email_id = w.email.handed[0].id;
    const Id sms_id = w.sms.handed[0].id;

    bool settled = false;
    w.outbox->stop_claiming([&] { settled = true; });
    CHECK(w.sms.holds == 1);
    CHECK(w.email.holds == 1);
    w.run();
    CHECK_FALSE(settled);
    w.sms.settled();  // the modem is idle
    w.run();
    CHECK_FALSE(settled);  // the email is not
    w.email.give(verdict(email_id, Kind::delivered, "250 OK"));
    w.email.settled();
    CHECK_FALSE(settled);  // posted on the loop, after the verdicts
    w.run();
    CHECK(settled);
    // Nothing is claimed any more.
    const std::size_t handed = w.sms.handed.size();
    w.clock.advance_ms(3'600'000);
    w.run();
    CHECK(w.sms.handed.size() == handed);

    // The SMS was held in the modem's queue (never left): its attempt is given back.
    w.outbox->stop();
    const Offer after = w.offer(o.id);
    for (const auto& m : after.messages) {
        if (m.id == sms_id) {
            CHECK(m.state == OutboxState::pending);
            CHECK(m.attempts == 0);
        }
        if (m.id == email_id) CHECK(m.state == OutboxState::delivered);
    }

    // One the channel says may have left keeps it.
    ChannelWorld cut;
    const Offer c = cut.send({cut.phone});
    cut.sms.left = {c.messages.at(0).id};
    cut.outbox->stop_claiming([] {});
    cut.outbox->stop();
    CHECK(cut.offer(c.id).messages[0].state == OutboxState::pending);
    CHECK(cut.offer(c.id).messages[0].attempts == 1);
}

// --- the SMS channel: what the modem says, as verdicts ------------------------------------

namespace {

struct SmsRig {
    FakeSmsModem modem;
    std::unique_ptr<SmsChannel> channel =
        std::make_unique<SmsChannel>(SmsChannelDeps{.modem = &modem, .log = null_logger()});
    std::vector<ChannelVerdict> verdicts;
    int wakes = 0;
    SmsRig() {
        channel->connect({.verdict = [this](const ChannelVerdict& v) { verdicts.push_back(v); },
                          .wake = [this] { ++wakes; },
                          .keep_message_id = {}});
    }
    static OutboxMessage message(Id id, std::string address = "+33612345678") {
        OutboxMessage m;
        m.id = id;
        m.channel = Channel::sms;
        m.address = std::move(address);
        m.body = "Votre devis : https://relais.garage.test/o/abc";
        return m;
    }
    void sent(modem::MessageId id, modem::SendOutcome::Status status, std::vector<int> refs = {}, int code = -1,
              std::string detail = "", modem::SendError error = modem::SendError::none) {
        modem::SendOutcome o;
        o.id = id;
        o.status = status;
        o.references = std::move(refs);
        o.error_code = code;
        o.error = error;
        o.detail = std::move(detail);
        modem.listener.sent(o);
    }
    void report(modem::MessageId id, std::optional<modem::DeliveryState> message_state, std::uint8_t status = 0) {
        modem::DeliveryReport d;
        d.id = id;
        d.message_state = message_state;
        d.status = status;
        modem.listener.delivery(d);
    }
};

}  // namespace

TEST_CASE("with no modem, the SMS channel fails a number no SMS reaches at once and makes the others wait") {
    SmsChannel channel({.modem = nullptr, .log = null_logger()});
    std::vector<ChannelVerdict> given;
    channel.connect(
        {.verdict = [&](const ChannelVerdict& v) { given.push_back(v); }, .wake = {}, .keep_message_id = {}});

    auto landline = channel.send(SmsRig::message(3, "Orange"));
    REQUIRE(landline.has_value());
    CHECK(landline->kind == Kind::fail);
    CHECK(landline->failure.code == "not_mobile");

    auto waits = channel.send(SmsRig::message(4));
    REQUIRE(waits.has_value());
    CHECK(waits->message_id == 4);
    CHECK(waits->kind == Kind::retry);
    CHECK(waits->failure.code == "no_modem");

    // A stop finds nothing being transmitted.
    bool settled = false;
    channel.hold([&] { settled = true; });
    CHECK(settled);
    CHECK(channel.may_have_left().empty());
    CHECK(given.empty());
}

TEST_CASE("the SMS channel queues a message on the modem under its row's id, or refuses it at once") {
    SmsRig rig;
    CHECK(rig.channel->kind() == Channel::sms);
    CHECK_FALSE(rig.channel->send(SmsRig::message(7)).has_value());
    REQUIRE(rig.modem.queue.size() == 1);
    CHECK(std::get<0>(rig.modem.queue[0]) == 7);
    CHECK(std::get<1>(rig.modem.queue[0]) == "+33612345678");
    CHECK(std::get<2>(rig.modem.queue[0]) == "Votre devis : https://relais.garage.test/o/abc");

    auto not_mobile = rig.channel->send(SmsRig::message(8, "Orange"));
    REQUIRE(not_mobile.has_value());
    CHECK(not_mobile->message_id == 8);
    CHECK(not_mobile->kind == Kind::fail);
    CHECK(not_mobile->failure.code == "not_mobile");
    CHECK(not_mobile->failure.detail == "not a number an SMS can be sent to");

    rig.modem.refuse = make_error(ErrorKind::invalid, "text_too_long");
    auto refused = rig.channel->send(SmsRig::message(9));
    REQUIRE(refused.has_value());
    CHECK(refused->kind == Kind::fail);
    CHECK(refused->failure.code == "sms_refused");
    CHECK(refused->failure.params.empty());
    CHECK(refused->failure.detail == "text_too_long");  // the code when there is no detail
    rig.modem.refuse->detail = "the text needs 12 parts";
    CHECK(rig.channel->send(SmsRig::message(10))->failure.detail == "the text needs 12 parts");
    CHECK(rig.modem.queue.size() == 1);
    CHECK(rig.verdicts.empty());
}

TEST_CASE("the SMS channel reads the modem's outcomes: sent with references, later, never") {
    SmsRig rig;
    rig.sent(7, modem::SendOutcome::Status::sent, {12, 13});
    REQUIRE(rig.verdicts.size() == 1);
    CHECK(rig.verdicts[0].message_id == 7);
    CHECK(rig.verdicts[0].kind == Kind::sent);
    CHECK(rig.verdicts[0].detail == "references 12,13");

    rig.sent(8, modem::SendOutcome::Status::temporary_failure, {}, 38, "+CMS ERROR: 38 \xff");
    REQUIRE(rig.verdicts.size() == 2);
    CHECK(rig.verdicts[1].kind == Kind::retry);
    CHECK(rig.verdicts[1].failure.code == "sms_temporary");
    CHECK(rig.verdicts[1].failure.params == Params{{"cms", "38"}});
    CHECK(rig.verdicts[1].failure.detail == "+CMS ERROR: 38 \\xFF");  // the modem's bytes made safe

    rig.sent(9, modem::SendOutcome::Status::permanent_failure, {}, -1, "no answer to AT+CMGS");
    REQUIRE(rig.verdicts.size() == 3);
    CHECK(rig.verdicts[2].kind == Kind::fail);
    CHECK(rig.verdicts[2].failure.code == "sms_refused");
    CHECK(rig.verdicts[2].failure.params.empty());  // no +CMS code
    CHECK(rig.verdicts[2].failure.detail == "no answer to AT+CMGS");
}

TEST_CASE("the SMS channel words each class of modem error: waits for the SIM, retries, three tries, never") {
    using modem::SendError;
    using S = modem::SendOutcome::Status;
    SmsRig rig;
    rig.sent(1, S::temporary_failure, {}, 310, "+CMS ERROR: 310", SendError::sim_or_network);
    rig.sent(2, S::temporary_failure, {}, 42, "+CMS ERROR: 42", SendError::temporary);
    rig.sent(3, S::temporary_failure, {}, 322, "+CMS ERROR: 322", SendError::storage_full);
    rig.sent(4, S::temporary_failure, {}, 500, "+CMS ERROR: 500", SendError::unknown);
    rig.sent(5, S::permanent_failure, {}, 21, "+CMS ERROR: 21", SendError::permanent);
    REQUIRE(rig.verdicts.size() == 5);
    const auto is = [&](std::size_t i, Kind kind, const char* code, int max_attempts) {
        CAPTURE(i);
        CHECK(rig.verdicts[i].kind == kind);
        CHECK(rig.verdicts[i].failure.code == code);
        CHECK(rig.verdicts[i].max_attempts == max_attempts);
        CHECK(std::find(outbox_failure_codes().begin(), outbox_failure_codes().end(), code) !=
              outbox_failure_codes().end());
    };
    is(0, Kind::wait, "sms_sim_network", 0);
    is(1, Kind::retry, "sms_temporary", 0);
    is(2, Kind::retry, "sms_modem_full", 0);
    is(3, Kind::retry, "sms_unknown", kSmsUnknownMaxAttempts);
    is(4, Kind::fail, "sms_refused", 0);
}

TEST_CASE("the SMS channel reads status reports: a part says nothing, the last one delivered or undelivered") {
    SmsRig rig;
    rig.report(7, std::nullopt);  // one part of several
    rig.report(7, modem::DeliveryState::pending);
    CHECK(rig.verdicts.empty());
    rig.report(7, modem::DeliveryState::delivered);
    REQUIRE(rig.verdicts.size() == 1);
    CHECK(rig.verdicts[0].kind == Kind::delivered);
    CHECK(rig.verdicts[0].detail == "delivered to the handset");
    rig.report(8, modem::DeliveryState::failed, 70);
    REQUIRE(rig.verdicts.size() == 2);
    CHECK(rig.verdicts[1].message_id == 8);
    CHECK(rig.verdicts[1].kind == Kind::fail);
    CHECK(rig.verdicts[1].failure.code == "sms_undelivered");
    CHECK(rig.verdicts[1].failure.params == Params{{"status", "70"}});
    CHECK(rig.verdicts[1].failure.detail == "the network could not deliver it (status 70)");
}

TEST_CASE("the SMS channel wakes the outbox for a queued reply, holds the modem, and names what may have left") {
    SmsRig rig;
    rig.modem.listener.queued();
    CHECK(rig.wakes == 1);
    bool settled = false;
    rig.channel->hold([&] { settled = true; });
    REQUIRE(rig.modem.idle);
    CHECK(rig.channel->may_have_left().empty());
    rig.modem.transmitting = 7;
    CHECK(rig.channel->may_have_left() == std::vector<Id>{7});
    rig.modem.idle();
    CHECK(settled);
    // Gone: the modem no longer calls it.
    rig.channel.reset();
    CHECK_FALSE(rig.modem.listener.sent);
}

// --- the email channel: the relay's answers, the stop's wait --------------------------------

namespace {

struct HeldTransport final : mail::MailTransport {
    std::vector<Done> held;
    std::vector<std::string> messages;
    void send(mail::Envelope, std::string message, Done done) override {
        messages.push_back(std::move(message));
        held.push_back(std::move(done));
    }
    std::string describe() const override { return "held relay"; }
};

mail::MailOutcome answer(mail::DeliveryStatus status, int code, std::string text) {
    mail::MailOutcome o;
    o.status = status;
    o.code = code;
    o.text = std::move(text);
    return o;
}

}  // namespace

TEST_CASE("the email channel keeps the Message-ID before sending, reads the relay's answers, and waits at a stop") {
    World w;
    Config config;
    config.dealer.name = "Garage Demo";
    config.mail.from = "atelier@garage.test";
    HeldTransport relay;
    EmailChannel channel({.transport = relay,
                          .config = config,
                          .random = w.random,
                          .clock = w.clock,
                          .zone = *w.zone,
                          .log = null_logger()});
    std::vector<ChannelVerdict> verdicts;
    std::vector<std::pair<Id, std::string>> kept;
    channel.connect({.verdict = [&](const ChannelVerdict& v) { verdicts.push_back(v); },
                     .wake = {},
                     .keep_message_id = [&](Id id, const std::string& mid) { kept.emplace_back(id, mid); }});
    OutboxMessage m;
    m.id = 5;
    m.channel = Channel::email;
    m.address = "helene@example.test";
    m.subject = "Votre devis";
    m.body = "Bonjour";
    CHECK_FALSE(channel.send(m).has_value());
    REQUIRE(kept.size() == 1);
    CHECK(kept[0].first == 5);
    CHECK(relay.messages[0].find("Message-ID: " + kept[0].second) != std::string::npos);
    m.id = 6;
    m.message_id = "<kept@garage.test>";  // sent again: the same one, not kept twice
    CHECK_FALSE(channel.send(m).has_value());
    CHECK(kept.size() == 1);
    CHECK(relay.messages[1].find("Message-ID: <kept@garage.test>") != std::string::npos);
    m.id = 7;
    CHECK_FALSE(channel.send(m).has_value());
    CHECK(channel.may_have_left() == std::vector<Id>{5, 6, 7});

    relay.held[0](answer(mail::DeliveryStatus::delivered, 250, "2.0.0 OK"));
    REQUIRE(verdicts.size() == 1);
    CHECK(verdicts[0].message_id == 5);
    CHECK(verdicts[0].kind == Kind::delivered);
    CHECK(verdicts[0].detail == "250 2.0.0 OK");

    bool settled = false;
    channel.hold([&] { settled = true; });
    relay.held[1](answer(mail::DeliveryStatus::temporary, 451, "4.3.0 later"));
    CHECK_FALSE(settled);
    CHECK(verdicts[1].kind == Kind::retry);
    CHECK(verdicts[1].failure.code == "relay_temporary");
    CHECK(verdicts[1].failure.params == Params{{"reply", "451"}});
    CHECK(verdicts[1].failure.detail == "451 4.3.0 later");
    CHECK(channel.may_have_left() == std::vector<Id>{7});
    relay.held[2](answer(mail::DeliveryStatus::temporary, 0, "connection refused"));
    CHECK(settled);  // after its verdict
    CHECK(verdicts[2].kind == Kind::retry);
    CHECK(verdicts[2].failure.code == "relay_unreachable");
    CHECK(verdicts[2].failure.params.empty());
    CHECK(channel.may_have_left().empty());

    bool at_once = false;
    EmailChannel idle({.transport = relay,
                       .config = config,
                       .random = w.random,
                       .clock = w.clock,
                       .zone = *w.zone,
                       .log = null_logger()});
    idle.hold([&] { at_once = true; });
    CHECK(at_once);  // nothing handed over
}

TEST_CASE("a scheduled send survives a restart: the scheduler wakes the outbox at its time, with nothing else") {
    ChannelWorld w;
    w.outbox.reset();  // this test's outbox wakes by a timer the test fires
    FakeTimer timer;
    std::unique_ptr<Scheduler> scheduler;
    std::unique_ptr<Outbox> outbox;
    w.offers->on_queued([&outbox] { outbox->wake(); });
    // A process: a scheduler and an outbox over the database, started, their first pass done.
    const auto start = [&] {
        outbox.reset();
        scheduler.reset();
        scheduler = std::make_unique<Scheduler>(
            SchedulerDeps{.db = *w.db, .clock = w.clock, .timer = timer, .log = null_logger()});
        outbox = std::make_unique<Outbox>(OutboxDeps{.io = w.io,
                                                     .db = *w.db,
                                                     .clock = w.clock,
                                                     .scheduler = *scheduler,
                                                     .channels = {&w.sms},
                                                     .log = null_logger(),
                                                     .on_settled = &offer_state::on_message_settled});
        REQUIRE(scheduler->start().ok());
        outbox->start();
        w.io.restart();
        w.io.poll();
    };
    start();
    const UnixMs at = w.clock.now() + 2 * 3'600'000;
    auto o = w.offers->send(w.ro.id, {{w.phone}, "", false, at}, w.actor);
    REQUIRE(o.ok());
    w.io.restart();
    w.io.poll();
    CHECK(w.sms.handed.empty());
    CHECK(timer.armed_at == at);

    // Relais stops and starts again an hour later: the message's due time is on its row.
    w.clock.advance_ms(3'600'000);
    start();
    CHECK(w.sms.handed.empty());
    REQUIRE(timer.armed_at == at);
    REQUIRE(timer.fire(w.clock));  // the loop's timer, at its time; no wake() from anyone
    CHECK(w.clock.now() == at);
    REQUIRE(w.sms.handed.size() == 1);
    CHECK(w.sms.handed[0].id == o->messages.at(0).id);
    CHECK(w.offer(o->id).messages[0].state == OutboxState::sending);
    CHECK_FALSE(timer.armed_at.has_value());  // nothing else pending
}
