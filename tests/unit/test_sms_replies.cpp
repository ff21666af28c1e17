// SMS replies as the customer's answer (issue 15, offers/sms_replies.hpp): the words taken and
// those never guessed, the decisions each answer stands for, the offer confirmed with one
// acknowledgement, through the inbound path as the modem's SMS take it (handle_inbound_sms
// with the offers' listener), and every condition that leaves the reply to the advisor.

#include "support.hpp"

#include "agreements.hpp"
#include "inbound_sms.hpp"
#include "message_templates.hpp"
#include "modem_service.hpp"
#include "offer_messages.hpp"
#include "offer_service.hpp"
#include "offer_state.hpp"
#include "sms_replies.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>

using namespace relais;
using namespace relais::test;

namespace {

constexpr const char* kPhone = "+33612345678";

struct ReplyWorld : World {
    Config config;
    std::unique_ptr<OfferService> offers;
    RepairOrder ro;
    Id vidange = 0, plaquettes = 0, controle = 0;

    ReplyWorld() {
        config.dealer.name = "Garage Dupont";
        config.dealer.phone_display = "01 23 45 67 89";
        config.http.public_base_url = "https://relais.garage-dupont.fr";
        config.reminders.sms_replies = true;
        offers = std::make_unique<OfferService>(
            OfferServiceDeps{.db = *db, .config = config, .random = random, .clock = clock, .zone = *zone});
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
        ContactPointPatch phone, email, other;
        phone.kind = ContactKind::phone;
        phone.value = std::string("06 12 34 56 78");
        other.kind = ContactKind::phone;
        other.value = std::string("06 99 88 77 66");
        email.kind = ContactKind::email;
        email.value = std::string("helene@example.test");
        driver.contact_points = std::vector<ContactPointPatch>{phone, other, email};
        p.parties = std::vector<PartyPatch>{driver};
        auto item = [](const char* label, Cents excl, InterventionKind kind, Severity severity = Severity::orange) {
            InterventionPatch i;
            i.label = std::string(label);
            i.price_excl = excl;
            i.kind = kind;
            i.severity = severity;
            return i;
        };
        p.interventions = std::vector<InterventionPatch>{
            item("Plaquettes avant", 15825, InterventionKind::optional),
            item("Vidange", 7500, InterventionKind::initial),
            item("Contrôle freinage : bon état", 0, InterventionKind::initial, Severity::green),
        };
        auto created = ros->create(p, actor);
        REQUIRE(created.ok());
        ro = *created;
        for (const auto& i : ro.interventions) {
            if (i.label == "Vidange") vidange = i.id;
            if (i.label == "Plaquettes avant") plaquettes = i.id;
            if (i.label.starts_with("Contr")) controle = i.id;
        }
    }

    Id contact(const std::string& value) const {
        for (const auto& party : ro.parties)
            for (const auto& cp : party.contact_points)
                if (cp.value == value) return cp.id;
        FAIL("no contact " << value);
        return 0;
    }

    // An offer to the customer's mobile, its SMS gone (state `sent`).
    Offer sent_offer(std::vector<Id> to = {}) {
        if (to.empty()) to = {contact(kPhone)};
        auto o = offers->send(ro.id, {to, "", false, {}}, actor);
        REQUIRE(o.ok());
        // As the outbox would have it: the SMS left.
        REQUIRE(db->write([&](Connection& c) -> Result<void> {
                      TRY_ASSIGN(auto u, c.prepare("UPDATE outbox SET state = 'sent' WHERE offer_id = ?"));
                      u.bind(1, o->id);
                      return u.run();
                  }).ok());
        move(o->id, OfferState::sent);
        return *o;
    }

    void move(Id offer_id, OfferState s) {
        REQUIRE(db->write([&](Connection& c) {
                      return offer_state::move(c, {.offer_id = offer_id, .to = s, .at = clock.now(), .by = actor},
                                               nlohmann::json::object());
                  }).ok());
    }

