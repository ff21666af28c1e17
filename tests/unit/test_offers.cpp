// Offers on the advisor's side: what a send freezes and queues, who may receive it, versions
// and supersession, locking; and the outbox carrying email to the maildir with its states.

#include "support.hpp"

#include "agreements.hpp"
#include "config.hpp"
#include "crypto.hpp"
#include "customer_service.hpp"
#include "email_channel.hpp"
#include "inbound_sms.hpp"
#include "json_text.hpp"
#include "loop_timer.hpp"
#include "mail_transport.hpp"
#include "maildir.hpp"
#include "message_templates.hpp"
#include "messages.hpp"
#include "offer_json.hpp"
#include "offer_messages.hpp"
#include "offer_service.hpp"
#include "offer_state.hpp"
#include "outbox.hpp"

#include <doctest/doctest.h>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <set>

using namespace relais;
using namespace relais::test;

namespace {

struct OfferWorld : World {
    Config config;
    std::unique_ptr<OfferService> offers;
    RepairOrder ro;

    OfferWorld() {
        config.dealer.name = "Garage Demo";
        config.http.public_base_url = "https://relais.garage.test/";
        offers = std::make_unique<OfferService>(
            OfferServiceDeps{.db = *db, .config = config, .random = random, .clock = clock, .zone = *zone});
        ros->set_agreement_guard(&OfferService::check_agreed_change);

        RepairOrderPatch p;
        VehiclePatch v;
        v.plate = std::string("ab-123-cd");
        v.make = std::string("Peugeot");
        v.model = std::string("308");
        p.vehicle = v;
        PartyPatch driver;
        driver.first_name = std::string("Hélène");
        driver.last_name = std::string("Lefèvre");
        driver.roles = std::vector<PartyRole>{PartyRole::driver};
        ContactPointPatch phone, email;
        phone.kind = ContactKind::phone;
        phone.value = std::string("06 12 34 56 78");
        email.kind = ContactKind::email;
        email.value = std::string("helene@example.test");
        driver.contact_points = std::vector<ContactPointPatch>{phone, email};
        PartyPatch owner;
        owner.kind = PartyKind::company;
        owner.company_name = std::string("Leasing Plus");
        owner.roles = std::vector<PartyRole>{PartyRole::leasing_company};
        owner.opted_out = true;
        ContactPointPatch owner_email;
        owner_email.kind = ContactKind::email;
        owner_email.value = std::string("flotte@leasing.test");
        owner.contact_points = std::vector<ContactPointPatch>{owner_email};
        p.parties = std::vector<PartyPatch>{driver, owner};
        auto item = [](const char* label, Cents excl, InterventionKind kind, bool shown = true) {
            InterventionPatch i;
            i.label = std::string(label);
            i.price_excl = excl;
            i.kind = kind;
            i.shown = shown;
            return i;
        };
        p.interventions = std::vector<InterventionPatch>{
            item("Plaquettes avant", 15825, InterventionKind::optional),
            item("Vidange", 7500, InterventionKind::initial),
            item("Essuie-glaces", 2500, InterventionKind::optional, false),
        };
        auto created = ros->create(p, actor);
        REQUIRE(created.ok());
        ro = *created;
    }

    Id contact(const std::string& value) {
        for (const auto& party : ro.parties)
            for (const auto& cp : party.contact_points)
                if (cp.value == value) return cp.id;
        FAIL("no contact " << value);
        return 0;
    }
};

/// The magic-link token in an offer's first message (an SMS: the link ends it).
std::string first_token(const Offer& o) {
    REQUIRE_FALSE(o.messages.empty());
    const std::string& body = o.messages[0].body;
    return body.substr(body.rfind('/') + 1);
}

bool has_field(const Error& e, const std::string& field, const std::string& code) {
    for (const auto& f : e.fields)
        if (f.field == field && f.code == code) return true;
    return false;
}

// The outbox on its own loop, with email going to a maildir in the test's folder and no modem.
// How many messages are being sent (claimed, their outcome not settled yet).
std::size_t sending(OfferWorld& w) {
    auto n = w.db->read([](Connection& c) -> Result<std::int64_t> {
        TRY_ASSIGN(auto s, c.prepare("SELECT count(*) FROM outbox WHERE state = 'sending'"));
        TRY(s.step());
        return s.int64(0);
    });
    return n ? static_cast<std::size_t>(*n) : 0;
}

struct MaildirOutbox {
    boost::asio::io_context io;
    LoopTimer timer;
    Scheduler scheduler;
    mail::MaildirTransport maildir;
    EmailChannel email;
    Outbox outbox;
    OfferWorld& w;
    explicit MaildirOutbox(OfferWorld& world)
        : timer(io, world.clock),
          scheduler({.db = *world.db, .clock = world.clock, .timer = timer, .log = null_logger()}),
          maildir(world.dir.path() + "/mail", world.clock, {}),
          email({.transport = maildir,
                 .config = world.config,
                 .random = world.random,
                 .clock = world.clock,
                 .zone = *world.zone,
                 .log = null_logger()}),
          outbox({.io = io,
                  .db = *world.db,
                  .clock = world.clock,
                  .scheduler = scheduler,
                  .channels = {&email},
                  .log = null_logger(),
                  .on_settled = &offer_state::on_message_settled}),
          w(world) {
        REQUIRE(scheduler.start().ok());
        w.offers->on_queued([this] { outbox.wake(); });
        outbox.start();
    }
    // Runs the loop for `ms`, and on until no email is being sent (SMS wait for a modem), within 10 s.
    void run(int ms) {
        outbox.wake();
        io.restart();
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        do io.run_for(std::chrono::milliseconds(ms));
        while (sending(w) > 0 && std::chrono::steady_clock::now() < give_up);
    }
};

std::vector<std::string> event_types(OfferWorld& w) {
    auto events = w.ros->timeline(w.ro.id);
    REQUIRE(events.ok());
    std::vector<std::string> types;
    for (const auto& e : *events) types.push_back(e.type);
    return types;
}

// A relay scripted by the test: answers each message with `answer`, or throws from send(), or
// (`holds`) takes it and keeps its answer.
struct ScriptedTransport final : mail::MailTransport {
    mail::MailOutcome answer;
    bool throws = false;
    bool holds = false;
    std::vector<Done> held;
    int sends = 0;
    void send(mail::Envelope, std::string, Done done) override {
        ++sends;
        if (throws) throw std::runtime_error("transport broke \xff");
        if (holds) return held.push_back(std::move(done));
        done(answer);
    }
    std::string describe() const override { return "scripted relay"; }
};

struct ScriptedOutbox {
    boost::asio::io_context io;
    std::unique_ptr<LoopTimer> timer;
    std::unique_ptr<Scheduler> scheduler;
    ScriptedTransport relay;
    std::unique_ptr<EmailChannel> email;
    std::unique_ptr<Outbox> outbox;
    OfferWorld& w;
    explicit ScriptedOutbox(OfferWorld& world) : w(world) { restart(); }
    // A new process: a new outbox and channel over the same database, started.
    void restart() {
        outbox.reset();
        scheduler.reset();
        timer = std::make_unique<LoopTimer>(io, w.clock);
        scheduler = std::make_unique<Scheduler>(
            SchedulerDeps{.db = *w.db, .clock = w.clock, .timer = *timer, .log = null_logger()});
        REQUIRE(scheduler->start().ok());
        email = std::make_unique<EmailChannel>(EmailChannelDeps{.transport = relay,
                                                                .config = w.config,
                                                                .random = w.random,
                                                                .clock = w.clock,
                                                                .zone = *w.zone,
                                                                .log = null_logger()});
        outbox = std::make_unique<Outbox>(OutboxDeps{.io = io,
                                                     .db = *w.db,
                                                     .clock = w.clock,
                                                     .scheduler = *scheduler,
                                                     .channels = {email.get()},
                                                     .log = null_logger(),
                                                     .on_settled = &offer_state::on_message_settled});
        w.offers->on_queued([this] { outbox->wake(); });
        outbox->start();
    }
    // Runs the loop for `ms`, and on until no message is being sent but those the relay holds
    // (a sanitizer build on a busy machine may need more than `ms` for one pass), within 10 s.
    void run(int ms = 100) {
        outbox->wake();
        io.restart();
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        do io.run_for(std::chrono::milliseconds(ms));
        while (sending(w) > relay.held.size() && std::chrono::steady_clock::now() < give_up);
    }
};

// Moves an offer along as the outbox would (sent, received...).
bool offer_store_advance(OfferWorld& w, Id offer_id, OfferState s) {
    return w.db
        ->write([&](Connection& c) {
            return offer_state::move(c, {.offer_id = offer_id, .to = s, .at = w.clock.now(), .by = w.actor},
                                     nlohmann::json::object());
        })
        .ok();
}

}  // namespace

