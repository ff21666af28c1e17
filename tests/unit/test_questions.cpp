// Questions on an offer's items (offers/questions.hpp, customer_service ask): the customer asks
// through their link (checked text, limits, events, the thread on the page), the advisor answers,
// and on a fake clock the answers of a burst go out as ONE message 10 minutes after the last one
// (60 minutes at most after the first), in opening hours, never to a number that said STOP, and
// neither lost nor doubled by a restart (a new service on the same database).

#include "customer_service.hpp"
#include "notifications.hpp"
#include "offer_service.hpp"
#include "offer_state.hpp"
#include "questions.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace relais;
using namespace relais::test;

namespace {

constexpr UnixMs kMinute = 60'000;

struct QuestionWorld : World {
    Config config;
    std::unique_ptr<OfferService> offers;
    std::unique_ptr<QuestionService> questions;
    std::unique_ptr<CustomerService> customers;
    RepairOrder ro;
    Offer offer;
    std::string token;
    CustomerContext phone{"", "192.0.2.1", "phone"};

    QuestionWorld(bool email = false) {
        config.dealer.name = "Garage Demo";
        config.http.public_base_url = "https://atelier.garage-xyz.fr";
        clock.set(1'796'630'400'000);  // Monday 2026-12-07 09:00 in Paris: open
        offers = std::make_unique<OfferService>(
            OfferServiceDeps{.db = *db, .config = config, .random = random, .clock = clock, .zone = *zone});
        make_questions();
        customers = std::make_unique<CustomerService>(
            CustomerServiceDeps{.db = *db, .config = config, .random = random, .clock = clock});
        RepairOrderPatch p = with_plate();
        PartyPatch driver;
        driver.first_name = std::string("Hélène");
        driver.last_name = std::string("Lefèvre");
        driver.roles = std::vector<PartyRole>{PartyRole::driver};
        ContactPointPatch cp;
        cp.kind = email ? ContactKind::email : ContactKind::phone;
        cp.value = std::string(email ? "helene@example.test" : "06 12 34 56 78");
        driver.contact_points = std::vector<ContactPointPatch>{cp};
        p.parties = std::vector<PartyPatch>{driver};
        InterventionPatch pads, tyres;
        pads.label = std::string("Plaquettes avant");
        pads.price_excl = 15825;
        pads.kind = InterventionKind::optional;
        tyres.label = std::string("Pneus arrière");
        tyres.price_excl = 21000;
        tyres.kind = InterventionKind::optional;
        p.interventions = std::vector<InterventionPatch>{pads, tyres};
        auto created = ros->create(p, actor);
        REQUIRE(created.ok());
        ro = *created;
        SendOfferRequest req;
        req.contact_point_ids = {ro.parties.at(0).contact_points.at(0).id};
        auto o = offers->send(ro.id, req, actor);
        REQUIRE(o.ok());
        offer = *o;
        REQUIRE(db->write([&](Connection& c) -> Result<void> {
                      TRY(offer_state::move(
                          c, {.offer_id = offer.id, .to = OfferState::sent, .at = clock.now(), .by = actor},
                          nlohmann::json::object()));
                      return success();
                  }).ok());
        const std::string body = offers->get(offer.id)->messages.at(0).body;
        const std::size_t at = body.find("/o/") + 3;
        std::size_t end = at;
        while (end < body.size() &&
               (std::isalnum(static_cast<unsigned char>(body[end])) || body[end] == '-' || body[end] == '_'))
            ++end;
        token = body.substr(at, end - at);
        auto opened = customers->open(token, phone);
        REQUIRE(opened.ok());
        REQUIRE(opened->status == LinkStatus::ok);
        phone.device_id = opened->device_id;
    }

    // As after a restart: a new service on the same database.
    void make_questions() {
        questions = std::make_unique<QuestionService>(
            QuestionServiceDeps{.db = *db, .config = config, .random = random, .clock = clock, .zone = *zone});
    }

    Id item(int i) const { return ro.interventions.at(static_cast<std::size_t>(i)).id; }

    void ask(int i, const std::string& text) { REQUIRE(customers->ask(token, phone, item(i), text).ok()); }
    void answer(int i, const std::string& text) {
        REQUIRE(questions->answer(ro.id, item(i), text, Actor{Actor::Kind::user, 1, "Anne Martin"}).ok());
    }