    // An SMS from `from`, as the modem's channel takes it in: stored, then handled with the
    // listeners the process gives (the offers' reply listener among them).
    InboundOutcome receive(const std::string& text, const std::string& from = kPhone, bool complete = true) {
        clock.advance_ms(1000);
        auto out = db->write([&](Connection& c) -> Result<InboundOutcome> {
            InboundSmsRecord r;
            r.sender = from;
            r.text = text;
            r.complete = complete;
            r.received_at = clock.now();
            TRY_ASSIGN(r.id, sms_store::insert_inbound(c, r));
            return handle_inbound_sms(c, config, r, r.received_at,
                                      {.on_opt_out = &mark_number_opted_out,
                                       .on_settled = &offer_state::on_message_settled,
                                       .on_reply = [this](Connection& conn, const InboundReply& reply, UnixMs now) {
                                           return apply_sms_reply(conn, config, random, reply, now);
                                       }});
        });
        REQUIRE(out.ok());
        return *out;
    }

    Offer get(Id offer_id) {
        auto o = offers->get(offer_id);
        REQUIRE(o.ok());
        return *o;
    }

    std::vector<OutboxMessage> acks(Id offer_id) {
        std::vector<OutboxMessage> out;
        for (const auto& m : get(offer_id).messages)
            if (m.purpose == "sms_decision_ack") out.push_back(m);
        return out;
    }

    std::vector<Event> events(const std::string& type) {
        auto all = ros->timeline(ro.id);
        REQUIRE(all.ok());
        std::vector<Event> out;
        for (const auto& e : *all)
            if (e.type == type) out.push_back(e);
        return out;
    }

    std::int64_t unread_replies() {
        auto n = db->read([&](Connection& c) -> Result<std::int64_t> {
            TRY_ASSIGN(auto s, c.prepare("SELECT count(*) FROM sms_inbound WHERE ro_id = ? AND read_at IS NULL"));
            s.bind(1, ro.id);
            TRY(s.step());
            return s.int64(0);
        });
        REQUIRE(n.ok());
        return *n;
    }
};

// The link that ends an SMS's sentence "…: <link> …": its token is 22 characters.
std::string without_link(const std::string& body) {
    const auto at = body.find("https://relais.garage-dupont.fr/o/");
    REQUIRE(at != std::string::npos);
    return body.substr(0, at) + "<link>" + body.substr(at + 34 + kLinkTokenChars);
}

}  // namespace

TEST_CASE("sms replies: the words taken, in French and English, and nothing else") {
    for (const char* t : {"OUI", "oui", "Oui", " oui.", "Oui !", "Oui\u00a0!", "OUI!!", "oui merci", "Oui, merci !",
                          "Oui merci.", "YES", "yes", "Yes.", "yes thanks", "Yes, thank you!", "\"oui\""}) {
        CAPTURE(t);
        CHECK(parse_sms_reply(t) == SmsReply::yes);
    }
    for (const char* t : {"NON", "non", "Non.", "Non merci", "non, merci", "NO", "no", "No thanks", "no thank you"}) {
        CAPTURE(t);
        CHECK(parse_sms_reply(t) == SmsReply::no);
    }
    for (const char* t : {"APPELEZ-MOI", "appelez moi", "Appelez-moi !", "APPELEZ MOI merci", "Appelez-moi.",
                          "appelez - moi", "CALL ME", "call me", "Call me, thanks", "Call me please"}) {
        CAPTURE(t);
        if (std::string_view(t) == "Call me please")
            CHECK_FALSE(parse_sms_reply(t).has_value());  // "please" is not in the list: strict
        else
            CHECK(parse_sms_reply(t) == SmsReply::call_me);
    }
    // Accents folded: "APPÉLEZ-MOI" with a stray accent is the same word, "ÓUI" too.
    CHECK(parse_sms_reply("Appélez-moi") == SmsReply::call_me);
    CHECK(parse_sms_reply("ÓUI") == SmsReply::yes);
    // Never guessed: questions, mixed answers, more words, other words, nothing.
    for (const char* t : {"",
                          "   ",
                          "!",
                          "Oui ?",
                          "oui?",
                          "Non ?",
                          "oui pour les freins",
                          "oui non",
                          "non oui",
                          "OK",
                          "ok merci",
                          "d'accord",
                          "oui oui",
                          "merci",
                          "merci oui",
                          "Oui merci beaucoup",
                          "appelez",
                          "moi",
                          "appelez-moi svp",
                          "Appelez-moi au 0612345678",
                          "stop the work",
                          "STOP",
                          "ouimerci",
                          "oui 2",
                          "Oui 👍",
                          "Non, seulement la vidange",
                          "Yes for the brakes, no for the wipers",
                          "call",
                          "thank you",
                          "oui oui oui oui oui oui oui oui oui oui oui oui oui oui oui oui oui oui"}) {
        CAPTURE(t);
        CHECK_FALSE(parse_sms_reply(t).has_value());
    }
}

