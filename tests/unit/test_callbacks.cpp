// The advisor's callbacks (offers/callbacks.hpp): the items a customer answered "contact me"
// on an offer they confirmed, what came of calling (not reached: stays, attempts counted; done:
// off the open list), and the errors and timeline events of each outcome.
#include "callbacks.hpp"
#include "offer_links.hpp"
#include "offer_service.hpp"
#include "offer_state.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace relais;
using namespace relais::test;

namespace {

struct CallbackWorld : World {
    Config config;
    std::unique_ptr<TimeZone> paris = make_system_time_zone("Europe/Paris");
    std::unique_ptr<OfferService> offers;
    std::unique_ptr<CallbackService> callbacks;
    RepairOrder ro;
    User marie;

    CallbackWorld() {
        config.dealer.name = "Garage Demo";
        config.http.public_base_url = "https://atelier.garage-xyz.fr";
        offers = std::make_unique<OfferService>(
            OfferServiceDeps{.db = *db, .config = config, .random = random, .clock = clock, .zone = *paris});
        callbacks = std::make_unique<CallbackService>(*db, clock);
        clock.set(*parse_date_time("2026-12-07T09:00", *paris));
        NewUser u;
        u.username = "marie";
        u.display_name = "Marie Curie";
        u.role = UserRole::advisor;
        u.password = "correct horse battery";
        auto user = auth->create_user(u);
        REQUIRE(user.ok());
        marie = *user;
        RepairOrderPatch p = with_plate();
        p.advisor_id = std::optional<Id>(marie.id);
        PartyPatch driver;
        driver.first_name = std::string("Hélène");
        driver.last_name = std::string("Lefèvre");
        driver.roles = std::vector<PartyRole>{PartyRole::driver};
        ContactPointPatch mobile, home;
        mobile.kind = ContactKind::phone;
        mobile.value = std::string("06 12 34 56 78");
        home.kind = ContactKind::phone;
        home.value = std::string("01 45 67 89 10");
        driver.contact_points = std::vector<ContactPointPatch>{mobile, home};
        p.parties = std::vector<PartyPatch>{driver};
        InterventionPatch pads, wipers, tyres;
        pads.label = std::string("Plaquettes avant");
        pads.price_excl = 15825;
        pads.kind = InterventionKind::optional;
        wipers.label = std::string("Balais d'essuie-glace");
        wipers.price_excl = 2900;
        wipers.kind = InterventionKind::optional;
        tyres.label = std::string("Pneus arrière");
        tyres.price_excl = 21000;
        tyres.kind = InterventionKind::optional;
        pads.severity = Severity::red;
        wipers.severity = Severity::green;
        p.interventions = std::vector<InterventionPatch>{pads, wipers, tyres};
        auto created = ros->create(p, actor);
        REQUIRE(created.ok());
        ro = *created;
    }

    Id item(int i) const { return ro.interventions.at(static_cast<std::size_t>(i)).id; }

    Offer send() {
        SendOfferRequest req;
        req.contact_point_ids = {ro.parties.at(0).contact_points.at(0).id};
        auto o = offers->send(ro.id, req, actor);
        REQUIRE(o.ok());
        move(o->id, OfferState::sent);
        return *o;
    }

    void move(Id offer_id, OfferState to) {
        REQUIRE(db->write([&](Connection& c) -> Result<void> {
                      TRY(offer_state::move(c, {.offer_id = offer_id, .to = to, .at = clock.now(), .by = actor},
                                            nlohmann::json::object()));
                      return success();
                  }).ok());
    }

