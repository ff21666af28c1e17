// The lan application's bodies and long-running routes, driven with HttpRequest values: a
// settings save or test email while relais stops, one set of codes for every body (settings,
// offers), the repair report's routes. The rest of the lan app: test_lan_app.cpp.
#include "lan_app.hpp"
#include "lan_fixture.hpp"
#include "mail_transport.hpp"
#include "migrations.hpp"
#include "offer_service.hpp"
#include "process_stop.hpp"
#include "public_app.hpp"
#include "reports.hpp"
#include "responses.hpp"
#include "support.hpp"
#include "test_emails.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

using namespace relais;
using namespace relais::test;
using json = nlohmann::json;

namespace {

// A relay that answers when the test says; what is posted to the core loop runs when told.
struct SlowRelay final : mail::MailTransport {
    std::vector<Done> waiting;
    void send(mail::Envelope, std::string, Done done) override { waiting.push_back(std::move(done)); }
    std::string describe() const override { return "slow relay"; }
};

struct SettingsBox {
    ProcessStop stop;
    int saves = 0;
    int restarts = 0;
    SlowRelay relay;
    FakeRandom random;
    std::vector<std::function<void()>> core_loop;
    std::unique_ptr<TestEmails> tests;
    Lan lan;
    SettingsBox()
        : lan([this](Config& c, LanAppDeps& d) {
              tests = std::make_unique<TestEmails>(
                  TestEmailsDeps{.config = c,
                                 .random = random,
                                 .clock = d.clock,
                                 .zone = d.zone,
                                 .transport = relay,
                                 .post = [this](std::function<void()> f) { core_loop.push_back(f); }});
              d.save_settings = [this, &c](const std::vector<SettingChange>&) {
                  ++saves;
                  return ConfigLoad{c, {}};
              };
              d.restart = [this] { ++restarts; };
              d.stop = &stop;
              d.test_emails = tests.get();
          }) {
        lan.sign_in();
    }
};

}  // namespace

TEST_CASE("while relais stops, a settings save or a test email is refused: 503 shutting_down") {
    SettingsBox box;
    Lan& lan = box.lan;
    const json change = {{"dealer", {{"name", "Garage Martin"}}}};
    HttpResponse r = lan.call(Method::patch, "/api/v1/admin/settings", change);
    CHECK(r.status == 202);
    CHECK(body_of(r) == json{{"restarting", true}});
    CHECK((box.saves == 1 && box.restarts == 1));

    REQUIRE(box.stop.begin_stop(StopReason::restart) == StopStep::begin);
    r = lan.call(Method::patch, "/api/v1/admin/settings", change);
    CHECK(r.status == 503);
    CHECK(body_of(r)["error"]["code"] == "shutting_down");
    CHECK(r.find_header("Retry-After") != nullptr);
    CHECK((box.saves == 1 && box.restarts == 1));  // nothing written, no second restart

    r = lan.call(Method::post, "/api/v1/mail/test-email", {{"to", "it@garage-martin.fr"}});
    CHECK(r.status == 503);
    CHECK(body_of(r)["error"]["code"] == "shutting_down");
    CHECK(box.core_loop.empty());
}

TEST_CASE("a test email answers at once (202, an id), its outcome, the relay's words, is read by id") {
    SettingsBox box;
    Lan& lan = box.lan;
    HttpResponse r = lan.call(Method::post, "/api/v1/mail/test-email", {{"to", "IT@Garage-Martin.FR"}});
    REQUIRE(r.status == 202);
    const json started = body_of(r);
    CHECK(started["state"] == "sending");
    CHECK(started["to"] == "IT@garage-martin.fr");
    const std::string url = "/api/v1/mail/test-email/" + started["id"].get<std::string>();
    CHECK(body_of(lan.call(Method::get, url))["state"] == "sending");

    // No HTTP thread waits for the relay: the core loop sends, the relay answers later.
    REQUIRE(box.core_loop.size() == 1);
    box.core_loop[0]();
    REQUIRE(box.relay.waiting.size() == 1);
    mail::MailOutcome refused;
    refused.status = mail::DeliveryStatus::permanent;
    refused.code = 550;
    refused.text = "5.7.1 Relaying denied";
    box.relay.waiting[0](refused);
    const json failed = body_of(lan.call(Method::get, url));
    CHECK(failed["state"] == "failed");
    CHECK(failed["error"] == "550 5.7.1 Relaying denied");
    CHECK_FALSE(failed.contains("answer"));

    CHECK(lan.call(Method::get, "/api/v1/mail/test-email/unknown").status == 404);
    CHECK(lan.call(Method::post, "/api/v1/mail/test-email", {{"to", "not an address"}}).status == 422);
    CHECK(box.core_loop.size() == 1);
}

