// Every sentence Relais writes to a customer, and every error message, byte for byte as they were
// when the texts moved into config/texts (issue 14): a representative set (both languages, both
// channels, with and without a note or a name, plurals, accents, characters that HTML escapes).
// The expected bytes are tests/unit/golden/texts.txt; on a difference the actual output is
// written beside the build's temporary files and its path printed, to diff.

#include "support.hpp"

#include "appliance_mail.hpp"
#include "auth.hpp"
#include "inbound_sms.hpp"
#include "message_templates.hpp"
#include "messages.hpp"
#include "offer_messages.hpp"
#include "responses.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace relais;
using namespace relais::test;

namespace {

const char* const kErrorCodes[] = {"validation_failed",
                                   "too_many_questions",
                                   "no_question",
                                   "not_found",
                                   "certificate_not_acme",
                                   "certificate_renew_too_soon",
                                   "not_found.repair_order",
                                   "not_found.party",
                                   "not_found.contact_point",
                                   "not_found.intervention",
                                   "not_found.user",
                                   "not_found.agreement",
                                   "not_found.api_key",
                                   "not_found.route",
                                   "unauthorized",
                                   "invalid_credentials",
                                   "session_expired",
                                   "invalid_api_key",
                                   "forbidden",
                                   "admin_only",
                                   "password_change_required",
                                   "csrf_failed",
                                   "cross_site",
                                   "too_many_attempts",
                                   "body_too_large",
                                   "malformed_json",
                                   "expected_object",
                                   "unsupported_media_type",
                                   "method_not_allowed",
                                   "version_conflict",
                                   "invalid_if_match",
                                   "internal",
                                   "database_busy",
                                   "shutting_down",
                                   "unique_violation",
                                   "modem_unavailable",
                                   "sms_empty",
                                   "offers_unavailable",
                                   "events_unavailable",
                                   "too_many_streams",
                                   "offer_locked",
                                   "offer_closed",
                                   "offer_not_cancellable",
                                   "offer_not_resendable",
                                   "no_recipient_left",
                                   "offer_read_only",
                                   "link_superseded",
                                   "link_expired",
                                   "link_other_device",
                                   "too_many_streams_for_you",
                                   "too_many_unknown_links",
                                   "too_many_access_links",
                                   "cross_site_request",
                                   "confirmation_required",
                                   "agreed_by_customer",
                                   "repair_order_deleted",
                                   "repair_order_has_offers",
                                   "not_your_repair_order",
                                   "answers_not_confirmed",
                                   "sms_invalid_utf8",
                                   "sms_too_long",
                                   "required",
                                   "plate_or_customer_required",
                                   "too_long",
                                   "one_line",
                                   "control_characters",
                                   "bidi_control",
                                   "too_many_values",
                                   "invalid_type",
                                   "unknown_field",
                                   "unknown_contact_point",
                                   "opted_out",
                                   "duplicate",
                                   "nothing_to_offer",
                                   "invalid_setting",
                                   "settings_unavailable",
                                   "unknown_item",
                                   "decision_required",
                                   "unknown_agreement",
                                   "agreement_required",
                                   "too_many_agreements",
                                   "invalid_choice",
                                   "out_of_range",
                                   "in_the_past",
                                   "too_far_ahead",
                                   "invalid_date",
                                   "vin_length",
                                   "vin_characters",
                                   "plate_characters",
                                   "phone_invalid_country",
                                   "phone_not_a_number",
                                   "phone_too_short",
                                   "phone_too_long",
                                   "phone_invalid",
                                   "email_invalid",
                                   "email_invalid.missing_at",
                                   "email_invalid.domain",
                                   "email_invalid.local_part",
                                   "email_invalid.spaces",
                                   "email_invalid.too_long",
                                   "duplicate_contact",
                                   "roles_required",
                                   "role_taken",
                                   "use_sub_resource",
                                   "price_mismatch",
                                   "unknown_user",
                                   "number_taken",
                                   "username_invalid",
                                   "username_taken",
                                   "password_too_short",
                                   "password_too_long",
                                   "password_is_username",
                                   "password_wrong",
                                   "password_unchanged",
                                   "cannot_demote_self",
                                   "cannot_deactivate_self",
                                   "name_taken",
                                   "type.string",
                                   "type.integer",
                                   "type.boolean",
                                   "type.boolean_or_null",
                                   "type.object",
                                   "type.array",
                                   "type.date",
                                   "type.contact_point_id",
                                   "role.driver",
                                   "role.owner",
                                   "role.contractor",
                                   "role.leasing_company",
                                   "report_no_offer",
                                   "report_offer_not_locked",
                                   "report_ro_not_ready",
                                   "report_no_recipient",
                                   "declined_by_customer",
                                   "no_such_code"};

// A value for every parameter the messages name; "detail" holds a French " :" of its own.
const Params kAllParams = {
    {"advisor", "Hélène"},  {"choices", "a, b"},   {"days", "30"},    {"detail", "port : occupé"},
    {"expected", "string"}, {"gap_minutes", "15"}, {"id", "7"},       {"label", "Pneus <avant>"},
    {"length", "16"},       {"max", "32"},         {"min", "1"},      {"minutes", "12"},
    {"parts", "256"},       {"role", "owner"},     {"seconds", "30"}, {"state", "seen"},
    {"value", "a&b@x"},     {"version", "3"}};

struct Golden {
    std::string out;
    void add(const std::string& name, const std::string& value) { out += "=== " + name + "\n" + value + "\n"; }
    void add(const std::string& name, const Result<OfferMessageText>& r) {
        REQUIRE(r.ok());
        const OfferMessageText& m = *r;
        if (!m.subject.empty()) add(name + " subject", m.subject);
        add(name + " text", m.text);
        if (!m.html.empty()) add(name + " html", m.html);
    }
};

Offer sample_offer(const std::string& language) {
    Offer offer;
    offer.language = language;
    offer.snapshot.ro_number = "OR-2026-0042";
    offer.snapshot.currency = "EUR";
    offer.snapshot.vehicle.make = "Citroën";
    offer.snapshot.vehicle.model = "C3";
    offer.snapshot.vehicle.plate = "AB-123-CD";
    offer.snapshot.advisor_name = "Hélène Lefèvre";
    OfferItem item;
    item.price_incl = 123456789;
    offer.snapshot.items = {item, OfferItem{}, OfferItem{}};
    return offer;
}

std::string stop_ack(const std::string& language) {
    World w;
    Config config;
    config.dealer.name = "Garage <Hélène> & Fils";
    config.dealer.language = language;
    auto body = w.db->write([&](Connection& c) -> Result<std::string> {
        InboundSmsRecord r;
        r.sender = "+33699999999";
        r.text = "STOP";
        r.received_at = w.clock.now();
        TRY_ASSIGN(r.id, sms_store::insert_inbound(c, r));
        TRY(handle_inbound_sms(c, config, r, w.clock.now(), {}));
        TRY_ASSIGN(auto s, c.prepare("SELECT body FROM outbox WHERE purpose = 'stop_ack'"));
        TRY(s.step());
        return s.text(0);
    });
    REQUIRE(body.ok());
    return *body;
}

// The display name of the first admin, created at the first start in the dealership's language.
std::string first_admin_name(const std::string& language) {
    World w;
    REQUIRE(w.auth->bootstrap_admin(language).ok());
    auto users = w.auth->list_users();
    REQUIRE(users.ok());
    REQUIRE(users->size() == 1);
    return users->front().display_name;
}

std::string golden_texts() {
    Golden g;
    for (const char* lang : {"fr", "en"}) {
        for (const char* code : kErrorCodes)
            g.add(std::string("error ") + lang + " " + code, render_message(code, kAllParams, lang));
        const std::string l = lang;
        g.add("error " + l + " invalid_type contact_point_id",
              render_message("invalid_type", {{"expected", "contact_point_id"}}, lang));
        g.add("error " + l + " invalid_type unknown", render_message("invalid_type", {{"expected", "thing"}}, lang));
        g.add("error " + l + " role_taken driver", render_message("role_taken", {{"role", "driver"}}, lang));
        g.add("error " + l + " role_taken unknown", render_message("role_taken", {{"role", "pilot"}}, lang));
        g.add("error " + l + " not_found party", render_message("not_found", {{"what", "party"}}, lang));
        g.add("error " + l + " not_found unknown", render_message("not_found", {{"what", "planet"}}, lang));
        g.add("error " + l + " email_invalid domain",
              render_message("email_invalid", {{"value", "a@b"}, {"reason", "domain"}}, lang));
    }
    g.add("error de", render_message("required", {}, "de"));

    Config config;
    config.dealer.name = "Garage <Hélène> & Fils";
    config.dealer.brand_color = "#f5c400";
    config.http.public_base_url = "https://atelier.garage-xyz.fr";
    const std::string link = "https://atelier.garage-xyz.fr/o/AbC_dEf-123?x=1&y=2";
    for (const char* lang : {"fr", "en"}) {
        const std::string l = lang;
        Offer offer = sample_offer(l);
        g.add("offer_sms " + l, offer_sms(config, TemplateTexts{}, offer, "", link));
        Config replies = config;
        replies.reminders.sms_replies = true;
        g.add("offer_sms replies " + l, offer_sms(replies, TemplateTexts{}, offer, "", link));
        g.add("sms_reply_ack yes " + l, sms_reply_ack(config, offer, SmsReply::yes, true, link));
        g.add("sms_reply_ack no " + l, sms_reply_ack(config, offer, SmsReply::no, true, link));
        g.add("sms_reply_ack no nothing kept " + l, sms_reply_ack(config, offer, SmsReply::no, false, link));
        g.add("sms_reply_ack call_me " + l, sms_reply_ack(config, offer, SmsReply::call_me, true, link));
        replies.dealer.phone_display = "01 23 45 67 89";
        g.add("sms_reply_ack yes phone " + l, sms_reply_ack(replies, offer, SmsReply::yes, true, link));
        g.add("access_link_sms " + l, access_link_sms(config, TemplateTexts{}, offer, "", link));
        const std::vector<AnsweredItem> one = {
            {"Plaquettes <avant>", "C'est urgent ?", "Oui, sous 500 km & pas plus."}};
        g.add("answers_sms full " + l, answers_sms(config, offer, one, link));
        std::vector<AnsweredItem> two = one;
        two.push_back({"Pneus", "", "Ils tiennent encore un an."});
        g.add("answers_sms short " + l, answers_sms(config, offer, two, link));
        g.add("answers_sms long " + l, answers_sms(config, offer, {{"Pneus", "?", std::string(400, 'x')}}, link));
        g.add("answers_email " + l, answers_email(config, offer, "Jean-Pierre <Dupré>", "Anne Martin", two, link));
        g.add("answers_email " + l + " no advisor", answers_email(config, offer, "", "", one, link));
        g.add("access_link_email " + l + " named",
              access_link_email(config, TemplateTexts{}, offer, "Jean-Pierre <Dupré>", link));
        g.add("access_link_email " + l + " no name", access_link_email(config, TemplateTexts{}, offer, "", link));
        g.add("offer_email " + l + " no note",
              offer_email(config, TemplateTexts{}, offer, "Jean-Pierre <Dupré>", link));
        offer.note = "Voici les travaux.\nLes pneus <avant> & l'essuie-glace : urgent !";
        g.add("offer_email " + l + " note", offer_email(config, TemplateTexts{}, offer, "Jean-Pierre <Dupré>", link));
        offer.note = "Bonjour Madame Lefèvre,\nvoici le devis.";
        g.add("offer_email " + l + " greeting note", offer_email(config, TemplateTexts{}, offer, "", link));
        offer.note = "";
        offer.snapshot.items.resize(1);
        offer.snapshot.advisor_name = "";
        g.add("offer_email " + l + " one item no name", offer_email(config, TemplateTexts{}, offer, "", link));
        offer.snapshot.items.clear();
        offer.snapshot.vehicle = {};
        g.add("offer_email " + l + " no item no vehicle", offer_email(config, TemplateTexts{}, offer, "Jane", link));
        g.add("offer_sms " + l + " no vehicle", offer_sms(config, TemplateTexts{}, offer, "", link));
        g.add("stop_ack " + l, stop_ack(l));
        {
            Offer reported = sample_offer(l);
            RepairReport report;
            report.advisor_name = "Hélène <Lefèvre>";
            report.final_total_incl = 45678;
            g.add("report_sms " + l, report_sms(config, TemplateTexts{}, reported, report, "", link));
            g.add("report_email " + l + " no note",
                  report_email(config, TemplateTexts{}, reported, report, "Jean-Pierre <Dupré>", link));
            report.note = "Pensez au contrôle technique <en mars> & aux pneus.";
            g.add("report_email " + l + " note", report_email(config, TemplateTexts{}, reported, report, "", link));
        }
        const mail::MailMessage test = test_email(config, l);
        g.add("test_email " + l + " subject", test.subject);
        g.add("test_email " + l + " text", test.text);
        g.add("test_email " + l + " html", test.html);
        g.add("money " + l, format_money(-123456789, "EUR", l) + " " + format_money(5, "GBP", l) + " " +
                                format_money(100000, "CHF", l) + " " + format_money(0, "XYZ", l));
    }
    // The HTML page of an error outside the API (both listeners), and the first admin's name;
    // "de" shows which language another one reads as.
    for (const char* lang : {"fr", "en", "de"}) {
        const std::string l = lang;
        for (int status : {404, 405, 503, 500}) {
            const HttpResponse page = html_error_page(status, l);
            g.add("error_page " + l + " " + std::to_string(status),
                  std::to_string(page.status) + " " + *page.find_header("Content-Type") + "\n" + page.body);
        }
        g.add("first_admin " + l, first_admin_name(l));
    }
    g.add("test_email de subject", test_email(config, "de").subject);
    return g.out;
}

}  // namespace

TEST_CASE("every customer text and error message is byte for byte what it was (golden)") {
    const std::string actual = golden_texts();
    std::ifstream in(std::string(RELAIS_TESTS_DIR) + "/unit/golden/texts.txt", std::ios::binary);
    std::stringstream expected;
    expected << in.rdbuf();
    if (actual != expected.str()) {
        const auto path = std::filesystem::temp_directory_path() / "relais-texts-golden.actual";
        std::ofstream(path, std::ios::binary) << actual;
        MESSAGE("actual output written to " << path.string());
    }
    CHECK(actual == expected.str());
}
