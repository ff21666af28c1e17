#include "offer_messages.hpp"

#include "messages.hpp"

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

std::string greeting(bool en, const std::string& name) {
    return en ? (name.empty() ? "Hello," : "Hello " + name + ",")
              : (name.empty() ? "Bonjour," : "Bonjour " + name + ",");
}

// What both customer emails end with: the button to the page (its address written out too),
// the dealership's brand and footer, rendered as text and HTML.
OfferMessageText branded_email(const Config& config, mail::EmailContent c, bool en, const std::string& link,
                               std::vector<std::string> footer_lines, std::string subject) {
    c.button_label = en ? "See my estimate" : "Voir mon devis";
    c.button_url = link;
    c.link_intro = en ? "If the button does not work, open this address:"
                      : "Si le bouton ne fonctionne pas, ouvrez cette adresse :";
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

OfferMessageText offer_sms(const Config& config, const Offer& offer, const std::string& link) {
    const bool en = offer.language == "en";
    const std::string vehicle = vehicle_words(offer);
    OfferMessageText m;
    // Short and in the GSM 7-bit alphabet on purpose: the link is what matters, and one
    // character outside it ("prêt": ê) would make it UCS-2, three parts instead of one. The
    // advisor's note is on the page.
    m.text = en ? config.dealer.name + ": the estimate for your " + vehicle + " is ready. Reply here: " + link
                : config.dealer.name + " : le devis de votre " + vehicle + " est disponible. Répondez ici : " + link;
    return m;
}

OfferMessageText offer_email(const Config& config, const Offer& offer, const std::string& name,
                             const std::string& link) {
    const bool en = offer.language == "en";
    const std::string vehicle = vehicle_words(offer);
    const std::string total = format_money(offer.snapshot.total_incl(), offer.snapshot.currency, en ? "en" : "fr");
    const std::size_t count = offer.snapshot.items.size();

    mail::EmailContent c;
    c.language = en ? "en" : "fr";
    c.heading = en ? "Your estimate is ready" : "Votre devis est prêt";
    const auto n = static_cast<long long>(count);
    const std::string items =
        std::to_string(count) + " " +
        std::string(en ? plural("en", n, "item", "items") : plural("fr", n, "intervention", "interventions"));
    c.preheader = en ? vehicle + ": " + items + " to review, " + total + " incl. VAT"
                     : vehicle + " : " + items + " à valider, " + total + " TTC";
    // The note follows the greeting; a note that greets the customer itself is the greeting.
    if (!opens_with_greeting(offer.note)) c.paragraphs.push_back(greeting(en, name));
    if (!offer.note.empty()) c.paragraphs.push_back(offer.note);
    c.paragraphs.push_back(
        en ? "Our workshop has checked your " + vehicle + " (repair order " + offer.snapshot.ro_number + "). " + items +
                 " " + std::string(plural("en", n, "is", "are")) + " waiting for your decision, " + total +
                 " incl. VAT in all. For each one, tell us whether to do it, leave it, or call you about it."
           : "Notre atelier a contrôlé votre " + vehicle + " (ordre de réparation " + offer.snapshot.ro_number + "). " +
                 items + " " + std::string(plural("fr", n, "attend", "attendent")) + " votre décision, " + total +
                 " TTC au total. Pour chacune, dites-nous s'il faut la faire, la laisser de côté ou vous appeler.");
    c.paragraphs.push_back(en ? "The link is personal and valid for 30 days."
                              : "Ce lien est personnel et valable 30 jours.");
    std::vector<std::string> footer;
    if (!offer.snapshot.advisor_name.empty())
        footer.push_back((en ? "Your service advisor: " : "Votre conseiller : ") + offer.snapshot.advisor_name);
    return branded_email(config, std::move(c), en, link, std::move(footer),
                         en ? "Your estimate for your " + vehicle + " – " + config.dealer.name
                            : "Votre devis pour votre " + vehicle + " – " + config.dealer.name);
}

OfferMessageText access_link_sms(const Config& config, const Offer& offer, const std::string& link) {
    const bool en = offer.language == "en";
    OfferMessageText m;
    m.text = en ? config.dealer.name + ": here is your new link to the estimate for your " + vehicle_words(offer) +
                      ": " + link
                : config.dealer.name + " : voici votre nouveau lien vers le devis de votre " + vehicle_words(offer) +
                      " : " + link;
    return m;
}

OfferMessageText access_link_email(const Config& config, const Offer& offer, const std::string& name,
                                   const std::string& link) {
    const bool en = offer.language == "en";
    mail::EmailContent c;
    c.language = en ? "en" : "fr";
    c.heading = en ? "Your new link" : "Votre nouveau lien";
    c.preheader = en ? "The estimate for your " + vehicle_words(offer) : "Le devis de votre " + vehicle_words(offer);
    c.paragraphs.push_back(greeting(en, name));
    c.paragraphs.push_back(
        en ? "You asked for a new link to the estimate for your " + vehicle_words(offer) +
                 ". It opens on the device you use it on first; the previous link no longer works."
           : "Vous avez demandé un nouveau lien vers le devis de votre " + vehicle_words(offer) +
                 ". Il s'ouvrira sur l'appareil où vous l'utiliserez en premier ; l'ancien lien ne fonctionne plus.");
    return branded_email(config, std::move(c), en, link, {},
                         en ? "Your new link – " + config.dealer.name : "Votre nouveau lien – " + config.dealer.name);
}

}  // namespace relais
