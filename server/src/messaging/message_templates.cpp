#include "message_templates.hpp"

#include "customer_texts.hpp"
#include "json_text.hpp"
#include "staff_texts.hpp"
#include "text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace relais {
namespace {

using json = nlohmann::json;

// What every message about an offer may name (offer_messages.cpp gives them all).
#define RELAIS_OFFER_VALUES                                                                                          \
    "customer_name", "preferred_name", "salutation", "vehicle", "plate", "ro_number", "dealer_name", "advisor_name", \
        "link", "total", "item_count", "promised_at"

bool is_name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

std::string choices_of(const std::vector<std::string_view>& allowed) {
    std::string out;
    for (std::string_view p : allowed) out += (out.empty() ? "<%" : ", <%") + std::string(p) + ">";
    return out;
}

const TextSpec* staff_spec(std::string_view name) {
    for (const TextSpec& s : staff_text_specs())
        if (s.name == name) return &s;
    return nullptr;
}

// Every staff text whose name starts with `prefix`, in the order of the files: a kind made of
// them takes a text added later (a new notification) without being listed again here.
std::vector<std::string_view> staff_parts(std::string_view prefix) {
    std::vector<std::string_view> out;
    for (const TextSpec& s : staff_text_specs())
        if (s.name.starts_with(prefix)) out.push_back(s.name);
    return out;
}

// Every placeholder the parts of a staff kind name, each once.
std::vector<std::string_view> staff_placeholders(const std::vector<std::string_view>& parts) {
    std::vector<std::string_view> out;
    for (std::string_view part : parts)
        if (const TextSpec* s = staff_spec(part))
            for (std::string_view p : s->placeholders)
                if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
    return out;
}

TemplateKindSpec staff_kind(std::string_view name, std::string_view prefix) {
    TemplateKindSpec k;
    k.name = name;
    k.channel = Channel::email;
    k.parts = staff_parts(prefix);
    k.placeholders = staff_placeholders(k.parts);
    k.staff = true;
    return k;
}

}  // namespace

std::span<const TemplateKindSpec> template_kinds() {
    static const TemplateKindSpec kinds[] = {
        {"offer_sms", Channel::sms, {"offer_sms", "offer_sms.replies"}, {RELAIS_OFFER_VALUES}, true},
        {"offer_email",
         Channel::email,
         {"offer_email.subject", "offer_email.heading", "offer_email.preheader.one", "offer_email.preheader.other",
          "offer_email.body.one", "offer_email.body.other", "offer_email.validity", "offer_email.advisor"},
         {RELAIS_OFFER_VALUES},
         false},
        {"reminder_sms", Channel::sms, {"reminder_sms"}, {RELAIS_OFFER_VALUES, "reminder_number"}, true},
        {"reminder_email",
         Channel::email,
         {"reminder_email.subject", "reminder_email.heading", "reminder_email.preheader", "reminder_email.body"},
         {RELAIS_OFFER_VALUES, "reminder_number"},
         false},
        {"access_link_sms", Channel::sms, {"access_link_sms"}, {RELAIS_OFFER_VALUES}, true},
        {"access_link_email",
         Channel::email,
         {"access_link_email.subject", "access_link_email.heading", "access_link_email.preheader",
          "access_link_email.body"},
         {RELAIS_OFFER_VALUES},
         false},
        {"report_sms", Channel::sms, {"report_sms"}, {RELAIS_OFFER_VALUES}, true},
        {"report_email",
         Channel::email,
         {"report_email.subject", "report_email.heading", "report_email.preheader", "report_email.body"},
         {RELAIS_OFFER_VALUES},
         false},
        {"stop_ack_sms", Channel::sms, {"stop_ack_sms"}, {"dealer_name"}, false},
        // What staff are told (notifications/): the sentence of each notification, in the
        // workspace's bell and in the digest, and the digest email around them.
        staff_kind("advisor_notification", "notification."),
        staff_kind("advisor_digest", "digest."),
    };
    return kinds;
}

#undef RELAIS_OFFER_VALUES

const TemplateKindSpec* find_template_kind(std::string_view name) {
    for (const TemplateKindSpec& k : template_kinds())
        if (k.name == name) return &k;
    return nullptr;
}

const TemplateKindSpec* template_kind_of_text(std::string_view text_name) {
    for (const TemplateKindSpec& k : template_kinds())
        if (std::find(k.parts.begin(), k.parts.end(), text_name) != k.parts.end()) return &k;
    return nullptr;
}

