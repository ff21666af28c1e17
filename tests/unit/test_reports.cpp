// The repair report (offers/repair_report.hpp, offers/reports.hpp): refused before the offer is
// locked and the RO ready, what is done / not done / to plan by default and with the advisor's
// corrections, the amounts, versions, the message in the outbox, the timeline event, and what
// the customer's page receives through the same link.
#include "customer_service.hpp"
#include "offer_links.hpp"
#include "offer_service.hpp"
#include "offer_state.hpp"
#include "reports.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace relais;
using namespace relais::test;
using nlohmann::json;

namespace {

struct ReportWorld : World {
    Config config;
    std::unique_ptr<TimeZone> paris = make_system_time_zone("Europe/Paris");
    std::unique_ptr<OfferService> offers;
    std::unique_ptr<ReportService> reports;
    RepairOrder ro;

    ReportWorld() {
        config.dealer.name = "Garage Demo";
        config.dealer.currency = "EUR";
        config.http.public_base_url = "https://atelier.garage-xyz.fr";
        offers = std::make_unique<OfferService>(
            OfferServiceDeps{.db = *db, .config = config, .random = random, .clock = clock, .zone = *paris});
        reports = std::make_unique<ReportService>(
            ReportServiceDeps{.db = *db, .config = config, .random = random, .clock = clock});
        clock.set(*parse_date_time("2026-12-07T09:00", *paris));
        RepairOrderPatch p = with_plate();
        p.vehicle->make = std::string("Renault");
        p.vehicle->model = std::string("Clio");
        PartyPatch driver;
        driver.first_name = std::string("Hélène");
        driver.last_name = std::string("Lefèvre");
        driver.roles = std::vector<PartyRole>{PartyRole::driver};
        ContactPointPatch mobile;
        mobile.kind = ContactKind::phone;
        mobile.value = std::string("06 12 34 56 78");
        driver.contact_points = std::vector<ContactPointPatch>{mobile};
        p.parties = std::vector<PartyPatch>{driver};
        auto item = [](const char* label, Cents excl, InterventionKind kind, Severity severity) {
            InterventionPatch i;
            i.label = std::string(label);
            i.price_excl = excl;
            i.kind = kind;
            i.severity = severity;
            return i;
        };
        p.interventions = std::vector<InterventionPatch>{
            item("Vidange", 10000, InterventionKind::initial, Severity::red),                  // 120,00 TTC
            item("Plaquettes avant", 15000, InterventionKind::optional, Severity::red),        // 180,00
            item("Pneus arrière", 20000, InterventionKind::optional, Severity::orange),        // 240,00
            item("Balais d'essuie-glace", 2500, InterventionKind::optional, Severity::green),  // 30,00
            item("Contrôle éclairage", 0, InterventionKind::initial, Severity::green),         // checked
        };
        auto created = ros->create(p, actor);
        REQUIRE(created.ok());
        ro = *created;
    }

    Id item(int i) const { return ro.interventions.at(static_cast<std::size_t>(i)).id; }

    Offer send_offer() {
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
                                            json::object()));
                      return success();
                  }).ok());
    }

    // Vidange and pads accepted, tyres and wipers declined, confirmed.
    void answer(Id offer_id) {
        REQUIRE(db->write([&](Connection& c) -> Result<void> {
                      TRY(offer_links::record_decisions(c, offer_id,
                                                        {{item(0), Decision::accept},
                                                         {item(1), Decision::accept},
                                                         {item(2), Decision::decline},
                                                         {item(3), Decision::decline}},
                                                        clock.now()));
                      return success();
                  }).ok());
        move(offer_id, OfferState::confirmed);
    }

    void set_status(RoStatus status) {
        RepairOrderPatch p;
        p.status = status;
        auto r = ros->update(ro.id, p, std::nullopt, actor);
        REQUIRE(r.ok());
        ro = *r;
    }

    // An offer answered, locked, and the RO ready: what a report needs.
    Offer ready() {
        Offer o = send_offer();
        answer(o.id);
        REQUIRE(offers->lock(o.id, actor).ok());
        set_status(RoStatus::ready);
        return o;
    }

    const ReportItem& of(const RepairReport& r, int i) const {
        for (const ReportItem& it : r.items)
            if (it.intervention_id == item(i)) return it;
        FAIL("no item " << i);
        return r.items.front();
    }

    std::vector<OutboxMessage> report_messages() {
        auto list = offers->for_repair_order(ro.id);
        REQUIRE(list.ok());
        std::vector<OutboxMessage> out;
        for (const Offer& o : *list)
            for (const OutboxMessage& m : o.messages)
                if (m.purpose == "report") out.push_back(m);
        return out;
    }
};

