#include "template_routes.hpp"

#include "box_names.hpp"
#include "digests.hpp"
#include "message_templates.hpp"
#include "messages.hpp"
#include "modem_service.hpp"
#include "offer_messages.hpp"
#include "request_body.hpp"
#include "responses.hpp"
#include "sms_cost_json.hpp"
#include "sms_text.hpp"
#include "text.hpp"
#include "timezone.hpp"

#include <spdlog/logger.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <set>

namespace relais {
namespace {

using json = nlohmann::json;

json version_json(const TemplateVersion& v) {
    return {{"version", v.version},
            {"shipped", v.shipped},
            {"created_at", v.version ? json(format_utc(v.created_at)) : json(nullptr)},
            {"created_by", v.version ? json(v.created_by) : json(nullptr)}};
}

json names_json(const std::vector<std::string_view>& names) {
    json out = json::array();
    for (std::string_view n : names) out.push_back(std::string(n));
    return out;
}

json parts_json(const TemplateParts& parts) {
    json out = json::object();
    for (const auto& [name, text] : parts) out[name] = text;
    return out;
}

// The characters of `text` that have no GSM 7-bit form (they make the whole SMS UCS-2), each
// once, with how often it appears and its GSM replacement when there is one.
json ucs2_characters(const std::string& text) {
    json out = json::array();
    std::set<char32_t> seen;
    for (const char32_t cp : utf8_to_utf32(text)) {
        if (cp < 0x80 || !seen.insert(cp).second) continue;
        std::string ch;
        append_utf8(ch, cp);
        const auto alone = modem::prepare_sms(ch);
        if (alone && alone->encoding == modem::SmsEncoding::gsm7) continue;
        const std::string gsm = modem::transliterate_to_gsm7(ch);
        std::size_t count = 0;
        for (const char32_t c : utf8_to_utf32(text)) count += c == cp ? 1 : 0;
        char code[12];
        std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(cp));
        out.push_back({{"char", ch},
                       {"code", code},
                       {"count", count},
                       {"replacement", gsm.find('?') == std::string::npos ? json(gsm) : json(nullptr)}});
    }
    return out;
}

// What the advisor's notification and digest are filled with in a preview: long but plausible
// values, the sentence of a notification as the template in force words it.
TextValues staff_example_values(const Config& config, const std::string& lang, const TemplateTexts& texts) {
    const bool en = lang == "en";
    const std::string customer = "Jean-Christophe Delacroix-Martin";
    const std::string detail = en ? "Hello, can I pick the car up tonight after 7pm? Thanks"
                                  : "Bonjour, je peux passer la chercher ce soir après 19 h ? Merci";
    TextValues out = {{"ro_number", "OR-2026-004512"},
                      {"customer_name", customer},
                      {"detail", detail},
                      {"dealer_name", config.dealer.name},
                      {"user_name", "Anne-Sophie Vandenberghe"},
                      {"count", "12"},
                      {"time", en ? "12/24 6:10 PM" : "24/12 18:10"}};
    out.emplace_back("what",
                     texts.staff("notification.reply", lang,
                                 {{"ro_number", "OR-2026-004512"}, {"customer_name", customer}, {"detail", detail}}));
    out.emplace_back("link", workspace_url(config, box_host_name()) + "/repair-orders/123456");
    return out;
}

class TemplateRoutes {
public:
    explicit TemplateRoutes(TemplateRoutesDeps deps) : d(deps) {}

    HttpResponse list(ApiContext& ctx, const PathParams&) {
        auto listed = d.db.read([&](Connection& c) -> Result<json> {
            json items = json::array();
            for (const TemplateKindSpec& kind : template_kinds()) {
                json languages = json::object();
                for (const char* lang : {"fr", "en"}) {
                    TRY_ASSIGN(const TemplateVersion v, template_store::current(c, kind, lang));
                    languages[lang] = version_json(v);
                }
                items.push_back({{"kind", std::string(kind.name)},
                                 {"channel", to_string(kind.channel)},
                                 {"audience", kind.staff ? "staff" : "customer"},
                                 {"parts", names_json(kind.parts)},
                                 {"languages", languages}});
            }
            return json{{"items", items}};
        });
        if (!listed) return respond(ctx, listed.error());
        return json_response(200, *listed);
    }

