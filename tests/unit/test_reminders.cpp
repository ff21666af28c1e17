// An offer's reminders as the service runs them (offers/reminders.hpp), on a fake clock in
// Europe/Paris: the plan made at send, each reminder queued in the outbox with a fresh link,
// the cap and "no answer", a resend, a change of cadence, a pause, the advisor's "send now",
// an advisor who changed, and every condition that stops them.
#include "offer_service.hpp"
#include "offer_state.hpp"
#include "opening_hours.hpp"
#include "reminders.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace relais;
using namespace relais::test;

namespace {

struct ReminderWorld : World {
    Config config;
    std::unique_ptr<TimeZone> paris = make_system_time_zone("Europe/Paris");
    std::unique_ptr<OfferService> offers;
    std::unique_ptr<ReminderService> reminders;
    RepairOrder ro;
    User marie, paul;
    int queued = 0, changed = 0;

    ReminderWorld() {
        config.dealer.name = "Garage Demo";
        config.http.public_base_url = "https://atelier.garage-xyz.fr";
        offers = std::make_unique<OfferService>(
            OfferServiceDeps{.db = *db, .config = config, .random = random, .clock = clock, .zone = *paris});
        reminders = std::make_unique<ReminderService>(
            ReminderServiceDeps{.db = *db, .config = config, .random = random, .clock = clock, .zone = *paris});
        reminders->on_queued([this] { ++queued; });
        reminders->on_changed([this] { ++changed; });
        marie = staff("marie", "Marie Curie");
        paul = staff("paul", "Paul Langevin");
        clock.set(at("2026-12-07T09:00"));  // Monday
        RepairOrderPatch p = with_plate();
        p.advisor_id = std::optional<Id>(marie.id);
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
        p.parties = std::vector<PartyPatch>{driver};
        InterventionPatch i;
        i.label = std::string("Plaquettes avant");
        i.price_excl = 15825;
        i.kind = InterventionKind::optional;
        p.interventions = std::vector<InterventionPatch>{i};
        auto created = ros->create(p, actor);
        REQUIRE(created.ok());
        ro = *created;
    }

    User staff(const std::string& username, const std::string& display_name) {
        NewUser u;
        u.username = username;
        u.display_name = display_name;
        u.role = UserRole::advisor;
        u.password = "correct horse battery";
        auto user = auth->create_user(u);
        REQUIRE(user.ok());
        return *user;
    }

    UnixMs at(const char* local) const { return *parse_date_time(local, *paris); }

    std::vector<Id> contacts() const {
        std::vector<Id> out;
        for (const auto& cp : ro.parties.at(0).contact_points) out.push_back(cp.id);
        return out;
    }

    Offer send(std::optional<ReminderCadence> cadence, std::vector<Id> to = {}) {
        SendOfferRequest req;
        req.contact_point_ids = to.empty() ? std::vector<Id>{contacts().at(0)} : to;
        req.reminders = cadence;
        auto o = offers->send(ro.id, req, actor);
        REQUIRE(o.ok());
        return *o;
    }

    // What the outbox does once the offer's first message left: the offer is sent.
    void move(Id offer_id, OfferState to) {
        REQUIRE(db->write([&](Connection& c) -> Result<void> {
                      TRY(offer_state::move(c, {.offer_id = offer_id, .to = to, .at = clock.now(), .by = actor},
                                            nlohmann::json::object()));
                      return success();
                  }).ok());
    }

    ReminderPlan plan(Id offer_id) {
        auto p = reminders->plan(offer_id);
        REQUIRE(p.ok());
        REQUIRE(p->has_value());
        return **p;
    }

    std::vector<OutboxMessage> reminder_messages(Id offer_id) {
        auto o = offers->get(offer_id);
        REQUIRE(o.ok());
        std::vector<OutboxMessage> out;
        for (const auto& m : o->messages)
            if (m.purpose == "reminder") out.push_back(m);
        return out;
    }