TEST_CASE("sms replies: each answer's decisions, only on the items the customer decides on") {
    ReplyWorld w;
    const Offer o = w.sent_offer();
    REQUIRE(o.snapshot.items.size() == 3);
    const auto yes = sms_reply_decisions(SmsReply::yes, o.snapshot);
    CHECK(yes == std::map<Id, Decision>{{w.vidange, Decision::accept}, {w.plaquettes, Decision::accept}});
    const auto no = sms_reply_decisions(SmsReply::no, o.snapshot);
    CHECK(no == std::map<Id, Decision>{{w.vidange, Decision::accept}, {w.plaquettes, Decision::decline}});
    const auto call = sms_reply_decisions(SmsReply::call_me, o.snapshot);
    CHECK(call == std::map<Id, Decision>{{w.vidange, Decision::contact_me}, {w.plaquettes, Decision::contact_me}});
    CHECK_FALSE(yes.contains(w.controle));  // "bon état", nothing to pay: nothing to decide
}

TEST_CASE("sms replies: OUI confirms the offer, every item accepted, with one acknowledgement") {
    ReplyWorld w;
    const Offer o = w.sent_offer();
    const InboundOutcome out = w.receive("Oui merci !");
    CHECK(out.applied);
    CHECK(out.queued);  // the outbox is woken for the acknowledgement
    CHECK_FALSE(out.opted_out);
    CHECK(out.offer_id == o.id);

    const Offer after = w.get(o.id);
    CHECK(after.state == OfferState::confirmed);
    CHECK(after.confirmed_at == w.clock.now());
    CHECK(after.decisions == std::map<Id, Decision>{{w.vidange, Decision::accept}, {w.plaquettes, Decision::accept}});

    // The reply is on the timeline as ever, then the confirmation by the customer, by SMS.
    REQUIRE(w.events("sms.received").size() == 1);
    const auto confirmed = w.events("offer.confirmed");
    REQUIRE(confirmed.size() == 1);
    CHECK(confirmed[0].actor.kind == Actor::Kind::customer);
    CHECK(confirmed[0].actor.name == "Hélène Lefèvre");
    const auto data = nlohmann::json::parse(confirmed[0].data);
    CHECK(data["by"] == "sms");
    CHECK(data["from"] == kPhone);
    CHECK(data["reply"] == "Oui merci !");
    CHECK(data["offer_id"] == o.id);
    CHECK(data["decisions"] ==
          nlohmann::json{{std::to_string(w.plaquettes), "accept"}, {std::to_string(w.vidange), "accept"}});
    // Answered: nothing left for the advisor to read; the confirmation is what they handle.
    CHECK(w.unread_replies() == 0);

    const auto acks = w.acks(o.id);
    REQUIRE(acks.size() == 1);
    CHECK(acks[0].channel == Channel::sms);
    CHECK(acks[0].address == kPhone);
    CHECK(without_link(acks[0].body) ==
          "Garage Dupont : nous avons noté OUI, tous les travaux proposés pour votre Peugeot 308 AB-123-CD seront "
          "faits. Détail : <link> Pour changer d'avis, appelez-nous au 01 23 45 67 89.");
    auto cost = modem::sms_cost(acks[0].body);
    REQUIRE(cost.ok());
    CHECK(cost->encoding == modem::SmsEncoding::gsm7);
    CHECK(cost->parts == 2);

    // A second answer changes nothing: the offer is no longer waiting.
    const InboundOutcome again = w.receive("NON");
    CHECK_FALSE(again.applied);
    CHECK_FALSE(again.queued);
    CHECK(w.get(o.id).decisions.at(w.plaquettes) == Decision::accept);
    CHECK(w.acks(o.id).size() == 1);
    CHECK(w.unread_replies() == 1);
}