    HttpResponse get(ApiContext& ctx, const PathParams& p) {
        const TemplateKindSpec* kind = find_template_kind(p.get("kind"));
        const std::string& lang = p.get("language");
        if (!kind || (lang != "fr" && lang != "en")) return respond(ctx, not_found_error("template"));
        auto read = d.db.read([&](Connection& c) -> Result<json> {
            TRY_ASSIGN(const TemplateVersion v, template_store::current(c, *kind, lang));
            TRY_ASSIGN(const auto history, template_store::history(c, *kind, lang));
            return template_json(*kind, lang, v, history);
        });
        if (!read) return respond(ctx, read.error());
        return json_response(200, *read);
    }

    // {"parts": {"offer_sms": "…", …}}: a new version, or 422 naming each problem.
    HttpResponse save(ApiContext& ctx, const PathParams& p) {
        const TemplateKindSpec* kind = find_template_kind(p.get("kind"));
        const std::string& lang = p.get("language");
        if (!kind || (lang != "fr" && lang != "en")) return respond(ctx, not_found_error("template"));
        Problems problems;
        const TemplateParts parts = read_parts(ctx.body, problems);
        if (!problems.empty()) return shape_problems(ctx, problems);
        if (Problems bad = check_template(*kind, parts); !bad.empty()) return shape_problems(ctx, bad);
        return write(ctx, *kind, lang, parts);
    }

    // Back to the shipped texts: a new version too.
    HttpResponse reset(ApiContext& ctx, const PathParams& p) {
        const TemplateKindSpec* kind = find_template_kind(p.get("kind"));
        const std::string& lang = p.get("language");
        if (!kind || (lang != "fr" && lang != "en")) return respond(ctx, not_found_error("template"));
        return write(ctx, *kind, lang, std::nullopt);
    }

    // {"parts": {…}} as typed, unsaved: its problems, and each part filled with the longest
    // plausible values: an SMS with its cost and the characters that force UCS-2, an email
    // part with its length.
    HttpResponse preview(ApiContext& ctx, const PathParams& p) {
        const TemplateKindSpec* kind = find_template_kind(p.get("kind"));
        const std::string& lang = p.get("language");
        if (!kind || (lang != "fr" && lang != "en")) return respond(ctx, not_found_error("template"));
        Problems problems;
        const TemplateParts parts = read_parts(ctx.body, problems);
        if (!problems.empty()) return shape_problems(ctx, problems);
        json fields = json::array();
        for (const FieldError& f : check_template(*kind, parts))
            fields.push_back(
                {{"field", f.field}, {"code", f.code}, {"message", render_message(f.code, f.params, ctx.lang)}});
        TextValues values;
        if (kind->staff) {
            // The sentence in the digest's line is the advisor_notification in force, or the one typed.
            auto texts = d.db.read([](Connection& c) { return TemplateTexts::load(c); });
            if (!texts) return respond(ctx, texts.error());
            if (kind->name == "advisor_notification") {
                TemplateVersion typed = texts->in_force(kind->name, lang);
                for (const auto& [name, text] : parts)
                    if (typed.parts.contains(name)) typed.parts[name] = text;
                texts->put(std::move(typed));
            }
            values = staff_example_values(d.config, lang, *texts);
        } else {
            values = longest_values(d.config, lang, kind->channel);
        }
        json rendered = json::array();
        for (std::string_view name : kind->parts) {
            const auto it = parts.find(name);
            if (it == parts.end()) continue;
            json part = {{"part", std::string(name)}, {"characters", utf8_length(it->second)}};
            // A text with a problem is still shown filled: what it names that is unknown stays.
            TextValues all = values;
            // A failed message's detail is the address it was for, not a text received.
            if (name == "notification.failed")
                for (auto& [ph, value] : all)
                    if (ph == "detail") value = "+33 6 12 34 56 78";
            for (const std::string& ph : placeholders_of(it->second))
                if (std::none_of(all.begin(), all.end(), [&](const auto& v) { return v.first == ph; }))
                    all.emplace_back(ph, "<%" + ph + ">");
            const auto filled = fill_text(it->second, all);
            if (filled) {
                part["text"] = *filled;
                if (kind->channel == Channel::sms) {
                    auto cost = modem::sms_cost(*filled);
                    if (cost) part["cost"] = sms_cost_json(*cost);
                    // Those the template's own words bring (a value's are in its GSM form already).
                    part["ucs2"] = ucs2_characters(it->second);
                }
            }
            rendered.push_back(std::move(part));
        }
        json longest = json::object();
        for (const auto& [name, value] : values) longest[std::string(name)] = value;
        return json_response(200, {{"problems", fields}, {"parts", rendered}, {"values", longest}});
    }

private:
    TemplateRoutesDeps d;