    struct Sent {
        std::string channel, body, subject;
    };
    // The messages of answers in the outbox, oldest first.
    std::vector<Sent> answers_sent() {
        auto rows = db->read([&](Connection& c) -> Result<std::vector<Sent>> {
            TRY_ASSIGN(auto s, c.prepare("SELECT channel, body, ifnull(subject, '') FROM outbox WHERE purpose = "
                                         "'answers' ORDER BY id"));
            std::vector<Sent> out;
            for (;;) {
                TRY_ASSIGN(const bool row, s.step());
                if (!row) break;
                out.push_back({s.text(0), s.text(1), s.text(2)});
            }
            return out;
        });
        REQUIRE(rows.ok());
        return *rows;
    }

    std::optional<UnixMs> run() {
        auto next = questions->run_due();
        REQUIRE(next.ok());
        return *next;
    }

    int events(const std::string& type) {
        auto t = ros->timeline(ro.id);
        REQUIRE(t.ok());
        int n = 0;
        for (const auto& e : *t) n += e.type == type;
        return n;
    }
};

}  // namespace

TEST_CASE("questions: the customer asks on an item, the thread, the event and the page show it") {
    QuestionWorld w;
    CHECK_FALSE(w.ros->get(w.ro.id)->needs_attention);
    auto asked = w.customers->ask(w.token, w.phone, w.item(0), "  C'est urgent ?\r\nJe roule peu.  ");
    REQUIRE(asked.ok());
    REQUIRE(asked->questions.size() == 1);
    CHECK(asked->questions[0].text == "C'est urgent ?\nJe roule peu.");  // trimmed, one kind of line end
    CHECK(asked->questions[0].author == QuestionAuthor::customer);
    CHECK(asked->questions[0].intervention_id == w.item(0));
    CHECK(w.events("item.question_asked") == 1);
    CHECK(w.ros->get(w.ro.id)->needs_attention);  // "to handle" in the list
    // The advisor's answer shows at once on the page (what waits is the message).
    w.answer(0, "Oui : les plaquettes sont à 2 mm.");
    auto again = w.customers->open(w.token, w.phone);
    REQUIRE(again.ok());
    REQUIRE(again->offer->questions.size() == 2);
    CHECK(again->offer->questions[1].author == QuestionAuthor::advisor);
    CHECK(again->offer->questions[1].by_name == "Anne Martin");
    CHECK(w.events("item.question_answered") == 1);
    // Still possible once the offer is confirmed: a question changes no answer.
    REQUIRE(w.customers->decide(w.token, w.phone, {{w.item(0), Decision::accept}, {w.item(1), Decision::decline}}, true)
                .ok());
    CHECK(w.customers->ask(w.token, w.phone, w.item(1), "Et les pneus avant ?").ok());
}

TEST_CASE("questions: refusals name what is wrong") {
    QuestionWorld w;
    const auto field_code = [](const auto& r) {
        REQUIRE_FALSE(r.ok());
        REQUIRE(r.error().code == "validation_failed");
        REQUIRE_FALSE(r.error().fields.empty());
        return r.error().fields.front().field + " " + r.error().fields.front().code;
    };
    CHECK(field_code(w.customers->ask(w.token, w.phone, w.item(0), "   ")) == "text required");
    CHECK(field_code(w.customers->ask(w.token, w.phone, w.item(0), std::string(1001, 'a'))) == "text too_long");
    CHECK(w.customers->ask(w.token, w.phone, w.item(0), std::string(1000, 'a')).ok());
    CHECK(field_code(w.customers->ask(w.token, w.phone, w.item(0), "a\x01b")) == "text control_characters");
    CHECK(field_code(w.customers->ask(w.token, w.phone, 999999, "Quoi ?")) == "intervention_id unknown_item");
    // Another device has no say; an unknown link neither.
    auto other = w.customers->ask(w.token, {"", "192.0.2.9", "laptop"}, w.item(0), "Moi aussi ?");
    REQUIRE_FALSE(other.ok());
    CHECK(other.error().code == "link_other_device");
    CHECK_FALSE(w.customers->ask(std::string(22, 'x'), w.phone, w.item(0), "?").ok());
    // Nobody asked about item 1: the advisor has nothing to answer there.
    auto none = w.questions->answer(w.ro.id, w.item(1), "Réponse", w.actor);
    REQUIRE_FALSE(none.ok());
    CHECK(none.error().code == "no_question");
    auto empty = w.questions->answer(w.ro.id, w.item(0), " ", w.actor);
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error().code == "validation_failed");
}

