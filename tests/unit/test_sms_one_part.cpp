// One SMS part is the norm (issue 15): the shipped offer and reminder SMS, rendered for the demo
// data's repair orders with a 30-character public base URL and a link token of 22 characters
// (128 bits), fit in one GSM 7-bit part (160 characters) for at least 95 % of them, in French and
// in English. The figures are printed (docs/BENCHMARKS.md, "One SMS part"), with those of a
// 32-character token (192 bits) beside them.
#include "demo_data.hpp"
#include "message_templates.hpp"
#include "modem_service.hpp"
#include "offer_messages.hpp"
#include "offer_service.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <string>

using namespace relais;
using namespace relais::test;

namespace {

struct Fit {
    int one_part = 0, total = 0, longest = 0;
    double rate() const { return total ? 100.0 * one_part / total : 0; }
};

void count(Fit& fit, const Result<OfferMessageText>& text) {
    REQUIRE(text.ok());
    auto cost = modem::sms_cost(text->text);
    REQUIRE(cost.ok());
    fit.total += 1;
    if (cost->encoding == modem::SmsEncoding::gsm7 && cost->parts == 1) fit.one_part += 1;
    fit.longest = std::max(fit.longest, static_cast<int>(cost->characters));
}

}  // namespace

TEST_CASE("one SMS part: the offer and reminder SMS of the demo repair orders, a 30-character base URL") {
    World w;
    const std::string base = "https://atelier.garage-roux.fr";
    REQUIRE(base.size() == 30);
    DemoOptions demo;
    demo.count = 1000;
    demo.now = w.clock.now();
    demo.zone = w.zone.get();
    auto items = make_demo_repair_orders(demo);
    auto ids = w.ros->import(items, w.actor);
    REQUIRE(ids.ok());

    for (const char* dealer : {"Garage Roux", "Garage Roux Automobiles"}) {
        Config config;
        config.dealer.name = dealer;
        REQUIRE(set_public_base_url(config.http, base));
        for (const std::size_t token : {kLinkTokenChars, std::size_t{32}}) {
            const std::string link = offer_link(config, std::string(token, 'x'));
            Fit offer_fr, offer_en, reminder_fr, reminder_en;
            for (const Id id : *ids) {
                auto ro = w.ros->get(id);
                REQUIRE(ro.ok());
                Offer o;
                o.snapshot.vehicle = ro->vehicle;
                o.snapshot.ro_number = ro->number;
                const ReminderWords words{.number = 1, .advisor_name = ""};
                o.language = "fr";
                count(offer_fr, offer_sms(config, TemplateTexts{}, o, "", link));
                count(reminder_fr, reminder_sms(config, TemplateTexts{}, o, "", words, link));
                o.language = "en";
                count(offer_en, offer_sms(config, TemplateTexts{}, o, "", link));
                count(reminder_en, reminder_sms(config, TemplateTexts{}, o, "", words, link));
            }
            char line[400];
            std::snprintf(line, sizeof line,
                          "dealer \"%s\", token %zu characters: one part for offer fr %.1f %% (longest %d), en %.1f %% "
                          "(%d); reminder fr %.1f %% (%d), en %.1f %% (%d) of %d repair orders",
                          dealer, token, offer_fr.rate(), offer_fr.longest, offer_en.rate(), offer_en.longest,
                          reminder_fr.rate(), reminder_fr.longest, reminder_en.rate(), reminder_en.longest,
                          offer_fr.total);
            MESSAGE(line);
            if (token == kLinkTokenChars && std::string(dealer) == "Garage Roux") {
                CHECK(offer_fr.rate() >= 95);
                CHECK(offer_en.rate() >= 95);
                CHECK(reminder_fr.rate() >= 95);
                CHECK(reminder_en.rate() >= 95);
            }
        }
    }
}

TEST_CASE("one SMS part: values in an SMS take their GSM form, the texts' words and values without one are kept") {
    Config config;
    config.dealer.name = "Garage Benoît";
    REQUIRE(set_public_base_url(config.http, "https://atelier.garage-roux.fr"));
    Offer o;
    o.language = "fr";
    o.snapshot.vehicle = {.plate = "AB-123-CD", .vin = "", .make = "Škoda", .model = "Octavia", .mileage_km = {}};
    auto sms = offer_sms(config, TemplateTexts{}, o, "", offer_link(config, std::string(kLinkTokenChars, 'x')));
    REQUIRE(sms.ok());
    CHECK(sms->text.rfind("Garage Benoit : le devis de votre Skoda Octavia AB-123-CD est disponible. Répondez ici : ",
                          0) == 0);
    CHECK(modem::sms_cost(sms->text)->encoding == modem::SmsEncoding::gsm7);
    // A sign with no GSM form: the value is sent as it is, the SMS is UCS-2 (the preview says so).
    o.snapshot.vehicle.model = "ë-C3 ⚡";
    sms = offer_sms(config, TemplateTexts{}, o, "", offer_link(config, std::string(kLinkTokenChars, 'x')));
    REQUIRE(sms.ok());
    CHECK(sms->text.find("Škoda ë-C3 ⚡") != std::string::npos);
    CHECK(modem::sms_cost(sms->text)->encoding == modem::SmsEncoding::ucs2);
    // Email keeps every letter.
    auto mail =
        offer_email(config, TemplateTexts{}, o, "Zoé Brûlé", offer_link(config, std::string(kLinkTokenChars, 'x')));
    REQUIRE(mail.ok());
    CHECK(mail->subject.find("Škoda") != std::string::npos);
}

TEST_CASE("one SMS part: the repair report's SMS of the demo repair orders, a 30-character base URL") {
    World w;
    DemoOptions demo;
    demo.count = 1000;
    demo.now = w.clock.now();
    demo.zone = w.zone.get();
    auto ids = w.ros->import(make_demo_repair_orders(demo), w.actor);
    REQUIRE(ids.ok());
    Config config;
    config.dealer.name = "Garage Roux Automobiles";  // the longer of the names above
    REQUIRE(set_public_base_url(config.http, "https://atelier.garage-roux.fr"));
    const std::string link = offer_link(config, std::string(kLinkTokenChars, 'x'));
    Fit fr, en;
    for (const Id id : *ids) {
        auto ro = w.ros->get(id);
        REQUIRE(ro.ok());
        Offer o;
        o.snapshot.vehicle = ro->vehicle;
        o.snapshot.ro_number = ro->number;
        RepairReport report;
        report.final_total_incl = 1'234'567;
        o.language = "fr";
        count(fr, report_sms(config, TemplateTexts{}, o, report, "", link));
        o.language = "en";
        count(en, report_sms(config, TemplateTexts{}, o, report, "", link));
    }
    MESSAGE("report SMS in one part: fr " << fr.rate() << " % (longest " << fr.longest << "), en " << en.rate()
                                          << " % (longest " << en.longest << ") of " << fr.total << " repair orders");
    CHECK(fr.rate() >= 95);
    CHECK(en.rate() >= 95);
}