    // The customer's answers, confirmed or still a draft.
    void answer(Id offer_id, const std::map<Id, Decision>& decisions, bool confirm) {
        clock.advance_ms(60'000);
        REQUIRE(db->write([&](Connection& c) -> Result<void> {
                      TRY(offer_links::record_decisions(c, offer_id, decisions, clock.now()));
                      return success();
                  }).ok());
        if (confirm) move(offer_id, OfferState::confirmed);
    }

    std::vector<Callback> list(CallbackFilter f = CallbackFilter::open) {
        auto l = callbacks->list(f);
        REQUIRE(l.ok());
        return *l;
    }

    std::vector<Event> events(const std::string& type) {
        auto t = ros->timeline(ro.id);
        REQUIRE(t.ok());
        std::vector<Event> out;
        for (const auto& e : *t)
            if (e.type == type) out.push_back(e);
        return out;
    }
};

}  // namespace

TEST_CASE("callbacks: contact_me items of a confirmed offer are listed with the numbers to call") {
    CallbackWorld w;
    const Offer o = w.send();
    w.answer(o.id, {{w.item(0), Decision::contact_me}, {w.item(1), Decision::accept}, {w.item(2), Decision::decline}},
             true);
    const auto l = w.list();
    REQUIRE(l.size() == 1);
    const Callback& c = l[0];
    CHECK(c.offer_id == o.id);
    CHECK(c.offer_version == 1);
    CHECK(c.intervention_id == w.item(0));
    CHECK(c.ro_id == w.ro.id);
    CHECK(c.ro_number == w.ro.number);
    CHECK(c.vehicle.plate == w.ro.vehicle.plate);
    CHECK(c.customer_name == "Hélène Lefèvre");
    CHECK(c.label == "Plaquettes avant");
    CHECK(c.price_incl == w.ro.interventions.at(0).price_incl);
    CHECK(c.asked_at == w.clock.now());
    CHECK_FALSE(c.outcome.has_value());
    CHECK(c.attempts == 0);
    // The SMS recipient first, then the main party's other phone, each once.
    REQUIRE(c.phones.size() == 2);
    CHECK(c.phones[0].e164 == "+33612345678");
    CHECK(c.phones[0].source == "sms_recipient");
    CHECK(c.phones[1].e164 == "+33145678910");
    CHECK(c.phones[1].source == "contact_point");
    REQUIRE(c.advisor.has_value());
    CHECK(c.advisor->display_name == "Marie Curie");
    // Filtered on the RO's advisor.
    CHECK(w.callbacks->list(CallbackFilter::open, w.marie.id)->size() == 1);
    CHECK(w.callbacks->list(CallbackFilter::open, w.marie.id + 1)->empty());
}

TEST_CASE("callbacks: answers not confirmed, and superseded versions, are not callbacks") {
    CallbackWorld w;
    const Offer first = w.send();
    w.answer(first.id, {{w.item(0), Decision::contact_me}}, false);
    CHECK(w.list().empty());  // a draft of answers: the customer has not confirmed
    w.move(first.id, OfferState::confirmed);
    CHECK(w.list().size() == 1);

    // A new version supersedes the confirmed one: its contact_me leaves the list.
    SendOfferRequest req;
    req.contact_point_ids = {w.ro.parties.at(0).contact_points.at(0).id};
    req.replace_seen = true;
    auto second = w.offers->send(w.ro.id, req, w.actor);
    REQUIRE_MESSAGE(second.ok(), second.error().code);
    CHECK(w.offers->get(first.id)->state == OfferState::superseded);
    CHECK(w.list().empty());
    CHECK(w.list(CallbackFilter::all).empty());

    // The new version's own answer counts once confirmed, also once locked.
    w.move(second->id, OfferState::sent);
    w.answer(second->id, {{w.item(1), Decision::contact_me}}, true);
    REQUIRE(w.list().size() == 1);
    CHECK(w.list()[0].offer_version == 2);
    CHECK(w.list()[0].intervention_id == w.item(1));
    w.move(second->id, OfferState::locked);
    CHECK(w.list().size() == 1);
}

TEST_CASE("callbacks: not reached keeps it on the list, done takes it off, each outcome a timeline event") {
    CallbackWorld w;
    const Offer o = w.send();
    w.answer(o.id, {{w.item(0), Decision::contact_me}, {w.item(1), Decision::contact_me}}, true);
    REQUIRE(w.list().size() == 2);
    const Actor marie{Actor::Kind::user, 7, "Marie Curie"};

    w.clock.advance_ms(3'600'000);
    auto first = w.callbacks->record(o.id, w.item(0), "not_reached", "  Messagerie  ", marie);
    REQUIRE_MESSAGE(first.ok(), first.error().code);
    CHECK(first->attempts == 1);
    CHECK(first->outcome == CallbackOutcome::not_reached);
    CHECK(first->note == "Messagerie");  // trimmed
    w.clock.advance_ms(3'600'000);
    auto second = w.callbacks->record(o.id, w.item(0), "not_reached", "", marie);
    REQUIRE(second.ok());
    CHECK(second->attempts == 2);
    auto open = w.list();
    REQUIRE(open.size() == 2);
    CHECK(open[0].attempts == 2);
    CHECK(open[0].last_at == w.clock.now());
    CHECK(open[0].last_by == "Marie Curie");

    auto done = w.callbacks->record(o.id, w.item(0), "done", "Rappelée, d'accord pour jeudi", marie);
    REQUIRE(done.ok());
    CHECK(done->outcome == CallbackOutcome::done);
    CHECK(done->attempts == 2);
    open = w.list();
    REQUIRE(open.size() == 1);
    CHECK(open[0].intervention_id == w.item(1));
    const auto all = w.list(CallbackFilter::all);
    REQUIRE(all.size() == 2);
    CHECK(all[0].outcome == CallbackOutcome::done);
    CHECK(all[0].note == "Rappelée, d'accord pour jeudi");

    const auto not_reached = w.events("callback.not_reached");
    REQUIRE(not_reached.size() == 2);
    CHECK(not_reached[0].actor.name == "Marie Curie");
    const auto data = nlohmann::json::parse(not_reached[0].data);
    CHECK(data["offer_id"] == o.id);
    CHECK(data["intervention_id"] == w.item(0));
    CHECK(data["label"] == "Plaquettes avant");
    CHECK(data["attempts"] == 1);
    CHECK(data["note"] == "Messagerie");
    const auto done_events = w.events("callback.done");
    REQUIRE(done_events.size() == 1);
    CHECK(nlohmann::json::parse(done_events[0].data)["note"] == "Rappelée, d'accord pour jeudi");
}

TEST_CASE("callbacks: a bad outcome or note is refused, a pair that is no callback is not found") {
    CallbackWorld w;
    const Offer o = w.send();
    w.answer(o.id, {{w.item(0), Decision::contact_me}, {w.item(1), Decision::accept}}, true);

    auto bad = w.callbacks->record(o.id, w.item(0), "maybe", "", w.actor);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().kind == ErrorKind::invalid);
    REQUIRE(bad.error().fields.size() == 1);
    CHECK(bad.error().fields[0].field == "outcome");
    CHECK(bad.error().fields[0].code == "invalid_choice");