TEST_CASE("questions: a link cannot flood the advisor (10 an hour, 30 a day per offer)") {
    QuestionWorld w;
    for (int i = 0; i < kQuestionsPerHour; ++i) w.ask(0, "Question " + std::to_string(i));
    auto more = w.customers->ask(w.token, w.phone, w.item(0), "Encore une");
    REQUIRE_FALSE(more.ok());
    CHECK(more.error().code == "too_many_questions");
    CHECK(more.error().retry_after_s > 0);
    CHECK(more.error().retry_after_s <= 3600);
    CHECK(w.events("item.question_asked") == kQuestionsPerHour);
    w.clock.advance_ms(61 * kMinute);
    CHECK(w.customers->ask(w.token, w.phone, w.item(0), "Une heure après").ok());
}

TEST_CASE("questions: 3 answers in 5 minutes are ONE SMS, 10 minutes after the last") {
    QuestionWorld w;
    w.ask(0, "C'est urgent ?");
    w.ask(1, "Les pneus aussi ?");
    const UnixMs start = w.clock.now();
    w.answer(0, "Oui, sous 500 km.");
    w.clock.advance_ms(2 * kMinute);
    w.answer(1, "Non, ils tiennent encore.");
    w.clock.advance_ms(3 * kMinute);
    w.answer(1, "Mais à revoir l'an prochain.");
    CHECK(w.questions->next_due().value() == start + 15 * kMinute);
    w.clock.set(start + 15 * kMinute - 1);
    w.run();
    CHECK(w.answers_sent().empty());  // not a minute early
    w.clock.set(start + 15 * kMinute);
    CHECK(w.run() == std::nullopt);  // nothing waits any more
    const auto sent = w.answers_sent();
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].channel == "sms");
    // Two items answered: the short text with the link, not the answers in many parts.
    CHECK(sent[0].body.find("https://atelier.garage-xyz.fr/o/") != std::string::npos);
    CHECK(w.events("item.answers_queued") == 1);
    // A later answer is a new burst, a new message.
    w.answer(0, "Rendez-vous pris.");
    w.clock.advance_ms(10 * kMinute);
    w.run();
    const auto second = w.answers_sent();
    REQUIRE(second.size() == 2);
    CHECK(second[1].body.find("Rendez-vous pris.") != std::string::npos);  // one item, short: the answer itself
}

TEST_CASE("questions: answers that keep coming wait at most 60 minutes after the first") {
    QuestionWorld w;
    w.ask(0, "C'est urgent ?");
    const UnixMs start = w.clock.now();
    for (int i = 0; i <= 15; ++i) {  // one every 4 minutes, for an hour
        w.clock.set(start + i * 4 * kMinute);
        w.answer(0, "Précision " + std::to_string(i));
        CHECK(w.questions->next_due().value() == std::min(w.clock.now() + kAnswerQuiet, start + kAnswerCap));
        w.run();
        CHECK(w.answers_sent().size() == (w.clock.now() >= start + kAnswerCap ? 1u : 0u));
    }
    REQUIRE(w.answers_sent().size() == 1);
    CHECK(w.answers_sent()[0].body.find("Précision 15") == std::string::npos);  // too long for 2 SMS: the link
}

TEST_CASE("questions: a restart neither loses nor doubles the message of answers") {
    QuestionWorld w;
    w.ask(0, "C'est urgent ?");
    w.answer(0, "Oui.");
    w.make_questions();  // restarted before it was due: the due time is in the database
    w.clock.advance_ms(10 * kMinute);
    w.run();
    CHECK(w.answers_sent().size() == 1);
    w.make_questions();  // restarted after: nothing goes twice
    w.clock.advance_ms(10 * kMinute);
    CHECK(w.run() == std::nullopt);
    CHECK(w.answers_sent().size() == 1);
}

