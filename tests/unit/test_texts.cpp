// Texts as data (text_catalog.hpp): the file format, the named placeholders, and the shipped
// texts: every text in French and in English, with the same placeholders, each one a value the
// code gives (customer texts) or a parameter an error carries (error messages).

#include "customer_texts.hpp"
#include "message_templates.hpp"
#include "messages.hpp"
#include "offer_messages.hpp"
#include "responses.hpp"
#include "staff_texts.hpp"
#include "text_catalog.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <set>
#include <span>

using namespace relais;

namespace {

std::set<std::string> placeholder_set(const std::string& text) {
    const auto names = placeholders_of(text);
    return {names.begin(), names.end()};
}

// Both languages have the same texts, with the same placeholders.
void check_same_in_both(const LanguageTexts& t) {
    CHECK(!t.fr.texts().empty());
    for (const auto& [name, fr] : t.fr.texts()) {
        CAPTURE(name);
        const std::string* en = t.en.find(name);
        REQUIRE(en != nullptr);
        CHECK(placeholder_set(fr) == placeholder_set(*en));
        CHECK(!fr.empty());
        CHECK(!en->empty());
    }
    for (const auto& [name, en] : t.en.texts()) {
        CAPTURE(name);
        CHECK(t.fr.find(name) != nullptr);
    }
}

// Both languages have every text of `specs`, each naming only the values its spec lists and
// rendered by `render` without fail; the files hold no text the code never uses.
void check_specs(const LanguageTexts& texts, std::span<const TextSpec> specs,
                 const std::function<bool(const TextSpec&, const char* lang, const std::string& text,
                                          const TextValues& values)>& renders) {
    check_same_in_both(texts);
    std::set<std::string> listed;
    for (const TextSpec& spec : specs) {
        CAPTURE(spec.name);
        listed.emplace(spec.name);
        const std::set<std::string> allowed(spec.placeholders.begin(), spec.placeholders.end());
        for (const char* lang : {"fr", "en"}) {
            CAPTURE(lang);
            const std::string* text = texts.in(lang).find(spec.name);
            REQUIRE(text != nullptr);
            for (const std::string& name : placeholders_of(*text)) {
                CAPTURE(name);
                CHECK(allowed.contains(name));  // an unknown placeholder fails here
            }
            TextValues values;
            for (std::string_view p : spec.placeholders) values.emplace_back(p, "x");
            CHECK(renders(spec, lang, *text, values));
        }
    }
    for (const auto& [name, text] : texts.fr.texts()) {
        CAPTURE(name);
        CHECK(listed.contains(name));
    }
}

}  // namespace

TEST_CASE("a texts file: [name] headers, lines joined, blank edges and comments dropped") {
    TextCatalog c;
    REQUIRE(c.add("# comment\n\n[a]\nline one\n\nline <%two>\n\n\n[b.c_1]\n\nsolo\n# inside\n[empty]\n", "t").ok());
    REQUIRE(c.find("a"));
    CHECK(*c.find("a") == "line one\n\nline <%two>");
    CHECK(*c.find("b.c_1") == "solo");
    CHECK(*c.find("empty") == "");
    CHECK(c.find("missing") == nullptr);
    CHECK(c.texts().size() == 3);
}

TEST_CASE("a malformed texts file is refused with the file and line") {
    const auto error_of = [](std::string_view source) {
        TextCatalog c;
        auto r = c.add(source, "fr/x.txt");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "texts_malformed");
        return r.error().detail;
    };
    CHECK(error_of("text first\n[a]\nx\n") == "fr/x.txt:1: text before the first [name]");
    CHECK(error_of("[a]\nx\n[a]\ny\n") == "fr/x.txt:3: [a] given twice");
    CHECK(error_of("[A b]\nx\n") == "fr/x.txt:1: a header is [name]: a-z, 0-9, '_' and '.'");
    CHECK(error_of("[a]\nHello <%Name>\n") == "fr/x.txt:2: a placeholder is <%name>: a-z, 0-9 and '_'");
    CHECK(error_of("[a]\nHello <%name\n") == "fr/x.txt:2: a placeholder is <%name>: a-z, 0-9 and '_'");
    CHECK(error_of("[a]\r\nx\r\n") == "fr/x.txt:1: carriage return");
    const EmbeddedFile de[] = {{"de/customer.txt", "[a]\nx\n"}};
    CHECK_FALSE(load_language_texts(de).ok());
}

TEST_CASE("filling a text: every placeholder by name, a missing value is an error, not an empty string") {
    CHECK(placeholders_of("<%a> and <%b>, <%a> again; <%not valid> <%") == std::vector<std::string>{"a", "b"});
    CHECK(fill_text("Hello <%name>, <%name>!", {{"name", "Zoé"}}).value() == "Hello Zoé, Zoé!");
    CHECK(fill_text("<%a><%b>", {{"b", "2"}, {"a", "1"}, {"c", "unused"}}).value() == "12");
    CHECK(fill_text("no placeholder", {}).value() == "no placeholder");
    CHECK(fill_text("<%a>", {{"a", ""}}).value() == "");  // an empty value given is a value
    CHECK(fill_text("a value is not read again: <%a>", {{"a", "<%b>"}, {"b", "x"}}).value() ==
          "a value is not read again: <%b>");
    auto missing = fill_text("Hello <%customer_name>", {{"name", "Zoé"}});
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == "text_value_missing");
    CHECK(missing.error().params == Params{{"name", "customer_name"}});
}