    // Runs the reminders at their due time, as the scheduler's job does.
    void run_at(UnixMs t) {
        clock.set(t);
        auto next = reminders->run_due();
        REQUIRE_MESSAGE(next.ok(), next.error().code, " ", next.error().detail);
    }
    void run_next() {
        auto next = reminders->next_due();
        REQUIRE(next.ok());
        REQUIRE(next->has_value());
        run_at(**next);
    }

    std::vector<std::string> events(const std::string& type) {
        auto t = ros->timeline(ro.id);
        REQUIRE(t.ok());
        std::vector<std::string> out;
        for (const auto& e : *t)
            if (e.type == type) out.push_back(e.data);
        return out;
    }

    std::string local(UnixMs t) const {
        const CivilTime c = paris->to_local(t);
        char buf[32];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d", c.year, c.month, c.day, c.hour, c.minute);
        return buf;
    }
};

}  // namespace

TEST_CASE("reminders: a send plans them with the dealership's default, or the cadence chosen") {
    ReminderWorld w;
    const Offer gentle = w.send(std::nullopt);
    REQUIRE(gentle.reminders);
    CHECK(gentle.reminders->cadence.policy == ReminderPolicy::gentle);
    CHECK(w.local(*gentle.reminders->next_at) == "2026-12-08 09:00");  // no promised time: a day later
    CHECK(gentle.reminders->sent == 0);
    CHECK(gentle.reminders->ended.empty());

    w.config.reminders.policy = ReminderPolicy::urgent;
    w.config.reminders.urgent_every_hours = 3;
    auto replaced = w.offers->send(w.ro.id, {.contact_point_ids = {w.contacts().at(0)}}, w.actor);
    REQUIRE(replaced.ok());
    CHECK(replaced->reminders->cadence.policy == ReminderPolicy::urgent);
    CHECK(w.local(*replaced->reminders->next_at) == "2026-12-07 12:00");

    const Offer none = w.send(ReminderCadence{ReminderPolicy::none, 0});
    CHECK_FALSE(none.reminders->next_at);

    SendOfferRequest bad{.contact_point_ids = {w.contacts().at(0)},
                         .reminders = ReminderCadence{ReminderPolicy::urgent, 13}};
    auto refused = w.offers->send(w.ro.id, bad, w.actor);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "validation_failed");
}

TEST_CASE("reminders: each one due goes through the outbox with a fresh link, five at most, then no answer") {
    ReminderWorld w;
    const Offer o = w.send(ReminderCadence{ReminderPolicy::urgent, 2});
    w.move(o.id, OfferState::sent);
    const std::string first_body = o.messages.at(0).body;

    std::vector<std::string> times;
    for (int i = 0; i < kMaxReminders; ++i) {
        w.run_next();
        times.push_back(w.local(w.clock.now()));
    }
    CHECK(times == std::vector<std::string>{"2026-12-07 11:00", "2026-12-07 13:00", "2026-12-07 15:00",
                                            "2026-12-07 17:00", "2026-12-08 08:00"});
    const auto sent = w.reminder_messages(o.id);
    REQUIRE(sent.size() == 5);
    CHECK(sent[0].body.find("rappel, le devis de votre AB-123-CD attend votre réponse : "
                            "https://atelier.garage-xyz.fr/o/") != std::string::npos);
    CHECK(sent[0].body != first_body);  // a fresh link
    CHECK(sent[0].body != sent[1].body);
    CHECK(sent[0].channel == Channel::sms);
    CHECK(w.queued == 5);
    CHECK(w.events("offer.reminded").size() == 5);
    ReminderPlan p = w.plan(o.id);
    CHECK(p.sent == 5);
    REQUIRE(p.next_at);  // when the fifth counts as unanswered
    CHECK(w.local(*p.next_at) == "2026-12-08 10:00");

    // Two hours later, still nothing: no sixth reminder, the advisor calls.
    w.run_next();
    CHECK(w.reminder_messages(o.id).size() == 5);
    p = w.plan(o.id);
    CHECK(p.ended == "no_answer");
    CHECK(p.no_answer_at == w.clock.now());
    CHECK_FALSE(p.next_at);
    const auto no_answer = w.events("offer.no_answer");
    REQUIRE(no_answer.size() == 1);
    CHECK(no_answer[0].find("\"reminders\":5") != std::string::npos);
    // The RO list says it: no answer, and the RO is to handle.
    RepairOrderQuery attention;
    attention.attention = true;
    auto page = w.ros->list(attention);
    REQUIRE(page.ok());
    REQUIRE(page->items.size() == 1);
    CHECK(page->items[0].id == w.ro.id);
    CHECK(page->items[0].no_answer);
    CHECK(page->items[0].needs_attention);
    auto next = w.reminders->next_due();
    REQUIRE(next.ok());
    CHECK_FALSE(next->has_value());
}

