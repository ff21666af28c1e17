#include "messages.hpp"

#include "text.hpp"

#include <map>

namespace relais {
namespace {

struct Texts {
    const char* en;
    const char* fr;
};

const std::map<std::string_view, Texts>& catalog() {
    static const std::map<std::string_view, Texts> c = {
        // Whole-request errors
        {"validation_failed", {"Some fields are not valid.", "Certains champs ne sont pas valides."}},
        {"not_found", {"Not found.", "Introuvable."}},
        {"certificate_not_acme",
         {"This box's certificate does not come from an ACME CA ([tls] certificate): there is nothing to renew.",
          "Le certificat de ce boîtier ne vient pas d'une autorité ACME ([tls] certificate) : rien à renouveler."}},
        {"certificate_renew_too_soon",
         {"The certificate authority was asked less than {gap_minutes} minutes ago: ask again in {minutes} min "
          "(Let's Encrypt refuses a name after 5 failed attempts in an hour).",
          "L'autorité de certification a été sollicitée il y a moins de {gap_minutes} minutes : redemandez dans "
          "{minutes}\u00a0min (Let's Encrypt bloque un nom après 5 échecs en une heure)."}},
        {"not_found.repair_order", {"This repair order does not exist.", "Cet ordre de réparation n'existe pas."}},
        {"not_found.party",
         {"This party does not exist on this repair order.",
          "Cet interlocuteur n'existe pas sur cet ordre de réparation."}},
        {"not_found.contact_point",
         {"This contact does not exist for this party.", "Ce contact n'existe pas pour cet interlocuteur."}},
        {"not_found.intervention",
         {"This intervention does not exist on this repair order.",
          "Cette intervention n'existe pas sur cet ordre de réparation."}},
        {"not_found.user", {"This user does not exist.", "Cet utilisateur n'existe pas."}},
        {"not_found.agreement", {"This agreement does not exist.", "Ces conditions n'existent pas."}},
        {"not_found.api_key",
         {"This API key does not exist or is already revoked.", "Cette clé d'API n'existe pas ou est déjà révoquée."}},
        {"not_found.route", {"There is nothing at this address.", "Il n'y a rien à cette adresse."}},
        {"unauthorized", {"Sign in first.", "Connectez-vous d'abord."}},
        {"invalid_credentials", {"Wrong user name or password.", "Identifiant ou mot de passe incorrect."}},
        {"session_expired",
         {"Your session has ended: sign in again.", "Votre session est terminée : reconnectez-vous."}},
        {"invalid_api_key", {"This API key is unknown or revoked.", "Cette clé d'API est inconnue ou révoquée."}},
        {"forbidden", {"You are not allowed to do this.", "Vous n'avez pas le droit de faire cela."}},
        {"admin_only",
         {"Only a dealer administrator can do this.", "Seul un administrateur de la concession peut faire cela."}},
        {"password_change_required",
         {"Choose a new password before going on.", "Choisissez un nouveau mot de passe avant de continuer."}},
        {"csrf_failed",
         {"This request did not come from the Relais workspace (missing or wrong X-CSRF-Token).",
          "Cette requête ne vient pas de l'espace Relais (jeton X-CSRF-Token absent ou faux)."}},
        {"cross_site",
         {"Requests from another site are refused.", "Les requêtes venant d'un autre site sont refusées."}},
        {"too_many_attempts",
         {"Too many failed attempts: try again in {seconds} s.",
          "Trop d'essais manqués : réessayez dans {seconds}\u00a0s."}},
        {"body_too_large",
         {"The request body is larger than {max} bytes.", "Le corps de la requête dépasse {max} octets."}},
        {"malformed_json", {"The body is not valid JSON ({detail}).", "Le corps n'est pas du JSON valide ({detail})."}},
        {"expected_object", {"The body must be a JSON object.", "Le corps doit être un objet JSON."}},
        {"unsupported_media_type",
         {"Send the body as JSON with Content-Type: application/json.",
          "Envoyez le corps en JSON avec Content-Type: application/json."}},
        {"method_not_allowed",
         {"This method is not allowed at this address.", "Cette méthode n'est pas permise à cette adresse."}},
        {"version_conflict",
         {"Someone else changed this repair order meanwhile (it is now at version {version}): reload it and try again.",
          "Quelqu'un d'autre a modifié cet ordre de réparation entre-temps (version {version}) : rechargez-le et "
          "recommencez."}},
        {"invalid_if_match",
         {"If-Match must hold a version number such as \"12\".",
          "If-Match doit contenir un numéro de version comme \"12\"."}},
        {"internal",
         {"Something went wrong on the appliance; it has been logged.",
          "Une erreur s'est produite sur le boîtier ; elle a été journalisée."}},
        {"database_busy",
         {"The appliance is busy: try again in a moment.", "Le boîtier est occupé : réessayez dans un instant."}},
        {"shutting_down",
         {"Relais is restarting: try again in a few seconds.", "Relais redémarre : réessayez dans quelques secondes."}},
        {"unique_violation", {"This already exists.", "Cela existe déjà."}},
        {"modem_unavailable", {"The modem is not available: {detail}", "Le modem n'est pas disponible : {detail}"}},
        {"sms_empty", {"The message is empty.", "Le message est vide."}},
        {"offers_unavailable", {"Offers are not available.", "Les offres ne sont pas disponibles."}},
        {"events_unavailable",
         {"Live updates are not available.", "Les mises à jour en direct ne sont pas disponibles."}},
        {"too_many_streams",
         {"Too many pages are following live updates: close some tabs.",
          "Trop de pages suivent les mises à jour en direct : fermez quelques onglets."}},
        {"offer_locked",
         {"The offer is locked: the work has started, nothing more can be sent on it.",
          "L'offre est verrouillée : les travaux ont commencé, plus rien ne peut être envoyé."}},
        {"offer_closed", {"This offer is closed ({state}).", "Cette offre est close ({state})."}},
        {"offer_not_cancellable",
         {"Too late to cancel: this offer has already gone out ({state}).",
          "Trop tard pour annuler : cette offre est déjà partie ({state})."}},
        {"offer_not_resendable",
         {"This offer cannot be sent again ({state}).", "Cette offre ne peut pas être renvoyée ({state})."}},
        {"no_recipient_left",
         {"Every recipient of this offer has opted out since: nothing was sent.",
          "Tous les destinataires de cette offre se sont désinscrits depuis : rien n'a été envoyé."}},
        {"offer_read_only",
         {"Your answer has been sent; it can no longer be changed.",
          "Votre réponse a été envoyée ; elle ne peut plus être modifiée."}},
        {"link_superseded",
         {"A newer version of this estimate was sent to you: use the link in the latest message.",
          "Une version plus récente de ce devis vous a été envoyée : utilisez le lien du dernier message."}},
        {"link_expired", {"This link has expired: ask for a new one.", "Ce lien a expiré : demandez-en un nouveau."}},
        {"link_other_device",
         {"This link is already open on another device: ask for a new one.",
          "Ce lien est déjà ouvert sur un autre appareil : demandez-en un nouveau."}},
        {"too_many_streams_for_you",
         {"You already have {max} pages following live updates: close some tabs.",
          "Vous avez déjà {max} pages qui suivent les mises à jour en direct : fermez quelques onglets."}},
        {"too_many_unknown_links",
         {"Too many links that do not exist were tried from your connection: wait a few minutes.",
          "Trop de liens inexistants ont été essayés depuis votre connexion : patientez quelques minutes."}},
        {"too_many_access_links",
         {"Several new links were sent recently: please check your messages, or try again later.",
          "Plusieurs nouveaux liens ont été envoyés récemment : consultez vos messages, ou réessayez plus tard."}},
        {"cross_site_request",
         {"Refused: this request comes from another site.", "Refusé : cette requête vient d'un autre site."}},
        {"confirmation_required",
         {"The customer has already seen the current offer ({state}): confirm to send a new version that replaces it.",
          "Le client a déjà vu l'offre en cours ({state}) : confirmez pour envoyer une nouvelle version qui la "
          "remplace."}},
        {"agreed_by_customer",
         {"The customer agreed to \u00ab {label} \u00bb as it was on version {version} of the offer ({state}): "
          "say \"change_agreed\": true to change it anyway, then send a new version.",
          "Le client a donné son accord pour \u00ab {label} \u00bb tel qu'il était dans la version {version} de "
          "l'offre ({state}) : indiquez \"change_agreed\": true pour le modifier quand même, puis envoyez une "
          "nouvelle version."}},
        {"repair_order_deleted",
         {"This repair order was deleted: it can no longer be changed.",
          "Cet ordre de réparation a été supprimé : il ne peut plus être modifié."}},
        {"repair_order_has_offers",
         {"Offers were sent from this repair order: it stays on record. Set its status to cancelled instead.",
          "Des offres ont été envoyées depuis cet ordre de réparation : il reste enregistré. Passez plutôt son "
          "statut à Annulé."}},
        {"not_your_repair_order",
         {"Only its advisor ({advisor}) or a dealer admin can delete this repair order.",
          "Seul son conseiller ({advisor}) ou un administrateur peut supprimer cet ordre de réparation."}},
        {"answers_not_confirmed",
         {"The customer has not confirmed these answers yet ({state}) and may still change them: say "
          "\"drafts\": true to apply them anyway.",
          "Le client n'a pas encore confirmé ces réponses ({state}) et peut encore les changer : indiquez "
          "\"drafts\": true pour les appliquer quand même."}},
        {"sms_invalid_utf8", {"The message is not valid UTF-8 text.", "Le message n'est pas un texte UTF-8 valide."}},
        {"sms_too_long",
         {"Too long for an SMS ({parts} parts; 255 at most).",
          "Trop long pour un SMS ({parts} parties ; 255 au plus)."}},
        // Field errors
        {"required", {"Required.", "Obligatoire."}},
        {"plate_or_customer_required",
         {"A repair order needs a plate (or a VIN) or a customer.",
          "Un OR a besoin d'une immatriculation (ou d'un VIN) ou d'un client."}},
        {"too_long", {"At most {max} characters.", "{max} caractères au plus."}},
        {"one_line", {"Must fit on one line.", "Doit tenir sur une ligne."}},
        {"control_characters",
         {"Contains invisible control characters.", "Contient des caractères de contrôle invisibles."}},
        {"bidi_control",
         {"Contains characters that change the order in which the text is shown (bidirectional controls).",
          "Contient des caractères qui changent l'ordre d'affichage du texte (contrôles bidirectionnels)."}},
        {"too_many_values", {"At most {max} values.", "{max} valeurs au plus."}},
        {"invalid_type", {"Expected {expected}.", "Attendu : {expected}."}},
        {"unknown_field", {"Unknown field.", "Champ inconnu."}},
        {"unknown_contact_point",
         {"No contact {id} on this repair order.", "Aucun contact {id} sur cet ordre de réparation."}},
        {"opted_out",
         {"This contact does not want to receive messages.", "Ce contact ne souhaite pas recevoir de messages."}},
        {"duplicate", {"Given twice.", "Donné deux fois."}},
        {"nothing_to_offer",
         {"No intervention is shown to the customer.", "Aucune intervention n'est montrée au client."}},
        {"invalid_setting", {"{detail}", "{detail}"}},
        {"settings_unavailable",
         {"Settings cannot be changed from here on this box.",
          "Les réglages ne se changent pas d'ici sur ce boîtier."}},
        {"unknown_item", {"Not an item of this estimate.", "Ne fait pas partie de ce devis."}},
        {"decision_required", {"Choose an answer for this item.", "Choisissez une réponse pour cette intervention."}},
        {"unknown_agreement", {"Not an agreement of this estimate.", "Ces conditions ne font pas partie de ce devis."}},
        {"agreement_required",
         {"These terms must be accepted to confirm.", "Ces conditions doivent être acceptées pour confirmer."}},
        {"too_many_agreements",
         {"At most {max} agreements can be active at once.", "{max} conditions actives au plus."}},
        {"invalid_choice", {"Expected one of: {choices}.", "Valeurs possibles : {choices}."}},
        {"out_of_range", {"Must be between {min} and {max}.", "Doit être entre {min} et {max}."}},
        {"in_the_past", {"This time has already passed.", "Cette heure est déjà passée."}},
        {"too_far_ahead", {"At most {days} days ahead.", "{days} jours à l'avance au plus."}},
        {"invalid_date",
         {"Expected a date such as 2026-11-24 or 2026-11-24T17:30.",
          "Attendu : une date comme 2026-11-24 ou 2026-11-24T17:30."}},
        {"vin_length",
         {"A VIN has 17 characters (this one has {length}).", "Un VIN compte 17 caractères (celui-ci en a {length})."}},
        {"vin_characters",
         {"A VIN has only letters and digits, and never I, O or Q.",
          "Un VIN ne contient que des lettres et des chiffres, jamais I, O ni Q."}},
        {"plate_characters",
         {"A plate has only letters, digits, spaces and dashes.",
          "Une immatriculation ne contient que lettres, chiffres, espaces et tirets."}},
        {"phone_invalid_country", {"{value}: unknown country calling code.", "{value} : indicatif de pays inconnu."}},
        {"phone_not_a_number", {"{value} is not a phone number.", "{value} n'est pas un numéro de téléphone."}},
        {"phone_too_short",
         {"{value}: too short for a phone number.", "{value} : trop court pour un numéro de téléphone."}},
        {"phone_too_long",
         {"{value}: too long for a phone number.", "{value} : trop long pour un numéro de téléphone."}},
        {"phone_invalid", {"{value} is not a valid phone number.", "{value} n'est pas un numéro de téléphone valide."}},
        {"email_invalid", {"{value} is not a valid email address.", "{value} n'est pas une adresse e-mail valide."}},
        {"email_invalid.missing_at",
         {"{value} is not an email address: there is no @.", "{value} n'est pas une adresse e-mail : il manque le @."}},
        {"email_invalid.domain",
         {"{value}: the part after @ is not a domain name.",
          "{value} : la partie après @ n'est pas un nom de domaine."}},
        {"email_invalid.local_part",
         {"{value}: the part before @ is not valid.", "{value} : la partie avant @ n'est pas valide."}},
        {"email_invalid.spaces",
         {"An email address contains no spaces.", "Une adresse e-mail ne contient pas d'espace."}},
        {"email_invalid.too_long",
         {"An email address has at most 254 characters.", "Une adresse e-mail compte 254 caractères au plus."}},
        {"duplicate_contact", {"This party already has this contact.", "Cet interlocuteur a déjà ce contact."}},
        {"roles_required",
         {"Give at least one role: driver, owner, contractor or leasing company.",
          "Indiquez au moins un rôle : conducteur, propriétaire, contractant ou société de leasing."}},
        {"role_taken",
         {"Another party is already the {role} of this repair order.",
          "Un autre interlocuteur est déjà {role} de cet ordre de réparation."}},
        {"use_sub_resource",
         {"Change these through their own endpoint.", "Modifiez-les par leur propre adresse d'API."}},
        {"price_mismatch",
         {"Does not match the price excl. VAT and the VAT rate (expected {expected} cents).",
          "Ne correspond pas au prix HT et au taux de TVA ({expected} centimes attendus)."}},
        {"unknown_user", {"No active user has the id {value}.", "Aucun utilisateur actif n'a l'identifiant {value}."}},
        {"number_taken", {"The repair order {value} already exists.", "L'ordre de réparation {value} existe déjà."}},
        {"username_invalid",
         {"2 to 40 characters: lower-case letters, digits, '.', '_' or '-'.",
          "2 à 40 caractères : lettres minuscules, chiffres, « . », « _ » ou « - »."}},
        {"username_taken", {"The user name {value} is taken.", "L'identifiant {value} est déjà pris."}},
        {"password_too_short", {"At least 10 characters.", "10 caractères au moins."}},
        {"password_too_long", {"At most 256 bytes.", "256 octets au plus."}},
        {"password_is_username", {"Must not be the user name.", "Ne doit pas être l'identifiant."}},
        {"password_wrong", {"This is not your current password.", "Ce n'est pas votre mot de passe actuel."}},
        {"password_unchanged",
         {"Choose a password different from the current one.", "Choisissez un mot de passe différent de l'actuel."}},
        {"cannot_demote_self",
         {"You cannot remove your own administrator rights.",
          "Vous ne pouvez pas retirer vos propres droits d'administrateur."}},
        {"cannot_deactivate_self",
         {"You cannot deactivate your own account.", "Vous ne pouvez pas désactiver votre propre compte."}},
        {"name_taken", {"The name {value} is already used.", "Le nom {value} est déjà utilisé."}},
        // Words used inside messages
        {"type.string", {"text", "du texte"}},
        {"type.integer", {"a whole number", "un nombre entier"}},
        {"type.boolean", {"true or false", "true ou false"}},
        {"type.boolean_or_null", {"true, false or null", "true, false ou null"}},
        {"type.object", {"an object", "un objet"}},
        {"type.array", {"a list", "une liste"}},
        {"type.date", {"a date", "une date"}},
        {"type.contact_point_id", {"the id of a contact of the repair order", "l'identifiant d'un contact de l'OR"}},
        {"role.driver", {"driver", "conducteur"}},
        {"role.owner", {"owner", "propriétaire"}},
        {"role.contractor", {"contractor", "contractant"}},
        {"role.leasing_company", {"leasing company", "société de leasing"}},
    };
    return c;
}

const char* pick(const Texts& t, std::string_view lang) { return lang == "fr" ? t.fr : t.en; }

}  // namespace

std::string render_message(std::string_view code, const Params& params, std::string_view lang) {
    const auto& c = catalog();
    const Texts* texts = nullptr;
    // A more specific sentence for one parameter value ("not_found.party", "email_invalid.domain").
    for (const auto& [name, value] : params) {
        if (name == "what" || name == "reason") {
            const std::string key = std::string(code) + "." + value;
            if (auto it = c.find(key); it != c.end()) texts = &it->second;
        }
    }
    if (!texts) {
        const auto it = c.find(code);
        if (it == c.end()) return std::string(code);
        texts = &it->second;
    }
    std::string out = pick(*texts, lang);
    for (const auto& [name, value] : params) {
        std::string shown = value;
        if (name == "expected") {
            if (auto it = c.find("type." + value); it != c.end()) shown = pick(it->second, lang);
        } else if (name == "role") {
            if (auto it = c.find("role." + value); it != c.end()) shown = pick(it->second, lang);
        }
        const std::string placeholder = "{" + name + "}";
        for (std::size_t pos = out.find(placeholder); pos != std::string::npos;
             pos = out.find(placeholder, pos + shown.size())) {
            out.replace(pos, placeholder.size(), shown);
        }
    }
    if (lang == "fr") {
        // French puts a space before : ; ? ! that must never start a line: make it a no-break space.
        for (const char* mark : {" :", " ;", " ?", " !"}) {
            const std::string nbsp = std::string("\u00a0") + mark[1];
            for (std::size_t pos = out.find(mark); pos != std::string::npos; pos = out.find(mark, pos + nbsp.size())) {
                out.replace(pos, 2, nbsp);
            }
        }
    }
    return out;
}

std::string choose_language(std::string_view user_choice, const std::string* accept_language,
                            std::string_view dealer_language) {
    if (user_choice == "fr" || user_choice == "en") return std::string(user_choice);
    if (accept_language) {
        // Browsers list languages by preference: the first of ours that appears wins.
        const std::string al = ascii_lower(*accept_language);
        std::size_t start = 0;
        while (start < al.size()) {
            std::size_t end = al.find(',', start);
            if (end == std::string::npos) end = al.size();
            const std::string_view item = trim(std::string_view(al).substr(start, end - start));
            if (item.rfind("fr", 0) == 0) return "fr";
            if (item.rfind("en", 0) == 0) return "en";
            start = end + 1;
        }
    }
    return dealer_language == "en" ? "en" : "fr";
}

std::string_view plural(std::string_view lang, long long n, std::string_view one, std::string_view other) {
    if (lang == "fr") return n == 0 || n == 1 ? one : other;
    return n == 1 ? one : other;
}

}  // namespace relais
