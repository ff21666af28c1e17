// Staff notifications (issue 15, notifications/): what each timeline event tells, and to whom (the
// RO's advisor, the colleague who sent the offer when another, nobody else), written in the
// event's transaction; read per item and all at once; and the email digest, on a fake clock: one
// ten minutes after the last of a burst, the hour's cap, none for those who did not opt in, and
// once only when two services share the database (a restart).
#include "support.hpp"

#include "digests.hpp"
#include "inbound_sms.hpp"
#include "message_templates.hpp"
#include "notifications.hpp"
#include "offer_service.hpp"
#include "offer_state.hpp"
#include "sms_replies.hpp"
#include "sms_store.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace relais;
using namespace relais::test;
using nlohmann::json;

namespace {

constexpr const char* kPhone = "+33612345678";
constexpr UnixMs kMinute = 60'000;

struct NotifyWorld : World {
    Config config;
    std::unique_ptr<OfferService> offers;
    std::unique_ptr<NotificationService> notifications;
    std::unique_ptr<DigestService> digests;
    RepairOrder ro;
    User marie, paul, jeanne;  // the RO's advisor, a colleague who sends for her, a bystander
    std::vector<std::vector<Id>> told;

    NotifyWorld() {
        config.dealer.name = "Garage Dupont";
        config.http.public_base_url = "https://relais.garage-dupont.fr";
        config.reminders.sms_replies = true;
        clock.set(1'796'630'400'000);  // 2026-12-07T08:00:00Z
        offers = std::make_unique<OfferService>(
            OfferServiceDeps{.db = *db, .config = config, .random = random, .clock = clock, .zone = *zone});
        notifications = std::make_unique<NotificationService>(NotificationServiceDeps{.db = *db, .clock = clock});
        notifications->on_notified([this](const std::vector<Id>& users) { told.push_back(users); });
        digests = make_digests();
        marie = add_user("marie");
        paul = add_user("paul");
        jeanne = add_user("jeanne");
        RepairOrderPatch p = with_plate();
        p.number = std::string("OR-2041");
        p.advisor_id = std::optional<Id>(marie.id);
        PartyPatch driver;
        driver.first_name = std::string("Hélène");
        driver.last_name = std::string("Lefèvre");
        driver.roles = std::vector<PartyRole>{PartyRole::driver};
        ContactPointPatch phone;
        phone.kind = ContactKind::phone;
        phone.value = std::string("06 12 34 56 78");
        driver.contact_points = std::vector<ContactPointPatch>{phone};
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

    std::unique_ptr<DigestService> make_digests() {
        return std::make_unique<DigestService>(DigestServiceDeps{
            .db = *db, .config = config, .clock = clock, .zone = *zone, .workspace_url = "http://relais.local:8080"});
    }

    static Actor as(const User& u) { return Actor{Actor::Kind::user, u.id, u.display_name}; }

    // An offer sent by `by` to the customer's mobile, its SMS gone.
    Offer sent_offer(const User& by) {
        SendOfferRequest req;
        req.contact_point_ids = {ro.parties.at(0).contact_points.at(0).id};
        auto o = offers->send(ro.id, req, as(by));
        REQUIRE(o.ok());
        move(o->id, OfferState::sent, actor, json::object());
        return *o;
    }

    void move(Id offer_id, OfferState to, const Actor& by, const json& data, std::string type = {}) {
        auto r = db->write([&](Connection& c) {
            return offer_state::move(
                c, {.offer_id = offer_id, .to = to, .at = clock.now(), .by = by, .event_type = std::move(type)}, data);
        });
        REQUIRE(r.ok());
    }

    void record(const std::string& type, const json& data) {
        REQUIRE(db->write([&](Connection& c) -> Result<void> {
                      TRY(timeline::record(c, ro.id, clock.now(), appliance_actor(), type, data));
                      return success();
                  }).ok());
    }

    Actor customer() const { return Actor{Actor::Kind::customer, 0, "Hélène Lefèvre"}; }

    void confirm(Id offer_id, const char* decision) {
        const Id item = ro.interventions.at(0).id;
        move(offer_id, OfferState::confirmed, customer(), {{"decisions", {{std::to_string(item), decision}}}},
             "offer.confirmed");
    }

    // An SMS from the customer, as the modem's channel takes it in (offers may take it as the answer).
    void receive(const std::string& text) {
        auto out = db->write([&](Connection& c) -> Result<InboundOutcome> {
            InboundSmsRecord r;
            r.sender = kPhone;
            r.text = text;
            r.complete = true;
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
    }

    std::vector<Notification> of(const User& u, bool unread_only = false) {
        auto l = notifications->list(u.id, unread_only);
        REQUIRE(l.ok());
        return *l;
    }

    std::vector<std::string> kinds_of(const User& u) {
        std::vector<std::string> out;
        for (const auto& n : of(u)) out.insert(out.begin(), std::string(to_string(n.kind)));  // oldest first
        return out;
    }

    void opt_in(const User& u, const std::string& email) {
        auto s = notifications->save_settings(u.id, {.email = email, .digest = true});
        REQUIRE(s.ok());
    }

    struct Mail {
        std::string address, subject, body;
    };
    std::vector<Mail> digest_mails() {
        auto r = db->read([](Connection& c) -> Result<std::vector<Mail>> {
            TRY_ASSIGN(auto s, c.prepare("SELECT address, subject, body FROM outbox WHERE purpose = 'digest' "
                                         "ORDER BY id"));
            std::vector<Mail> out;
            for (;;) {
                TRY_ASSIGN(const bool row, s.step());
                if (!row) break;
                out.push_back({s.text(0), s.text(1), s.text(2)});
            }
            return out;
        });
        REQUIRE(r.ok());
        return *r;
    }

    // Runs the digests when due, as the scheduler's job does; the next due time.
    std::optional<UnixMs> run_digests(DigestService& service) {
        auto next = service.run_due();
        REQUIRE_MESSAGE(next.ok(), next.error().code, " ", next.error().detail);
        return *next;
    }
    std::optional<UnixMs> due() {
        auto d = digests->next_due();
        REQUIRE(d.ok());
        return *d;
    }
};

}  // namespace

TEST_CASE("notifications: each customer event tells the RO's advisor and the sender, nobody else") {
    NotifyWorld w;
    const Offer o = w.sent_offer(w.paul);
    CHECK(w.of(w.marie).empty());  // sending is staff's own doing: nothing to tell

    w.move(o.id, OfferState::seen, w.customer(), json::object());
    w.confirm(o.id, "accept");
    const std::vector<std::string> expected = {"seen", "confirmed"};
    CHECK(w.kinds_of(w.marie) == expected);
    CHECK(w.kinds_of(w.paul) == expected);
    CHECK(w.of(w.jeanne).empty());
    // Told live once per commit, to the two of them.
    REQUIRE(w.told.size() == 2);
    CHECK(w.told[1] == std::vector<Id>{w.marie.id, w.paul.id});

    const Notification n = w.of(w.marie).front();
    CHECK(n.ro_id == w.ro.id);
    CHECK(n.ro_number == "OR-2041");
    CHECK(n.customer_name == "Hélène Lefèvre");
    CHECK_FALSE(n.read_at);
}

TEST_CASE("notifications: contact me, a reply, a failed message, no answer, the advisor alone when she sent") {
    NotifyWorld w;
    const Offer o = w.sent_offer(w.marie);
    w.confirm(o.id, "contact_me");
    w.record("message.failed", {{"offer_id", o.id}, {"channel", "sms"}, {"address", kPhone}, {"error", "x"}});
    w.record("offer.no_answer", {{"offer_id", o.id}, {"version", 1}, {"reminders", 5}});
    w.receive("Bonjour, la voiture sera prête à quelle heure ?");
    const std::vector<std::string> expected = {"contact_me", "failed", "no_answer", "reply"};
    CHECK(w.kinds_of(w.marie) == expected);
    CHECK(w.of(w.paul).empty());
    const auto list = w.of(w.marie);
    CHECK(list.at(0).detail == "Bonjour, la voiture sera prête à quelle heure ?");
    CHECK(list.at(2).detail == kPhone);
    // Events that tell nobody anything: staff's own, an RO change.
    w.record("offer.reminded", {{"offer_id", o.id}, {"number", 1}});
    CHECK(w.of(w.marie).size() == 4);
}

TEST_CASE("notifications: an SMS taken as the customer's answer is told once, as that answer") {
    NotifyWorld w;
    const Offer o = w.sent_offer(w.paul);
    w.receive("OUI");
    REQUIRE(w.offers->get(o.id)->state == OfferState::confirmed);
    CHECK(w.kinds_of(w.marie) == std::vector<std::string>{"sms_decision"});
    CHECK(w.kinds_of(w.paul) == std::vector<std::string>{"sms_decision"});
}

TEST_CASE("notifications: read one by one, or all, only one's own") {
    NotifyWorld w;
    const Offer o = w.sent_offer(w.marie);
    w.move(o.id, OfferState::seen, w.customer(), json::object());
    w.confirm(o.id, "accept");
    auto list = w.of(w.marie);
    REQUIRE(list.size() == 2);
    CHECK(*w.notifications->unread_count(w.marie.id) == 2);

    // Someone else's is not found, and stays unread.
    auto foreign = w.notifications->mark_read(w.paul.id, list[0].id);
    REQUIRE_FALSE(foreign.ok());
    CHECK(foreign.error().kind == ErrorKind::not_found);
    CHECK(*w.notifications->unread_count(w.marie.id) == 2);

    w.clock.advance_ms(kMinute);
    auto read = w.notifications->mark_read(w.marie.id, list[0].id);
    REQUIRE(read.ok());
    CHECK(read->read_at == w.clock.now());
    CHECK(*w.notifications->unread_count(w.marie.id) == 1);
    REQUIRE(w.of(w.marie, true).size() == 1);
    CHECK(w.of(w.marie, true)[0].id == list[1].id);

    CHECK(*w.notifications->mark_all_read(w.marie.id) == 1);
    CHECK(*w.notifications->unread_count(w.marie.id) == 0);
    CHECK(w.of(w.marie).size() == 2);  // read ones stay listed

    // Pruned 30 days after being read, not before.
    w.clock.advance_ms(kKeepRead - kMinute);
    CHECK(*w.notifications->prune() == 0);
    w.clock.advance_ms(2 * kMinute);
    CHECK(*w.notifications->prune() == 2);
    CHECK(w.of(w.marie).empty());
}

TEST_CASE("notifications: the settings check the address") {
    NotifyWorld w;
    auto bad = w.notifications->save_settings(w.marie.id, {.email = "not an address", .digest = true});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().kind == ErrorKind::invalid);
    auto none = w.notifications->save_settings(w.marie.id, {.email = "", .digest = true});
    REQUIRE_FALSE(none.ok());
    auto ok = w.notifications->save_settings(w.marie.id, {.email = " Marie@Garage-Dupont.FR ", .digest = true});
    REQUIRE(ok.ok());
    CHECK(ok->digest);
    CHECK(w.notifications->settings(w.marie.id)->email == ok->email);
    CHECK(w.notifications->settings(w.paul.id)->digest == false);
}

TEST_CASE("digests: a burst makes one email ten minutes after its last notification") {
    NotifyWorld w;
    w.opt_in(w.marie, "marie@garage-dupont.fr");
    const Offer o = w.sent_offer(w.paul);  // Paul did not opt in
    const UnixMs start = w.clock.now();
    w.move(o.id, OfferState::seen, w.customer(), json::object());
    CHECK(w.due() == start + 10 * kMinute);
    w.clock.advance_ms(4 * kMinute);
    w.confirm(o.id, "contact_me");
    CHECK(w.due() == start + 14 * kMinute);  // pushed back by the later one

    // Not before it is due.
    w.clock.set(start + 13 * kMinute);
    CHECK(w.run_digests(*w.digests) == start + 14 * kMinute);
    CHECK(w.digest_mails().empty());

    w.clock.set(start + 14 * kMinute);
    CHECK_FALSE(w.run_digests(*w.digests));
    const auto mails = w.digest_mails();
    REQUIRE(mails.size() == 1);
    CHECK(mails[0].address == "marie@garage-dupont.fr");
    CHECK(mails[0].subject.find("2") != std::string::npos);
    CHECK(mails[0].body.find("OR-2041") != std::string::npos);
    CHECK(mails[0].body.find("a ouvert l'offre") != std::string::npos);
    CHECK(mails[0].body.find("demande à être rappelé") != std::string::npos);
    CHECK(mails[0].body.find("http://relais.local:8080/repair-orders/" + std::to_string(w.ro.id)) != std::string::npos);

    // The next event starts a new digest with only itself.
    w.clock.advance_ms(kMinute);
    w.record("offer.no_answer", {{"offer_id", o.id}});
    w.clock.advance_ms(10 * kMinute);
    w.run_digests(*w.digests);
    REQUIRE(w.digest_mails().size() == 2);
    CHECK(w.digest_mails()[1].body.find("a ouvert") == std::string::npos);
    CHECK(w.digest_mails()[1].body.find("5 rappels") != std::string::npos);
}

TEST_CASE("digests: a steady stream still gets mail an hour after the first") {
    NotifyWorld w;
    w.opt_in(w.marie, "marie@garage-dupont.fr");
    const Offer o = w.sent_offer(w.marie);
    const UnixMs start = w.clock.now();
    // A reply every 5 minutes for 90 minutes: never 10 quiet minutes.
    for (int i = 0; i < 18; ++i) {
        w.receive("message " + std::to_string(i));
        if (w.clock.now() == start + kDigestCap) CHECK(w.due() == start + kDigestCap);  // not 10 min later
        if (w.clock.now() >= start + kDigestCap) w.run_digests(*w.digests);
        w.clock.advance_ms(5 * kMinute);
    }
    CHECK(w.due() == start + 95 * kMinute);                 // the rest wait for their own, 10 min after the last
    CHECK(w.offers->get(o.id)->state == OfferState::sent);  // none was an answer
    const auto mails = w.digest_mails();
    REQUIRE(mails.size() == 1);  // at the hour; the rest wait for their own
    CHECK(mails[0].body.find("message 0") != std::string::npos);
    CHECK(mails[0].body.find("message 12") != std::string::npos);
    CHECK(mails[0].body.find("message 13") == std::string::npos);
}

TEST_CASE("digests: none for those who did not opt in or opted out, nor for what was read") {
    NotifyWorld w;
    const Offer o = w.sent_offer(w.paul);
    w.move(o.id, OfferState::seen, w.customer(), json::object());
    CHECK_FALSE(w.due());  // nobody opted in

    // Opted in afterwards: what came before is not mailed.
    w.opt_in(w.marie, "marie@garage-dupont.fr");
    w.clock.advance_ms(20 * kMinute);
    w.run_digests(*w.digests);
    CHECK(w.digest_mails().empty());

    // Opted out while a digest waits: nothing goes.
    w.confirm(o.id, "accept");
    REQUIRE(w.due());
    REQUIRE(w.notifications->save_settings(w.marie.id, {.email = "marie@garage-dupont.fr", .digest = false}).ok());
    w.clock.advance_ms(20 * kMinute);
    CHECK_FALSE(w.run_digests(*w.digests));
    CHECK(w.digest_mails().empty());

    // Read in the workspace before the digest was due: nothing left to mail.
    w.opt_in(w.marie, "marie@garage-dupont.fr");
    w.record("offer.no_answer", {{"offer_id", o.id}});
    REQUIRE(w.notifications->mark_all_read(w.marie.id).ok());
    w.clock.advance_ms(20 * kMinute);
    w.run_digests(*w.digests);
    CHECK(w.digest_mails().empty());
    CHECK_FALSE(w.due());
}

TEST_CASE("digests: a restart neither loses nor doubles one (two services on one database)") {
    NotifyWorld w;
    w.opt_in(w.marie, "marie@garage-dupont.fr");
    const Offer o = w.sent_offer(w.paul);
    w.move(o.id, OfferState::seen, w.customer(), json::object());
    // The first process is gone; the next one finds the digest due in the database.
    w.digests.reset();
    auto second = w.make_digests();
    auto third = w.make_digests();
    w.clock.advance_ms(10 * kMinute);
    w.run_digests(*second);
    w.run_digests(*third);
    CHECK(w.digest_mails().size() == 1);
}

TEST_CASE("notifications: one that cannot be made never holds up the change that caused it") {
    NotifyWorld w;
    const Offer o = w.sent_offer(w.paul);
    // A broken table (as a failing disk would make any write fail): the confirmation still commits.
    REQUIRE(w.db->with_writer([](Connection& c) {
                    return c.exec(
                        "CREATE TRIGGER refuse BEFORE INSERT ON notifications BEGIN SELECT RAISE(ABORT, "
                        "'refused'); END");
                })
                .ok());
    w.confirm(o.id, "accept");
    CHECK(w.offers->get(o.id)->state == OfferState::confirmed);
    CHECK(w.of(w.marie).empty());
    CHECK(w.told.empty());
}

TEST_CASE("notifications: the advisor's notification and digest are worded by the templates in force") {
    NotifyWorld w;
    w.opt_in(w.marie, "marie@garage-dupont.fr");
    const Offer o = w.sent_offer(w.paul);
    w.move(o.id, OfferState::seen, w.customer(), json::object());

    // Shipped: the bell's sentence names the RO and the customer, in the reader's language.
    auto list = w.of(w.marie);
    REQUIRE(w.notifications->word(list, "fr").ok());
    CHECK(list.at(0).text == "OR-2041 — Hélène Lefèvre a ouvert l'offre.");
    REQUIRE(w.notifications->word(list, "en").ok());
    CHECK(list.at(0).text.find("opened") != std::string::npos);

    // An admin's versions of both kinds.
    const TemplateKindSpec* note = find_template_kind("advisor_notification");
    const TemplateKindSpec* digest = find_template_kind("advisor_digest");
    REQUIRE(note);
    REQUIRE(digest);
    TemplateParts words = shipped_parts(*note, "fr");
    words["notification.seen"] = "<%customer_name> a lu le devis de l'<%ro_number>";
    TemplateParts mail = shipped_parts(*digest, "fr");
    mail["digest.subject"] = "Atelier : <%count> nouveautés pour <%user_name>";
    mail["digest.line"] = "• <%what> (<%time>)\n<%link>";
    REQUIRE(check_template(*note, words).empty());
    REQUIRE(check_template(*digest, mail).empty());
    REQUIRE(w.db->write([&](Connection& c) -> Result<void> {
                    TRY(template_store::save(c, *note, "fr", words, w.clock.now(), std::nullopt, "Admin"));
                    TRY(template_store::save(c, *digest, "fr", mail, w.clock.now(), std::nullopt, "Admin"));
                    return {};
                })
                .ok());

    list = w.of(w.marie);
    REQUIRE(w.notifications->word(list, "fr").ok());
    CHECK(list.at(0).text == "Hélène Lefèvre a lu le devis de l'OR-2041");
    REQUIRE(w.notifications->word(list, "en").ok());  // the English one was not edited
    CHECK(list.at(0).text.find("opened") != std::string::npos);

    w.clock.advance_ms(10 * kMinute);
    w.run_digests(*w.digests);
    const auto mails = w.digest_mails();
    REQUIRE(mails.size() == 1);
    CHECK(mails[0].subject == "Atelier : 1 nouveautés pour marie");
    CHECK(mails[0].body.find("• Hélène Lefèvre a lu le devis de l'OR-2041 (") != std::string::npos);
    CHECK(mails[0].body.find("a ouvert l'offre") == std::string::npos);
}