bool is_body_part(std::string_view part) {
    // The digest's paragraphs: its introduction, each line (the time, the sentence, the link on
    // lines of their own), the "… and N more", the reason it is sent.
    static constexpr std::string_view kDigestParagraphs[] = {"digest.intro", "digest.line", "digest.more",
                                                             "digest.settings", "digest.link_intro"};
    return part.find(".body") != std::string_view::npos ||
           std::find(std::begin(kDigestParagraphs), std::end(kDigestParagraphs), part) != std::end(kDigestParagraphs);
}

std::vector<std::string_view> placeholders_of_part(const TemplateKindSpec& kind, std::string_view part) {
    if (!kind.staff) return kind.placeholders;
    const TextSpec* s = staff_spec(part);
    return s ? s->placeholders : std::vector<std::string_view>{};
}

Problems check_template(const TemplateKindSpec& kind, const TemplateParts& parts) {
    Problems problems;
    for (const auto& [name, text] : parts)
        if (std::find(kind.parts.begin(), kind.parts.end(), name) == kind.parts.end())
            problems.push_back({"parts." + name, "unknown_field", {}});
    for (std::string_view part : kind.parts) {
        const std::string field = "parts." + std::string(part);
        const auto it = parts.find(part);
        if (it == parts.end()) {
            problems.push_back({field, "required", {}});
            continue;
        }
        const std::string& text = it->second;
        const std::vector<std::string_view> allowed = placeholders_of_part(kind, part);
        if (text.find_first_not_of(" \n\r\t") == std::string::npos) {
            problems.push_back({field, "required", {}});
            continue;
        }
        const std::size_t max = kind.channel == Channel::sms ? kMaxSmsTemplateChars
                                : is_body_part(part)         ? kMaxEmailBodyChars
                                                             : kMaxEmailLineChars;
        if (utf8_length(text) > max) problems.push_back({field, "too_long", {{"max", std::to_string(max)}}});
        if (kind.channel == Channel::email && !is_body_part(part) && text.find('\n') != std::string::npos)
            problems.push_back({field, "single_line", {}});
        // Each "<%": a placeholder this kind gives, or refused (never sent as written).
        bool part_has_link = false;
        for (std::size_t at = text.find("<%"); at != std::string::npos; at = text.find("<%", at + 2)) {
            std::size_t end = at + 2;
            while (end < text.size() && is_name_char(text[end])) ++end;
            if (end == at + 2 || end >= text.size() || text[end] != '>') {
                const std::size_t shown = std::min<std::size_t>(end - at + 1, 24);
                problems.push_back(
                    {field, "placeholder_malformed", {{"value", text.substr(at, shown)}, {"expected", "<%vehicle>"}}});
                continue;
            }
            const std::string name = text.substr(at + 2, end - at - 2);
            if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
                problems.push_back(
                    {field, "unknown_placeholder", {{"value", "<%" + name + ">"}, {"choices", choices_of(allowed)}}});
            if (name == "link") part_has_link = true;
        }
        // Each SMS of a kind that carries the page is sent on its own: each needs the link.
        if (kind.needs_link && !part_has_link) problems.push_back({field, "link_missing", {{"value", "<%link>"}}});
    }
    return problems;
}

std::string template_ref(std::string_view kind, std::string_view language, int version, bool edited) {
    return std::string(kind) + "/" + std::string(language) + "/" + std::to_string(version) + (edited ? "+edited" : "");
}

TemplateParts shipped_parts(const TemplateKindSpec& kind, std::string_view language) {
    TemplateParts out;
    const Result<LanguageTexts>& texts = kind.staff ? staff_texts() : customer_texts();
    if (!texts.ok()) return out;
    for (std::string_view part : kind.parts)
        if (const std::string* t = texts->in(language).find(part)) out.emplace(std::string(part), *t);
    return out;
}

// ---- the texts in force ---------------------------------------------------------------------