TEST_CASE("questions: the message waits for opening hours and never goes to a number that said STOP") {
    QuestionWorld w;
    w.ask(0, "C'est urgent ?");
    w.clock.set(1'796'670'000'000);  // Monday 2026-12-07 20:00 in Paris: closed
    w.answer(0, "Oui.");
    w.clock.advance_ms(10 * kMinute);
    w.run();
    CHECK(w.answers_sent().empty());
    const UnixMs tuesday_8 = 1'796'713'200'000;  // Tuesday 08:00 in Paris
    CHECK(w.questions->next_due().value() == tuesday_8);
    w.clock.set(tuesday_8);
    w.run();
    CHECK(w.answers_sent().size() == 1);

    // STOP: the answer is on the page, no message goes.
    REQUIRE(w.db->write([&](Connection& c) -> Result<void> {
                    TRY_ASSIGN(auto s, c.prepare("INSERT INTO opt_outs (address, channel, at, source) VALUES "
                                                 "('+33612345678', 'sms', ?, 'sms')"));
                    s.bind(1, w.clock.now());
                    return s.run();
                })
                .ok());
    w.answer(0, "Encore une précision.");
    w.clock.advance_ms(10 * kMinute);
    CHECK(w.run() == std::nullopt);
    CHECK(w.answers_sent().size() == 1);
}

TEST_CASE("questions: by email, every item with its question and answer") {
    QuestionWorld w(true);
    w.ask(0, "C'est urgent ?");
    w.ask(1, "Et les pneus ?");
    w.answer(0, "Oui, sous 500 km.");
    w.answer(1, "Ils tiennent encore.");
    w.clock.advance_ms(10 * kMinute);
    w.run();
    const auto sent = w.answers_sent();
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].channel == "email");
    CHECK(sent[0].subject == "Garage Demo : réponse à vos questions");
    for (const char* words : {"C'est urgent ?", "Oui, sous 500 km.", "Et les pneus ?", "Ils tiennent encore.",
                              "Anne Martin", "https://atelier.garage-xyz.fr/o/"})
        CHECK_MESSAGE(sent[0].body.find(words) != std::string::npos, words);
}

TEST_CASE("questions: the RO's advisor is notified of a question, with its words") {
    QuestionWorld w;
    NotificationService notifications({.db = *w.db, .clock = w.clock});
    User anne = w.add_user("anne");
    RepairOrderPatch p;
    p.advisor_id = std::optional<Id>(anne.id);
    REQUIRE(w.ros->update(w.ro.id, p, std::nullopt, w.actor).ok());
    w.ask(0, "C'est urgent ?");
    auto list = notifications.list(anne.id, true);
    REQUIRE(list.ok());
    REQUIRE(list->size() == 1);
    CHECK(list->front().kind == NotificationKind::question);
    CHECK(list->front().detail == "C'est urgent ?");
}

TEST_CASE("questions: an answer after a newer version went out is told through that version's link") {
    QuestionWorld w;
    w.ask(0, "C'est urgent ?");
    SendOfferRequest req;
    req.contact_point_ids = {w.ro.parties.at(0).contact_points.at(0).id};
    req.replace_seen = true;  // the customer saw version 1
    auto v2 = w.offers->send(w.ro.id, req, w.actor);
    REQUIRE(v2.ok());
    REQUIRE(w.db->write([&](Connection& c) -> Result<void> {
                    TRY(offer_state::move(
                        c, {.offer_id = v2->id, .to = OfferState::sent, .at = w.clock.now(), .by = w.actor},
                        nlohmann::json::object()));
                    return success();
                })
                .ok());
    auto answered = w.questions->answer(w.ro.id, w.item(0), "Oui.", w.actor);
    REQUIRE(answered.ok());
    CHECK(answered->offer_id == v2->id);
    w.clock.advance_ms(10 * kMinute);
    w.run();
    auto offer_of_message = w.db->read([&](Connection& c) -> Result<Id> {
        TRY_ASSIGN(auto s, c.prepare("SELECT offer_id FROM outbox WHERE purpose = 'answers'"));
        TRY(s.step());
        return s.int64(0);
    });
    REQUIRE(offer_of_message.ok());
    CHECK(*offer_of_message == v2->id);
    // The thread is the item's: the new version's page shows the question and its answer.
    auto threads = w.customers->threads(w.ro.id);
    REQUIRE(threads.size() == 2);
    CHECK(threads[0].offer_id == w.offer.id);
}