bool has_field(const Error& e, const std::string& field, const std::string& code) {
    for (const auto& f : e.fields)
        if (f.field == field && f.code == code) return true;
    return false;
}

}  // namespace

TEST_CASE("reports: refused with a code until the latest offer is locked and the RO ready or closed") {
    ReportWorld w;
    auto none = w.reports->preview(w.ro.id, {});
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().code == "report_no_offer");
    CHECK(none.error().kind == ErrorKind::conflict);

    Offer o = w.send_offer();
    w.answer(o.id);
    w.set_status(RoStatus::ready);
    // Confirmed is not locked: the customer agreed, the workshop has not closed the offer.
    auto confirmed = w.reports->send(w.ro.id, {}, w.actor);
    REQUIRE_FALSE(confirmed.ok());
    CHECK(confirmed.error().code == "report_offer_not_locked");
    CHECK(confirmed.error().params == Params{{"state", "confirmed"}});

    REQUIRE(w.offers->lock(o.id, w.actor).ok());
    w.set_status(RoStatus::in_progress);
    auto working = w.reports->send(w.ro.id, {}, w.actor);
    REQUIRE_FALSE(working.ok());
    CHECK(working.error().code == "report_ro_not_ready");
    CHECK(working.error().params == Params{{"state", "in_progress"}});
    CHECK(w.report_messages().empty());  // nothing was queued by the refusals

    w.set_status(RoStatus::closed);
    CHECK(w.reports->preview(w.ro.id, {}).ok());
    w.set_status(RoStatus::ready);
    CHECK(w.reports->send(w.ro.id, {}, w.actor).ok());
    CHECK(w.reports->preview(999, {}).error().code == "not_found");
}

TEST_CASE("reports: by default accepted items are done, declined ones not, red and orange ones are to plan") {
    ReportWorld w;
    w.ready();
    auto p = w.reports->preview(w.ro.id, {});
    REQUIRE(p.ok());
    const RepairReport& r = p->report;
    CHECK(w.of(r, 0).outcome == ReportOutcome::done);
    CHECK(w.of(r, 1).outcome == ReportOutcome::done);
    CHECK(w.of(r, 2).outcome == ReportOutcome::declined);
    CHECK(w.of(r, 2).to_plan());  // orange, declined
    CHECK(w.of(r, 3).outcome == ReportOutcome::declined);
    CHECK_FALSE(w.of(r, 3).to_plan());  // green: nothing to plan
    CHECK(w.of(r, 4).outcome == ReportOutcome::checked);
    CHECK(r.done_total_incl == 12000 + 18000);
    CHECK(r.final_total_incl == 30000);
    CHECK_FALSE(r.final_adjusted());
    // One SMS to the offer's recipient, with a link of the real length, in one part.
    CHECK(p->recipient.channel == Channel::sms);
    CHECK(p->recipient.address == "+33612345678");
    CHECK(p->message.text ==
          "Garage Demo : compte rendu des travaux sur votre Renault Clio AB-123-CD : "
          "https://atelier.garage-xyz.fr/o/xxxxxxxxxxxxxxxxxxxxxx");
    CHECK(p->message.text.size() <= 160);
    CHECK(p->message.template_ref == "report_sms/fr/0");
}