Result<TemplateTexts> TemplateTexts::load(Connection& c) {
    TemplateTexts out;
    // The latest version of each kind and language, when it is not "back to the shipped texts".
    TRY_ASSIGN(auto q, c.prepare("SELECT t.kind, t.language, t.version, t.parts, t.created_at, t.created_by_name "
                                 "FROM message_templates t WHERE t.version = (SELECT max(version) FROM "
                                 "message_templates WHERE kind = t.kind AND language = t.language)"));
    while (true) {
        TRY_ASSIGN(const bool row, q.step());
        if (!row) break;
        const TemplateKindSpec* kind = find_template_kind(q.text(0));
        if (!kind) continue;  // a kind a later version of Relais dropped
        TemplateVersion v;
        v.kind = q.text(0);
        v.language = q.text(1);
        v.version = static_cast<int>(q.int64(2));
        v.shipped = q.is_null(3);
        v.created_at = q.int64(4);
        v.created_by = q.text(5);
        v.parts = shipped_parts(*kind, v.language);  // a part added since falls back to its shipped text
        const json parts = v.shipped ? json() : json::parse(q.text(3), nullptr, false);
        if (parts.is_object())
            for (const auto& [name, text] : parts.items())
                if (text.is_string() && v.parts.contains(name)) v.parts[name] = text.get<std::string>();
        out.edited_.push_back(std::move(v));
    }
    return out;
}

const TemplateVersion* TemplateTexts::edited(std::string_view kind, std::string_view language) const {
    const std::string_view lang = language == "en" ? "en" : "fr";
    for (const TemplateVersion& v : edited_)
        if (v.kind == kind && v.language == lang) return &v;
    return nullptr;
}

void TemplateTexts::put(TemplateVersion v) {
    std::erase_if(edited_, [&](const TemplateVersion& e) { return e.kind == v.kind && e.language == v.language; });
    edited_.push_back(std::move(v));
}

Result<std::string> TemplateTexts::text(std::string_view name, std::string_view language,
                                        const TextValues& values) const {
    if (const TemplateKindSpec* kind = template_kind_of_text(name))
        if (const TemplateVersion* v = edited(kind->name, language))
            if (const auto it = v->parts.find(name); it != v->parts.end()) return fill_text(it->second, values);
    return customer_text(name, language, values);
}

std::string TemplateTexts::staff(std::string_view name, std::string_view language, const TextValues& values) const {
    if (const TemplateKindSpec* kind = template_kind_of_text(name); kind && kind->staff)
        if (const TemplateVersion* v = edited(kind->name, language))
            if (const auto it = v->parts.find(name); it != v->parts.end())
                if (auto filled = fill_text(it->second, values)) return std::move(*filled);
    return staff_text(name, language, values);
}

std::string TemplateTexts::ref(std::string_view kind, std::string_view language) const {
    if (!find_template_kind(kind)) return "";
    const std::string_view lang = language == "en" ? "en" : "fr";
    const TemplateVersion* v = edited(kind, lang);
    return template_ref(kind, lang, v ? v->version : 0, v && v->edited_for_send);
}

TemplateVersion TemplateTexts::in_force(std::string_view kind, std::string_view language) const {
    const std::string_view lang = language == "en" ? "en" : "fr";
    if (const TemplateVersion* v = edited(kind, lang)) return *v;
    TemplateVersion v;
    v.kind = std::string(kind);
    v.language = std::string(lang);
    if (const TemplateKindSpec* k = find_template_kind(kind)) v.parts = shipped_parts(*k, lang);
    return v;
}

// ---- one send's wording ---------------------------------------------------------------------

namespace {

// The offer's SMS and email in force in `language`, with `edits` over them.
std::pair<TemplateVersion, TemplateVersion> edited_versions(const TemplateTexts& texts, const MessageEdits& edits,
                                                            std::string_view language) {
    TemplateVersion sms = texts.in_force("offer_sms", language);
    TemplateVersion email = texts.in_force("offer_email", language);
    if (edits.sms) sms.parts["offer_sms"] = sms.parts["offer_sms.replies"] = *edits.sms;
    if (edits.email_subject) email.parts["offer_email.subject"] = *edits.email_subject;
    if (edits.email_body)
        email.parts["offer_email.body.one"] = email.parts["offer_email.body.other"] = *edits.email_body;
    sms.edited_for_send = edits.sms.has_value();
    email.edited_for_send = edits.email_subject || edits.email_body;
    return {std::move(sms), std::move(email)};
}

}  // namespace