TEST_CASE("sending freezes the shown interventions, makes a link per recipient and queues one message each") {
    OfferWorld w;
    SendOfferRequest req{
        {w.contact("+33612345678"), w.contact("helene@example.test")}, "  Bonjour, voici le devis.  ", false, {}};
    auto sent = w.offers->send(w.ro.id, req, w.actor);
    REQUIRE(sent.ok());
    const Offer& o = *sent;
    CHECK(o.version == 1);
    CHECK(o.state == OfferState::draft);  // nothing handed to a channel yet
    CHECK(o.note == "Bonjour, voici le devis.");
    CHECK(o.language == "fr");
    CHECK(o.expires_at == w.clock.now() + kLinkValidityMs);
    // Initial first, then optional; hidden ones left out; prices incl. VAT frozen.
    REQUIRE(o.snapshot.items.size() == 2);
    CHECK(o.snapshot.items[0].label == "Vidange");
    CHECK(o.snapshot.items[1].label == "Plaquettes avant");
    CHECK(o.snapshot.items[1].price_incl == 18990);
    CHECK(o.snapshot.total_incl() == 9000 + 18990);
    CHECK(o.snapshot.vehicle.plate == "AB-123-CD");
    CHECK(o.snapshot.customer_name == "Hélène Lefèvre");

    REQUIRE(o.recipients.size() == 2);
    CHECK(o.recipients[0].channel == Channel::sms);
    CHECK(o.recipients[0].address == "+33612345678");
    CHECK(o.recipients[1].channel == Channel::email);
    REQUIRE(o.messages.size() == 2);
    const OutboxMessage& sms = o.messages[0];
    CHECK(sms.state == OutboxState::pending);
    CHECK(sms.body.find("Garage Demo : le devis de votre Peugeot 308 AB-123-CD est disponible. Répondez ici : ") == 0);
    // The link: public_base_url without its trailing slash, /o/, a 192-bit token.
    const std::string prefix = "https://relais.garage.test/o/";
    auto at = sms.body.find(prefix);
    REQUIRE(at != std::string::npos);
    const std::string token = sms.body.substr(at + prefix.size());
    CHECK(token.size() == 22);  // 128 bits
    const OutboxMessage& email = o.messages[1];
    CHECK(email.subject == "Votre devis pour votre Peugeot 308 AB-123-CD – Garage Demo");
    // The advisor's note greets the customer itself: the email does not greet a second time.
    CHECK(email.body.find("Bonjour Hélène Lefèvre,") == std::string::npos);
    CHECK(email.body.find("Bonjour, voici le devis.") != std::string::npos);
    CHECK(email.html.find(prefix) != std::string::npos);
    CHECK(email.body.find(token) == std::string::npos);  // each recipient has its own link

    // Only the hash of the token is stored.
    auto stored = w.db->read([&](Connection& c) -> Result<std::pair<std::int64_t, std::int64_t>> {
        TRY_ASSIGN(auto s, c.prepare("SELECT count(*), sum(token_hash = ?) FROM offer_links"));
        s.bind_blob(1, sha256(token));
        TRY(s.step());
        return std::pair{s.int64(0), s.int64(1)};
    });
    REQUIRE(stored.ok());
    CHECK(stored->first == 2);
    CHECK(stored->second == 1);

    auto events = w.ros->timeline(w.ro.id);
    REQUIRE(events.ok());
    CHECK(events->back().type == "offer.queued");
}

TEST_CASE("recipients must be contacts of the RO, not opted out, and something must be shown") {
    OfferWorld w;
    auto none = w.offers->send(w.ro.id, {{}, "", false, {}}, w.actor);
    REQUIRE_FALSE(none.ok());
    CHECK(has_field(none.error(), "recipients", "required"));

    auto bad = w.offers->send(
        w.ro.id,
        {{w.contact("flotte@leasing.test"), 999999, w.contact("+33612345678"), w.contact("+33612345678")},
         "",
         false,
         {}},
        w.actor);
    REQUIRE_FALSE(bad.ok());
    CHECK(has_field(bad.error(), "recipients[0]", "opted_out"));
    CHECK(has_field(bad.error(), "recipients[1]", "unknown_contact_point"));
    CHECK(has_field(bad.error(), "recipients[3]", "duplicate"));

    auto missing = w.offers->send(424242, {{1}, "", false, {}}, w.actor);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().kind == ErrorKind::not_found);

    // Nothing written by a refused send.
    auto count = w.db->read([](Connection& c) -> Result<std::int64_t> {
        TRY_ASSIGN(auto s, c.prepare("SELECT (SELECT count(*) FROM offers) + (SELECT count(*) FROM outbox)"));
        TRY(s.step());
        return s.int64(0);
    });
    CHECK(*count == 0);
}

TEST_CASE("a new send supersedes the open version, a seen one needs the advisor's confirmation, locked is final") {
    OfferWorld w;
    const Id phone = w.contact("+33612345678");
    auto v1 = w.offers->send(w.ro.id, {{phone}, "", false, {}}, w.actor);
    REQUIRE(v1.ok());
    auto v2 = w.offers->send(w.ro.id, {{phone}, "Nouveau prix", false, {}}, w.actor);
    REQUIRE(v2.ok());
    CHECK(v2->version == 2);
    auto old = w.offers->get(v1->id);
    CHECK(old->state == OfferState::superseded);
    CHECK(old->messages[0].state == OutboxState::failed);  // a queued message of an old version never goes
    CHECK(old->messages[0].last_error == "superseded");

    // The customer saw version 2: a new send must be confirmed.
    REQUIRE(offer_store_advance(w, v2->id, OfferState::seen));
    CHECK(w.offers->get(v2->id)->sent_at.has_value());  // steps passed over are stamped too
    auto refused = w.offers->send(w.ro.id, {{phone}, "", false, {}}, w.actor);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "confirmation_required");
    auto v3 = w.offers->send(w.ro.id, {{phone}, "", true, {}}, w.actor);
    REQUIRE(v3.ok());
    CHECK(v3->version == 3);
    CHECK(w.offers->get(v2->id)->state == OfferState::superseded);

    auto locked = w.offers->lock(v3->id, w.actor);
    REQUIRE(locked.ok());
    CHECK(locked->state == OfferState::locked);
    CHECK(locked->locked_at.has_value());
    auto after = w.offers->send(w.ro.id, {{phone}, "", true, {}}, w.actor);
    REQUIRE_FALSE(after.ok());
    CHECK(after.error().code == "offer_locked");
    auto list = w.offers->for_repair_order(w.ro.id);
    REQUIRE(list.ok());
    CHECK(list->size() == 3);
    CHECK(list->front().version == 3);
}

TEST_CASE("states only move forward along sent, received, seen, confirmed, locked") {
    OfferWorld w;
    auto o = w.offers->send(w.ro.id, {{w.contact("+33612345678")}, "", false, {}}, w.actor);
    REQUIRE(o.ok());
    auto advance = [&](OfferState s) {
        return *w.db->write([&](Connection& c) {
            return offer_state::move(c, {.offer_id = o->id, .to = s, .at = w.clock.now(), .by = w.actor},
                                     nlohmann::json::object());
        });
    };
    CHECK(advance(OfferState::sent) == std::vector<OfferState>{OfferState::sent});
    CHECK(advance(OfferState::seen) == std::vector<OfferState>{OfferState::received, OfferState::seen});
    CHECK(advance(OfferState::sent).empty());  // a late "sent" never undoes what came after
    CHECK(w.offers->get(o->id)->state == OfferState::seen);
    CHECK(w.offers->get(o->id)->received_at.has_value());
}

TEST_CASE("the outbox delivers email to the maildir and moves the offer to received, SMS wait for a modem") {
    OfferWorld w;
    MaildirOutbox box(w);

    auto o = w.offers->send(w.ro.id, {{w.contact("helene@example.test"), w.contact("+33612345678")}, "", false, {}},
                            w.actor);
    REQUIRE(o.ok());
    box.run(200);

    auto after = w.offers->get(o->id);
    REQUIRE(after.ok());
    CHECK(after->state == OfferState::received);  // the relay's (here the maildir's) acceptance
    CHECK(after->received_at.has_value());
    const OutboxMessage& email = after->messages[0];
    CHECK(email.state == OutboxState::delivered);
    CHECK(email.attempts == 1);
    CHECK(email.message_id.find("@") != std::string::npos);
    const OutboxMessage& sms = after->messages[1];
    CHECK(sms.state == OutboxState::pending);  // no modem: retried later, not lost
    CHECK(sms.last_error == "no modem");
    CHECK(sms.attempts == 1);
    CHECK(sms.next_attempt_at == w.clock.now() + 30'000);

    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(w.dir.path() + "/mail/new")) files.push_back(e.path());
    REQUIRE(files.size() == 1);

    auto events = w.ros->timeline(w.ro.id);
    REQUIRE(events.ok());
    std::vector<std::string> types;
    for (const auto& e : *events) types.push_back(e.type);
    CHECK(std::find(types.begin(), types.end(), "message.delivered") != types.end());
    CHECK(std::find(types.begin(), types.end(), "offer.received") != types.end());
}

TEST_CASE("outbox backoff doubles from 30 s and stops at an hour") {
    CHECK(outbox_backoff(1) == std::chrono::seconds(30));
    CHECK(outbox_backoff(2) == std::chrono::seconds(60));
    CHECK(outbox_backoff(3) == std::chrono::seconds(120));
    CHECK(outbox_backoff(20) == std::chrono::hours(1));
}

