// Message templates (messaging/message_templates.hpp): what is refused at save and why, versions
// (every save, and going back to the shipped texts), and the messages written from them: the
// texts in force, every placeholder filled, HTML escaped in email, the version recorded.
#include "auth.hpp"
#include "message_templates.hpp"
#include "offer_messages.hpp"
#include "offer_service.hpp"
#include "offer_state.hpp"
#include "reminders.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>

using namespace relais;
using namespace relais::test;

namespace {

bool has_problem(const Problems& problems, const std::string& field, const std::string& code) {
    return std::any_of(problems.begin(), problems.end(),
                       [&](const FieldError& f) { return f.field == field && f.code == code; });
}

std::string param(const FieldError& f, const std::string& name) {
    for (const auto& [k, v] : f.params)
        if (k == name) return v;
    return "";
}

const TemplateKindSpec& kind(std::string_view name) {
    const TemplateKindSpec* k = find_template_kind(name);
    REQUIRE(k != nullptr);
    return *k;
}

struct TemplateWorld : World {
    Config config;
    // The process's zone, which message times are written in (timezone.hpp).
    std::unique_ptr<TimeZone> paris = make_system_time_zone("Europe/Paris");
    std::unique_ptr<OfferService> offers;
    RepairOrder ro;

    TemplateWorld() {
        config.dealer.name = "Garage Roux";
        config.http.public_base_url = "https://atelier.garage-xyz.fr";
        offers = std::make_unique<OfferService>(
            OfferServiceDeps{.db = *db, .config = config, .random = random, .clock = clock, .zone = *zone});
        RepairOrderPatch p = with_plate();
        VehiclePatch v;
        v.plate = std::string("AB-123-CD");
        v.make = std::string("Peugeot");
        v.model = std::string("308");
        p.vehicle = v;
        p.promised_at = std::optional<UnixMs>(1'796'473'200'000);  // 2026-12-05 12:20 UTC, 13:20 in Paris
        PartyPatch driver;
        driver.first_name = std::string("Zoé");
        driver.last_name = std::string("<b>Brûlé</b>");
        driver.roles = std::vector<PartyRole>{PartyRole::driver};
        ContactPointPatch phone, email;
        phone.kind = ContactKind::phone;
        phone.value = std::string("06 12 34 56 78");
        email.kind = ContactKind::email;
        email.value = std::string("zoe@example.test");
        driver.contact_points = std::vector<ContactPointPatch>{phone, email};
        p.parties = std::vector<PartyPatch>{driver};
        InterventionPatch pads;
        pads.label = std::string("Plaquettes avant");
        pads.price_excl = 15825;
        p.interventions = std::vector<InterventionPatch>{pads};
        auto created = ros->create(p, actor);
        REQUIRE(created.ok());
        ro = *created;
    }

    TemplateVersion save(std::string_view k, const std::string& lang, std::optional<TemplateParts> parts) {
        auto v = db->write([&](Connection& c) {
            return template_store::save(c, kind(k), lang, parts, clock.now(), actor.id, actor.name);
        });
        REQUIRE(v.ok());
        return *v;
    }

    // The offer has left (its messages' verdicts are the outbox's, not tested here).
    void delivered(Id offer_id) {
        REQUIRE(db->write([&](Connection& c) -> Result<void> {
                      TRY(offer_state::move(
                          c, {.offer_id = offer_id, .to = OfferState::sent, .at = clock.now(), .by = actor},
                          nlohmann::json::object()));
                      return success();
                  }).ok());
    }

    // The offer's messages as the outbox holds them: the SMS first, then the email.
    std::vector<OutboxMessage> send() {
        SendOfferRequest req;
        for (const ContactPoint& cp : ro.parties.at(0).contact_points) req.contact_point_ids.push_back(cp.id);
        auto o = offers->send(ro.id, req, actor);
        REQUIRE(o.ok());
        auto read = offers->get(o->id);
        REQUIRE(read.ok());
        std::vector<OutboxMessage> out = read->messages;
        std::sort(out.begin(), out.end(),
                  [](const OutboxMessage& a, const OutboxMessage& b) { return a.channel < b.channel; });
        REQUIRE(out.size() == 2);
        return out;
    }
};

}  // namespace