TEST_CASE("reports: an accepted item not done after all needs a note, the amount follows, an override is kept") {
    ReportWorld w;
    w.ready();
    ReportRequest req;
    req.items = {{w.item(1), false, ""}};
    auto missing = w.reports->preview(w.ro.id, req);
    REQUIRE_FALSE(missing.ok());
    CHECK(has_field(missing.error(), "items[0].note", "required"));

    req.items = {{w.item(1), false, "Pièce en rupture, commandée"}, {w.item(2), true, ""}, {424242, false, "x"}};
    auto bad = w.reports->preview(w.ro.id, req);
    REQUIRE_FALSE(bad.ok());
    CHECK(has_field(bad.error(), "items[1].done", "declined_by_customer"));  // tyres were declined
    CHECK(has_field(bad.error(), "items[2].intervention_id", "unknown_item"));

    req.items = {{w.item(1), false, "Pièce en rupture, commandée"}};
    req.final_total_incl = -1;
    CHECK(has_field(w.reports->preview(w.ro.id, req).error(), "final_total_incl_cents", "out_of_range"));

    req.final_total_incl = 13450;  // the invoice: the oil change and a filter
    req.note = "Pensez au contrôle technique en mars.";
    auto p = w.reports->preview(w.ro.id, req);
    REQUIRE(p.ok());
    const RepairReport& r = p->report;
    CHECK(w.of(r, 1).outcome == ReportOutcome::not_done);
    CHECK(w.of(r, 1).note == "Pièce en rupture, commandée");
    CHECK(w.of(r, 1).to_plan());  // red and not done: to plan too
    CHECK(r.done_total_incl == 12000);
    CHECK(r.final_total_incl == 13450);
    CHECK(r.final_adjusted());
    CHECK(r.note == "Pensez au contrôle technique en mars.");
}

