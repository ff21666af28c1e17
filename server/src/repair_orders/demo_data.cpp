#include "demo_data.hpp"

#include <array>
#include <cctype>
#include <string>

namespace relais {
namespace {

// splitmix64: small, fast and good enough for demo data (not for secrets).
class Prng {
public:
    explicit Prng(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
    bool chance(int percent) { return below(100) < percent; }
    template <class T, std::size_t N>
    const T& pick(const std::array<T, N>& a) {
        return a[static_cast<std::size_t>(below(static_cast<int>(N)))];
    }

private:
    std::uint64_t state_;
};

// First names by the title that goes with them: "Mme Marie …", "M. Jean …".
constexpr std::array<const char*, 20> women = {"Marie", "Sophie", "Hélène", "Chloé",    "Nathalie", "Amélie", "Céline",
                                               "Zoé",   "Léa",    "Inès",   "Gaëlle",   "Maëlys",   "Agnès",  "Océane",
                                               "Anaïs", "Julie",  "Laure",  "Sandrine", "Manon",    "Élodie"};
constexpr std::array<const char*, 20> men = {"Jean",   "Pierre",   "Luc",     "Camille", "François", "Éric", "Thierry",
                                             "Jérôme", "Stéphane", "Benoît",  "Noël",    "Loïc",     "Rémi", "Joël",
                                             "Cédric", "Mathieu",  "Nicolas", "Olivier", "Yves",     "Hugo"};
constexpr std::array<const char*, 40> last_names = {
    "Martin",   "Bernard", "Dubois",  "Lefèvre",  "Moreau",    "Laurent",  "Girard",  "Roux",    "Fournier", "Morel",
    "Mercier",  "Dupont",  "Lambert", "Bonnet",   "François",  "Martinez", "Legrand", "Garnier", "Faure",    "Rousseau",
    "Blanc",    "Guérin",  "Muller",  "Henry",    "Roussel",   "Nicolas",  "Perrin",  "Morin",   "Mathieu",  "Clément",
    "Gauthier", "Dumont",  "Lopez",   "Fontaine", "Chevalier", "Robin",    "Masson",  "Sanchez", "Gérard",   "Nguyen"};
constexpr std::array<const char*, 8> companies = {"Transports Vallée",  "Boulangerie Lemaître", "Ambulances du Centre",
                                                  "Plomberie Arnaud",   "Taxis Étoile",         "Paysages & Jardins",
                                                  "Électricité Besson", "BTP Rhône-Alpes"};
constexpr std::array<const char*, 4> lessors = {"Arval", "ALD Automotive", "Leasys", "Free2Move Lease"};

struct Model {
    const char* make;
    const char* model;
};
constexpr std::array<Model, 16> models = {{{"Peugeot", "208"},
                                           {"Peugeot", "3008"},
                                           {"Renault", "Clio V"},
                                           {"Renault", "Mégane E-Tech"},
                                           {"Citroën", "C3"},
                                           {"Citroën", "C5 Aircross"},
                                           {"Dacia", "Sandero"},
                                           {"Dacia", "Duster"},
                                           {"Volkswagen", "Golf 8"},
                                           {"Volkswagen", "Polo"},
                                           {"Toyota", "Yaris Hybride"},
                                           {"Toyota", "C-HR"},
                                           {"Tesla", "Model 3"},
                                           {"Škoda", "Octavia"},
                                           {"Ford", "Puma"},
                                           {"Fiat", "500"}}};

struct Work {
    const char* label;
    const char* note;
    Cents excl;
    InterventionKind kind;
    Severity severity;
};
constexpr std::array<Work, 16> works = {
    {{"Vidange et filtre à huile", "Huile 5W30 selon préconisation constructeur.", 8900, InterventionKind::initial,
      Severity::green},
     {"Révision constructeur", "Révision des 60\u00a0000\u00a0km\u00a0: filtres, niveaux, contrôle 40\u00a0points.",
      24900, InterventionKind::initial, Severity::green},
     {"Contrôle technique (pré-contrôle)", "", 4500, InterventionKind::initial, Severity::green},
     {"Plaquettes de frein avant", "Plaquettes usées à 80\u00a0%, disques encore dans les cotes.", 14500,
      InterventionKind::optional, Severity::red},
     {"Disques et plaquettes avant", "Disques voilés\u00a0: vibrations au freinage.", 32900, InterventionKind::optional,
      Severity::red},
     {"Pneus avant (×2)", "Usure à 1,8\u00a0mm\u00a0: sous le témoin légal de 1,6\u00a0mm bientôt.", 23800,
      InterventionKind::optional, Severity::red},
     {"Balais d'essuie-glace", "Traces sur le pare-brise.", 3900, InterventionKind::optional, Severity::orange},
     {"Filtre d'habitacle", "Filtre encrassé\u00a0: odeur à la ventilation.", 4900, InterventionKind::optional,
      Severity::orange},
     {"Liquide de frein", "Taux d'humidité 3\u00a0%\u00a0: remplacement conseillé.", 6900, InterventionKind::optional,
      Severity::orange},
     {"Batterie 12\u00a0V", "Test de charge faible (58\u00a0%).", 16900, InterventionKind::optional, Severity::orange},
     {"Géométrie / parallélisme", "Usure irrégulière des pneus avant.", 8900, InterventionKind::optional,
      Severity::orange},
     {"Kit de distribution", "Échéance constructeur dépassée de 5\u00a0000\u00a0km.", 64900, InterventionKind::optional,
      Severity::red},
     {"Recharge climatisation", "Performance de froid insuffisante.", 9900, InterventionKind::optional,
      Severity::orange},
     {"Amortisseurs arrière", "Fuite légère sur l'amortisseur gauche.", 38900, InterventionKind::optional,
      Severity::orange},
     {"Diagnostic électronique", "Voyant moteur allumé\u00a0: lecture des codes défaut.", 5900,
      InterventionKind::initial, Severity::orange},
     {"Nettoyage injecteurs", "", 12900, InterventionKind::optional, Severity::green}}};

// 0 = Sunday, in the given zone.
int weekday(UnixMs t, const TimeZone& zone) {
    const CivilTime c = zone.to_local(t);
    // Sakamoto's method.
    static constexpr int offsets[] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
    const int y = c.month < 3 ? c.year - 1 : c.year;
    return (y + y / 4 - y / 100 + y / 400 + offsets[c.month - 1] + c.day) % 7;
}

std::string plate(Prng& r) {
    static constexpr char letters[] = "ABCDEFGHJKLMNPQRSTVWXYZ";  // SIV plates avoid I, O and U
    std::string p;
    p += letters[r.below(23)];
    p += letters[r.below(23)];
    p += '-';
    p += std::to_string(100 + r.below(900));
    p += '-';
    p += letters[r.below(23)];
    p += letters[r.below(23)];
    return p;
}

std::string vin(Prng& r) {
    static constexpr char chars[] = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
    std::string v = "VF3";
    while (v.size() < 17) v += chars[r.below(33)];
    return v;
}

std::string ascii_slug(std::string s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
            continue;
        }
        // The accented letters used above, as two-byte UTF-8 sequences.
        const std::string two = s.substr(i, 2);
        ++i;
        if (two == "é" || two == "è" || two == "ë" || two == "É")
            out += 'e';
        else if (two == "ç")
            out += 'c';
        else if (two == "ï" || two == "î")
            out += 'i';
        else if (two == "ö" || two == "ô")
            out += 'o';
        else if (two == "ü")
            out += 'u';
        else if (two == "ä" || two == "à")
            out += 'a';
        else if (two == "Š" || two == "š")
            out += 's';
    }
    return out;
}

}  // namespace