TEST_CASE("templates: the shipped texts of every kind pass the checks an admin's texts must pass") {
    for (const TemplateKindSpec& k : template_kinds()) {
        for (const char* lang : {"fr", "en"}) {
            CAPTURE(k.name);
            CAPTURE(lang);
            const TemplateParts parts = shipped_parts(k, lang);
            CHECK(parts.size() == k.parts.size());
            const Problems problems = check_template(k, parts);
            for (const FieldError& f : problems) {
                CAPTURE(f.field);
                CAPTURE(f.code);
                FAIL_CHECK("a shipped text is refused");
            }
        }
    }
}

TEST_CASE("templates: refused at save, each problem named on its part") {
    const TemplateKindSpec& sms = kind("offer_sms");
    TemplateParts parts = shipped_parts(sms, "fr");

    SUBCASE("an unknown placeholder, with the ones that exist") {
        parts["offer_sms"] = "<%dealer_name> : votre devis <%lien> et <%link>";
        const Problems p = check_template(sms, parts);
        REQUIRE(p.size() == 1);
        CHECK(p[0].field == "parts.offer_sms");
        CHECK(p[0].code == "unknown_placeholder");
        CHECK(param(p[0], "value") == "<%lien>");
        CHECK(param(p[0], "choices").find("<%preferred_name>") != std::string::npos);
    }
    SUBCASE("a malformed placeholder is never sent as written") {
        parts["offer_sms"] = "Bonjour <%Prénom> : <%link>";
        const Problems p = check_template(sms, parts);
        REQUIRE(p.size() == 1);
        CHECK(p[0].code == "placeholder_malformed");
        CHECK(param(p[0], "value").rfind("<%", 0) == 0);
    }
    SUBCASE("an SMS that carries the offer without <%link>, each variant on its own") {
        parts["offer_sms.replies"] = "Répondez OUI ou NON.";
        const Problems p = check_template(sms, parts);
        REQUIRE(p.size() == 1);
        CHECK(p[0].field == "parts.offer_sms.replies");
        CHECK(p[0].code == "link_missing");
        const TemplateKindSpec& reminder = kind("reminder_sms");
        CHECK(has_problem(check_template(reminder, {{"reminder_sms", "Rappel n°<%reminder_number>"}}),
                          "parts.reminder_sms", "link_missing"));
        // The STOP answer has nothing to link to.
        CHECK(check_template(kind("stop_ack_sms"), {{"stop_ack_sms", "<%dealer_name> : c'est noté."}}).empty());
    }
    SUBCASE("a part missing, empty, or unknown") {
        parts.erase("offer_sms.replies");
        parts["offer_sms"] = "   \n";
        parts["offer_sms.other"] = "<%link>";
        const Problems p = check_template(sms, parts);
        CHECK(has_problem(p, "parts.offer_sms.replies", "required"));
        CHECK(has_problem(p, "parts.offer_sms", "required"));
        CHECK(has_problem(p, "parts.offer_sms.other", "unknown_field"));
        CHECK(p.size() == 3);
    }
    SUBCASE("a placeholder a reminder has is unknown in an offer") {
        parts["offer_sms"] = "Rappel <%reminder_number> : <%link>";
        CHECK(has_problem(check_template(sms, parts), "parts.offer_sms", "unknown_placeholder"));
        CHECK(check_template(kind("reminder_sms"), {{"reminder_sms", "Rappel <%reminder_number> : <%link>"}}).empty());
    }
}

TEST_CASE("templates: an email body holds 4,000 characters, counted as characters, not bytes") {
    const TemplateKindSpec& email = kind("offer_email");
    TemplateParts parts = shipped_parts(email, "fr");
    std::string body;
    for (int i = 0; i < 4000; ++i) body += "é";  // 8,000 bytes
    parts["offer_email.body.one"] = body;
    CHECK(check_template(email, parts).empty());
    parts["offer_email.body.one"] = body + "e";
    const Problems p = check_template(email, parts);
    REQUIRE(p.size() == 1);
    CHECK(p[0].field == "parts.offer_email.body.one");
    CHECK(p[0].code == "too_long");
    CHECK(param(p[0], "max") == "4000");
    // A subject is one line.
    parts = shipped_parts(email, "fr");
    parts["offer_email.subject"] = "Votre devis\nBcc: x@y";
    CHECK(has_problem(check_template(email, parts), "parts.offer_email.subject", "single_line"));
}