TEST_CASE("customer links: bound to the first device, refused elsewhere, expired after 30 days") {
    OfferWorld w;
    CustomerService customers({.db = *w.db, .config = w.config, .random = w.random, .clock = w.clock});
    auto o = w.offers->send(w.ro.id, {{w.contact("+33612345678")}, "", false, {}}, w.actor);
    REQUIRE(o.ok());
    const std::string token = first_token(*o);

    auto first = customers.open(token, {"", "192.0.2.7", "Mozilla/5.0 (phone)"});
    REQUIRE(first.ok());
    CHECK(first->status == LinkStatus::ok);
    CHECK(first->device_id.size() == 32);
    CHECK(first->offer->offer.state == OfferState::seen);
    const std::string device = first->device_id;

    auto other = customers.open(token, {"", "198.51.100.9", "Mozilla/5.0 (laptop)"});
    REQUIRE(other.ok());
    CHECK(other->status == LinkStatus::other_device);
    CHECK(other->offer == nullptr);  // nothing of the offer
    CHECK(other->masked_destination == "\u2022\u202278");

    auto unknown = customers.open(std::string(32, 'A'), {device, "", ""});
    CHECK(unknown->status == LinkStatus::unknown);

    w.clock.advance_ms(kLinkValidityMs - 1000);
    CHECK(customers.open(token, {device, "", ""})->status == LinkStatus::ok);
    w.clock.advance_ms(2000);
    CHECK(customers.open(token, {device, "", ""})->status == LinkStatus::expired);
    auto late = customers.decide(token, {device, "", ""}, {}, false);
    REQUIRE_FALSE(late.ok());
    CHECK(late.error().code == "link_expired");

    // A fresh link restarts the 30 days; the expired one stays refused.
    auto fresh = customers.send_access_link(token, {device, "", ""});
    REQUIRE(fresh.ok());
    CHECK(fresh->channel == Channel::sms);
    auto after = w.offers->get(o->id);
    REQUIRE(after->messages.size() == 2);
    CHECK(after->messages[1].purpose == "access_link");
    const std::string& again = after->messages[1].body;
    const std::string new_token = again.substr(again.rfind('/') + 1);
    CHECK(customers.open(new_token, {device, "", ""})->status == LinkStatus::ok);
    CHECK(customers.open(token, {device, "", ""})->status == LinkStatus::other_device);
}

TEST_CASE("a bound device coming back shares the offer read once, and sees every change made since") {
    OfferWorld w;
    MaildirOutbox box(w);
    CustomerService customers({.db = *w.db, .config = w.config, .random = w.random, .clock = w.clock});
    auto o = w.offers->send(w.ro.id, {{w.contact("+33612345678")}, "", false, {}}, w.actor);
    REQUIRE(o.ok());
    const std::string token = first_token(*o);
    auto first = customers.open(token, {"", "192.0.2.7", "phone"});
    REQUIRE(first.ok());
    const CustomerContext device{first->device_id, "192.0.2.7", "phone"};

    auto again = customers.open(token, device);
    REQUIRE(again->offer != nullptr);
    CHECK(again->offer->generation != 0);
    CHECK(customers.open(token, device)->offer == again->offer);  // nothing changed: the same copy
    CHECK(again->offer->offer.decisions.empty());

    // An answer (a commit here) is seen at once.
    const Id item = again->offer->offer.snapshot.items.at(0).intervention_id;
    REQUIRE(customers.decide(token, device, {{item, Decision::accept}}, false).ok());
    auto answered = customers.open(token, device);
    CHECK(answered->offer != again->offer);
    CHECK(answered->offer->offer.decisions.at(item) == Decision::accept);

    // So is a change made by another process (a `relais` command beside the service).
    {
        auto other = std::move(Database::open(w.dir.path() + "/relais.db", 1)).value();
        REQUIRE(other
                    ->write([&](Connection& c) -> Result<void> {
                        TRY_ASSIGN(auto u, c.prepare("UPDATE repair_orders SET promised_at = 1234567 WHERE id = ?"));
                        u.bind(1, w.ro.id);
                        return u.run();
                    })
                    .ok());
    }
    auto moved = customers.open(token, device);
    REQUIRE(moved->offer->promised_at.has_value());
    CHECK(*moved->offer->promised_at == 1234567);
    CHECK(moved->offer->offer.decisions.at(item) == Decision::accept);
}

TEST_CASE("masked destinations show the end of a number, and of an address its first letters and top-level domain") {
    CHECK(mask_destination(Channel::sms, "+33612345678") == "\u2022\u202278");
    CHECK(mask_destination(Channel::email, "helene.lefevre@exemple.fr") ==
          "h\u2022\u2022\u2022@e\u2022\u2022\u2022.fr");
    CHECK(mask_destination(Channel::email, "x@localhost") == "x\u2022\u2022\u2022@l\u2022\u2022\u2022");
}

TEST_CASE("a STOP from the only recipient of a scheduled offer fails its message and the offer, saying why") {
    OfferWorld w;
    const UnixMs at = w.clock.now() + 2 * 3'600'000;
    auto o = w.offers->send(w.ro.id, {{w.contact("+33612345678")}, "", false, at}, w.actor);
    REQUIRE(o.ok());
    REQUIRE(o->state == OfferState::scheduled);
    auto stop = w.db->write([&](Connection& c) -> Result<InboundOutcome> {
        InboundSmsRecord r;
        r.sender = "+33612345678";
        r.text = "Stop";
        r.received_at = w.clock.now();
        TRY_ASSIGN(r.id, sms_store::insert_inbound(c, r));
        return handle_inbound_sms(
            c, w.config, r, r.received_at,
            {.on_opt_out = &mark_number_opted_out, .on_settled = &offer_state::on_message_settled});
    });
    REQUIRE(stop.ok());
    CHECK(stop->opted_out);
    auto after = w.offers->get(o->id);
    REQUIRE(after.ok());
    CHECK(after->state == OfferState::failed);
    REQUIRE(after->messages.size() == 1);
    CHECK(after->messages[0].state == OutboxState::failed);
    CHECK(nlohmann::json::parse(after->messages[0].failure)["code"] == "opted_out");
    // The RO's contact point says so too (repair_orders heard of it).
    CHECK(w.ros->get(w.ro.id)->parties[0].contact_points[0].opted_out);
}

