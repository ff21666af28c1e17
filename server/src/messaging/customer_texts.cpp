#include "customer_texts.hpp"

#include "message_templates.hpp"
#include "messages.hpp"

#include <algorithm>

namespace relais {

namespace {

// The texts in the order of the files; those a template kind is made of may name all that
// kind's placeholders (message_templates.hpp), as an admin's version of them may.
std::vector<CustomerTextSpec> all_specs() {
    std::vector<CustomerTextSpec> specs = {
        {"offer_sms", {"dealer_name", "vehicle", "link"}},
        {"offer_sms.replies", {"dealer_name", "vehicle", "link"}},
        {"offer_email.subject", {"dealer_name", "vehicle"}},
        {"offer_email.heading", {}},
        {"offer_email.preheader.one", {"vehicle", "item_count", "total"}},
        {"offer_email.preheader.other", {"vehicle", "item_count", "total"}},
        {"offer_email.body.one", {"vehicle", "ro_number", "item_count", "total"}},
        {"offer_email.body.other", {"vehicle", "ro_number", "item_count", "total"}},
        {"offer_email.validity", {}},
        {"offer_email.advisor", {"advisor_name"}},
        {"access_link_sms", {"dealer_name", "vehicle", "link"}},
        {"access_link_email.subject", {"dealer_name"}},
        {"access_link_email.heading", {}},
        {"access_link_email.preheader", {"vehicle"}},
        {"access_link_email.body", {"vehicle"}},
        {"reminder_sms", {"dealer_name", "vehicle", "link", "reminder_number", "advisor_name"}},
        {"reminder_email.subject", {"dealer_name", "vehicle", "reminder_number"}},
        {"reminder_email.heading", {}},
        {"reminder_email.preheader", {"vehicle", "total"}},
        {"reminder_email.body", {"vehicle", "ro_number", "total", "reminder_number", "advisor_name"}},
        {"report_sms", {"dealer_name", "vehicle", "link"}},
        {"report_email.subject", {"dealer_name", "vehicle"}},
        {"report_email.heading", {}},
        {"report_email.preheader", {"vehicle", "total"}},
        {"report_email.body", {"vehicle", "ro_number", "total"}},
        {"email.greeting", {"customer_name"}},
        {"email.greeting.no_name", {}},
        {"email.button", {}},
        {"email.button.report", {}},
        {"email.link_intro", {}},
        {"stop_ack_sms", {"dealer_name"}},
        {"sms_reply_ack.yes", {"dealer_name", "vehicle", "link", "dealer_phone_suffix"}},
        {"sms_reply_ack.no", {"dealer_name", "vehicle", "link", "dealer_phone_suffix"}},
        {"sms_reply_ack.no.nothing_kept", {"dealer_name", "vehicle", "link", "dealer_phone_suffix"}},
        {"sms_reply_ack.call_me", {"dealer_name", "vehicle", "link", "dealer_phone_suffix"}},
        {"sms_reply_ack.phone", {"dealer_phone"}},
        {"answers_sms.full", {"dealer_name", "label", "answer", "link"}},
        {"answers_sms", {"dealer_name", "vehicle", "link"}},
        {"answers_email.subject", {"dealer_name", "vehicle", "advisor_name"}},
        {"answers_email.heading", {"dealer_name", "vehicle", "advisor_name"}},
        {"answers_email.preheader", {"dealer_name", "vehicle", "advisor_name"}},
        {"answers_email.intro", {"dealer_name", "vehicle", "advisor_name"}},
        {"answers_email.item", {"label"}},
        {"answers_email.question", {"question"}},
        {"answers_email.answer", {"answer"}},
    };
    for (CustomerTextSpec& spec : specs)
        if (const TemplateKindSpec* kind = template_kind_of_text(spec.name)) spec.placeholders = kind->placeholders;
    return specs;
}

}  // namespace

std::span<const CustomerTextSpec> customer_text_specs() {
    static const std::vector<CustomerTextSpec> specs = all_specs();
    return specs;
}

const Result<LanguageTexts>& customer_texts() {
    static const Result<LanguageTexts> texts = load_language_texts(embedded_customer_texts());
    return texts;
}

Result<std::string> customer_text(std::string_view name, std::string_view language, const TextValues& values) {
    const auto specs = customer_text_specs();
    if (std::none_of(specs.begin(), specs.end(), [&](const CustomerTextSpec& s) { return s.name == name; }))
        return make_error(ErrorKind::internal, "text_unknown", {{"name", std::string(name)}});
    const Result<LanguageTexts>& texts = customer_texts();
    if (!texts.ok()) return texts.error();
    const std::string* text = texts->in(language).find(name);
    if (!text) return make_error(ErrorKind::internal, "text_missing", {{"name", std::string(name)}});
    return fill_text(*text, values);
}

std::string plural_text_name(std::string_view base, std::string_view language, long long n) {
    return std::string(base) + std::string(plural(language == "en" ? "en" : "fr", n, ".one", ".other"));
}

}  // namespace relais