TEST_CASE("sms replies: NON keeps the work the car came for and declines the rest") {
    ReplyWorld w;
    w.config.dealer.phone_display = "";
    const Offer o = w.sent_offer();
    w.move(o.id, OfferState::seen);  // opened on the page, not answered there
    CHECK(w.receive(" non. ").applied);
    const Offer after = w.get(o.id);
    CHECK(after.state == OfferState::confirmed);
    CHECK(after.decisions == std::map<Id, Decision>{{w.vidange, Decision::accept}, {w.plaquettes, Decision::decline}});
    const auto acks = w.acks(o.id);
    REQUIRE(acks.size() == 1);
    // No dealership number configured: no number in the sentence.
    CHECK(without_link(acks[0].body) ==
          "Garage Dupont : nous avons noté NON, seuls les travaux prévus pour votre Peugeot 308 AB-123-CD seront "
          "faits. Détail : <link> Pour changer d'avis, appelez-nous.");
    const auto data = nlohmann::json::parse(w.events("offer.confirmed").at(0).data);
    CHECK(data["decisions"][std::to_string(w.plaquettes)] == "decline");
    CHECK(data["decisions"][std::to_string(w.vidange)] == "accept");
}

TEST_CASE("sms replies: APPELEZ-MOI asks to be called about every item, in the recipient's language") {
    ReplyWorld w;
    const Offer o = w.sent_offer();
    w.move(o.id, OfferState::received);
    // The customer's party writes English: the recipient's language is theirs.
    REQUIRE(w.db->write([&](Connection& c) -> Result<void> {
                    TRY_ASSIGN(auto u, c.prepare("UPDATE offer_recipients SET language = 'en' WHERE offer_id = ?"));
                    u.bind(1, o.id);
                    return u.run();
                })
                .ok());
    CHECK(w.receive("Appelez-moi").applied);
    const Offer after = w.get(o.id);
    CHECK(after.state == OfferState::confirmed);
    CHECK(after.decisions ==
          std::map<Id, Decision>{{w.vidange, Decision::contact_me}, {w.plaquettes, Decision::contact_me}});
    const auto acks = w.acks(o.id);
    REQUIRE(acks.size() == 1);
    CHECK(without_link(acks[0].body) ==
          "Garage Dupont: we noted CALL ME for your Peugeot 308 AB-123-CD, an advisor will call you back. Details: "
          "<link>");
    auto cost = modem::sms_cost(acks[0].body);
    REQUIRE(cost.ok());
    CHECK(cost->encoding == modem::SmsEncoding::gsm7);
}

TEST_CASE("sms replies: anything not an answer stays a reply for the advisor, unread") {
    ReplyWorld w;
    const Offer o = w.sent_offer();
    int n = 0;
    for (const char* t : {"Oui ?", "oui pour les freins", "oui non", "OK", "Stop the work please", "",
                          "Bonjour, c'est combien la vidange ?"}) {
        CAPTURE(t);
        const InboundOutcome out = w.receive(t);
        ++n;
        CHECK_FALSE(out.applied);
        CHECK_FALSE(out.queued);
        CHECK_FALSE(out.opted_out);
        CHECK(out.offer_id == o.id);
        CHECK(w.get(o.id).state == OfferState::sent);
        CHECK(w.get(o.id).decisions.empty());
        CHECK(w.events("sms.received").size() == static_cast<std::size_t>(n));
        CHECK(w.unread_replies() == n);
    }
    CHECK(w.acks(o.id).empty());
    CHECK(w.events("offer.confirmed").empty());
    // A message whose parts did not all arrive is not taken either, whatever it starts with.
    CHECK_FALSE(w.receive("OUI", kPhone, false).applied);
    CHECK(w.get(o.id).state == OfferState::sent);
}