TEST_CASE("a scheduled offer waits with its messages until its time, and can be cancelled until it leaves") {
    OfferWorld w;
    MaildirOutbox box(w);
    const UnixMs at = w.clock.now() + 2 * 3'600'000;

    auto late =
        w.offers->send(w.ro.id, {{w.contact("helene@example.test")}, "", false, w.clock.now() - 120'000}, w.actor);
    REQUIRE_FALSE(late.ok());
    CHECK(has_field(late.error(), "send_at", "in_the_past"));
    auto far = w.offers->send(
        w.ro.id, {{w.contact("helene@example.test")}, "", false, w.clock.now() + kMaxScheduleAheadMs + 1}, w.actor);
    REQUIRE_FALSE(far.ok());
    CHECK(has_field(far.error(), "send_at", "too_far_ahead"));

    auto o = w.offers->send(w.ro.id, {{w.contact("helene@example.test")}, "", false, at}, w.actor);
    REQUIRE(o.ok());
    CHECK(o->state == OfferState::scheduled);
    CHECK(o->expires_at == at + kLinkValidityMs);  // the 30 days start when it leaves
    REQUIRE(o->messages.size() == 1);
    CHECK(o->messages[0].next_attempt_at == at);
    box.run(100);
    CHECK(w.offers->get(o->id)->state == OfferState::scheduled);  // not yet
    CHECK_FALSE(std::filesystem::exists(w.dir.path() + "/mail/new"));

    // Cancelled before its time: nothing leaves, ever.
    auto cancelled = w.offers->cancel(o->id, w.actor);
    REQUIRE(cancelled.ok());
    CHECK(cancelled->state == OfferState::cancelled);
    CHECK(cancelled->messages[0].state == OutboxState::failed);
    CHECK(cancelled->messages[0].last_error == "cancelled");
    w.clock.advance_ms(3 * 3'600'000);
    box.run(100);
    CHECK(w.offers->get(o->id)->state == OfferState::cancelled);

    // The next one is left to go at its time; then it is too late to cancel.
    auto next =
        w.offers->send(w.ro.id, {{w.contact("helene@example.test")}, "", false, w.clock.now() + 60'000}, w.actor);
    REQUIRE(next.ok());
    CHECK(next->version == 2);
    w.clock.advance_ms(61'000);
    box.run(200);
    CHECK(w.offers->get(next->id)->state == OfferState::received);
    auto too_late = w.offers->cancel(next->id, w.actor);
    REQUIRE_FALSE(too_late.ok());
    CHECK(too_late.error().code == "offer_not_cancellable");

    const auto types = event_types(w);
    CHECK(std::count(types.begin(), types.end(), "offer.scheduled") == 2);
    CHECK(std::count(types.begin(), types.end(), "offer.cancelled") == 1);
}

TEST_CASE("a resend gives every recipient a fresh link (the old one still works) and 30 more days") {
    OfferWorld w;
    CustomerService customers({.db = *w.db, .config = w.config, .random = w.random, .clock = w.clock});
    auto o = w.offers->send(w.ro.id, {{w.contact("+33612345678"), w.contact("helene@example.test")}, "", false, {}},
                            w.actor);
    REQUIRE(o.ok());
    auto draft = w.offers->resend(o->id, w.actor);  // nothing has gone yet
    REQUIRE_FALSE(draft.ok());
    CHECK(draft.error().code == "offer_not_resendable");
    REQUIRE(offer_store_advance(w, o->id, OfferState::sent));
    const std::string first = o->messages[0].body.substr(o->messages[0].body.rfind('/') + 1);

    w.clock.advance_ms(10LL * 24 * 3'600'000);
    auto again = w.offers->resend(o->id, w.actor);
    REQUIRE(again.ok());
    CHECK(again->state == OfferState::sent);
    CHECK(again->expires_at == w.clock.now() + kLinkValidityMs);
    REQUIRE(again->messages.size() == 4);
    const std::string& body =
        again->messages[2].channel == Channel::sms ? again->messages[2].body : again->messages[3].body;
    const std::string second = body.substr(body.rfind('/') + 1);
    CHECK(second != first);
    CHECK(customers.open(first, {"", "192.0.2.7", "phone"})->status == LinkStatus::ok);

    // A STOP since: that number is left out; with nobody left, nothing is sent.
    REQUIRE(w.db->write([&](Connection& c) -> Result<void> {
        TRY_ASSIGN(auto s,
                   c.prepare("INSERT INTO opt_outs (address, channel, at, source) VALUES (?, 'sms', 0, 'test')"));
        s.bind(1, std::string("+33612345678"));
        return s.run();
    }));
    auto third = w.offers->resend(o->id, w.actor);
    REQUIRE(third.ok());
    CHECK(third->messages.size() == 5);
    CHECK(third->messages.back().channel == Channel::email);

    // The advisor marks the party opted out (the contact point itself is not): its email is left
    // out too, as a first send would refuse it; with nobody left, nothing is sent.
    PartyPatch out;
    out.opted_out = true;
    const Id driver = w.ro.parties[0].id;
    REQUIRE(w.ros->update_party(w.ro.id, driver, out, std::nullopt, w.actor).ok());
    auto fourth = w.offers->resend(o->id, w.actor);
    REQUIRE_FALSE(fourth.ok());
    CHECK(fourth.error().code == "no_recipient_left");
    CHECK(w.offers->get(o->id)->messages.size() == 5);
    PartyPatch back;
    back.opted_out = false;
    REQUIRE(w.ros->update_party(w.ro.id, driver, back, std::nullopt, w.actor).ok());

    // Only the latest version can be sent again.
    auto v2 = w.offers->send(w.ro.id, {{w.contact("helene@example.test")}, "", true, {}}, w.actor);
    REQUIRE(v2.ok());
    auto old = w.offers->resend(o->id, w.actor);
    REQUIRE_FALSE(old.ok());
    CHECK(old.error().code == "offer_not_resendable");
}

TEST_CASE("an offer nobody answered expires after 30 days, asking for a new link brings it back") {
    OfferWorld w;
    CustomerService customers({.db = *w.db, .config = w.config, .random = w.random, .clock = w.clock});
    auto o = w.offers->send(w.ro.id, {{w.contact("+33612345678")}, "", false, {}}, w.actor);
    REQUIRE(o.ok());
    REQUIRE(offer_store_advance(w, o->id, OfferState::received));
    const std::string token = o->messages[0].body.substr(o->messages[0].body.rfind('/') + 1);

    w.clock.advance_ms(kLinkValidityMs - 1000);
    CHECK(*w.offers->expire_due() == 0);
    w.clock.advance_ms(1000);
    CHECK(*w.offers->expire_due() == 1);
    CHECK(*w.offers->expire_due() == 0);  // once
    CHECK(w.offers->get(o->id)->state == OfferState::expired);
    const auto types = event_types(w);
    CHECK(std::count(types.begin(), types.end(), "offer.expired") == 1);

    auto opened = customers.open(token, {"", "192.0.2.7", "phone"});
    REQUIRE(opened.ok());
    CHECK(opened->status == LinkStatus::expired);
    auto fresh = customers.send_access_link(token, {"", "192.0.2.7", "phone"});
    REQUIRE(fresh.ok());
    auto back = w.offers->get(o->id);
    CHECK(back->state == OfferState::received);  // where it stopped
    CHECK(back->expires_at == w.clock.now() + kLinkValidityMs);
    // The way back is on the timeline, by the customer, as every change of state is.
    const auto events = w.ros->timeline(w.ro.id);
    REQUIRE(events.ok());
    const auto reopened =
        std::find_if(events->begin(), events->end(), [](const Event& e) { return e.type == "offer.reopened"; });
    REQUIRE(reopened != events->end());
    CHECK(reopened->actor.kind == Actor::Kind::customer);
    const auto data = nlohmann::json::parse(reopened->data);
    CHECK(data["state"] == "received");
    CHECK(data["offer_id"] == o->id);
    CHECK(data["ip"] == "192.0.2.7");
}

TEST_CASE("an offer's states follow DESIGN.md's table, one table for every change") {
    using S = OfferState;
    const std::vector<S> all = {S::draft,  S::scheduled, S::sent,       S::received, S::seen,     S::confirmed,
                                S::locked, S::failed,    S::superseded, S::expired,  S::cancelled};
    // Every pair the design allows, and none other.
    const std::set<std::pair<S, S>> expected = {// forward, passing over steps
                                                {S::draft, S::sent},
                                                {S::draft, S::received},
                                                {S::draft, S::seen},
                                                {S::draft, S::confirmed},
                                                {S::scheduled, S::sent},
                                                {S::scheduled, S::received},
                                                {S::scheduled, S::seen},
                                                {S::scheduled, S::confirmed},
                                                {S::sent, S::received},
                                                {S::sent, S::seen},
                                                {S::sent, S::confirmed},
                                                {S::received, S::seen},
                                                {S::received, S::confirmed},
                                                {S::seen, S::confirmed},
                                                // locked: the advisor agreed the work, from anything still standing
                                                {S::draft, S::locked},
                                                {S::scheduled, S::locked},
                                                {S::sent, S::locked},
                                                {S::received, S::locked},
                                                {S::seen, S::locked},
                                                {S::confirmed, S::locked},
                                                {S::failed, S::locked},
                                                {S::expired, S::locked},
                                                // side exits
                                                {S::draft, S::failed},
                                                {S::scheduled, S::failed},
                                                {S::sent, S::failed},
                                                {S::draft, S::superseded},
                                                {S::scheduled, S::superseded},
                                                {S::sent, S::superseded},
                                                {S::received, S::superseded},
                                                {S::seen, S::superseded},
                                                {S::confirmed, S::superseded},
                                                {S::failed, S::superseded},
                                                {S::draft, S::cancelled},
                                                {S::scheduled, S::cancelled},
                                                {S::draft, S::expired},
                                                {S::sent, S::expired},
                                                {S::received, S::expired},
                                                {S::seen, S::expired},
                                                // sent again
                                                {S::failed, S::draft},
                                                {S::expired, S::draft}};
    for (S from : all)
        for (S to : all) {
            CAPTURE(to_string(from));
            CAPTURE(to_string(to));
            CHECK(offer_state::allowed(from, to) == expected.contains({from, to}));
        }
}

TEST_CASE("a change the table refuses writes nothing, a superseded version says by which one") {
    OfferWorld w;
    const Id phone = w.contact("+33612345678");
    auto v1 = w.offers->send(w.ro.id, {{phone}, "", false, {}}, w.actor);
    REQUIRE(v1.ok());
    REQUIRE(offer_store_advance(w, v1->id, OfferState::sent));
    const std::size_t before = w.ros->timeline(w.ro.id)->size();
    // A sent offer cannot be cancelled: the module leaves it, and the timeline, as they were.
    const auto moved = w.db->write([&](Connection& c) {
        return offer_state::move(c,
                                 {.offer_id = v1->id, .to = OfferState::cancelled, .at = w.clock.now(), .by = w.actor},
                                 nlohmann::json::object());
    });
    REQUIRE(moved.ok());
    CHECK(moved->empty());
    CHECK(w.offers->get(v1->id)->state == OfferState::sent);
    CHECK(w.ros->timeline(w.ro.id)->size() == before);

    auto v2 = w.offers->send(w.ro.id, {{phone}, "", false, {}}, w.actor);
    REQUIRE(v2.ok());
    CHECK(w.offers->get(v1->id)->state == OfferState::superseded);
    const auto events = w.ros->timeline(w.ro.id);
    const auto superseded =
        std::find_if(events->begin(), events->end(), [](const Event& e) { return e.type == "offer.superseded"; });
    REQUIRE(superseded != events->end());
    const auto data = nlohmann::json::parse(superseded->data);
    CHECK(data["offer_id"] == v1->id);
    CHECK(data["version"] == 1);
    CHECK(data["by_version"] == 2);
    CHECK(superseded->actor.name == w.actor.name);
}

TEST_CASE("an offer freezes the agreement versions of its send, confirming needs the mandatory ones, kept with them") {
    OfferWorld w;
    AgreementService agreements(*w.db, w.clock);
    CustomerService customers({.db = *w.db, .config = w.config, .random = w.random, .clock = w.clock});
    auto make = [&](const char* title, bool mandatory, bool active) {
        AgreementPatch p;
        p.title_fr = std::string(title);
        p.text_fr = std::string("Texte de ") + title;
        p.mandatory = mandatory;
        p.active = active;
        auto a = agreements.create(p, w.actor);
        REQUIRE(a.ok());
        return a->id;
    };
    const Id terms = make("Conditions générales", true, true);
    const Id news = make("Lettre d'information", false, true);
    make("Anciennes conditions", true, false);  // archived: not offered

    auto o = w.offers->send(w.ro.id, {{w.contact("+33612345678")}, "", false, {}}, w.actor);
    REQUIRE(o.ok());
    REQUIRE(o->snapshot.agreements.size() == 2);
    CHECK(o->snapshot.agreements[0].agreement_id == terms);
    CHECK(o->snapshot.agreements[0].version == 1);
    CHECK(o->snapshot.agreements[0].mandatory);
    CHECK(o->snapshot.agreements[0].text.fr == "Texte de Conditions générales");
    CHECK_FALSE(o->snapshot.agreements[1].mandatory);

    // The admin rewords the terms after the send: this offer keeps version 1.
    AgreementPatch reword;
    reword.text_fr = std::string("Nouvelle rédaction");
    REQUIRE(agreements.update(terms, reword, w.actor).ok());
    auto reread = w.offers->get(o->id);
    REQUIRE(reread.ok());
    CHECK(reread->snapshot.agreements[0].version == 1);
    CHECK(reread->snapshot.agreements[0].text.fr == "Texte de Conditions générales");

    const std::string token = first_token(*o);
    auto opened = customers.open(token, {"", "", ""});
    REQUIRE(opened.ok());
    const CustomerContext device{opened->device_id, "", ""};
    std::map<Id, Decision> answers;
    for (const auto& item : o->snapshot.items) answers[item.intervention_id] = Decision::accept;

    auto without = customers.decide(token, device, answers, true, {news});
    REQUIRE_FALSE(without.ok());
    CHECK(has_field(without.error(), "agreements." + std::to_string(terms), "agreement_required"));
    auto stranger = customers.decide(token, device, answers, true, {terms, 9999});
    REQUIRE_FALSE(stranger.ok());
    CHECK(has_field(stranger.error(), "agreements.9999", "unknown_agreement"));
    CHECK(w.offers->get(o->id)->state == OfferState::seen);  // nothing confirmed, nothing kept

    w.clock.advance_ms(5000);
    auto confirmed = customers.decide(token, device, answers, true, {terms});
    REQUIRE(confirmed.ok());
    CHECK(confirmed->state == OfferState::confirmed);
    REQUIRE(confirmed->accepted_agreements.size() == 1);
    CHECK(confirmed->accepted_agreements.at(terms) == w.clock.now());

    // Kept against the version the customer read, and on the timeline with it.
    auto kept = w.db->read([&](Connection& c) -> Result<std::int64_t> {
        TRY_ASSIGN(auto s, c.prepare("SELECT version FROM offer_agreements WHERE offer_id = ? AND agreement_id = ?"));
        s.bind(1, o->id).bind(2, terms);
        TRY_ASSIGN(bool row, s.step());
        return row ? s.int64(0) : -1;
    });
    CHECK(*kept == 1);
    auto events = w.ros->timeline(w.ro.id);
    REQUIRE(events.ok());
    const Event& last = events->back();
    CHECK(last.type == "offer.confirmed");
    const auto data = nlohmann::json::parse(last.data);
    REQUIRE(data["agreements"].size() == 1);
    CHECK(data["agreements"][0]["id"] == terms);
    CHECK(data["agreements"][0]["version"] == 1);
    CHECK(data["agreements"][0]["title"] == "Conditions générales");

    // The next version of the offer asks for the terms as they are now.
    auto next = w.offers->send(w.ro.id, {{w.contact("+33612345678")}, "", true, {}}, w.actor);
    REQUIRE(next.ok());
    CHECK(next->snapshot.agreements[0].version == 2);
    CHECK(next->snapshot.agreements[0].text.fr == "Nouvelle rédaction");
}

TEST_CASE("a relay's reply that is not UTF-8 is kept escaped, and the outbox carries on") {
    OfferWorld w;
    ScriptedOutbox box(w);
    box.relay.answer.status = mail::DeliveryStatus::delivered;
    box.relay.answer.code = 250;
    box.relay.answer.text = "2.0.0 Message accept\xe9\x1b[0m";
    auto o = w.offers->send(w.ro.id, {{w.contact("helene@example.test")}, "", false, {}}, w.actor);
    REQUIRE(o.ok());
    box.run();
    auto after = w.offers->get(o->id);
    REQUIRE(after.ok());
    CHECK(after->messages[0].state == OutboxState::delivered);
    CHECK(after->messages[0].detail == "250 2.0.0 Message accept\\xE9\\x1B[0m");
    auto events = w.ros->timeline(w.ro.id);
    REQUIRE(events.ok());
    bool found = false;
    for (const auto& e : *events)
        if (e.type == "message.delivered") found = nlohmann::json::parse(e.data)["detail"] == after->messages[0].detail;
    CHECK(found);
}

TEST_CASE("a clean stop gives its attempt back to a message that never left, not to one that may have") {
    OfferWorld w;
    ScriptedOutbox box(w);
    box.relay.answer.status = mail::DeliveryStatus::delivered;
    box.relay.answer.code = 250;
    box.relay.holds = true;  // the relay has the email and has not answered the final dot
    auto o = w.offers->send(w.ro.id, {{w.contact("helene@example.test"), w.contact("+33612345678")}, "", false, {}},
                            w.actor);
    REQUIRE(o.ok());
    const Id sms_id = o->messages[1].id;
    // The SMS claimed as a pass does and handed to a modem that keeps it in its queue (there is
    // no modem here: the outbox would otherwise put it back at once).
    REQUIRE(w.db->write([&](Connection& c) -> Result<void> {
                    TRY_ASSIGN(auto u, c.prepare("UPDATE outbox SET state = 'sending', attempts = 1 WHERE id = ?"));
                    u.bind(1, sms_id);
                    return u.run();
                })
                .ok());
    box.run();
    REQUIRE(box.relay.held.size() == 1);

    bool settled = false;
    box.outbox->stop_claiming([&] { settled = true; });
    box.run();
    CHECK_FALSE(settled);  // the email has no outcome yet
    box.outbox->stop();    // the wait gave up on it
    auto after = w.offers->get(o->id);
    REQUIRE(after.ok());
    const OutboxMessage& email = after->messages[0];
    const OutboxMessage& sms = after->messages[1];
    CHECK(email.state == OutboxState::pending);  // it may have reached the customer: counted
    CHECK(email.attempts == 1);
    CHECK(email.interruptions == 0);
    CHECK(sms.state == OutboxState::pending);  // it never left: not counted, due at once
    CHECK(sms.attempts == 0);
    CHECK(sms.interruptions == 0);
    CHECK(sms.next_attempt_at <= w.clock.now());

    // The next start sends both at once, without waiting for a backoff.
    box.relay.holds = false;
    box.restart();
    box.run();
    after = w.offers->get(o->id);
    CHECK(after->messages[0].state == OutboxState::delivered);
    CHECK(after->messages[0].attempts == 2);
    CHECK(after->messages[1].last_error == "no modem");  // tried: its first attempt
    CHECK(after->messages[1].attempts == 1);
}

TEST_CASE("a message whose sending throws is a failed attempt, retried a bounded number of times, then failed") {
    OfferWorld w;
    ScriptedOutbox box(w);
    box.relay.throws = true;
    auto o = w.offers->send(w.ro.id, {{w.contact("helene@example.test")}, "", false, {}}, w.actor);
    REQUIRE(o.ok());
    box.run();
    auto after = w.offers->get(o->id);
    CHECK(after->messages[0].state == OutboxState::pending);
    CHECK(after->messages[0].last_error.find("internal error: transport broke \\xFF") == 0);
    for (int i = 0; i < kOutboxMaxAttempts; ++i) {
        w.clock.advance_ms(3'600'000);
        box.run();
    }
    after = w.offers->get(o->id);
    CHECK(box.relay.sends == kOutboxMaxAttempts);
    CHECK(after->messages[0].state == OutboxState::failed);
    CHECK(after->messages[0].last_error.find("gave up after 8 attempts") != std::string::npos);
    // The reason as a code the workspace words in each language, with the attempts made.
    CHECK(after->messages[0].failure == R"({"code":"internal_error","params":{"attempts":"8"}})");
    CHECK(after->state == OfferState::failed);
    auto events = w.ros->timeline(w.ro.id);
    REQUIRE(events.ok());
    CHECK(events->back().type == "offer.failed");
    CHECK(nlohmann::json::parse(events->back().data)["reason"]["code"] == "internal_error");
}

TEST_CASE("a relay's refusal and an unreachable relay are told apart by their failure codes") {
    OfferWorld w;
    ScriptedOutbox box(w);
    box.relay.answer.status = mail::DeliveryStatus::permanent;
    box.relay.answer.code = 550;
    box.relay.answer.text = "5.1.1 User unknown";
    auto refused = w.offers->send(w.ro.id, {{w.contact("helene@example.test")}, "", false, {}}, w.actor);
    REQUIRE(refused.ok());
    box.run();
    auto after = w.offers->get(refused->id);
    REQUIRE(after.ok());
    CHECK(after->messages[0].state == OutboxState::failed);
    CHECK(after->messages[0].last_error == "550 5.1.1 User unknown");
    CHECK(after->messages[0].failure == R"({"code":"relay_refused","params":{"reply":"550"}})");

    box.relay.answer.status = mail::DeliveryStatus::temporary;
    box.relay.answer.code = 0;
    box.relay.answer.text = "connection refused";
    auto waiting = w.offers->send(w.ro.id, {{w.contact("helene@example.test")}, "", false, {}}, w.actor);
    REQUIRE(waiting.ok());
    box.run();
    after = w.offers->get(waiting->id);
    REQUIRE(after.ok());
    CHECK(after->messages[0].state == OutboxState::pending);
    CHECK(after->messages[0].failure == R"({"code":"relay_unreachable","params":{}})");
}

TEST_CASE("a message Relais died sending three times is quarantined at start, not sent again") {
    OfferWorld w;
    ScriptedOutbox box(w);
    box.relay.answer.status = mail::DeliveryStatus::delivered;
    auto o = w.offers->send(w.ro.id, {{w.contact("helene@example.test")}, "", false, {}}, w.actor);
    REQUIRE(o.ok());
    // Died while handing it over (claimed, its channel not yet holding it).
    const auto die_while_sending = [&] {
        REQUIRE(w.db->write([&](Connection& c) -> Result<void> {
                        return c.exec("UPDATE outbox SET state = 'sending', dispatching = 1 WHERE state = 'pending'");
                    })
                    .ok());
        box.restart();
    };
    die_while_sending();
    CHECK(w.offers->get(o->id)->messages[0].state == OutboxState::pending);  // once or twice: sent again
    die_while_sending();
    CHECK(w.offers->get(o->id)->messages[0].state == OutboxState::pending);
    die_while_sending();
    auto after = w.offers->get(o->id);
    CHECK(after->messages[0].state == OutboxState::quarantined);
    CHECK(after->messages[0].last_error.find("stopped 3 times") != std::string::npos);
    CHECK(after->state == OfferState::failed);
    box.run();
    CHECK(box.relay.sends == 0);
    const auto types = event_types(w);
    CHECK(std::count(types.begin(), types.end(), "message.quarantined") == 1);
    CHECK(std::count(types.begin(), types.end(), "offer.failed") == 1);

    // A clean stop does not count: what was being sent goes again, as pending.
    auto other = w.offers->send(w.ro.id, {{w.contact("+33612345678")}, "", false, {}}, w.actor);
    REQUIRE(other.ok());
    REQUIRE(w.db->write([&](Connection& c) -> Result<void> {
                    return c.exec("UPDATE outbox SET state = 'sending' WHERE state = 'pending'");
                })
                .ok());
    box.outbox->stop();
    auto stopped = w.offers->get(other->id);
    CHECK(stopped->messages[0].state == OutboxState::pending);
    auto interruptions = w.db->read([&](Connection& c) -> Result<std::int64_t> {
        TRY_ASSIGN(auto s, c.prepare("SELECT interruptions FROM outbox WHERE id = ?"));
        s.bind(1, stopped->messages[0].id);
        TRY(s.step());
        return s.int64(0);
    });
    CHECK(*interruptions == 0);
}

TEST_CASE(
    "an SMS the modem held when Relais died (waiting its turn, on the radio) is not blamed: never quarantined, "
    "an email in its SMTP exchange is") {
    OfferWorld w;
    ScriptedOutbox box(w);
    box.relay.answer.status = mail::DeliveryStatus::delivered;
    const auto column = [&](Id id, const char* name) {
        return *w.db->read([&](Connection& c) -> Result<std::int64_t> {
            TRY_ASSIGN(auto s, c.prepare(std::string("SELECT ") + name + " FROM outbox WHERE id = ?"));
            s.bind(1, id);
            TRY(s.step());
            return s.int64(0);
        });
    };
    const auto die_after_hand_over = [&] {
        REQUIRE(w.db->write([&](Connection& c) -> Result<void> {
                        return c.exec("UPDATE outbox SET state = 'sending', dispatching = 0 WHERE state = 'pending'");
                    })
                    .ok());
        box.restart();
    };
    auto sms = w.offers->send(w.ro.id, {{w.contact("+33612345678")}, "", false, {}}, w.actor);
    REQUIRE(sms.ok());
    const Id sms_id = sms->messages.at(0).id;
    // Ten deaths while the modem had it: each time it goes back to pending, never counted.
    for (int death = 1; death <= 10; ++death) {
        CAPTURE(death);
        die_after_hand_over();
        CHECK(w.offers->get(sms->id)->messages[0].state == OutboxState::pending);
        CHECK(column(sms_id, "interruptions") == 0);
    }
    // An email the relay had (its bytes in the SMTP exchange): that death counts.
    auto mail = w.offers->send(w.ro.id, {{w.contact("helene@example.test")}, "", false, {}}, w.actor);
    REQUIRE(mail.ok());
    const Id mail_id = mail->messages.at(0).id;
    die_after_hand_over();
    CHECK(column(mail_id, "interruptions") == 1);
    CHECK(column(sms_id, "interruptions") == 0);
    // The pass marks a row while it hands it over, and clears the mark once the channel has it.
    box.run();
    CHECK(w.offers->get(mail->id)->messages[0].state == OutboxState::delivered);
    CHECK(column(mail_id, "dispatching") == 0);
    CHECK(box.relay.sends == 1);
}

TEST_CASE("fresh links: per link and per recipient an hour and a day, per address a day, refusals on the timeline") {
    OfferWorld w;
    CustomerService customers({.db = *w.db, .config = w.config, .random = w.random, .clock = w.clock});
    auto o = w.offers->send(w.ro.id, {{w.contact("+33612345678")}, "", false, {}}, w.actor);
    REQUIRE(o.ok());
    const auto token_of = [&](std::size_t message) {
        auto now = w.offers->get(o->id);
        const std::string& body = now->messages.at(message).body;
        return body.substr(body.rfind('/') + 1);
    };
    const std::string first = token_of(0);
    auto phone = customers.open(first, {"", "192.0.2.1", "phone"});
    REQUIRE(phone.ok());
    const std::string device = phone->device_id;
    const CustomerContext b{"", "198.51.100.2", "laptop"};
    const auto limit_of = [](const Result<AccessLinkResult>& r) {
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "too_many_access_links");
        return r.error().params.front().second;
    };

    CHECK(customers.send_access_link(first, b).ok());
    CHECK(customers.send_access_link(first, b).ok());
    CHECK(limit_of(customers.send_access_link(first, b)) == "link");
    // The phone still has its offer: nothing was opened yet.
    CHECK(customers.open(first, {device, "192.0.2.1", "phone"})->status == LinkStatus::ok);
    CHECK(customers.send_access_link(token_of(1), {"", "198.51.100.3", ""}).ok());
    CHECK(limit_of(customers.send_access_link(token_of(2), {"", "198.51.100.4", ""})) == "recipient_hour");
    w.clock.advance_ms(3'600'000 + 1);
    CHECK(customers.send_access_link(token_of(2), {"", "198.51.100.4", ""}).ok());
    CHECK(customers.send_access_link(token_of(4), {"", "198.51.100.5", ""}).ok());
    CHECK(customers.send_access_link(token_of(4), {"", "198.51.100.5", ""}).ok());
    w.clock.advance_ms(3'600'000 + 1);
    CHECK(limit_of(customers.send_access_link(token_of(5), {"", "198.51.100.6", ""})) == "recipient_day");
    w.clock.advance_ms(24 * 3'600'000LL);
    CHECK(customers.send_access_link(token_of(5), {"", "198.51.100.6", ""}).ok());

    auto events = w.ros->timeline(w.ro.id);
    REQUIRE(events.ok());
    int sent = 0, refused = 0;
    for (const auto& e : *events) {
        sent += e.type == "link.access_link_sent";
        refused += e.type == "link.access_link_refused";
    }
    CHECK(sent == 7);
    CHECK(refused == 2);  // the first refusal of each hour
    // Opening a fresh link makes the offer that device's: the phone's link stops.
    CHECK(customers.open(token_of(7), {"", "198.51.100.6", ""})->status == LinkStatus::ok);
    CHECK(customers.open(first, {device, "192.0.2.1", "phone"})->status == LinkStatus::other_device);
}

TEST_CASE("unknown links are answered without the writer, and guessing is throttled per address") {
    OfferWorld w;
    CustomerService customers({.db = *w.db, .config = w.config, .random = w.random, .clock = w.clock});
    const std::uint64_t writes = w.db->writes();
    for (int i = 0; i < 20; ++i) {
        auto r = customers.open(std::string(31, 'G') + static_cast<char>('a' + i), {"", "203.0.113.9", ""});
        REQUIRE(r.ok());
        CHECK(r->status == LinkStatus::unknown);
    }
    CHECK(w.db->writes() == writes);
    auto throttled = customers.open(std::string(32, 'H'), {"", "203.0.113.9", ""});
    REQUIRE_FALSE(throttled.ok());
    CHECK(throttled.error().code == "too_many_unknown_links");
    CHECK(throttled.error().retry_after_s >= 60);
    CHECK(customers.open(std::string(32, 'H'), {"", "203.0.113.10", ""})->status == LinkStatus::unknown);
    CHECK(customers.guess_stats().unknown == 21);
    CHECK(customers.guess_stats().throttled == 1);
}

TEST_CASE("answers the customer has not confirmed are drafts: applied only when the advisor says so") {
    OfferWorld w;
    CustomerService customers({.db = *w.db, .config = w.config, .random = w.random, .clock = w.clock});
    auto o = w.offers->send(w.ro.id, {{w.contact("+33612345678")}, "", false, {}}, w.actor);
    REQUIRE(o.ok());
    const std::string token = first_token(*o);
    auto opened = customers.open(token, {"", "", ""});
    REQUIRE(opened.ok());
    const CustomerContext device{opened->device_id, "", ""};
    std::map<Id, Decision> answers;
    for (const auto& item : o->snapshot.items)
        answers[item.intervention_id] = item.label == "Vidange" ? Decision::accept : Decision::decline;
    REQUIRE(customers.decide(token, device, answers, false, {}).ok());  // answered, not confirmed

    auto refused = w.offers->apply_answers(o->id, w.actor);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "answers_not_confirmed");
    CHECK(refused.error().kind == ErrorKind::conflict);
    auto ro = w.ros->get(w.ro.id);
    REQUIRE(ro.ok());
    for (const auto& it : ro->interventions) CHECK_FALSE(it.authorized.has_value());

    // Said explicitly: applied, and the history says they were drafts.
    auto drafts = w.offers->apply_answers(o->id, w.actor, OfferService::Answers::drafts_too);
    REQUIRE(drafts.ok());
    CHECK(*drafts == 2);
    auto events = w.ros->timeline(w.ro.id);
    REQUIRE(events.ok());
    CHECK(events->back().type == "interventions.authorized_from_answers");
    CHECK(nlohmann::json::parse(events->back().data)["confirmed"] == false);

    // Confirmed, they are decisions: applied without being asked.
    answers.begin()->second = Decision::accept;
    REQUIRE(customers.decide(token, device, answers, true, {}).ok());
    auto applied = w.offers->apply_answers(o->id, w.actor);
    REQUIRE(applied.ok());
    auto later = w.ros->timeline(w.ro.id);
    REQUIRE(later.ok());
    CHECK(nlohmann::json::parse(later->back().data)["confirmed"] == true);
    auto after = w.ros->get(w.ro.id);
    REQUIRE(after.ok());
    for (const auto& it : after->interventions)
        if (it.shown) CHECK(it.authorized == std::optional<bool>(true));
}

TEST_CASE("once the customer confirmed, what they agreed to changes only when the advisor says so") {
    OfferWorld w;
    CustomerService customers({.db = *w.db, .config = w.config, .random = w.random, .clock = w.clock});
    auto o = w.offers->send(w.ro.id, {{w.contact("+33612345678")}, "", false, {}}, w.actor);
    REQUIRE(o.ok());
    const Id pads = o->snapshot.items[0].label == "Plaquettes avant" ? o->snapshot.items[0].intervention_id
                                                                     : o->snapshot.items[1].intervention_id;
    auto price_of = [&](Id id) {
        auto ro = w.ros->get(w.ro.id);
        REQUIRE(ro.ok());
        for (const auto& it : ro->interventions)
            if (it.id == id) return it.price_incl;
        return Cents{-1};
    };
    const Cents agreed = price_of(pads);
    InterventionPatch dearer;
    dearer.price_incl = agreed + 7600;

    // Seen but not confirmed: nothing agreed yet, the price may change (sending asks then).
    const std::string token = first_token(*o);
    auto opened = customers.open(token, {"", "", ""});
    REQUIRE(opened.ok());
    REQUIRE(w.ros->update_intervention(w.ro.id, pads, dearer, std::nullopt, w.actor).ok());
    InterventionPatch back;
    back.price_incl = agreed;
    REQUIRE(w.ros->update_intervention(w.ro.id, pads, back, std::nullopt, w.actor).ok());

    std::map<Id, Decision> answers;
    for (const auto& item : o->snapshot.items) answers[item.intervention_id] = Decision::accept;
    REQUIRE(customers.decide(token, {opened->device_id, "", ""}, answers, true, {}).ok());

    // Price, label, hiding and removal of an agreed item are refused, naming what was agreed.
    auto refused = w.ros->update_intervention(w.ro.id, pads, dearer, std::nullopt, w.actor);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "agreed_by_customer");
    CHECK(refused.error().kind == ErrorKind::conflict);
    auto param = [&](const char* name) {
        for (const auto& [k, v] : refused.error().params)
            if (k == name) return v;
        return std::string("(none)");
    };
    CHECK(param("label") == "Plaquettes avant");
    CHECK(param("price_incl_cents") == std::to_string(agreed));
    CHECK(param("version") == "1");
    CHECK(price_of(pads) == agreed);
    InterventionPatch relabel, hide;
    relabel.label = std::string("Plaquettes et disques avant");
    hide.shown = false;
    CHECK(w.ros->update_intervention(w.ro.id, pads, relabel, std::nullopt, w.actor).error().code ==
          "agreed_by_customer");
    CHECK(w.ros->update_intervention(w.ro.id, pads, hide, std::nullopt, w.actor).error().code == "agreed_by_customer");
    CHECK(w.ros->remove_intervention(w.ro.id, pads, std::nullopt, w.actor).error().code == "agreed_by_customer");

    // What the customer did not agree to stays free: the mechanic's note, the thumbs, a hidden item.
    InterventionPatch note;
    note.mechanic_note = std::string("Disques à surveiller.");
    CHECK(w.ros->update_intervention(w.ro.id, pads, note, std::nullopt, w.actor).ok());
    Id hidden = 0;
    auto now = w.ros->get(w.ro.id);
    REQUIRE(now.ok());
    for (const auto& it : now->interventions)
        if (!it.shown) hidden = it.id;
    CHECK(w.ros->update_intervention(w.ro.id, hidden, dearer, std::nullopt, w.actor).ok());

    // Said explicitly (and after the lock too): changed, and the history has it.
    REQUIRE(w.offers->lock(o->id, w.actor).ok());
    CHECK(w.ros->update_intervention(w.ro.id, pads, dearer, std::nullopt, w.actor).error().code ==
          "agreed_by_customer");
    REQUIRE(w.ros->update_intervention(w.ro.id, pads, dearer, std::nullopt, w.actor, AgreedChange::allow).ok());
    CHECK(price_of(pads) == agreed + 7600);
    // Back to the agreed price needs no saying.
    REQUIRE(w.ros->update_intervention(w.ro.id, pads, back, std::nullopt, w.actor).ok());
}

TEST_CASE("the offer email counts its items with real plurals, in French and English") {
    Config config;
    config.dealer.name = "Garage Demo";
    Offer offer;
    offer.snapshot.ro_number = "OR-1";
    offer.snapshot.currency = "EUR";
    offer.snapshot.vehicle.make = "Peugeot";
    offer.snapshot.vehicle.model = "308";
    const auto text_for = [&](std::size_t items, const char* language) {
        offer.language = language;
        offer.snapshot.items.assign(items, OfferItem{});
        return offer_email(config, TemplateTexts{}, offer, "Hélène", "https://relais.test/o/x").value().text;
    };
    CHECK(text_for(1, "fr").find("1 intervention attend votre décision") != std::string::npos);
    CHECK(text_for(3, "fr").find("3 interventions attendent votre décision") != std::string::npos);
    CHECK(text_for(1, "en").find("1 item is waiting for your decision") != std::string::npos);
    CHECK(text_for(2, "en").find("2 items are waiting for your decision") != std::string::npos);
    for (const char* language : {"fr", "en"}) CHECK(text_for(2, language).find("(s)") == std::string::npos);
    CHECK(plural("fr", 0, "one", "other") == "one");
    CHECK(plural("en", 0, "one", "other") == "other");
    CHECK(plural("fr", 2, "one", "other") == "other");
}

TEST_CASE("the offer email greets once: a note that opens with its own greeting replaces the email's") {
    Config config;
    config.dealer.name = "Garage Demo";
    Offer offer;
    offer.language = "fr";
    offer.snapshot.items.assign(2, OfferItem{});
    const auto greetings = [&](const std::string& note) {
        offer.note = note;
        const std::string text =
            offer_email(config, TemplateTexts{}, offer, "Hélène Lefèvre", "https://relais.test/o/x").value().text;
        int n = 0;
        for (std::size_t at = 0; (at = text.find("Bonjour", at)) != std::string::npos; ++at) ++n;
        return std::pair(n, text);
    };
    auto [plain, plain_text] = greetings("Voici les travaux que nous vous proposons.");
    CHECK(plain == 1);
    CHECK(plain_text.find("Bonjour Hélène Lefèvre,") < plain_text.find("Voici les travaux"));  // the note follows
    auto [own, own_text] = greetings("Bonjour Madame Lefèvre,\nvoici les travaux que nous vous proposons.");
    CHECK(own == 1);
    CHECK(own_text.find("Bonjour Hélène Lefèvre,") == std::string::npos);
    CHECK(greetings("Chère cliente, voici le devis.").first == 0);
    CHECK(greetings("").first == 1);
    offer.language = "en";
    offer.note = "Hello Mrs Smith, here is the work we suggest.";
    const std::string en =
        offer_email(config, TemplateTexts{}, offer, "Jane Smith", "https://relais.test/o/x").value().text;
    CHECK(en.find("Hello Jane Smith,") == std::string::npos);
    CHECK(en.find("Hello Mrs Smith,") != std::string::npos);
}

TEST_CASE("a check found in good order with nothing to pay needs no decision, anything else does") {
    OfferWorld w;
    InterventionPatch check;
    check.label = std::string("Contrôle freinage : bon état");
    check.price_excl = 0;
    check.kind = InterventionKind::initial;
    check.severity = Severity::green;
    InterventionPatch wipers = check;
    wipers.label = std::string("Balais d'essuie-glace");
    wipers.price_excl = 1900;  // green but paid: the customer decides
    REQUIRE(w.ros->add_intervention(w.ro.id, check, std::nullopt, w.actor).ok());
    REQUIRE(w.ros->add_intervention(w.ro.id, wipers, std::nullopt, w.actor).ok());
    CustomerService customers({.db = *w.db, .config = w.config, .random = w.random, .clock = w.clock});
    auto o = w.offers->send(w.ro.id, {{w.contact("+33612345678")}, "", false, {}}, w.actor);
    REQUIRE(o.ok());
    int informational = 0;
    for (const auto& item : o->snapshot.items) informational += item.informational() ? 1 : 0;
    CHECK(informational == 1);

    const std::string token = first_token(*o);
    auto opened = customers.open(token, {"", "", ""});
    REQUIRE(opened.ok());
    const CustomerContext device{opened->device_id, "", ""};
    std::map<Id, Decision> answers;
    Id check_id = 0, wipers_id = 0;
    for (const auto& item : o->snapshot.items) {
        if (item.label == "Balais d'essuie-glace") wipers_id = item.intervention_id;
        if (item.informational())
            check_id = item.intervention_id;
        else if (item.intervention_id != wipers_id)
            answers[item.intervention_id] = Decision::accept;
    }
    REQUIRE(check_id != 0);
    REQUIRE(wipers_id != 0);
    auto missing = customers.decide(token, device, answers, true, {});
    REQUIRE_FALSE(missing.ok());
    REQUIRE(missing.error().fields.size() == 1);
    CHECK(missing.error().fields[0].field == "decisions." + std::to_string(wipers_id));

    answers[wipers_id] = Decision::decline;
    auto confirmed = customers.decide(token, device, answers, true, {});
    REQUIRE(confirmed.ok());
    CHECK(confirmed->state == OfferState::confirmed);
    CHECK_FALSE(confirmed->decisions.contains(check_id));
    // The confirmation's record lists what was answered, and nothing for the check.
    auto events = w.ros->timeline(w.ro.id);
    REQUIRE(events.ok());
    const auto decisions = nlohmann::json::parse(events->back().data)["decisions"];
    CHECK(decisions.size() == answers.size());
    CHECK_FALSE(decisions.contains(std::to_string(check_id)));
}

TEST_CASE("an RO nothing was sent from can be deleted by its advisor: out of the list and search, its history kept") {
    OfferWorld w;
    w.add_user("test");  // the fixture's actor, user 1
    const User paul = w.add_user("paul");
    REQUIRE(paul.id != w.actor.id);
    RepairOrderPatch p = with_plate("ZZ-999-ZZ");
    p.advisor_id = std::optional<Id>(paul.id);
    auto mistake = w.ros->create(p, w.actor);
    REQUIRE(mistake.ok());
    RepairOrderQuery all;
    const auto total_before = w.ros->list(all)->total;

    // Someone else's: only its advisor or a dealer admin.
    auto refused = w.ros->remove(mistake->id, std::nullopt, w.actor, false);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "not_your_repair_order");
    const Actor as_paul{Actor::Kind::user, paul.id, "paul"};
    auto stale = w.ros->remove(mistake->id, mistake->version + 5, as_paul, false);
    REQUIRE_FALSE(stale.ok());
    CHECK(stale.error().code == "version_conflict");
    REQUIRE(w.ros->remove(mistake->id, mistake->version, as_paul, false).ok());

    CHECK(w.ros->list(all)->total == total_before - 1);
    RepairOrderQuery cancelled;
    cancelled.statuses = {RoStatus::cancelled};
    CHECK(w.ros->list(cancelled)->total == 0);
    RepairOrderQuery search;
    search.text = "ZZ-999";
    CHECK(w.ros->list(search)->items.empty());
    auto listed = w.ros->list(all);
    REQUIRE(listed.ok());
    for (const auto& s : listed->items) CHECK(s.id != mistake->id);

    // Kept, read-only, with who deleted it on its history.
    auto kept = w.ros->get(mistake->id);
    REQUIRE(kept.ok());
    CHECK(kept->deleted_at.has_value());
    REQUIRE(kept->deleted_by.has_value());
    CHECK(kept->deleted_by->id == paul.id);
    CHECK(kept->status == RoStatus::cancelled);
    auto events = w.ros->timeline(mistake->id);
    REQUIRE(events.ok());
    CHECK(events->back().type == "repair_order.deleted");
    RepairOrderPatch change;
    change.note = std::string("encore");
    auto frozen = w.ros->update(mistake->id, change, std::nullopt, as_paul);
    REQUIRE_FALSE(frozen.ok());
    CHECK(frozen.error().code == "repair_order_deleted");

    // Once an offer exists, the RO stays on record.
    REQUIRE(w.offers->send(w.ro.id, {{w.contact("+33612345678")}, "", false, {}}, w.actor).ok());
    auto sent = w.ros->remove(w.ro.id, std::nullopt, w.actor, true);
    REQUIRE_FALSE(sent.ok());
    CHECK(sent.error().code == "repair_order_has_offers");
    CHECK_FALSE(w.ros->get(w.ro.id)->deleted_at.has_value());
}

TEST_CASE("an RO is to handle when the customer confirmed, asked to be called or a message failed, until handled") {
    OfferWorld w;
    ScriptedOutbox box(w);
    box.relay.answer.status = mail::DeliveryStatus::delivered;
    box.relay.answer.code = 250;
    RepairOrderQuery to_handle;
    to_handle.attention = true;
    const auto count = [&] { return w.ros->list(to_handle)->total; };
    CustomerService customers({.db = *w.db, .config = w.config, .random = w.random, .clock = w.clock});
    auto o = w.offers->send(w.ro.id, {{w.contact("+33612345678")}, "", false, {}}, w.actor);
    REQUIRE(o.ok());
    CHECK(count() == 0);
    CHECK_FALSE(w.ros->get(w.ro.id)->needs_attention);

    // "Contact me" on one item, not yet confirmed: the advisor should call.
    const std::string token = first_token(*o);
    auto opened = customers.open(token, {"", "", ""});
    REQUIRE(opened.ok());
    const CustomerContext device{opened->device_id, "", ""};
    std::map<Id, Decision> answers;
    answers[o->snapshot.items.front().intervention_id] = Decision::contact_me;
    w.clock.advance_ms(1000);
    REQUIRE(customers.decide(token, device, answers, false, {}).ok());
    CHECK(count() == 1);
    CHECK(w.ros->get(w.ro.id)->needs_attention);
    CHECK(w.ros->list(to_handle)->items.at(0).needs_attention);
    w.clock.advance_ms(1000);
    REQUIRE(w.ros->mark_handled(w.ro.id, w.actor).ok());
    CHECK(count() == 0);
    CHECK(w.ros->timeline(w.ro.id)->back().type == "repair_order.handled");

    // The confirmation comes in later: to handle again.
    for (const auto& item : o->snapshot.items) answers[item.intervention_id] = Decision::accept;
    w.clock.advance_ms(1000);
    REQUIRE(customers.decide(token, device, answers, true, {}).ok());
    CHECK(count() == 1);
    w.clock.advance_ms(1000);
    REQUIRE(w.ros->mark_handled(w.ro.id, w.actor).ok());
    CHECK(count() == 0);

    // A message that fails.
    box.relay.answer.status = mail::DeliveryStatus::permanent;
    box.relay.answer.code = 550;
    w.clock.advance_ms(1000);
    REQUIRE(w.offers->send(w.ro.id, {{w.contact("helene@example.test")}, "", true, {}}, w.actor).ok());
    box.run();
    CHECK(count() == 1);
    CHECK(w.ros->list(RepairOrderQuery{})->items.front().needs_attention);
}

TEST_CASE("the stored snapshot keeps its exact bytes, and reads back whole") {
    OfferSnapshot s;
    s.ro_number = "OR-2026-0042";
    s.vehicle.plate = "AB-123-CD";
    s.vehicle.vin = "VF3ABCDEFGH123456";
    s.vehicle.make = "Peugeot";
    s.vehicle.model = "308";
    s.vehicle.mileage_km = 84210;
    s.customer_name = "Hélène Lefèvre";
    s.advisor_name = "Marc";
    s.dealer_name = "Garage Demo";
    s.currency = "EUR";
    OfferItem item;
    item.intervention_id = 7;
    item.label = "Plaquettes avant";
    item.mechanic_note = "Usure \"avancée\"";
    item.kind = InterventionKind::optional;
    item.severity = Severity::red;
    item.price_excl = 10000;
    item.price_incl = 12000;
    item.vat_bp = 2000;
    s.items.push_back(item);
    OfferAgreement a;
    a.agreement_id = 3;
    a.version = 2;
    a.mandatory = false;
    a.title = {"Conditions", "Terms"};
    a.text = {"Texte", ""};
    s.agreements.push_back(a);

    // What offers written by earlier versions hold: a change here must read those still.
    const std::string stored = dump_json(offer_json::snapshot(s));
    CHECK(stored == R"({"advisor_name":"Marc","agreements":[{"id":3,"mandatory":false,"text":{"en":"","fr":"Texte"},)"
                    R"("title":{"en":"Terms","fr":"Conditions"},"version":2}],"currency":"EUR",)"
                    R"("customer_name":"Hélène Lefèvre","dealer_name":"Garage Demo","items":[{"intervention_id":7,)"
                    R"("kind":"optional","label":"Plaquettes avant","mechanic_note":"Usure \"avancée\"",)"
                    R"("price_excl_cents":10000,"price_incl_cents":12000,"severity":"red","vat_rate_bp":2000}],)"
                    R"("ro_number":"OR-2026-0042","vehicle":{"make":"Peugeot","mileage_km":84210,"model":"308",)"
                    R"("plate":"AB-123-CD","vin":"VF3ABCDEFGH123456"}})");

    const OfferSnapshot back = offer_json::snapshot_from(stored);
    CHECK(dump_json(offer_json::snapshot(back)) == stored);
    CHECK(back.items.at(0).kind == InterventionKind::optional);
    CHECK(back.agreements.at(0).title.in("en") == "Terms");
    CHECK(back.agreements.at(0).text.in("en") == "Texte");  // falls back to the other language

    // Not JSON: an empty snapshot, never an exception.
    CHECK(offer_json::snapshot_from("{not json").items.empty());
    CHECK(offer_json::snapshot_from("").ro_number.empty());
    CHECK(offer_json::snapshot_from("{}").currency == "EUR");
    CHECK(offer_json::snapshot_from("[1]").items.empty());
    const OfferSnapshot odd = offer_json::snapshot_from(
        R"({"vehicle":3,"items":[5,{"label":7,"price_incl_cents":"x"}],"agreements":{"id":1}})");
    REQUIRE(odd.items.size() == 1);
    CHECK(odd.items[0].label.empty());
    CHECK(odd.items[0].price_incl == 0);
    CHECK(odd.agreements.empty());
}