TEST_CASE("reminders: a resend restarts the count") {
    ReminderWorld w;
    const Offer o = w.send(ReminderCadence{ReminderPolicy::urgent, 2});
    w.move(o.id, OfferState::sent);
    for (int i = 0; i < 3; ++i) w.run_next();
    CHECK(w.plan(o.id).sent == 3);
    w.clock.set(w.at("2026-12-07T16:10"));
    REQUIRE(w.offers->resend(o.id, w.actor).ok());
    const ReminderPlan p = w.plan(o.id);
    CHECK(p.sent == 0);
    CHECK(p.started_at == w.clock.now());
    CHECK(w.local(*p.next_at) == "2026-12-07 18:10");
    // After the fifth of the new count, no answer; the three before do not count.
    for (int i = 0; i < 5; ++i) w.run_next();
    CHECK(w.reminder_messages(o.id).size() == 8);
    CHECK(w.plan(o.id).ended.empty());
    auto page = w.ros->list({});
    REQUIRE(page.ok());
    CHECK_FALSE(page->items.at(0).no_answer);
}

TEST_CASE("reminders: a change of frequency sets the next one a period from the change, pause and resume") {
    ReminderWorld w;
    const Offer o = w.send(ReminderCadence{ReminderPolicy::custom, 24});
    w.move(o.id, OfferState::sent);
    CHECK(w.local(*w.plan(o.id).next_at) == "2026-12-08 09:00");
    w.clock.set(w.at("2026-12-07T10:30"));
    auto changed = w.reminders->change(o.id, {.cadence = ReminderCadence{ReminderPolicy::custom, 4}}, w.actor);
    REQUIRE_MESSAGE(changed.ok(), changed.error().code, " ", changed.error().detail);
    CHECK(w.local(*changed->next_at) == "2026-12-07 14:30");
    CHECK(w.changed == 1);
    CHECK(w.events("offer.reminders_changed").size() == 1);

    auto paused = w.reminders->change(o.id, {.paused = true}, w.actor);
    REQUIRE(paused.ok());
    CHECK(paused->paused);
    CHECK_FALSE(paused->next_at);
    w.run_at(w.at("2026-12-07T15:00"));
    CHECK(w.reminder_messages(o.id).empty());

    w.clock.set(w.at("2026-12-08T09:15"));
    auto resumed = w.reminders->change(o.id, {.paused = false}, w.actor);
    REQUIRE(resumed.ok());
    CHECK(w.local(*resumed->next_at) == "2026-12-08 13:15");
    w.run_next();
    CHECK(w.reminder_messages(o.id).size() == 1);
}

TEST_CASE("reminders: the advisor's send now goes outside opening hours and counts as one of the plan's") {
    ReminderWorld w;
    const Offer o = w.send(ReminderCadence{ReminderPolicy::urgent, 2});
    w.move(o.id, OfferState::sent);
    w.clock.set(w.at("2026-12-07T21:40"));  // closed
    auto p = w.reminders->send_now(o.id, w.actor);
    REQUIRE(p.ok());
    CHECK(p->sent == 1);
    CHECK(w.local(*p->next_at) == "2026-12-08 08:00");  // 23:40 is closed
    CHECK(w.reminder_messages(o.id).size() == 1);
    const auto ev = w.events("offer.reminded");
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].find("\"automatic\":false") != std::string::npos);
    // An automatic one due while closed waits for the opening.
    w.run_at(w.at("2026-12-07T23:50"));
    CHECK(w.reminder_messages(o.id).size() == 1);
}

