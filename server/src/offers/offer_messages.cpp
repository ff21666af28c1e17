#include "offer_messages.hpp"

#include "customer_texts.hpp"
#include "message_templates.hpp"
#include "offer_service.hpp"
#include "sms_text.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <set>
#include <string_view>

namespace relais {
namespace {

std::string currency_symbol(const std::string& currency) {
    if (currency == "EUR") return "€";
    if (currency == "GBP") return "£";
    if (currency == "CHF") return "CHF";
    if (currency == "USD") return "$";
    return currency;
}

std::string vehicle_words(const Offer& offer) {
    const Vehicle& v = offer.snapshot.vehicle;
    std::string out = v.make;
    if (!v.model.empty()) out += (out.empty() ? "" : " ") + v.model;
    if (!v.plate.empty()) out += (out.empty() ? "" : " ") + v.plate;
    return out;
}

// Whether the advisor's note opens with a greeting of its own ("Bonjour Madame Lefèvre,",
// "Chère cliente", "Hello Mr Smith"): then it is the email's greeting, not a second one.
bool opens_with_greeting(std::string_view note) {
    std::size_t start = 0;
    while (start < note.size() &&
           (note[start] == ' ' || note[start] == '\n' || note[start] == '\r' || note[start] == '\t'))
        ++start;
    std::size_t end = start;
    while (end < note.size() && note[end] != ' ' && note[end] != ',' && note[end] != '\n' && note[end] != '!' &&
           note[end] != '.')
        ++end;
    std::string word(note.substr(start, end - start));
    for (char& ch : word)
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    static const std::set<std::string, std::less<>> greetings = {
        "bonjour", "bonsoir", "madame", "monsieur", "mesdames", "messieurs", "cher", "chère", "chers", "chères",
        "salut",   "hello",   "hi",     "dear",     "good",     "mr",        "mrs",  "ms",    "mme",   "m"};
    return greetings.contains(word);
}

// Whom an email's greeting names: how they like to be addressed, else their name.
const std::string& addressed(const Addressee& to) { return to.preferred_name.empty() ? to.name : to.preferred_name; }

Result<std::string> greeting(const std::string& lang, const std::string& name) {
    return customer_text(name.empty() ? "email.greeting.no_name" : "email.greeting", lang, {{"customer_name", name}});
}

// What both customer emails end with: the button to the page (its address written out too),
// the dealership's brand and footer, rendered as text and HTML (the layout escapes every value).
Result<OfferMessageText> branded_email(const Config& config, mail::EmailContent c, const std::string& link,
                                       std::vector<std::string> footer_lines, std::string subject,
                                       std::string_view button = "email.button") {
    TRY_ASSIGN(c.button_label, customer_text(button, c.language, {}));
    c.button_url = link;
    TRY_ASSIGN(c.link_intro, customer_text("email.link_intro", c.language, {}));
    mail::EmailBrand brand;
    brand.dealer_name = config.dealer.name;
    brand.color = config.dealer.brand_color;
    brand.footer_lines = std::move(footer_lines);
    mail::RenderedEmail r = mail::render_email(brand, c);
    OfferMessageText m;
    m.subject = std::move(subject);
    m.text = std::move(r.text);
    m.html = std::move(r.html);
    return m;
}

std::string language_of(const Offer& offer) { return offer.language == "en" ? "en" : "fr"; }

// A value put into an SMS (the dealership's name, the vehicle, the advisor): the closest GSM
// 7-bit form when there is one, so that "Citroën" or "Garage Benoît" does not make the whole
// message UCS-2, three times the cost. The texts' own words are never changed (they are kept in
// the GSM alphabet where they are written); a value with no GSM form ("比亚迪") is kept as it is.

// "07/12 à 18:00" in the dealership's zone (the process's: timezone.hpp); "" when none.
std::string promised_words(const std::optional<UnixMs>& at, const std::string& lang) {
    if (!at) return "";
    const auto seconds = static_cast<std::time_t>(*at / 1000);
    std::tm local{};
    if (!localtime_r(&seconds, &local)) return "";
    char out[32];
    std::snprintf(out, sizeof out, "%02d/%02d %s %02d:%02d", local.tm_mday, local.tm_mon + 1,
                  lang == "en" ? "at" : "\u00e0", local.tm_hour, local.tm_min);
    return out;
}

// Every value a template of an offer's message may name (message_templates.hpp); in an SMS,
// each in its GSM form where it has one (sms_value). `to`: the recipient, else the main
// party's; `advisor`: who signs.
Result<TextValues> offer_values(const Config& config, const Offer& offer, const Addressee& to, const std::string& link,
                                const std::string& advisor, Channel channel) {
    const std::string lang = language_of(offer);
    const std::string customer = to.name.empty() ? offer.snapshot.customer_name : to.name;
    // The preferred name when the party has one ("Bonjour M. Dupont,"), else the full name.
    const std::string preferred = to.preferred_name.empty() ? customer : to.preferred_name;
    TRY_ASSIGN(std::string salutation, greeting(lang, preferred));
    const bool sms = channel == Channel::sms;
    auto v = [&](const std::string& value) { return sms ? sms_value(value) : value; };
    return TextValues{
        {"customer_name", v(customer)},
        {"preferred_name", v(preferred)},
        {"salutation", v(salutation)},
        {"vehicle", v(vehicle_words(offer))},
        {"plate", offer.snapshot.vehicle.plate},
        {"ro_number", v(offer.snapshot.ro_number)},
        {"dealer_name", v(config.dealer.name)},
        {"advisor_name", v(advisor)},
        {"link", link},
        {"total", v(format_money(offer.snapshot.total_incl(), offer.snapshot.currency, lang))},
        {"item_count", std::to_string(offer.snapshot.items.size())},
        {"promised_at", promised_words(offer.snapshot.promised_at, lang)},
    };
}

// What an email of `kind` adds to its parts (heading, preheader, body, subject).
struct KindEmail {
    std::string advisor_name = {};  // who signs: the footer's advisor line; "" none
    std::string after_body = {};    // a paragraph after the body (the report's note); "" none
    std::string link = {};
    std::string_view button = "email.button";
};

// An email of `kind` (reminders, reports): the greeting, the body, `after_body`, the sender's
// signature; the advisor's line in the footer when one signs; the template version recorded.
Result<OfferMessageText> kind_email(const Config& config, const TemplateTexts& texts, const std::string& kind,
                                    const Offer& offer, const Addressee& to, const TextValues& values,
                                    const KindEmail& e) {
    const std::string lang = language_of(offer);
    mail::EmailContent c;
    c.language = lang;
    TRY_ASSIGN(c.heading, texts.text(kind + ".heading", lang, values));
    TRY_ASSIGN(c.preheader, texts.text(kind + ".preheader", lang, values));
    TRY_ASSIGN(auto hello, greeting(lang, addressed(to)));
    c.paragraphs.push_back(std::move(hello));
    TRY_ASSIGN(auto body, texts.text(kind + ".body", lang, values));
    c.paragraphs.push_back(std::move(body));
    if (!e.after_body.empty()) c.paragraphs.push_back(e.after_body);
    if (!offer.signature.empty()) c.paragraphs.push_back(offer.signature);
    std::vector<std::string> footer;
    if (!e.advisor_name.empty()) {
        TRY_ASSIGN(auto advisor, texts.text("offer_email.advisor", lang, values));
        footer.push_back(std::move(advisor));
    }
    TRY_ASSIGN(auto subject, texts.text(kind + ".subject", lang, values));
    TRY_ASSIGN(auto m, branded_email(config, std::move(c), e.link, std::move(footer), std::move(subject), e.button));
    m.template_ref = texts.ref(kind, lang);
    return m;
}

// One SMS of `kind` from its text `name`.
Result<OfferMessageText> sms_from(const TemplateTexts& texts, std::string_view kind, std::string_view name,
                                  const Offer& offer, const TextValues& values) {
    OfferMessageText m;
    TRY_ASSIGN(m.text, texts.text(name, language_of(offer), values));
    m.template_ref = texts.ref(kind, language_of(offer));
    return m;
}

}  // namespace

std::string sms_value(const std::string& value) {
    std::string gsm = modem::transliterate_to_gsm7(value);
    const auto unknown = [](const std::string& v) { return std::count(v.begin(), v.end(), '?'); };
    return unknown(gsm) > unknown(value) ? value : gsm;
}

TextValues longest_values(const Config& config, const std::string& language, Channel channel) {
    const std::string lang = language == "en" ? "en" : "fr";
    Offer offer;
    offer.language = lang;
    offer.snapshot.ro_number = "OR-2026-004512";
    offer.snapshot.vehicle.make = "Mercedes-Benz";
    offer.snapshot.vehicle.model = "GLC Coupé 300 de 4MATIC";
    offer.snapshot.vehicle.plate = "AB-123-CD";
    offer.snapshot.currency = config.dealer.currency;
    offer.snapshot.promised_at = 1'798'133'400'000;  // 2026-12-24 18:10 UTC: two-digit day and month
    for (int i = 0; i < 12; ++i) {
        OfferItem item;
        item.price_incl = i == 0 ? 1'234'567 - 11 * 99 : 99;  // 12 items, 12 345,67 in all
        offer.snapshot.items.push_back(item);
    }
    const std::string link = offer_link(config, std::string(kLinkTokenChars, 'x'));
    auto values = offer_values(config, offer, Addressee{"Jean-Christophe Delacroix-Martin"}, link,
                               "Anne-Sophie Vandenberghe", channel);
    TextValues out = values ? std::move(*values) : TextValues{};
    out.emplace_back("reminder_number", "5");
    return out;
}

std::string format_money(Cents cents, const std::string& currency, const std::string& language) {
    const bool negative = cents < 0;
    Cents c = negative ? -cents : cents;
    std::string units = std::to_string(c / 100);
    const std::string sep = language == "en" ? "," : "\u202f";  // narrow no-break space in French
    std::string grouped;
    for (std::size_t i = 0; i < units.size(); ++i) {
        if (i > 0 && (units.size() - i) % 3 == 0) grouped += sep;
        grouped += units[i];
    }
    char fraction[4];
    std::snprintf(fraction, sizeof fraction, "%02d", static_cast<int>(c % 100));
    const std::string symbol = currency_symbol(currency);
    if (language == "en") return std::string(negative ? "-" : "") + symbol + grouped + "." + fraction;
    return std::string(negative ? "-" : "") + grouped + "," + fraction + "\u00a0" + symbol;
}

Result<OfferMessageText> offer_sms(const Config& config, const TemplateTexts& texts, const Offer& offer,
                                   const Addressee& to, const std::string& link) {
    TRY_ASSIGN(const TextValues values,
               offer_values(config, offer, to, link, offer.snapshot.advisor_name, Channel::sms));
    return sms_from(texts, "offer_sms", sms_replies_possible(config, offer) ? "offer_sms.replies" : "offer_sms", offer,
                    values);
}

Result<OfferMessageText> sms_reply_ack(const Config& config, const Offer& offer, SmsReply reply, bool work_kept,
                                       const std::string& link) {
    const std::string lang = language_of(offer);
    std::string phone_suffix;
    if (!config.dealer.phone_display.empty()) {
        TRY_ASSIGN(auto phone,
                   customer_text("sms_reply_ack.phone", lang, {{"dealer_phone", config.dealer.phone_display}}));
        phone_suffix = " " + phone;
    }
    const char* name = "sms_reply_ack.yes";
    switch (reply) {
        case SmsReply::yes: name = "sms_reply_ack.yes"; break;
        case SmsReply::no: name = work_kept ? "sms_reply_ack.no" : "sms_reply_ack.no.nothing_kept"; break;
        case SmsReply::call_me: name = "sms_reply_ack.call_me"; break;
    }
    OfferMessageText m;
    TRY_ASSIGN(m.text, customer_text(name, lang,
                                     {{"dealer_name", sms_value(config.dealer.name)},
                                      {"vehicle", sms_value(vehicle_words(offer))},
                                      {"link", link},
                                      {"dealer_phone_suffix", phone_suffix}}));
    return m;
}

Result<OfferMessageText> offer_email(const Config& config, const TemplateTexts& texts, const Offer& offer,
                                     const Addressee& to, const std::string& link) {
    const std::string lang = language_of(offer);
    const auto count = static_cast<long long>(offer.snapshot.items.size());
    TRY_ASSIGN(const TextValues values,
               offer_values(config, offer, to, link, offer.snapshot.advisor_name, Channel::email));
    mail::EmailContent c;
    c.language = lang;
    TRY_ASSIGN(c.heading, texts.text("offer_email.heading", lang, values));
    TRY_ASSIGN(c.preheader, texts.text(plural_text_name("offer_email.preheader", lang, count), lang, values));
    // The note follows the greeting; a note that greets the customer itself is the greeting.
    if (!opens_with_greeting(offer.note)) {
        TRY_ASSIGN(auto hello, greeting(lang, addressed(to)));
        c.paragraphs.push_back(std::move(hello));
    }
    if (!offer.note.empty()) c.paragraphs.push_back(offer.note);
    TRY_ASSIGN(auto body, texts.text(plural_text_name("offer_email.body", lang, count), lang, values));
    c.paragraphs.push_back(std::move(body));
    TRY_ASSIGN(auto validity, texts.text("offer_email.validity", lang, values));
    c.paragraphs.push_back(std::move(validity));
    if (!offer.signature.empty()) c.paragraphs.push_back(offer.signature);
    std::vector<std::string> footer;
    if (!offer.snapshot.advisor_name.empty()) {
        TRY_ASSIGN(auto advisor, texts.text("offer_email.advisor", lang, values));
        footer.push_back(std::move(advisor));
    }
    TRY_ASSIGN(auto subject, texts.text("offer_email.subject", lang, values));
    TRY_ASSIGN(auto m, branded_email(config, std::move(c), link, std::move(footer), std::move(subject)));
    m.template_ref = texts.ref("offer_email", lang);
    return m;
}

Result<OfferMessageText> access_link_sms(const Config& config, const TemplateTexts& texts, const Offer& offer,
                                         const Addressee& to, const std::string& link) {
    TRY_ASSIGN(const TextValues values,
               offer_values(config, offer, to, link, offer.snapshot.advisor_name, Channel::sms));
    return sms_from(texts, "access_link_sms", "access_link_sms", offer, values);
}

Result<OfferMessageText> access_link_email(const Config& config, const TemplateTexts& texts, const Offer& offer,
                                           const Addressee& to, const std::string& link) {
    const std::string lang = language_of(offer);
    TRY_ASSIGN(const TextValues values,
               offer_values(config, offer, to, link, offer.snapshot.advisor_name, Channel::email));
    mail::EmailContent c;
    c.language = lang;
    TRY_ASSIGN(c.heading, texts.text("access_link_email.heading", lang, values));
    TRY_ASSIGN(c.preheader, texts.text("access_link_email.preheader", lang, values));
    TRY_ASSIGN(auto hello, greeting(lang, addressed(to)));
    c.paragraphs.push_back(std::move(hello));
    TRY_ASSIGN(auto body, texts.text("access_link_email.body", lang, values));
    c.paragraphs.push_back(std::move(body));
    TRY_ASSIGN(auto subject, texts.text("access_link_email.subject", lang, values));
    TRY_ASSIGN(auto m, branded_email(config, std::move(c), link, {}, std::move(subject)));
    m.template_ref = texts.ref("access_link_email", lang);
    return m;
}

Result<OfferMessageText> reminder_sms(const Config& config, const TemplateTexts& texts, const Offer& offer,
                                      const Addressee& to, const ReminderWords& words, const std::string& link) {
    TRY_ASSIGN(TextValues values, offer_values(config, offer, to, link, words.advisor_name, Channel::sms));
    values.emplace_back("reminder_number", std::to_string(words.number));
    return sms_from(texts, "reminder_sms", "reminder_sms", offer, values);
}

Result<OfferMessageText> reminder_email(const Config& config, const TemplateTexts& texts, const Offer& offer,
                                        const Addressee& to, const ReminderWords& words, const std::string& link) {
    TRY_ASSIGN(TextValues values, offer_values(config, offer, to, link, words.advisor_name, Channel::email));
    values.emplace_back("reminder_number", std::to_string(words.number));
    return kind_email(config, texts, "reminder_email", offer, to, values,
                      {.advisor_name = words.advisor_name, .link = link});
}

Result<OfferMessageText> answers_sms(const Config& config, const Offer& offer, const std::vector<AnsweredItem>& items,
                                     const std::string& link) {
    const std::string lang = language_of(offer);
    OfferMessageText m;
    if (items.size() == 1) {
        TRY_ASSIGN(m.text, customer_text("answers_sms.full", lang,
                                         {{"dealer_name", sms_value(config.dealer.name)},
                                          {"label", sms_value(items.front().label)},
                                          {"answer", sms_value(items.front().answer)},
                                          {"link", link}}));
        const auto prepared = modem::prepare_sms(m.text);
        if (prepared && prepared->parts.size() <= kAnswerSmsParts) return m;
    }
    TRY_ASSIGN(m.text, customer_text("answers_sms", lang,
                                     {{"dealer_name", sms_value(config.dealer.name)},
                                      {"vehicle", sms_value(vehicle_words(offer))},
                                      {"link", link}}));
    return m;
}

Result<OfferMessageText> answers_email(const Config& config, const Offer& offer, const Addressee& to,
                                       const std::string& advisor, const std::vector<AnsweredItem>& items,
                                       const std::string& link) {
    const std::string lang = language_of(offer);
    const TextValues values = {{"dealer_name", config.dealer.name},
                               {"vehicle", vehicle_words(offer)},
                               {"advisor_name", advisor.empty() ? config.dealer.name : advisor}};
    mail::EmailContent c;
    c.language = lang;
    TRY_ASSIGN(c.heading, customer_text("answers_email.heading", lang, values));
    TRY_ASSIGN(c.preheader, customer_text("answers_email.preheader", lang, values));
    TRY_ASSIGN(auto hello, greeting(lang, addressed(to)));
    c.paragraphs.push_back(std::move(hello));
    TRY_ASSIGN(auto intro, customer_text("answers_email.intro", lang, values));
    c.paragraphs.push_back(std::move(intro));
    for (const AnsweredItem& item : items) {
        TRY_ASSIGN(auto label, customer_text("answers_email.item", lang, {{"label", item.label}}));
        c.paragraphs.push_back(std::move(label));
        if (!item.question.empty()) {
            TRY_ASSIGN(auto q, customer_text("answers_email.question", lang, {{"question", item.question}}));
            c.paragraphs.push_back(std::move(q));
        }
        TRY_ASSIGN(auto a, customer_text("answers_email.answer", lang, {{"answer", item.answer}}));
        c.paragraphs.push_back(std::move(a));
    }
    TRY_ASSIGN(auto subject, customer_text("answers_email.subject", lang, values));
    return branded_email(config, std::move(c), link, {}, std::move(subject));
}

Result<OfferMessageText> report_sms(const Config& config, const TemplateTexts& texts, const Offer& offer,
                                    const RepairReport& report, const Addressee& to, const std::string& link) {
    TRY_ASSIGN(TextValues values, offer_values(config, offer, to, link, report.advisor_name, Channel::sms));
    for (auto& [key, value] : values)
        if (key == "total")
            value = sms_value(format_money(report.final_total_incl, offer.snapshot.currency, language_of(offer)));
    return sms_from(texts, "report_sms", "report_sms", offer, values);
}

Result<OfferMessageText> report_email(const Config& config, const TemplateTexts& texts, const Offer& offer,
                                      const RepairReport& report, const Addressee& to, const std::string& link) {
    TRY_ASSIGN(TextValues values, offer_values(config, offer, to, link, report.advisor_name, Channel::email));
    // The amount a report names is what the customer pays, not what the offer asked.
    for (auto& [key, value] : values)
        if (key == "total") value = format_money(report.final_total_incl, offer.snapshot.currency, language_of(offer));
    return kind_email(config, texts, "report_email", offer, to, values,
                      {.advisor_name = report.advisor_name,
                       .after_body = report.note,
                       .link = link,
                       .button = "email.button.report"});
}

}  // namespace relais
