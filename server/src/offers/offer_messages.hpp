#pragma once
// The messages that carry an offer's link, in French and English: the SMS (kept short: the
// dealership, the vehicle, the link) and the email (subject, text and HTML parts in the
// dealership's layout). Their words are customer texts (customer_texts.hpp, config/texts); this
// file chooses which texts make a message and gives them their values. An error only if a text
// cannot be rendered (the unit tests render every one).

#include "config.hpp"
#include "email_layout.hpp"
#include "offer.hpp"
#include "repair_report.hpp"
#include "result.hpp"
#include "sms_replies.hpp"
#include "text_catalog.hpp"

#include <string>
#include <vector>

namespace relais {

struct OfferMessageText {
    std::string subject;       // email only
    std::string text;          // the SMS, or the email's text part
    std::string html;          // email only
    std::string template_ref;  // the template version it was written from ("offer_sms/fr/3")
};

class TemplateTexts;

/// Who a message is for: their display name (may be empty: the offer's customer) and how they
/// like to be addressed (`<%preferred_name>`, the salutation; empty: the name).
struct Addressee {
    Addressee(std::string n = {}, std::string preferred = {})  // NOLINT: a name alone is an addressee
        : name(std::move(n)), preferred_name(std::move(preferred)) {}
    Addressee(const char* n) : name(n) {}  // NOLINT: as above
    std::string name;
    std::string preferred_name;
};

/// An offer's recipient as a message addresses them.
inline Addressee addressee(const OfferRecipient& r) { return {r.name, r.preferred_name}; }

/// `link` is the recipient's magic link; `to` the recipient.
/// With `[reminders] sms_replies` (and an offer an SMS reply can confirm), the SMS names the
/// answers the customer may text back.
/// `texts`: the templates in force (message_templates.hpp).
Result<OfferMessageText> offer_sms(const Config& config, const TemplateTexts& texts, const Offer& offer,
                                   const Addressee& to, const std::string& link);
Result<OfferMessageText> offer_email(const Config& config, const TemplateTexts& texts, const Offer& offer,
                                     const Addressee& to, const std::string& link);

/// The acknowledgement of an SMS reply taken as the customer's answer (sms_replies.hpp): what
/// was recorded, the offer's page, how to change it (call the dealership, with its number when
/// configured). `work_kept`: some item was accepted (for NON: the work the car came in for).
Result<OfferMessageText> sms_reply_ack(const Config& config, const Offer& offer, SmsReply reply, bool work_kept,
                                       const std::string& link);

/// A fresh access link asked for from another device or after expiry.
Result<OfferMessageText> access_link_sms(const Config& config, const TemplateTexts& texts, const Offer& offer,
                                         const Addressee& to, const std::string& link);
Result<OfferMessageText> access_link_email(const Config& config, const TemplateTexts& texts, const Offer& offer,
                                           const Addressee& to, const std::string& link);

/// A reminder while the customer has not confirmed: its number in the plan (1 to 5) and the
/// RO's advisor as of now (who may have changed since the offer left).
struct ReminderWords {
    int number = 1;
    std::string advisor_name;
};
Result<OfferMessageText> reminder_sms(const Config& config, const TemplateTexts& texts, const Offer& offer,
                                      const Addressee& to, const ReminderWords& words, const std::string& link);
Result<OfferMessageText> reminder_email(const Config& config, const TemplateTexts& texts, const Offer& offer,
                                        const Addressee& to, const ReminderWords& words, const std::string& link);

/// One item in the message of an advisor's answers (questions.hpp): the item, the customer's
/// question and what the advisor answered (several answers in one burst are joined).
struct AnsweredItem {
    std::string label;
    std::string question;
    std::string answer;
};
/// The SMS: the answer itself when there is one item and it fits in kAnswerSmsParts parts, else a
/// short text with the link (the page shows every answer in full: an SMS of many parts costs each
/// part and arrives cut or late on some phones).
inline constexpr std::size_t kAnswerSmsParts = 2;
Result<OfferMessageText> answers_sms(const Config& config, const Offer& offer, const std::vector<AnsweredItem>& items,
                                     const std::string& link);
/// The email: every item with its question and answer, signed by the advisor who answered.
Result<OfferMessageText> answers_email(const Config& config, const Offer& offer, const Addressee& to,
                                       const std::string& advisor, const std::vector<AnsweredItem>& items,
                                       const std::string& link);

/// The repair report's message (reports.hpp): the SMS (the dealership, the vehicle, the link) and
/// the email (what it holds, the final amount, the button to the page). `<%total>` is the
/// report's final amount and `<%advisor_name>` the RO's advisor as the report names them;
/// `offer` is localized to the recipient.
Result<OfferMessageText> report_sms(const Config& config, const TemplateTexts& texts, const Offer& offer,
                                    const RepairReport& report, const Addressee& to, const std::string& link);
Result<OfferMessageText> report_email(const Config& config, const TemplateTexts& texts, const Offer& offer,
                                      const RepairReport& report, const Addressee& to, const std::string& link);

/// The longest plausible value of every placeholder a template may name (message_templates.hpp)
/// in `language`, as an SMS (`Channel::sms`: in GSM form where there is one) or an email would
/// carry it: the dealership's own name, a link of the real length, and for the rest the longest
/// a customer, vehicle or advisor is likely to have. The template editor's cost is its worst case.
TextValues longest_values(const Config& config, const std::string& language, Channel channel);

/// A value put into an SMS: its GSM 7-bit form, unless that loses a character ('?').
std::string sms_value(const std::string& value);

/// "1 234,56 €" (fr) or "€1,234.56" (en).
std::string format_money(Cents cents, const std::string& currency, const std::string& language);

}  // namespace relais