std::vector<RepairOrderService::ImportItem> make_demo_repair_orders(const DemoOptions& o) {
    Prng r(o.seed);
    std::vector<RepairOrderService::ImportItem> out;
    out.reserve(static_cast<std::size_t>(o.count));
    const UnixMs day = 24 * 3600'000LL;
    for (int i = 0; i < o.count; ++i) {
        RepairOrderService::ImportItem item;
        // Oldest first, so that numbers grow with dates like a real workshop's; opened during
        // working hours, never on a Sunday, and never in the future.
        const auto fixed_utc = make_fixed_offset_zone(0);
        const TimeZone& zone = o.zone ? *o.zone : *fixed_utc;
        const UnixMs span = static_cast<UnixMs>(o.days_back) * day;
        CivilTime opened = zone.to_local(o.now - span + span * i / std::max(1, o.count));
        opened.hour = 8 + r.below(10);
        opened.minute = r.below(60);
        opened.second = r.below(60);
        item.created_at = zone.to_utc(opened);
        if (weekday(item.created_at, zone) == 0) item.created_at -= day;  // Saturday instead
        item.created_at = std::min<UnixMs>(item.created_at, o.now - static_cast<UnixMs>(o.count - i) * 1000);
        RepairOrderPatch& p = item.patch;

        const int age_days = static_cast<int>((o.now - item.created_at) / day);
        RoStatus status = RoStatus::closed;
        if (age_days < 1)
            status = r.chance(60) ? RoStatus::open : RoStatus::in_progress;
        else if (age_days < 3)
            status = r.pick(
                std::array<RoStatus, 4>{RoStatus::open, RoStatus::in_progress, RoStatus::ready, RoStatus::in_progress});
        else if (age_days < 7)
            status = r.chance(70) ? RoStatus::ready : RoStatus::closed;
        if (r.chance(3)) status = RoStatus::cancelled;
        p.status = status;
        if (!o.advisor_ids.empty() && r.chance(92)) {
            p.advisor_id = std::optional<Id>(
                o.advisor_ids[static_cast<std::size_t>(r.below(static_cast<int>(o.advisor_ids.size())))]);
        }
        // Promised one to three days later, between 8:00 and 18:30 local time, on the half hour.
        UnixMs promised_day = item.created_at + (1 + r.below(3)) * day;
        if (weekday(promised_day, zone) == 0) promised_day += day;  // Monday instead of Sunday
        CivilTime promised = zone.to_local(promised_day);
        promised.hour = 8 + r.below(11);
        promised.minute = r.chance(50) ? 0 : 30;
        promised.second = 0;
        p.promised_at = std::optional<UnixMs>(zone.to_utc(promised));
        if (r.chance(30)) p.note = std::string("Client attend un appel avant toute intervention supplémentaire.");

        const Model& m = r.pick(models);
        VehiclePatch v;
        v.plate = plate(r);
        v.vin = vin(r);
        v.make = std::string(m.make);
        v.model = std::string(m.model);
        v.mileage_km = std::optional<std::int64_t>(5000 + r.below(180000));
        p.vehicle = v;

        std::vector<PartyPatch> parties;
        const bool woman = r.chance(50);
        const std::string first = woman ? r.pick(women) : r.pick(men);
        const std::string last = r.pick(last_names);
        PartyPatch driver;
        driver.kind = PartyKind::person;
        driver.title = std::string(woman ? "Mme" : "M.");
        driver.first_name = first;
        driver.last_name = last;
        const bool fleet = r.chance(25);
        driver.roles = fleet ? std::vector<PartyRole>{PartyRole::driver}
                             : std::vector<PartyRole>{PartyRole::driver, PartyRole::owner};
        std::vector<ContactPointPatch> cps;
        ContactPointPatch phone;
        phone.kind = ContactKind::phone;
        phone.usage = ContactUsage::personal;
        // Allocated French mobile ranges only: libphonenumber rightly refuses 07 1x or 06 9x.
        static constexpr std::array<const char*, 12> mobile_prefixes = {
            "06 12", "06 23", "06 31", "06 45", "06 52", "06 63", "06 74", "06 86", "07 52", "07 61", "07 68", "07 81"};
        phone.value = std::string(r.pick(mobile_prefixes)) + " " + std::to_string(10 + r.below(90)) + " " +
                      std::to_string(10 + r.below(90)) + " " + std::to_string(10 + r.below(90));
        cps.push_back(phone);
        if (r.chance(80)) {
            ContactPointPatch mail;
            mail.kind = ContactKind::email;
            mail.usage = ContactUsage::personal;
            mail.value = ascii_slug(first) + "." + ascii_slug(last) + std::to_string(r.below(100)) + "@exemple.fr";
            if (r.chance(5)) mail.opted_out = true;
            cps.push_back(mail);
        }
        driver.contact_points = cps;
        parties.push_back(driver);
        if (fleet) {
            PartyPatch company;
            company.kind = PartyKind::company;
            company.company_name = std::string(r.pick(companies));
            company.roles = std::vector<PartyRole>{PartyRole::owner, PartyRole::contractor};
            ContactPointPatch pro;
            pro.kind = ContactKind::email;
            pro.usage = ContactUsage::professional;
            pro.value = "flotte@" + ascii_slug(*company.company_name).substr(0, 12) + ".fr";
            company.contact_points = std::vector<ContactPointPatch>{pro};
            parties.push_back(company);
            if (r.chance(50)) {
                PartyPatch lessor;
                lessor.kind = PartyKind::company;
                lessor.company_name = std::string(r.pick(lessors));
                lessor.roles = std::vector<PartyRole>{PartyRole::leasing_company};
                parties.push_back(lessor);
            }
        }
        p.parties = parties;

        std::vector<InterventionPatch> items;
        const int n = 1 + r.below(5);
        std::array<bool, works.size()> used{};
        for (int k = 0; k < n; ++k) {
            const auto w = static_cast<std::size_t>(r.below(static_cast<int>(works.size())));
            if (used[w]) continue;
            used[w] = true;
            InterventionPatch it;
            it.label = std::string(works[w].label);
            it.mechanic_note = std::string(works[w].note);
            it.price_excl = works[w].excl;
            it.kind = k == 0 ? InterventionKind::initial : works[w].kind;
            it.severity = works[w].severity;
            it.shown = !r.chance(5);
            items.push_back(it);
        }
        p.interventions = items;
        out.push_back(std::move(item));
    }
    return out;
}

}  // namespace relais
