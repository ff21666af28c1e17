#include "digests.hpp"

#include "due_rows.hpp"
#include "email_address.hpp"
#include "email_layout.hpp"
#include "message_templates.hpp"
#include "outbox.hpp"
#include "staff_texts.hpp"
#include "timezone.hpp"

#include <cstdio>

namespace relais {

namespace {

constexpr int kPerPass = 50;
// A digest that could not be queued (an error) is tried again so much later.
constexpr UnixMs kAfterFailure = 10 * 60'000;

struct Line {
    std::string kind;
    UnixMs at = 0;
    Id ro_id = 0;
    std::string ro_number;
    std::string customer_name;
    std::string detail;
};

std::string local_time(const TimeZone& zone, UnixMs at, std::string_view lang) {
    const CivilTime t = zone.to_local(at);
    char buf[32];
    if (lang == "en")
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d", t.year, t.month, t.day, t.hour, t.minute);
    else
        std::snprintf(buf, sizeof buf, "%02d/%02d %02dh%02d", t.day, t.month, t.hour, t.minute);
    return buf;
}

}  // namespace

std::string workspace_url(const Config& config, const std::string& box_host) {
    const ListenAddress& lan = config.http.lan;
    std::string host = !config.http.host_names.empty()             ? config.http.host_names.front()
                       : lan.host != "0.0.0.0" && lan.host != "::" ? lan.host
                       : !box_host.empty()                         ? box_host
                                                                   : "localhost";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    const bool tls = config.tls.lan;
    const bool default_port = lan.port == (tls ? 443 : 80);
    return std::string(tls ? "https://" : "http://") + host + (default_port ? "" : ":" + std::to_string(lan.port));
}

DigestService::DigestService(DigestServiceDeps deps) : d_(std::move(deps)) {}

Result<bool> DigestService::run_one(Id user_id, UnixMs now) {
    return d_.db.write([&](Connection& c) -> Result<bool> {
        TRY_ASSIGN(auto due, c.prepare("SELECT due_at FROM notification_digests WHERE user_id = ?"));
        due.bind(1, user_id);
        TRY_ASSIGN(const bool pending, due.step());
        if (!pending || due.int64(0) > now) return false;  // sent or moved since it was found due
        const auto done = [&]() -> Result<void> {
            TRY_ASSIGN(auto del, c.prepare("DELETE FROM notification_digests WHERE user_id = ?"));
            del.bind(1, user_id);
            TRY(del.run());
            TRY_ASSIGN(auto mark, c.prepare("UPDATE notifications SET digested_at = ? WHERE user_id = ? AND "
                                            "digested_at IS NULL"));
            mark.bind(1, now).bind(2, user_id);
            return mark.run();
        };

        TRY_ASSIGN(auto who, c.prepare("SELECT u.display_name, u.language, s.email, s.digest FROM users u JOIN "
                                       "notification_settings s ON s.user_id = u.id WHERE u.id = ? AND u.active = 1"));
        who.bind(1, user_id);
        TRY_ASSIGN(const bool found, who.step());
        // Opted out since, or gone: nothing is mailed, and nothing waits any more.
        if (!found || who.int64(3) == 0) {
            TRY(done());
            return false;
        }
        const std::string name = who.text(0);
        const std::string lang = (who.text(1).empty() ? d_.config.dealer.language : who.text(1)) == "en" ? "en" : "fr";
        // An address from the database is checked as one typed in is.
        auto address = normalize_email(who.text(2));
        if (!address) {
            TRY(done());
            return false;
        }

        // What is still unread: what the user has seen in the workspace needs no email.
        TRY_ASSIGN(auto q, c.prepare("SELECT n.kind, n.at, n.ro_id, r.number, r.customer_name, n.detail FROM "
                                     "notifications n JOIN repair_orders r ON r.id = n.ro_id WHERE n.user_id = ? AND "
                                     "n.digested_at IS NULL AND n.read_at IS NULL ORDER BY n.id"));
        q.bind(1, user_id);
        std::vector<Line> lines;
        for (;;) {
            TRY_ASSIGN(const bool row, q.step());
            if (!row) break;
            lines.push_back({q.text(0), q.int64(1), q.int64(2), q.text(3), q.text(4), q.text(5)});
        }
        if (lines.empty()) {
            TRY(done());
            return false;
        }

        // The advisor_notification and advisor_digest templates as the dealership has them now.
        TRY_ASSIGN(const TemplateTexts texts, TemplateTexts::load(c));
        const TextValues common = {
            {"dealer_name", d_.config.dealer.name}, {"user_name", name}, {"count", std::to_string(lines.size())}};
        mail::EmailContent content;
        content.language = lang;
        content.heading = texts.staff("digest.heading", lang, common);
        content.preheader = texts.staff("digest.preheader", lang, common);
        content.paragraphs.push_back(texts.staff("digest.intro", lang, common));
        for (std::size_t i = 0; i < lines.size() && i < static_cast<std::size_t>(kDigestLines); ++i) {
            const Line& l = lines[i];
            const TextValues values = {
                {"ro_number", l.ro_number},
                {"customer_name", l.customer_name.empty() ? staff_text("unnamed_customer", lang) : l.customer_name},
                {"detail", l.detail}};
            const std::string what = texts.staff("notification." + l.kind, lang, values);
            content.paragraphs.push_back(
                texts.staff("digest.line", lang,
                            {{"time", local_time(d_.zone, l.at, lang)},
                             {"what", what},
                             {"link", d_.workspace_url + "/repair-orders/" + std::to_string(l.ro_id)}}));
        }
        if (lines.size() > static_cast<std::size_t>(kDigestLines))
            content.paragraphs.push_back(
                texts.staff("digest.more", lang, {{"count", std::to_string(lines.size() - kDigestLines)}}));
        content.paragraphs.push_back(texts.staff("digest.settings", lang, common));
        content.button_label = texts.staff("digest.button", lang, common);
        content.button_url = d_.workspace_url + "/";
        content.link_intro = texts.staff("digest.link_intro", lang, common);
        mail::EmailBrand brand;
        brand.dealer_name = d_.config.dealer.name;
        brand.color = d_.config.dealer.brand_color;
        const mail::RenderedEmail rendered = mail::render_email(brand, content);

        OutboxMessage m;
        m.purpose = "digest";
        m.channel = Channel::email;
        m.address = *address;
        m.name = name;
        m.subject = texts.staff("digest.subject", lang, common);
        m.body = rendered.text;
        m.html = rendered.html;
        TRY(outbox_store::enqueue(c, std::nullopt, m, now));
        TRY(done());
        return true;
    });
}

Result<std::optional<UnixMs>> DigestService::run_due() {
    const UnixMs now = d_.clock.now();
    const DuePass pass = run_due_rows(
        d_.db, {.table = "notification_digests", .key = "user_id", .per_pass = kPerPass, .retry_after = kAfterFailure},
        now, [&](std::int64_t user) { return run_one(user, now); });
    if (pass.queued && queued_hook_) queued_hook_();
    if (pass.error) return *pass.error;
    return pass.next;
}

Result<std::optional<UnixMs>> DigestService::next_due() { return earliest_due_row(d_.db, "notification_digests"); }

}  // namespace relais