    static TemplateParts read_parts(const json& body, Problems& problems) {
        TemplateParts parts;
        ObjectReader r(body, "", problems);
        const json* obj = r.object("parts");
        if (!obj) {
            if (problems.empty()) problems.push_back({"parts", "required", {}});
            return parts;
        }
        for (const auto& [name, text] : obj->items()) {
            if (!text.is_string()) {
                problems.push_back({"parts." + name, "invalid_type", {{"expected", "string"}}});
                continue;
            }
            parts.emplace(name, text.get<std::string>());
        }
        return parts;
    }

    json template_json(const TemplateKindSpec& kind, const std::string& lang, const TemplateVersion& v,
                       const std::vector<TemplateVersion>& history) const {
        json versions = json::array();
        for (const TemplateVersion& h : history) versions.push_back(version_json(h));
        json j = version_json(v);
        j["kind"] = std::string(kind.name);
        j["language"] = lang;
        j["channel"] = to_string(kind.channel);
        j["needs_link"] = kind.needs_link;
        j["part_names"] = names_json(kind.parts);
        j["placeholders"] = names_json(kind.placeholders);
        j["audience"] = kind.staff ? "staff" : "customer";
        // What each part may name (a staff kind's parts each name their own).
        json by_part = json::object();
        for (std::string_view part : kind.parts)
            by_part[std::string(part)] = names_json(placeholders_of_part(kind, part));
        j["part_placeholders"] = by_part;
        j["parts"] = parts_json(v.parts);
        j["shipped_parts"] = parts_json(shipped_parts(kind, lang));
        j["history"] = versions;
        j["max_body_characters"] = kMaxEmailBodyChars;
        return j;
    }

    HttpResponse write(ApiContext& ctx, const TemplateKindSpec& kind, const std::string& lang,
                       const std::optional<TemplateParts>& parts) {
        const Actor by = actor_of(*ctx.who);
        const std::optional<Id> user = by.kind == Actor::Kind::user ? std::optional<Id>(by.id) : std::nullopt;
        auto saved = d.db.write([&](Connection& c) -> Result<json> {
            TRY_ASSIGN(const TemplateVersion v,
                       template_store::save(c, kind, lang, parts, d.clock.now(), user, by.name));
            TRY_ASSIGN(const auto history, template_store::history(c, kind, lang));
            return template_json(kind, lang, v, history);
        });
        if (!saved) return respond(ctx, saved.error());
        ctx.log.info("message template {}/{} saved as version {} by {}", kind.name, lang,
                     (*saved)["version"].get<int>(), by.name);
        return json_response(200, *saved);
    }
};

}  // namespace

void add_template_routes(ApiRoutes& routes, TemplateRoutesDeps deps) {
    using R = TemplateRoutes;
    const auto h = std::make_shared<R>(deps);
    routes.add(Method::get, "/api/v1/templates", RouteAccess::principal, h, &R::list);
    routes.add(Method::get, "/api/v1/templates/{kind}/{language}", RouteAccess::principal, h, &R::get);
    routes.add(Method::put, "/api/v1/templates/{kind}/{language}", RouteAccess::admin, h, &R::save);
    routes.add(Method::post, "/api/v1/templates/{kind}/{language}/default", RouteAccess::admin, h, &R::reset);
    routes.add(Method::post, "/api/v1/templates/{kind}/{language}/preview", RouteAccess::principal, h, &R::preview);
}

}  // namespace relais