TEST_CASE("every customer text is in French and English, with only the values the code gives it") {
    const auto& texts = customer_texts();
    REQUIRE_MESSAGE(texts.ok(), texts.error().detail);
    // Rendered with the values the code gives, it fails on none.
    check_specs(*texts, customer_text_specs(),
                [](const TextSpec& spec, const char* lang, const std::string&, const TextValues& values) {
                    return customer_text(spec.name, lang, values).ok();
                });
    CHECK(customer_text("no_such_text", "fr", {}).error().code == "text_unknown");
    CHECK(customer_text("offer_sms", "fr", {{"dealer_name", "G"}}).error().code == "text_value_missing");
    CHECK(plural_text_name("x", "fr", 0) == "x.one");
    CHECK(plural_text_name("x", "en", 0) == "x.other");
    CHECK(plural_text_name("x", "en", 1) == "x.one");
}

TEST_CASE("every staff text is in French and English, with only the values the code gives it") {
    const auto& texts = staff_texts();
    REQUIRE_MESSAGE(texts.ok(), texts.error().detail);
    // Rendered with the values the code gives, it is the text filled, not its name.
    check_specs(*texts, staff_text_specs(),
                [](const TextSpec& spec, const char* lang, const std::string& text, const TextValues& values) {
                    return staff_text(spec.name, lang, values) == fill_text(text, values).value();
                });
    // A slip shows as the text's name, never as an empty sentence.
    CHECK(staff_text("no_such_text", "fr") == "no_such_text");
    CHECK(staff_text("test_email.subject", "fr") == "test_email.subject");  // its value missing
    CHECK(staff_text("first_admin.display_name", "de") == staff_text("first_admin.display_name", "fr"));
}

TEST_CASE("every error page text is in French and English, with no value (the page writes it as it is)") {
    const auto& texts = page_texts();
    REQUIRE_MESSAGE(texts.ok(), texts.error().detail);
    check_same_in_both(*texts);
    std::set<std::string> names(page_text_names().begin(), page_text_names().end());
    std::set<std::string> in_file;
    for (const auto& [name, text] : texts->fr.texts()) {
        in_file.insert(name);
        CAPTURE(name);
        CHECK(placeholders_of(text).empty());
        CHECK(placeholders_of(*texts->en.find(name)).empty());
    }
    CHECK(in_file == names);  // every text the pages ask for, and no other
    // Each page shows its own texts, not a name that was not found.
    for (int status : {404, 405, 503}) {
        for (const char* lang : {"fr", "en"}) {
            const std::string body = html_error_page(status, lang).body;
            for (std::string_view name : page_text_names()) {
                CAPTURE(name);
                CHECK(body.find(std::string(name)) == std::string::npos);
            }
        }
    }
}

TEST_CASE("every error message is in French and English, naming only parameters errors carry") {
    const auto& texts = error_texts();
    REQUIRE_MESSAGE(texts.ok(), texts.error().detail);
    check_same_in_both(*texts);
    // The parameters that errors carry (Error::params, FieldError::params) and that a sentence
    // may show; a placeholder outside this list is a typo.
    const std::set<std::string> params = {"advisor", "choices", "days",    "detail", "expected", "gap_minutes",
                                          "id",      "label",   "length",  "max",    "min",      "minutes",
                                          "parts",   "role",    "seconds", "state",  "value",    "version"};
    for (const auto& [name, text] : texts->en.texts()) {
        for (const std::string& p : placeholders_of(text)) {
            CAPTURE(name);
            CAPTURE(p);
            CHECK(params.contains(p));
        }
    }
    // A parameter the caller forgot shows as its placeholder: the error is still answered.
    CHECK(render_message("too_long", {}, "en") == "At most <%max> characters.");
}

TEST_CASE("an email's values are HTML-escaped in its HTML part, and kept as they are in its text part") {
    Config config;
    config.dealer.name = "Garage <b>&</b>";
    Offer offer;
    offer.language = "fr";
    offer.snapshot.vehicle.make = "<script>";
    offer.snapshot.items.assign(1, OfferItem{});
    auto m = offer_email(config, TemplateTexts{}, offer, "Zoé \"<img>\"", "https://relais.test/o/x?a=1&b=2");
    REQUIRE(m.ok());
    CHECK(m->html.find("<script>") == std::string::npos);
    CHECK(m->html.find("<img>") == std::string::npos);
    CHECK(m->html.find("&lt;script&gt;") != std::string::npos);
    CHECK(m->html.find("Bonjour Zoé &quot;&lt;img&gt;&quot;,") != std::string::npos);
    CHECK(m->html.find("Garage &lt;b&gt;&amp;&lt;/b&gt;") != std::string::npos);
    CHECK(m->html.find("https://relais.test/o/x?a=1&amp;b=2") != std::string::npos);
    CHECK(m->text.find("Bonjour Zoé \"<img>\",") != std::string::npos);
    CHECK(m->subject == "Votre devis pour votre <script> – Garage <b>&</b>");
}
