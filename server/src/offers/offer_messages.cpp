#include "offer_messages.hpp"

#include "customer_texts.hpp"
#include "sms_text.hpp"

#include <algorithm>
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

Result<std::string> greeting(const std::string& lang, const std::string& name) {
    return customer_text(name.empty() ? "email.greeting.no_name" : "email.greeting", lang, {{"customer_name", name}});
}

// What both customer emails end with: the button to the page (its address written out too),
// the dealership's brand and footer, rendered as text and HTML (the layout escapes every value).
Result<OfferMessageText> branded_email(const Config& config, mail::EmailContent c, const std::string& link,
                                       std::vector<std::string> footer_lines, std::string subject) {
    TRY_ASSIGN(c.button_label, customer_text("email.button", c.language, {}));
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
std::string sms_value(const std::string& value) {
    std::string gsm = modem::transliterate_to_gsm7(value);
    const auto unknown = [](const std::string& v) { return std::count(v.begin(), v.end(), '?'); };
    return unknown(gsm) > unknown(value) ? value : gsm;
}

}  // namespace

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

Result<OfferMessageText> offer_sms(const Config& config, const Offer& offer, const std::string& link) {
    OfferMessageText m;
    TRY_ASSIGN(m.text, customer_text(sms_replies_possible(config, offer) ? "offer_sms.replies" : "offer_sms",
                                     language_of(offer),
                                     {{"dealer_name", sms_value(config.dealer.name)},
                                      {"vehicle", sms_value(vehicle_words(offer))},
                                      {"link", link}}));
    return m;
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

Result<OfferMessageText> offer_email(const Config& config, const Offer& offer, const std::string& name,
                                     const std::string& link) {
    const std::string lang = language_of(offer);
    const auto count = static_cast<long long>(offer.snapshot.items.size());
    const TextValues values = {
        {"dealer_name", config.dealer.name},
        {"vehicle", vehicle_words(offer)},
        {"item_count", std::to_string(count)},
        {"total", format_money(offer.snapshot.total_incl(), offer.snapshot.currency, lang)},
        {"ro_number", offer.snapshot.ro_number},
        {"advisor_name", offer.snapshot.advisor_name},
    };
    mail::EmailContent c;
    c.language = lang;
    TRY_ASSIGN(c.heading, customer_text("offer_email.heading", lang, values));
    TRY_ASSIGN(c.preheader, customer_text(plural_text_name("offer_email.preheader", lang, count), lang, values));
    // The note follows the greeting; a note that greets the customer itself is the greeting.
    if (!opens_with_greeting(offer.note)) {
        TRY_ASSIGN(auto hello, greeting(lang, name));
        c.paragraphs.push_back(std::move(hello));
    }
    if (!offer.note.empty()) c.paragraphs.push_back(offer.note);
    TRY_ASSIGN(auto body, customer_text(plural_text_name("offer_email.body", lang, count), lang, values));
    c.paragraphs.push_back(std::move(body));
    TRY_ASSIGN(auto validity, customer_text("offer_email.validity", lang, values));
    c.paragraphs.push_back(std::move(validity));
    std::vector<std::string> footer;
    if (!offer.snapshot.advisor_name.empty()) {
        TRY_ASSIGN(auto advisor, customer_text("offer_email.advisor", lang, values));
        footer.push_back(std::move(advisor));
    }
    TRY_ASSIGN(auto subject, customer_text("offer_email.subject", lang, values));
    return branded_email(config, std::move(c), link, std::move(footer), std::move(subject));
}

Result<OfferMessageText> access_link_sms(const Config& config, const Offer& offer, const std::string& link) {
    OfferMessageText m;
    TRY_ASSIGN(m.text, customer_text("access_link_sms", language_of(offer),
                                     {{"dealer_name", sms_value(config.dealer.name)},
                                      {"vehicle", sms_value(vehicle_words(offer))},
                                      {"link", link}}));
    return m;
}

Result<OfferMessageText> access_link_email(const Config& config, const Offer& offer, const std::string& name,
                                           const std::string& link) {
    const std::string lang = language_of(offer);
    const TextValues values = {{"dealer_name", config.dealer.name}, {"vehicle", vehicle_words(offer)}};
    mail::EmailContent c;
    c.language = lang;
    TRY_ASSIGN(c.heading, customer_text("access_link_email.heading", lang, values));
    TRY_ASSIGN(c.preheader, customer_text("access_link_email.preheader", lang, values));
    TRY_ASSIGN(auto hello, greeting(lang, name));
    c.paragraphs.push_back(std::move(hello));
    TRY_ASSIGN(auto body, customer_text("access_link_email.body", lang, values));
    c.paragraphs.push_back(std::move(body));
    TRY_ASSIGN(auto subject, customer_text("access_link_email.subject", lang, values));
    return branded_email(config, std::move(c), link, {}, std::move(subject));
}

Result<OfferMessageText> reminder_sms(const Config& config, const Offer& offer, const ReminderWords& words,
                                      const std::string& link) {
    OfferMessageText m;
    TRY_ASSIGN(m.text, customer_text("reminder_sms", language_of(offer),
                                     {{"dealer_name", sms_value(config.dealer.name)},
                                      {"vehicle", sms_value(vehicle_words(offer))},
                                      {"link", link},
                                      {"reminder_number", std::to_string(words.number)},
                                      {"advisor_name", sms_value(words.advisor_name)}}));
    return m;
}

Result<OfferMessageText> reminder_email(const Config& config, const Offer& offer, const std::string& name,
                                        const ReminderWords& words, const std::string& link) {
    const std::string lang = language_of(offer);
    const TextValues values = {
        {"dealer_name", config.dealer.name},
        {"vehicle", vehicle_words(offer)},
        {"total", format_money(offer.snapshot.total_incl(), offer.snapshot.currency, lang)},
        {"ro_number", offer.snapshot.ro_number},
        {"reminder_number", std::to_string(words.number)},
        {"advisor_name", words.advisor_name},
    };
    mail::EmailContent c;
    c.language = lang;
    TRY_ASSIGN(c.heading, customer_text("reminder_email.heading", lang, values));
    TRY_ASSIGN(c.preheader, customer_text("reminder_email.preheader", lang, values));
    TRY_ASSIGN(auto hello, greeting(lang, name));
    c.paragraphs.push_back(std::move(hello));
    TRY_ASSIGN(auto body, customer_text("reminder_email.body", lang, values));
    c.paragraphs.push_back(std::move(body));
    std::vector<std::string> footer;
    if (!words.advisor_name.empty()) {
        TRY_ASSIGN(auto advisor, customer_text("offer_email.advisor", lang, values));
        footer.push_back(std::move(advisor));
    }
    TRY_ASSIGN(auto subject, customer_text("reminder_email.subject", lang, values));
    return branded_email(config, std::move(c), link, std::move(footer), std::move(subject));
}

}  // namespace relais