TEST_CASE("sms replies: not taken when the dealership has not enabled them") {
    ReplyWorld w;
    w.config.reminders.sms_replies = false;
    const Offer o = w.sent_offer();
    const InboundOutcome out = w.receive("OUI");
    CHECK_FALSE(out.applied);
    CHECK_FALSE(out.queued);
    CHECK(w.get(o.id).state == OfferState::sent);
    CHECK(w.acks(o.id).empty());
    CHECK(w.unread_replies() == 1);
}

TEST_CASE("sms replies: not taken for an offer no longer waiting for the customer") {
    SUBCASE("not sent yet") {
        ReplyWorld w;
        auto o = w.offers->send(w.ro.id, {{w.contact(kPhone)}, "", false, {}}, w.actor);
        REQUIRE(o.ok());
        CHECK_FALSE(w.receive("OUI").applied);
        CHECK(w.get(o->id).state == OfferState::draft);
    }
    SUBCASE("locked by the advisor") {
        ReplyWorld w;
        const Offer o = w.sent_offer();
        REQUIRE(w.offers->lock(o.id, w.actor).ok());
        CHECK_FALSE(w.receive("OUI").applied);
        CHECK(w.get(o.id).state == OfferState::locked);
        CHECK(w.acks(o.id).empty());
    }
    SUBCASE("expired") {
        ReplyWorld w;
        const Offer o = w.sent_offer();
        w.move(o.id, OfferState::expired);
        CHECK_FALSE(w.receive("OUI").applied);
        CHECK(w.get(o.id).state == OfferState::expired);
        CHECK(w.acks(o.id).empty());
    }
    SUBCASE("superseded: a newer version went to the email address only") {
        ReplyWorld w;
        const Offer first = w.sent_offer();
        auto second = w.offers->send(w.ro.id, {{w.contact("helene@example.test")}, "", false, {}}, w.actor);
        REQUIRE(second.ok());
        CHECK(w.get(first.id).state == OfferState::superseded);
        const InboundOutcome out = w.receive("OUI");
        CHECK(out.offer_id == first.id);  // the latest offer sent to this number
        CHECK_FALSE(out.applied);
        CHECK(w.get(first.id).decisions.empty());
        CHECK(w.get(second->id).state == OfferState::draft);
        CHECK(w.get(second->id).decisions.empty());
    }
}

TEST_CASE("sms replies: only from the number the latest offer went to") {
    ReplyWorld w;
    // The first version went to both mobiles, the second to the other one only.
    const Offer first = w.sent_offer({w.contact(kPhone), w.contact("+33699887766")});
    const Offer second = w.sent_offer({w.contact("+33699887766")});
    CHECK(w.get(first.id).state == OfferState::superseded);
    // From the first number: its latest offer is the superseded one; nothing taken.
    CHECK_FALSE(w.receive("OUI").applied);
    CHECK(w.get(second.id).state == OfferState::sent);
    // From a number no offer went to: not even a reply on a repair order.
    const InboundOutcome stranger = w.receive("OUI", "+33611111111");
    CHECK_FALSE(stranger.ro_id.has_value());
    CHECK_FALSE(stranger.applied);
    // A reply that does not come from the recipient it names is refused by the listener itself.
    auto forged = w.db->write([&](Connection& c) {
        const Offer o = w.get(second.id);
        return apply_sms_reply(c, w.config, w.random,
                               {.inbound_id = 0,
                                .offer_id = o.id,
                                .ro_id = o.ro_id,
                                .recipient_id = o.recipients.at(0).id,
                                .from = kPhone,
                                .text = "OUI",
                                .complete = true},
                               w.clock.now());
    });
    REQUIRE(forged.ok());
    CHECK_FALSE(*forged);
    // From the number the latest offer went to: taken.
    CHECK(w.receive("yes", "+33699887766").applied);
    CHECK(w.get(second.id).state == OfferState::confirmed);
    REQUIRE(w.acks(second.id).size() == 1);
    CHECK(w.acks(second.id)[0].address == "+33699887766");
}