namespace {

// Each field's code in a 422, by field.
std::map<std::string, std::string> field_codes(const HttpResponse& r) {
    std::map<std::string, std::string> out;
    const json body = body_of(r);
    for (const auto& f : body["error"]["fields"]) out[f["field"]] = f["code"];
    return out;
}

std::string field_message(const HttpResponse& r, const std::string& field) {
    const json body = body_of(r);
    const json* f = field_error(body, field);
    return f ? (*f)["message"].get<std::string>() : "";
}

struct OfferBox {
    FakeRandom random;
    std::unique_ptr<OfferService> offers;
    std::unique_ptr<ReportService> reports;
    Lan lan;
    OfferBox()
        : lan([this](Config& c, LanAppDeps& d) {
              c.http.public_base_url = "https://relais.garage.test/";
              offers = std::make_unique<OfferService>(
                  OfferServiceDeps{.db = d.db, .config = c, .random = random, .clock = d.clock, .zone = d.zone});
              d.offers = offers.get();
              reports = std::make_unique<ReportService>(
                  ReportServiceDeps{.db = d.db, .config = c, .random = random, .clock = d.clock});
              d.reports = reports.get();
          }) {
        lan.sign_in();
    }
};

}  // namespace

TEST_CASE("one set of codes for every body: a wrong type is invalid_type with what was expected") {
    SettingsBox box;
    Lan& lan = box.lan;
    using Codes = std::map<std::string, std::string>;

    // Signing in: a password that is no text, a field that is none of sign-in's.
    HttpResponse r =
        lan.call(Method::post, "/api/v1/session", {{"username", "admin"}, {"password", 42}, {"remember", true}});
    CHECK(r.status == 422);
    CHECK(field_codes(r) == Codes{{"password", "invalid_type"}, {"remember", "unknown_field"}});
    CHECK(field_message(r, "password") == "Attendu\u00a0: du texte.");

    // The settings: a port as text and a section that is no object (were expected_integer and
    // expected_object).
    r = lan.call(Method::patch, "/api/v1/admin/settings", {{"mail", {{"relay_port", "587"}}}, {"modem", "virtual"}});
    CHECK(r.status == 422);
    CHECK(field_codes(r) == Codes{{"mail.relay_port", "invalid_type"}, {"modem", "invalid_type"}});
    CHECK(field_message(r, "mail.relay_port") == "Attendu\u00a0: un nombre entier.");
    CHECK(field_message(r, "modem") == "Attendu\u00a0: un objet.");
    CHECK(box.saves == 0);

    // A test email: an address that is no text (was `required`), and none at all.
    r = lan.call(Method::post, "/api/v1/mail/test-email", {{"to", 42}});
    CHECK(field_codes(r) == Codes{{"to", "invalid_type"}});
    r = lan.call(Method::post, "/api/v1/mail/test-email", json::object());
    CHECK(field_codes(r) == Codes{{"to", "required"}});
    CHECK(box.core_loop.empty());

    // What an SMS costs: a text that is no text (was `required`), a choice that is no boolean.
    r = lan.call(Method::post, "/api/v1/sms/preview", {{"text", 42}, {"transliterate", "yes"}});
    CHECK(field_codes(r) == Codes{{"text", "invalid_type"}, {"transliterate", "invalid_type"}});
    CHECK(field_message(r, "transliterate") == "Attendu\u00a0: true ou false.");
    r = lan.call(Method::post, "/api/v1/sms/preview", {{"text", "Votre véhicule est prêt"}});
    CHECK(r.status == 200);
    CHECK(body_of(r)["encoding"] == "ucs2");

    // An intervention's thumbs: true, false or null, said in the reader's language.
    r = lan.call(Method::post, "/api/v1/repair-orders", {{"interventions", {{{"label", "Pneus"}, {"authorized", 1}}}}});
    CHECK(field_codes(r) == Codes{{"interventions[0].authorized", "invalid_type"}});
    CHECK(field_message(r, "interventions[0].authorized") == "Attendu\u00a0: true, false ou null.");
}