TEST_CASE("templates: every save is a version, back to the shipped texts is one too") {
    TemplateWorld w;
    auto current = [&](const std::string& lang) {
        auto v = w.db->read([&](Connection& c) { return template_store::current(c, kind("offer_sms"), lang); });
        REQUIRE(v.ok());
        return *v;
    };
    const TemplateVersion shipped = current("fr");
    CHECK(shipped.version == 0);
    CHECK(shipped.shipped);
    CHECK(shipped.parts == shipped_parts(kind("offer_sms"), "fr"));

    TemplateParts mine = shipped.parts;
    mine["offer_sms"] = "<%dealer_name> : devis <%vehicle> prêt, <%link>";
    w.clock.advance_ms(1000);
    const TemplateVersion v1 = w.save("offer_sms", "fr", mine);
    CHECK(v1.version == 1);
    CHECK_FALSE(v1.shipped);
    CHECK(v1.parts.at("offer_sms") == mine["offer_sms"]);
    CHECK(v1.created_by == "Test");
    mine["offer_sms"] = "<%dealer_name> : <%link>";
    CHECK(w.save("offer_sms", "fr", mine).version == 2);
    const TemplateVersion v3 = w.save("offer_sms", "fr", std::nullopt);
    CHECK(v3.version == 3);
    CHECK(v3.shipped);
    CHECK(v3.parts == shipped.parts);
    // English is its own series.
    CHECK(current("en").version == 0);

    auto history = w.db->read([&](Connection& c) { return template_store::history(c, kind("offer_sms"), "fr"); });
    REQUIRE(history.ok());
    REQUIRE(history->size() == 3);
    CHECK((*history)[0].version == 3);
    CHECK((*history)[1].parts.at("offer_sms") == "<%dealer_name> : <%link>");
    CHECK((*history)[2].version == 1);
}

TEST_CASE("templates: messages are written from the version in force, which each records") {
    TemplateWorld w;
    std::vector<OutboxMessage> first = w.send();
    CHECK(first[0].channel == Channel::sms);
    CHECK(first[0].template_ref == "offer_sms/fr/0");
    CHECK(first[1].template_ref == "offer_email/fr/0");
    CHECK(first[0].body.find("Garage Roux : le devis de votre Peugeot 308") == 0);

    // Every placeholder an offer may name, in the SMS and in the email's body.
    std::string all;
    for (std::string_view p : kind("offer_sms").placeholders) all += std::string(p) + "=<%" + std::string(p) + ">;";
    TemplateParts sms = shipped_parts(kind("offer_sms"), "fr");
    sms["offer_sms"] = all;
    w.save("offer_sms", "fr", sms);
    TemplateParts email = shipped_parts(kind("offer_email"), "fr");
    email["offer_email.body.one"] = all;
    email["offer_email.subject"] = "Devis <%ro_number> pour <%preferred_name>";
    w.save("offer_email", "fr", email);

    std::vector<OutboxMessage> second = w.send();
    CHECK(second[0].template_ref == "offer_sms/fr/1");
    CHECK(second[1].template_ref == "offer_email/fr/1");
    const std::string& text = second[0].body;
    CAPTURE(text);
    CHECK(text.find("<%") == std::string::npos);
    // In an SMS, values in their GSM form ("û" would make the whole message UCS-2).
    CHECK(text.find("customer_name=Zoé <b>Brulé</b>;") != std::string::npos);
    CHECK(text.find("preferred_name=Zoé <b>Brulé</b>;") != std::string::npos);  // no preferred name: the full one
    CHECK(text.find("salutation=Bonjour Zoé <b>Brulé</b>,;") != std::string::npos);
    CHECK(text.find("vehicle=Peugeot 308 AB-123-CD;plate=AB-123-CD;") != std::string::npos);
    CHECK(text.find("ro_number=" + w.ro.number + ";") != std::string::npos);
    CHECK(text.find("dealer_name=Garage Roux;") != std::string::npos);
    CHECK(text.find("link=https://atelier.garage-xyz.fr/o/") != std::string::npos);
    CHECK(text.find("item_count=1;") != std::string::npos);
    CHECK(text.find("promised_at=05/12 à 13:20;") != std::string::npos);
    CHECK(text.find("total=189,90") != std::string::npos);
    // In the email, the values are escaped in HTML and kept as they are in the text part.
    const OutboxMessage& mail = second[1];
    CHECK(mail.subject == "Devis " + w.ro.number + " pour Zoé <b>Brûlé</b>");
    CHECK(mail.body.find("customer_name=Zoé <b>Brûlé</b>;") != std::string::npos);
    CHECK(mail.html.find("customer_name=Zoé &lt;b&gt;Brûlé&lt;/b&gt;;") != std::string::npos);
    CHECK(mail.html.find("<b>Brûlé") == std::string::npos);

    // Back to the shipped texts: the next message says so; those sent keep their version.
    w.save("offer_sms", "fr", std::nullopt);
    std::vector<OutboxMessage> third = w.send();
    CHECK(third[0].template_ref == "offer_sms/fr/2");
    CHECK(third[0].body.find("Garage Roux : le devis de votre Peugeot 308") == 0);
    CHECK(third[1].template_ref == "offer_email/fr/1");
}