TEST_CASE("reports: each send is a new version with its message and event, the customer's page shows the latest") {
    ReportWorld w;
    Offer o = w.ready();
    const std::string token = [&] {
        const std::string& body = o.messages.at(0).body;
        return body.substr(body.rfind('/') + 1);
    }();
    CustomerService customers({.db = *w.db, .config = w.config, .random = w.random, .clock = w.clock});
    auto before = customers.open(token, {"", "192.0.2.7", "phone"});
    REQUIRE(before.ok());
    REQUIRE(before->status == LinkStatus::ok);
    CHECK_FALSE(before->offer->report.has_value());
    const std::string device = before->device_id;

    w.clock.advance_ms(3'600'000);
    auto first = w.reports->send(w.ro.id, {}, w.actor);
    REQUIRE(first.ok());
    CHECK(first->version == 1);
    REQUIRE(first->message.has_value());
    CHECK(first->message->purpose == "report");
    CHECK(first->message->channel == Channel::sms);
    CHECK(first->message->body.find("https://atelier.garage-xyz.fr/o/") != std::string::npos);
    CHECK(first->created_by == "Test");

    ReportRequest fix;
    fix.items = {{w.item(1), false, "Pièce en rupture"}};
    fix.note = "Nous vous rappelons pour les plaquettes.";
    w.clock.advance_ms(60'000);
    auto second = w.reports->send(w.ro.id, fix, w.actor);
    REQUIRE(second.ok());
    CHECK(second->version == 2);
    CHECK(w.report_messages().size() == 2);

    auto all = w.reports->for_repair_order(w.ro.id);
    REQUIRE(all.ok());
    REQUIRE(all->size() == 2);
    CHECK(all->at(0).version == 2);  // newest first
    CHECK(all->at(1).final_total_incl == 30000);
    CHECK(all->at(0).final_total_incl == 12000);

    auto t = w.ros->timeline(w.ro.id);
    REQUIRE(t.ok());
    int sent = 0;
    for (const Event& e : *t) {
        if (e.type != "repair_order.report_sent") continue;
        ++sent;
        const json data = json::parse(e.data);
        CHECK(data["channel"] == "sms");
        CHECK(data["address"] == "+33612345678");
        CHECK(data.contains("final_total_incl_cents"));
    }
    CHECK(sent == 2);

    // The customer's link (the offer's) now opens the latest report, read-only.
    auto after = customers.open(token, {device, "192.0.2.7", "phone"});
    REQUIRE(after.ok());
    REQUIRE(after->status == LinkStatus::ok);
    REQUIRE(after->offer->report.has_value());
    const json page = report_json::customer(*after->offer->report);
    CHECK(page["version"] == 2);
    CHECK(page["final_total_incl_cents"] == 12000);
    CHECK(page["note"] == "Nous vous rappelons pour les plaquettes.");
    REQUIRE(page["items"].size() == 5);
    // In the offer's order: the initial items first, then those found during the check.
    CHECK(page["items"][0]["outcome"] == "done");
    CHECK(page["items"][1]["outcome"] == "checked");
    CHECK(page["items"][2]["outcome"] == "not_done");
    CHECK(page["items"][2]["note"] == "Pièce en rupture");
    CHECK(page["items"][2]["to_plan"] == true);
    CHECK(page["items"][3]["outcome"] == "declined");
    CHECK(page["items"][3]["severity"] == "orange");
    CHECK(page["items"][3]["to_plan"] == true);
    CHECK(page["items"][4]["to_plan"] == false);  // green wipers, declined: nothing to plan
    // Nothing about who sent it or where it went.
    const std::string text = page.dump();
    CHECK(text.find("+336") == std::string::npos);
    CHECK(text.find("created_by") == std::string::npos);
    CHECK(text.find("Test") == std::string::npos);
}

TEST_CASE("reports: the snapshot reads back as written, and unreadable text gives an empty report") {
    RepairReport r;
    r.offer_version = 3;
    r.ro_number = "OR-1";
    r.currency = "EUR";
    ReportItem item;
    item.intervention_id = 7;
    item.label = "Pneus";
    item.severity = Severity::red;
    item.price_incl = 24000;
    item.decision = Decision::accept;
    item.outcome = ReportOutcome::not_done;
    item.note = "rupture";
    r.items.push_back(item);
    r.done_total_incl = 0;
    r.final_total_incl = 500;
    r.note = "Merci";
    RepairReport back;
    report_json::read_snapshot(report_json::snapshot(r).dump(), back);
    CHECK(report_json::snapshot(back) == report_json::snapshot(r));
    RepairReport junk;
    report_json::read_snapshot("not json", junk);
    CHECK(junk.items.empty());
    report_json::read_snapshot(R"({"items": [{"outcome": "exploded", "severity": 3}], "note": 5})", junk);
    REQUIRE(junk.items.size() == 1);
    CHECK(junk.items[0].outcome == ReportOutcome::done);
    CHECK(junk.note.empty());
}

TEST_CASE("reports: the report's link follows every link's rules: one device, 30 days, then a fresh link opens it") {
    ReportWorld w;
    w.ready();
    auto sent = w.reports->send(w.ro.id, {}, w.actor);
    REQUIRE(sent.ok());
    REQUIRE(sent->message.has_value());
    const std::string& body = sent->message->body;
    const std::string token = body.substr(body.rfind('/') + 1);
    REQUIRE(token.size() == kLinkTokenChars);
    CustomerService customers({.db = *w.db, .config = w.config, .random = w.random, .clock = w.clock});

    auto phone = customers.open(token, {"", "192.0.2.7", "phone"});
    REQUIRE(phone.ok());
    REQUIRE(phone->status == LinkStatus::ok);
    REQUIRE(phone->offer->report.has_value());
    CHECK(phone->offer->report->version == 1);
    const std::string device = phone->device_id;

    // Another device sees nothing personal, as with the estimate's link.
    auto laptop = customers.open(token, {"", "198.51.100.9", "laptop"});
    REQUIRE(laptop.ok());
    CHECK(laptop->status == LinkStatus::other_device);
    CHECK(laptop->offer == nullptr);
    CHECK(laptop->masked_destination == "\u2022\u202278");

    // 30 days later the link has expired; a fresh one goes to the same number and opens the report.
    w.clock.advance_ms(kLinkValidityMs);
    auto late = customers.open(token, {device, "192.0.2.7", "phone"});
    REQUIRE(late.ok());
    CHECK(late->status == LinkStatus::expired);
    CHECK(late->offer == nullptr);
    auto fresh = customers.send_access_link(token, {device, "192.0.2.7", "phone"});
    REQUIRE(fresh.ok());
    auto messages = w.offers->get(sent->offer_id);
    REQUIRE(messages.ok());
    const OutboxMessage& access = messages->messages.back();
    CHECK(access.purpose == "access_link");
    CHECK(access.address == "+33612345678");
    const std::string fresh_token = access.body.substr(access.body.rfind('/') + 1);
    auto again = customers.open(fresh_token, {device, "192.0.2.7", "phone"});
    REQUIRE(again.ok());
    REQUIRE(again->status == LinkStatus::ok);
    REQUIRE(again->offer->report.has_value());
    CHECK(again->offer->report->final_total_incl == 30000);
}