TEST_CASE("reminders: they go out in the name of the RO's advisor as of then") {
    ReminderWorld w;
    const Offer o = w.send(ReminderCadence{ReminderPolicy::urgent, 2}, {w.contacts().at(1)});  // the email
    w.move(o.id, OfferState::sent);
    CHECK(o.snapshot.advisor_name == "Marie Curie");
    RepairOrderPatch p;
    p.advisor_id = std::optional<Id>(w.paul.id);
    REQUIRE(w.ros->update(w.ro.id, p, std::nullopt, w.actor).ok());
    w.run_next();
    const auto sent = w.reminder_messages(o.id);
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].channel == Channel::email);
    CHECK(sent[0].subject == "Rappel : votre devis pour votre AB-123-CD – Garage Demo");
    CHECK(sent[0].body.find("Paul Langevin") != std::string::npos);
    CHECK(sent[0].body.find("Marie Curie") == std::string::npos);
    CHECK(sent[0].html.find("Paul Langevin") != std::string::npos);
}

TEST_CASE("reminders: an offer not gone yet is not reminded of, one answered or gone ends its plan") {
    SUBCASE("not left yet (the modem is down): looked at again later") {
        ReminderWorld w;
        const Offer o = w.send(ReminderCadence{ReminderPolicy::urgent, 2});
        w.run_next();
        CHECK(w.reminder_messages(o.id).empty());
        CHECK(w.plan(o.id).ended.empty());
        CHECK(*w.plan(o.id).next_at == w.clock.now() + 10 * 60'000);
    }
    for (const OfferState end : {OfferState::confirmed, OfferState::locked, OfferState::expired}) {
        CAPTURE(to_string(end));
        ReminderWorld w;
        const Offer o = w.send(ReminderCadence{ReminderPolicy::urgent, 2});
        w.move(o.id, OfferState::sent);
        w.move(o.id, end);
        CHECK(w.plan(o.id).ended == to_string(end));  // shown at once
        CHECK_FALSE(w.plan(o.id).next_at);
        w.run_at(w.at("2026-12-07T11:00"));
        CHECK(w.reminder_messages(o.id).empty());
        auto refused = w.reminders->change(o.id, {.paused = true}, w.actor);
        REQUIRE_FALSE(refused.ok());
        CHECK(refused.error().code == "reminders_ended");
        auto now = w.reminders->send_now(o.id, w.actor);
        REQUIRE_FALSE(now.ok());
        CHECK(now.error().code == "offer_not_waiting");
    }
    SUBCASE("cancelled before it left") {
        ReminderWorld w;
        w.clock.set(w.at("2026-12-07T09:00"));
        SendOfferRequest later{.contact_point_ids = {w.contacts().at(0)},
                               .send_at = w.at("2026-12-07T14:00"),
                               .reminders = ReminderCadence{ReminderPolicy::urgent, 2}};
        auto o = w.offers->send(w.ro.id, later, w.actor);
        REQUIRE(o.ok());
        CHECK(w.local(*o->reminders->next_at) == "2026-12-07 16:00");  // from when it leaves
        REQUIRE(w.offers->cancel(o->id, w.actor).ok());
        CHECK(w.plan(o->id).ended == "cancelled");
    }
    SUBCASE("superseded by a new version") {
        ReminderWorld w;
        const Offer o = w.send(ReminderCadence{ReminderPolicy::urgent, 2});
        w.move(o.id, OfferState::sent);
        const Offer v2 = w.send(ReminderCadence{ReminderPolicy::urgent, 2});
        w.move(v2.id, OfferState::sent);
        w.run_next();
        CHECK(w.plan(o.id).ended == "superseded");
        CHECK(w.reminder_messages(o.id).empty());
        CHECK(w.reminder_messages(v2.id).size() == 1);
    }
    SUBCASE("the contact opted out (STOP)") {
        ReminderWorld w;
        const Offer o = w.send(ReminderCadence{ReminderPolicy::urgent, 2});
        w.move(o.id, OfferState::sent);
        REQUIRE(w.db->write([&](Connection& c) -> Result<void> {
                        TRY_ASSIGN(auto s, c.prepare("INSERT INTO opt_outs (address, channel, at, source) "
                                                     "VALUES ('+33612345678', 'sms', 0, 'STOP')"));
                        return s.run();
                    })
                    .ok());
        w.run_next();
        CHECK(w.reminder_messages(o.id).empty());
        CHECK(w.plan(o.id).ended == "opted_out");
    }
}

TEST_CASE("reminders: a restart loses nothing: a new service on the same database carries on") {
    ReminderWorld w;
    const Offer o = w.send(ReminderCadence{ReminderPolicy::urgent, 2});
    w.move(o.id, OfferState::sent);
    w.run_next();
    ReminderService again({.db = *w.db, .config = w.config, .random = w.random, .clock = w.clock, .zone = *w.paris});
    auto next = again.next_due();
    REQUIRE(next.ok());
    REQUIRE(next->has_value());
    CHECK(w.local(**next) == "2026-12-07 13:00");
    // Run twice at the same time: the second finds nothing due.
    w.clock.set(**next);
    REQUIRE(again.run_due().ok());
    REQUIRE(again.run_due().ok());
    CHECK(w.reminder_messages(o.id).size() == 2);
}

TEST_CASE("reminders: a plan that cannot be handled is looked at again later and holds up no other") {
    ReminderWorld w;
    const Offer first = w.send(ReminderCadence{ReminderPolicy::urgent, 2});
    w.move(first.id, OfferState::sent);
    // A second RO and its offer, due at the same time.
    RepairOrderPatch p = with_plate("ZZ-999-ZZ");
    PartyPatch driver;
    driver.last_name = std::string("Martin");
    driver.roles = std::vector<PartyRole>{PartyRole::driver};
    ContactPointPatch phone;
    phone.kind = ContactKind::phone;
    phone.value = std::string("06 11 22 33 44");
    driver.contact_points = std::vector<ContactPointPatch>{phone};
    p.parties = std::vector<PartyPatch>{driver};
    InterventionPatch item;
    item.label = std::string("Pneus");
    item.price_excl = 18000;
    p.interventions = std::vector<InterventionPatch>{item};
    auto other_ro = w.ros->create(p, w.actor);
    REQUIRE(other_ro.ok());
    SendOfferRequest req;
    req.contact_point_ids = {other_ro->parties.at(0).contact_points.at(0).id};
    req.reminders = ReminderCadence{ReminderPolicy::urgent, 2};
    auto second = w.offers->send(other_ro->id, req, w.actor);
    REQUIRE(second.ok());
    w.move(second->id, OfferState::sent);
    // The first one's reminder cannot be written (a disk that refuses it).
    const std::string trigger =
        "CREATE TRIGGER refuse BEFORE INSERT ON outbox WHEN NEW.offer_id = " + std::to_string(first.id) +
        " AND NEW.purpose = 'reminder' BEGIN SELECT RAISE(ABORT, 'refused'); END";
    REQUIRE(w.db->write([&](Connection& c) { return c.exec(trigger); }).ok());

    w.clock.set(w.at("2026-12-07T11:00"));
    auto run = w.reminders->run_due();
    CHECK_FALSE(run.ok());                               // the job hears of it (logged, retried)
    CHECK(w.reminder_messages(second->id).size() == 1);  // the other plan went
    CHECK(w.reminder_messages(first.id).empty());
    CHECK(w.plan(first.id).sent == 0);
    CHECK(*w.plan(first.id).next_at == w.clock.now() + 10 * 60'000);
    // The next pass finds nothing due, so the job's backoff ends at once.
    auto again = w.reminders->run_due();
    REQUIRE(again.ok());

    REQUIRE(w.db->write([&](Connection& c) { return c.exec("DROP TRIGGER refuse"); }).ok());
    w.run_at(w.at("2026-12-07T11:10"));
    CHECK(w.reminder_messages(first.id).size() == 1);
    CHECK(w.plan(first.id).sent == 1);
}