TEST_CASE("templates: the longest plausible values make the worst case of the shipped SMS") {
    Config config;
    config.dealer.name = "Garage Roux";
    config.http.public_base_url = "https://atelier.garage-xyz.fr";
    const TextValues v = longest_values(config, "fr", Channel::sms);
    auto value = [&](std::string_view name) {
        const auto it = std::find_if(v.begin(), v.end(), [&](const auto& p) { return p.first == name; });
        REQUIRE(it != v.end());
        return it->second;
    };
    // Every placeholder any customer kind may name has one (staff kinds have their own examples).
    for (const TemplateKindSpec& k : template_kinds())
        if (!k.staff)
            for (std::string_view p : k.placeholders) CHECK_FALSE(value(p).empty());
    CHECK(value("link").size() == std::string("https://atelier.garage-xyz.fr/o/").size() + kLinkTokenChars);
    CHECK(value("dealer_name") == "Garage Roux");
    CHECK(value("reminder_number") == "5");
    // In an SMS, French money has plain spaces (the no-break ones would make it UCS-2).
    CHECK(value("total").find("\u202f") == std::string::npos);
}

TEST_CASE("templates: the advisor's wording of one send, checked as a template, leaves the template as it was") {
    TemplateWorld w;
    SendOfferRequest req;
    for (const ContactPoint& cp : w.ro.parties.at(0).contact_points) req.contact_point_ids.push_back(cp.id);

    SUBCASE("refused with each problem on the field typed in") {
        req.message.sms = "Bonjour <%prenom>, votre devis est prêt.";
        req.message.email_subject = "Devis <%vehicle>";
        auto sent = w.offers->send(w.ro.id, req, w.actor);
        REQUIRE_FALSE(sent.ok());
        const Problems& p = sent.error().fields;
        CHECK(has_problem(p, "message.sms", "unknown_placeholder"));
        CHECK(has_problem(p, "message.sms", "link_missing"));
        CHECK(p.size() == 2);  // each once, though the SMS stands for two parts
        // The preview says the same.
        auto preview = w.offers->preview(w.ro.id, req);
        REQUIRE_FALSE(preview.ok());
        CHECK(preview.error().fields.size() == 2);
        // Too long, or a subject on two lines.
        req.message.sms = "<%link>";
        req.message.email_subject = "Devis\nBcc: x@y";
        req.message.email_body = std::string(kMaxEmailBodyChars + 1, 'x');
        sent = w.offers->send(w.ro.id, req, w.actor);
        REQUIRE_FALSE(sent.ok());
        CHECK(has_problem(sent.error().fields, "message.email_body", "too_long"));
        CHECK(sent.error().fields.size() == 2);
    }
    SUBCASE("sent as written, recorded as an edit of the version in force, and resent the same") {
        req.message.sms = "<%dealer_name> : Zoé, le devis <%ro_number> est là : <%link>";
        req.message.email_subject = "Votre <%vehicle> : le devis";
        req.message.email_body = "Voici le devis de <%total> pour <%plate>.";
        auto preview = w.offers->preview(w.ro.id, req);
        REQUIRE(preview.ok());
        auto sent = w.offers->send(w.ro.id, req, w.actor);
        REQUIRE(sent.ok());
        auto read = w.offers->get(sent->id);
        REQUIRE(read.ok());
        CHECK(read->edits.sms == req.message.sms);
        std::vector<OutboxMessage> m = read->messages;
        std::sort(m.begin(), m.end(), [](const auto& a, const auto& b) { return a.channel < b.channel; });
        REQUIRE(m.size() == 2);
        CHECK(m[0].body.rfind("Garage Roux : Zoé, le devis " + w.ro.number + " est là : https://", 0) == 0);
        CHECK(m[0].template_ref == "offer_sms/fr/0+edited");
        CHECK(m[1].subject == "Votre Peugeot 308 AB-123-CD : le devis");
        CHECK(m[1].body.find("Voici le devis de 189,90") != std::string::npos);
        CHECK(m[1].template_ref == "offer_email/fr/0+edited");
        // The preview showed the same words.
        CHECK(preview->messages.at(0).text.text.find("Zoé, le devis") != std::string::npos);
        // The template is untouched.
        auto v = w.db->read([&](Connection& c) { return template_store::current(c, kind("offer_sms"), "fr"); });
        REQUIRE(v.ok());
        CHECK(v->version == 0);
        // A resend says the same.
        w.delivered(sent->id);
        w.clock.advance_ms(60'000);
        auto again = w.offers->resend(sent->id, w.actor);
        CAPTURE(again.ok() ? std::string() : again.error().code);
        REQUIRE(again.ok());
        auto reread = w.offers->get(sent->id);
        REQUIRE(reread.ok());
        int edited_sms = 0;
        for (const OutboxMessage& msg : reread->messages)
            if (msg.channel == Channel::sms && msg.body.find("Zoé, le devis") != std::string::npos) ++edited_sms;
        CHECK(edited_sms == 2);
    }
}

TEST_CASE("templates: another colleague as the sender: their name in the messages and the reminders") {
    TemplateWorld w;
    const User paul = w.add_user("paul");
    Principal self;
    self.id = paul.id;
    self.name = paul.username;
    // Their signature: a text field's rules, at most 500 characters.
    UserPatch bad;
    bad.email_signature = std::string(kMaxEmailSignature + 1, 'x');
    auto refused_signature = w.auth->update_user(paul.id, bad, self);
    REQUIRE_FALSE(refused_signature.ok());
    CHECK(has_problem(refused_signature.error().fields, "email_signature", "too_long"));
    UserPatch sign;
    sign.email_signature = "Paul Martin\r\nRéception atelier — 01 45 67 89 10";
    auto signed_up = w.auth->update_user(paul.id, sign, self);
    REQUIRE(signed_up.ok());
    CHECK(signed_up->email_signature == "Paul Martin\nRéception atelier — 01 45 67 89 10");
    SendOfferRequest req;
    req.contact_point_ids = {w.ro.parties.at(0).contact_points.at(1).id};  // the email
    req.sender_id = 9999;
    auto refused = w.offers->send(w.ro.id, req, w.actor);
    REQUIRE_FALSE(refused.ok());
    CHECK(has_problem(refused.error().fields, "sender_id", "unknown_user"));

    req.sender_id = paul.id;
    req.reminders = ReminderCadence{ReminderPolicy::urgent, 2};
    auto sent = w.offers->send(w.ro.id, req, w.actor);
    REQUIRE(sent.ok());
    auto read = w.offers->get(sent->id);
    REQUIRE(read.ok());
    CHECK(read->sender_user_id == paul.id);
    CHECK(read->sender_name == paul.display_name);
    CHECK(read->snapshot.advisor_name == paul.display_name);
    REQUIRE(read->messages.size() == 1);
    CHECK(read->messages[0].body.find(paul.display_name) != std::string::npos);
    CHECK(read->messages[0].body.find("Paul Martin\nRéception atelier — 01 45 67 89 10") != std::string::npos);
    CHECK(read->messages[0].html.find("Paul Martin<br>Réception atelier") != std::string::npos);
    // A reminder goes in Paul's name too, not the RO's advisor's.
    ReminderService reminders(
        {.db = *w.db, .config = w.config, .random = w.random, .clock = w.clock, .zone = *w.paris});
    w.delivered(sent->id);
    w.clock.advance_ms(60'000);
    auto now = reminders.send_now(sent->id, w.actor);
    CAPTURE(now.ok() ? std::string() : now.error().code);
    REQUIRE(now.ok());
    auto after = w.offers->get(sent->id);
    REQUIRE(after.ok());
    REQUIRE(after->messages.size() == 2);
    const OutboxMessage& reminder =
        after->messages.back().purpose == "reminder" ? after->messages.back() : after->messages.front();
    CHECK(reminder.purpose == "reminder");
    CHECK(reminder.body.find(paul.display_name) != std::string::npos);
    CHECK(reminder.body.find("Réception atelier — 01 45 67 89 10") != std::string::npos);
}

TEST_CASE("templates: the staff kinds name only what each of their texts is given") {
    const TemplateKindSpec& note = kind("advisor_notification");
    const TemplateKindSpec& digest = kind("advisor_digest");
    CHECK(note.staff);
    CHECK(digest.staff);
    // Every notification sentence is a part, in the order of the staff texts.
    CHECK(std::find(note.parts.begin(), note.parts.end(), "notification.seen") != note.parts.end());
    CHECK(std::find(note.parts.begin(), note.parts.end(), "notification.no_answer") != note.parts.end());
    CHECK(template_kind_of_text("digest.line") == &digest);

    TemplateParts parts = shipped_parts(digest, "fr");
    REQUIRE(check_template(digest, parts).empty());
    CHECK(parts["digest.line"].find('\n') != std::string::npos);  // a paragraph may hold several lines

    SUBCASE("a value another part is given") {
        parts["digest.subject"] = "Résumé de <%time>";
        const Problems p = check_template(digest, parts);
        REQUIRE(p.size() == 1);
        CHECK(p[0].field == "parts.digest.subject");
        CHECK(p[0].code == "unknown_placeholder");
        CHECK(param(p[0], "choices") == "<%dealer_name>, <%user_name>, <%count>");
    }
    SUBCASE("a subject on two lines") {
        parts["digest.subject"] = "Résumé\n<%count>";
        const Problems p = check_template(digest, parts);
        REQUIRE(p.size() == 1);
        CHECK(p[0].code == "single_line");
    }
    SUBCASE("a notification sentence: one line, and only its own values") {
        TemplateParts words = shipped_parts(note, "en");
        words["notification.seen"] = "<%customer_name> opened it: <%detail>";
        words["notification.reply"] = "<%customer_name> wrote:\n<%detail>";
        const Problems p = check_template(note, words);
        REQUIRE(p.size() == 2);
        CHECK(p[0].field == "parts.notification.seen");
        CHECK(p[0].code == "unknown_placeholder");
        CHECK(param(p[0], "value") == "<%detail>");
        CHECK(p[1].field == "parts.notification.reply");
        CHECK(p[1].code == "single_line");
    }
    SUBCASE("no link needed: staff open the workspace") {
        CHECK_FALSE(note.needs_link);
        CHECK_FALSE(digest.needs_link);
    }
}

TEST_CASE("templates: a party's preferred name, in its placeholder and the greeting, kept for the reminders") {
    TemplateWorld w;
    const Party& zoe = w.ro.parties.at(0);
    PartyPatch patch;
    patch.preferred_name = std::string(61, 'x');
    auto refused = w.ros->update_party(w.ro.id, zoe.id, patch, std::nullopt, w.actor);
    REQUIRE_FALSE(refused.ok());
    CHECK(has_problem(refused.error().fields, "preferred_name", "too_long"));
    patch.preferred_name = std::string("Mme Brûlé");
    auto named = w.ros->update_party(w.ro.id, zoe.id, patch, std::nullopt, w.actor);
    REQUIRE(named.ok());
    CHECK(w.ros->get(w.ro.id)->parties.at(0).preferred_name == "Mme Brûlé");

    TemplateParts sms = shipped_parts(kind("offer_sms"), "fr");
    sms["offer_sms"] = "<%salutation> <%preferred_name> / <%customer_name> : <%link>";
    w.save("offer_sms", "fr", sms);
    TemplateParts reminder = shipped_parts(kind("reminder_sms"), "fr");
    reminder["reminder_sms"] = "Relance pour <%preferred_name> : <%link>";
    w.save("reminder_sms", "fr", reminder);
    const std::vector<OutboxMessage> sent = w.send();
    REQUIRE(sent[0].offer_id);
    const Id offer_id = *sent[0].offer_id;
    CHECK(sent[0].body.find("Bonjour Mme Brulé, Mme Brulé / Zoé <b>Brulé</b> : https://") == 0);
    // The email greets by the preferred name too.
    CHECK(sent[1].body.find("Bonjour Mme Brûlé,") != std::string::npos);

    // A later change of the party does not change whom this offer's reminders greet.
    patch.preferred_name = std::string("Zoé");
    REQUIRE(w.ros->update_party(w.ro.id, zoe.id, patch, std::nullopt, w.actor).ok());
    ReminderService reminders(
        {.db = *w.db, .config = w.config, .random = w.random, .clock = w.clock, .zone = *w.paris});
    w.delivered(offer_id);
    w.clock.advance_ms(60'000);
    REQUIRE(reminders.send_now(offer_id, w.actor).ok());
    auto after = w.offers->get(offer_id);
    REQUIRE(after.ok());
    const auto it = std::find_if(after->messages.begin(), after->messages.end(), [](const OutboxMessage& m) {
        return m.purpose == "reminder" && m.channel == Channel::sms;
    });
    REQUIRE(it != after->messages.end());
    CHECK(it->body.find("Relance pour Mme Brulé : https://") == 0);
}