TEST_CASE("an offer's send and preview read their body with the same codes as every other body") {
    OfferBox box;
    Lan& lan = box.lan;
    using Codes = std::map<std::string, std::string>;
    HttpResponse r = lan.call(Method::post, "/api/v1/repair-orders", {{"vehicle", {{"plate", "AB-123-CD"}}}});
    REQUIRE(r.status == 201);
    const std::string offers = "/api/v1/repair-orders/" + std::to_string(body_of(r)["id"].get<Id>()) + "/offers";

    for (const std::string& path : {offers, offers + "/preview"}) {
        CAPTURE(path);
        // A note and a confirmation of the wrong type (were expected_string, expected_boolean),
        // recipients that are no list (was `required`).
        r = lan.call(Method::post, path, {{"recipients", "all"}, {"note", 42}, {"replace_seen", "yes"}});
        CHECK(r.status == 422);
        CHECK(field_codes(r) ==
              Codes{{"recipients", "invalid_type"}, {"note", "invalid_type"}, {"replace_seen", "invalid_type"}});
        // A recipient that is no contact point id (was expected_contact_point_id), a date that is none.
        r = lan.call(Method::post, path, {{"recipients", {"Marie"}}, {"send_at", "demain"}, {"colour", "red"}},
                     {{"accept-language", "en"}});
        CHECK(field_codes(r) ==
              Codes{{"recipients[0]", "invalid_type"}, {"send_at", "invalid_date"}, {"colour", "unknown_field"}});
        CHECK(field_message(r, "recipients[0]") == "Expected the id of a contact of the repair order.");
        r = lan.call(Method::post, path, {{"note", "Bonjour"}});
        CHECK(field_codes(r) == Codes{{"recipients", "required"}});
    }
    r = lan.call(Method::post, "/api/v1/offers/1/apply-answers", {{"drafts", "yes"}});
    CHECK(field_codes(r) == Codes{{"drafts", "invalid_type"}});
}

TEST_CASE("the repair report's routes: why none can be sent yet, the body's codes, 404") {
    OfferBox box;
    Lan& lan = box.lan;
    using Codes = std::map<std::string, std::string>;
    HttpResponse r = lan.call(Method::post, "/api/v1/repair-orders", {{"vehicle", {{"plate", "AB-123-CD"}}}});
    REQUIRE(r.status == 201);
    const std::string path = "/api/v1/repair-orders/" + std::to_string(body_of(r)["id"].get<Id>()) + "/report";

    // Nothing sent yet, and why the dialog cannot open: said in words, with its code.
    r = lan.call(Method::get, path);
    REQUIRE(r.status == 200);
    json listed = body_of(r);
    CHECK(listed["items"] == json::array());
    CHECK(listed["next"].is_null());
    CHECK(listed["refused"]["code"] == "report_no_offer");
    CHECK(listed["refused"]["state"].is_null());
    CHECK(listed["refused"]["message"].get<std::string>().find("offre") != std::string::npos);

    for (const std::string& p : {path, path + "/preview"}) {
        CAPTURE(p);
        r = lan.call(Method::post, p, {{"items", "all"}, {"final_total_incl_cents", "12"}, {"colour", 1}});
        CHECK(r.status == 422);
        CHECK(field_codes(r) == Codes{{"items", "invalid_type"},
                                      {"final_total_incl_cents", "invalid_type"},
                                      {"colour", "unknown_field"}});
        r = lan.call(Method::post, p, {{"items", {{{"done", "no"}}}}});
        CHECK(field_codes(r) == Codes{{"items[0].intervention_id", "required"}, {"items[0].done", "invalid_type"}});
        r = lan.call(Method::post, p, json::object());
        CHECK(r.status == 409);
        CHECK(body_of(r)["error"]["code"] == "report_no_offer");
    }
    CHECK(lan.call(Method::get, "/api/v1/repair-orders/999/report").status == 404);
}