Problems check_edits(const TemplateTexts& texts, const MessageEdits& edits, std::string_view language) {
    Problems out;
    const auto [sms, email] = edited_versions(texts, edits, language);
    // Each problem once, on the field the advisor typed in.
    auto add = [&](const Problems& found, const std::map<std::string, std::string>& fields) {
        for (const FieldError& f : found) {
            const auto it = fields.find(f.field);
            if (it == fields.end()) continue;  // a template's own part: its admin's problem
            FieldError e = f;
            e.field = it->second;
            if (std::none_of(out.begin(), out.end(), [&](const FieldError& o) {
                    return o.field == e.field && o.code == e.code && o.params == e.params;
                }))
                out.push_back(std::move(e));
        }
    };
    if (edits.sms)
        add(check_template(*find_template_kind("offer_sms"), sms.parts),
            {{"parts.offer_sms", "message.sms"}, {"parts.offer_sms.replies", "message.sms"}});
    if (edits.email_subject || edits.email_body) {
        std::map<std::string, std::string> fields;
        if (edits.email_subject) fields["parts.offer_email.subject"] = "message.email_subject";
        if (edits.email_body)
            fields["parts.offer_email.body.one"] = fields["parts.offer_email.body.other"] = "message.email_body";
        add(check_template(*find_template_kind("offer_email"), email.parts), fields);
    }
    return out;
}

void apply_edits(TemplateTexts& texts, const MessageEdits& edits) {
    if (edits.empty()) return;
    for (const char* lang : {"fr", "en"}) {
        auto [sms, email] = edited_versions(texts, edits, lang);
        if (sms.edited_for_send) texts.put(std::move(sms));
        if (email.edited_for_send) texts.put(std::move(email));
    }
}

// ---- the store ------------------------------------------------------------------------------

namespace template_store {
namespace {

TemplateVersion version_from(const TemplateKindSpec& kind, const Statement& q) {
    TemplateVersion v;
    v.kind = std::string(kind.name);
    v.language = q.text(0);
    v.version = static_cast<int>(q.int64(1));
    v.created_at = q.int64(3);
    v.created_by = q.text(4);
    v.parts = shipped_parts(kind, v.language);
    v.shipped = q.is_null(2);
    if (!v.shipped) {
        const json parts = json::parse(q.text(2), nullptr, false);
        if (parts.is_object())
            for (const auto& [name, text] : parts.items())
                if (text.is_string() && v.parts.contains(name)) v.parts[name] = text.get<std::string>();
    }
    return v;
}

constexpr std::string_view kColumns =
    "SELECT language, version, parts, created_at, created_by_name FROM "
    "message_templates WHERE kind = ? AND language = ? ORDER BY version DESC";

}  // namespace

Result<TemplateVersion> current(Connection& c, const TemplateKindSpec& kind, std::string_view language) {
    const std::string lang = language == "en" ? "en" : "fr";
    TRY_ASSIGN(auto q, c.prepare(std::string(kColumns) + " LIMIT 1"));
    q.bind(1, kind.name).bind(2, lang);
    TRY_ASSIGN(const bool row, q.step());
    if (row) return version_from(kind, q);
    TemplateVersion v;
    v.kind = std::string(kind.name);
    v.language = lang;
    v.parts = shipped_parts(kind, lang);
    return v;
}

Result<std::vector<TemplateVersion>> history(Connection& c, const TemplateKindSpec& kind, std::string_view language) {
    const std::string lang = language == "en" ? "en" : "fr";
    TRY_ASSIGN(auto q, c.prepare(std::string(kColumns)));
    q.bind(1, kind.name).bind(2, lang);
    std::vector<TemplateVersion> out;
    while (true) {
        TRY_ASSIGN(const bool row, q.step());
        if (!row) break;
        out.push_back(version_from(kind, q));
    }
    return out;
}

Result<TemplateVersion> save(Connection& c, const TemplateKindSpec& kind, std::string_view language,
                             const std::optional<TemplateParts>& parts, UnixMs now, std::optional<Id> user_id,
                             const std::string& user_name) {
    const std::string lang = language == "en" ? "en" : "fr";
    TRY_ASSIGN(const TemplateVersion before, current(c, kind, lang));
    TRY_ASSIGN(auto ins, c.prepare("INSERT INTO message_templates (kind, language, version, parts, created_at, "
                                   "created_by_user_id, created_by_name) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    ins.bind(1, kind.name).bind(2, lang).bind(3, before.version + 1);
    if (parts) {
        json j = json::object();
        for (const auto& [name, text] : *parts) j[name] = text;
        ins.bind(4, dump_json(j));
    } else {
        ins.bind_null(4);
    }
    ins.bind(5, now).bind(6, user_id).bind(7, user_name);
    TRY(ins.run());
    return current(c, kind, lang);
}

}  // namespace template_store

}  // namespace relais
