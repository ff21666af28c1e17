#include "staff_texts.hpp"

#include <algorithm>

namespace relais {

std::span<const StaffTextSpec> staff_text_specs() {
    static const StaffTextSpec specs[] = {
        {"test_email.subject", {"dealer_name"}},
        {"test_email.heading", {}},
        {"test_email.preheader", {"dealer_name"}},
        {"test_email.purpose", {"dealer_name"}},
        {"test_email.outcome", {}},
        {"test_email.button", {}},
        {"test_email.link_intro", {}},
        {"first_admin.display_name", {}},
        // Who a notification is about when the repair order names no customer.
        {"unnamed_customer", {}},
        // The advisor notification (issue 15): one line per kind (notifications/notifications.hpp).
        {"notification.seen", {"ro_number", "customer_name"}},
        {"notification.confirmed", {"ro_number", "customer_name"}},
        {"notification.contact_me", {"ro_number", "customer_name"}},
        {"notification.sms_decision", {"ro_number", "customer_name"}},
        {"notification.reply", {"ro_number", "customer_name", "detail"}},
        {"notification.failed", {"ro_number", "customer_name", "detail"}},
        {"notification.no_answer", {"ro_number", "customer_name"}},
        {"notification.question", {"ro_number", "customer_name", "detail"}},
        // The advisor digest (notifications/digests.cpp).
        {"digest.subject", {"dealer_name", "user_name", "count"}},
        {"digest.heading", {"dealer_name", "user_name", "count"}},
        {"digest.preheader", {"dealer_name", "user_name", "count"}},
        {"digest.intro", {"dealer_name", "user_name", "count"}},
        {"digest.line", {"time", "what", "link"}},
        {"digest.more", {"count"}},
        {"digest.settings", {"dealer_name", "user_name", "count"}},
        {"digest.button", {"dealer_name", "user_name", "count"}},
        {"digest.link_intro", {"dealer_name", "user_name", "count"}},
    };
    return specs;
}

const Result<LanguageTexts>& staff_texts() {
    static const Result<LanguageTexts> texts = load_language_texts(embedded_staff_texts());
    return texts;
}

std::string staff_text(std::string_view name, std::string_view language, const TextValues& values) {
    const auto specs = staff_text_specs();
    const bool listed = std::any_of(specs.begin(), specs.end(), [&](const StaffTextSpec& s) { return s.name == name; });
    const Result<LanguageTexts>& texts = staff_texts();
    const std::string* text = listed && texts.ok() ? texts->in(language).find(name) : nullptr;
    if (!text) return std::string(name);
    Result<std::string> filled = fill_text(*text, values);
    return filled.ok() ? std::move(*filled) : std::string(name);
}

}  // namespace relais