    auto long_note = w.callbacks->record(o.id, w.item(0), "done", std::string(501, 'x'), w.actor);
    REQUIRE_FALSE(long_note.ok());
    REQUIRE(long_note.error().fields.size() == 1);
    CHECK(long_note.error().fields[0].code == "too_long");
    CHECK(w.callbacks->record(o.id, w.item(0), "done", std::string(500, 'x'), w.actor).ok());

    // Accepted items, unknown items and unknown offers are no callbacks.
    CHECK(w.callbacks->record(o.id, w.item(1), "done", "", w.actor).error().kind == ErrorKind::not_found);
    CHECK(w.callbacks->record(o.id, 999'999, "done", "", w.actor).error().kind == ErrorKind::not_found);
    CHECK(w.callbacks->record(999'999, w.item(0), "done", "", w.actor).error().kind == ErrorKind::not_found);
    CHECK(w.events("callback.done").size() == 1);  // only the one that was recorded
}

TEST_CASE("to follow up: red and orange items declined on the answered offer, on the RO list") {
    CallbackWorld w;
    auto follow_up = [&] {
        auto page = w.ros->list({});
        REQUIRE(page.ok());
        REQUIRE(page->items.size() == 1);
        return page->items[0].to_follow_up;
    };
    const Offer o = w.send();
    // Declined pads (red) and tyres (orange), declined wipers (green: nothing to plan).
    w.answer(o.id, {{w.item(0), Decision::decline}, {w.item(1), Decision::decline}, {w.item(2), Decision::decline}},
             false);
    CHECK(follow_up() == 0);  // not confirmed yet: the customer may change their mind
    w.move(o.id, OfferState::confirmed);
    CHECK(follow_up() == 2);
    // A new version replaces the answers: nothing to follow up until it is answered.
    w.clock.advance_ms(60'000);
    SendOfferRequest req;
    req.contact_point_ids = {w.ro.parties.at(0).contact_points.at(0).id};
    req.replace_seen = true;
    auto again = w.offers->send(w.ro.id, req, w.actor);
    CAPTURE(again.ok() ? std::string() : again.error().code);
    REQUIRE(again.ok());
    CHECK(follow_up() == 0);
    w.move(again->id, OfferState::sent);
    w.answer(again->id, {{w.item(0), Decision::accept}, {w.item(1), Decision::accept}, {w.item(2), Decision::decline}},
             true);
    CHECK(follow_up() == 1);  // the tyres only
    w.move(again->id, OfferState::locked);
    CHECK(follow_up() == 1);
}