TEST_CASE("sms replies: an offer with a mandatory agreement needs the page, its SMS offers no replies") {
    ReplyWorld w;
    AgreementService agreements(*w.db, w.clock);
    AgreementPatch p;
    p.title_fr = std::string("Conditions générales");
    p.text_fr = std::string("Texte");
    p.mandatory = true;
    p.active = true;
    REQUIRE(agreements.create(p, w.actor).ok());
    const Offer o = w.sent_offer();
    REQUIRE(o.messages.size() == 1);
    CHECK(o.messages[0].body.find("Répondez OUI") == std::string::npos);
    CHECK_FALSE(sms_replies_possible(w.config, o));
    CHECK_FALSE(w.receive("OUI").applied);
    CHECK(w.get(o.id).state == OfferState::sent);
    CHECK(w.acks(o.id).empty());
    CHECK(w.unread_replies() == 1);
}

TEST_CASE("sms replies: a number that said STOP is not answered, and STOP still opts out") {
    ReplyWorld w;
    const Offer o = w.sent_offer();
    const InboundOutcome stop = w.receive("STOP");
    CHECK(stop.opted_out);
    CHECK(stop.queued);  // its own acknowledgement
    CHECK_FALSE(stop.applied);
    CHECK(w.get(o.id).state == OfferState::sent);
    auto stopped = w.db->read([](Connection& c) { return is_opted_out(c, kPhone); });
    REQUIRE(stopped.ok());
    CHECK(*stopped);
    CHECK(w.ros->get(w.ro.id)->parties[0].contact_points[0].opted_out);
    // Then "OUI" from it: no SMS may go back, so the advisor takes it.
    CHECK_FALSE(w.receive("OUI").applied);
    CHECK(w.get(o.id).state == OfferState::sent);
    CHECK(w.get(o.id).decisions.empty());
    CHECK(w.acks(o.id).empty());
}

TEST_CASE("sms replies: the offer SMS names the answers, in one GSM 7-bit part for a typical offer") {
    ReplyWorld w;
    Offer o = w.sent_offer();
    const std::string link = "https://relais.garage-dupont.fr/o/" + std::string(kLinkTokenChars, 'x');
    REQUIRE(link.size() == 31 + 3 + kLinkTokenChars);
    for (const char* lang : {"fr", "en"}) {
        CAPTURE(lang);
        o.language = lang;
        auto sms = offer_sms(w.config, TemplateTexts{}, o, "", link);
        REQUIRE(sms.ok());
        CHECK(sms->text.find(std::string_view(lang) == "fr" ? "Répondez OUI, NON ou APPELEZ-MOI."
                                                            : "Reply YES, NO or CALL ME.") != std::string::npos);
        auto cost = modem::sms_cost(sms->text);
        REQUIRE(cost.ok());
        CHECK(cost->encoding == modem::SmsEncoding::gsm7);
        CHECK(cost->parts == 1);
        CHECK(cost->units <= 160);
        // Each acknowledgement stays in the GSM alphabet, in two parts at most.
        for (const SmsReply r : {SmsReply::yes, SmsReply::no, SmsReply::call_me})
            for (const bool kept : {true, false}) {
                auto ack = sms_reply_ack(w.config, o, r, kept, link);
                REQUIRE(ack.ok());
                auto c = modem::sms_cost(ack->text);
                REQUIRE(c.ok());
                CHECK(c->encoding == modem::SmsEncoding::gsm7);
                CHECK(c->parts <= 2);
            }
    }
    o.language = "fr";
    auto nothing = sms_reply_ack(w.config, o, SmsReply::no, false, "L");
    REQUIRE(nothing.ok());
    CHECK(nothing->text ==
          "Garage Dupont : nous avons noté NON, aucun des travaux proposés pour votre Peugeot 308 AB-123-CD ne sera "
          "fait. Détail : L Pour changer d'avis, appelez-nous au 01 23 45 67 89.");
    // The offer that went: the replies' wording; without the setting, the usual one.
    CHECK(o.messages[0].body.starts_with("Garage Dupont : devis pour votre Peugeot 308 AB-123-CD : https://"));
    w.config.reminders.sms_replies = false;
    auto plain = offer_sms(w.config, TemplateTexts{}, o, "", link);
    REQUIRE(plain.ok());
    CHECK(plain->text.find("OUI") == std::string::npos);
}
