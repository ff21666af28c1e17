#include "notifications.hpp"

#include "email_address.hpp"
#include "message_templates.hpp"
#include "staff_texts.hpp"
#include "text.hpp"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace relais {

using nlohmann::json;

namespace {

// A reply's words shown in the list and the digest: the start of it is enough to know.
constexpr std::size_t kDetailBytes = 200;

struct AppendedEvent {
    std::int64_t id = 0;
    std::optional<Id> ro_id;
    UnixMs at = 0;
    std::string type;
    json data;
};

Result<std::optional<AppendedEvent>> load_event(Connection& c, std::int64_t id) {
    TRY_ASSIGN(auto s, c.prepare("SELECT ro_id, at, type, data FROM events WHERE id = ?"));
    s.bind(1, id);
    TRY_ASSIGN(const bool found, s.step());
    if (!found) return std::optional<AppendedEvent>();
    AppendedEvent e;
    e.id = id;
    e.ro_id = s.optional_int64(0);
    e.at = s.int64(1);
    e.type = s.text(2);
    e.data = json::parse(s.text(3), nullptr, false);  // written by dump_json: an object
    if (!e.data.is_object()) e.data = json::object();
    return std::optional<AppendedEvent>(std::move(e));
}

std::optional<Id> id_in(const json& data, const char* key) {
    const auto it = data.find(key);
    if (it == data.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<Id>();
}

std::string text_in(const json& data, const char* key) {
    const auto it = data.find(key);
    return it != data.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool confirmed_by_sms(const AppendedEvent& e) { return e.type == "offer.confirmed" && text_in(e.data, "by") == "sms"; }

// What an event tells the staff, if anything. A reply that offers/sms_replies took as the
// customer's answer is told once, as that answer (its offer.confirmed of the same transaction).
std::optional<NotificationKind> kind_of(const AppendedEvent& e, const std::vector<AppendedEvent>& batch) {
    if (e.type == "offer.seen") return NotificationKind::seen;
    if (e.type == "offer.no_answer") return NotificationKind::no_answer;
    if (e.type == "message.failed") return NotificationKind::failed;
    if (e.type == "item.question_asked") return NotificationKind::question;
    if (e.type == "offer.confirmed") {
        const auto d = e.data.find("decisions");
        if (d != e.data.end() && d->is_object())
            for (const auto& [item, decision] : d->items())
                if (decision == "contact_me") return NotificationKind::contact_me;
        return confirmed_by_sms(e) ? NotificationKind::sms_decision : NotificationKind::confirmed;
    }
    if (e.type == "sms.received") {
        const auto inbound = id_in(e.data, "inbound_id");
        const bool answered = std::any_of(batch.begin(), batch.end(), [&](const AppendedEvent& o) {
            return confirmed_by_sms(o) && id_in(o.data, "inbound_id") == inbound;
        });
        if (answered) return std::nullopt;
        return NotificationKind::reply;
    }
    return std::nullopt;
}

std::string detail_of(const AppendedEvent& e, NotificationKind kind) {
    std::string text;
    if (kind == NotificationKind::reply || kind == NotificationKind::question) text = text_in(e.data, "text");
    if (kind == NotificationKind::failed) text = text_in(e.data, "address");
    return escape_untrusted(text, kDetailBytes);
}

Result<bool> active_user(Connection& c, Id user_id) {
    TRY_ASSIGN(auto s, c.prepare("SELECT 1 FROM users WHERE id = ? AND active = 1"));
    s.bind(1, user_id);
    return s.step();
}

// The RO's advisor, and the colleague who sent (or last resent) the offer when another.
Result<std::vector<Id>> recipients(Connection& c, Id ro_id, std::optional<Id> offer_id) {
    std::vector<Id> out;
    TRY_ASSIGN(auto a, c.prepare("SELECT advisor_id FROM repair_orders WHERE id = ?"));
    a.bind(1, ro_id);
    TRY_ASSIGN(const bool ro_found, a.step());
    if (ro_found && !a.is_null(0)) out.push_back(a.int64(0));
    if (offer_id) {
        TRY_ASSIGN(auto s, c.prepare("SELECT actor_id FROM events WHERE ro_id = ? AND actor_kind = 'user' AND type IN "
                                     "('offer.queued', 'offer.scheduled', 'offer.resent') AND "
                                     "json_extract(data, '$.offer_id') = ? ORDER BY id DESC LIMIT 1"));
        s.bind(1, ro_id).bind(2, *offer_id);
        TRY_ASSIGN(const bool sent, s.step());
        if (sent && !s.is_null(0) && std::find(out.begin(), out.end(), s.int64(0)) == out.end())
            out.push_back(s.int64(0));
    }
    std::vector<Id> active;
    for (const Id u : out) {
        TRY_ASSIGN(const bool ok, active_user(c, u));
        if (ok) active.push_back(u);
    }
    return active;
}

Result<bool> wants_digest(Connection& c, Id user_id) {
    TRY_ASSIGN(auto s,
               c.prepare("SELECT 1 FROM notification_settings WHERE user_id = ? AND digest = 1 AND email <> ''"));
    s.bind(1, user_id);
    return s.step();
}

// The digest waits kDigestQuiet after the last notification, never more than kDigestCap after
// the first one it holds.
Result<void> push_digest(Connection& c, Id user_id, UnixMs at) {
    TRY_ASSIGN(auto s, c.prepare("INSERT INTO notification_digests (user_id, first_at, due_at) VALUES (?, ?, ?) "
                                 "ON CONFLICT (user_id) DO UPDATE SET due_at = max(notification_digests.due_at, "
                                 "min(excluded.due_at, notification_digests.first_at + ?))"));
    s.bind(1, user_id).bind(2, at).bind(3, at + kDigestQuiet).bind(4, kDigestCap);
    return s.run();
}

Notification row_of(Statement& s) {
    Notification n;
    n.id = s.int64(0);
    n.user_id = s.int64(1);
    n.ro_id = s.int64(2);
    n.event_id = s.int64(3);
    n.kind = parse_enum<NotificationKind>(s.text(4)).value_or(NotificationKind::seen);
    n.at = s.int64(5);
    n.detail = s.text(6);
    n.read_at = s.optional_int64(7);
    n.ro_number = s.text(8);
    n.customer_name = s.text(9);
    return n;
}

constexpr const char* kSelect =
    "SELECT n.id, n.user_id, n.ro_id, n.event_id, n.kind, n.at, n.detail, n.read_at, r.number, r.customer_name "
    "FROM notifications n JOIN repair_orders r ON r.id = n.ro_id ";

}  // namespace

namespace notifications {

Result<std::vector<Id>> from_events(Connection& c, const std::vector<std::int64_t>& event_ids) {
    std::vector<AppendedEvent> batch;
    for (const std::int64_t id : event_ids) {
        TRY_ASSIGN(auto e, load_event(c, id));
        if (e && e->ro_id) batch.push_back(std::move(*e));
    }
    std::vector<Id> notified;
    for (const AppendedEvent& e : batch) {
        const auto kind = kind_of(e, batch);
        if (!kind) continue;
        TRY_ASSIGN(const auto users, recipients(c, *e.ro_id, id_in(e.data, "offer_id")));
        for (const Id user : users) {
            TRY_ASSIGN(const bool digest, wants_digest(c, user));
            TRY_ASSIGN(auto s, c.prepare("INSERT OR IGNORE INTO notifications (user_id, ro_id, event_id, kind, at, "
                                         "detail, digested_at) VALUES (?, ?, ?, ?, ?, ?, ?)"));
            s.bind(1, user).bind(2, *e.ro_id).bind(3, e.id).bind(4, to_string(*kind)).bind(5, e.at);
            s.bind(6, detail_of(e, *kind));
            // Nothing from before the user opted in goes into a digest.
            s.bind(7, digest ? std::nullopt : std::optional<UnixMs>(e.at));
            TRY(s.run());
            if (digest) TRY(push_digest(c, user, e.at));
            if (std::find(notified.begin(), notified.end(), user) == notified.end()) notified.push_back(user);
        }
    }
    return notified;
}

}  // namespace notifications

NotificationService::NotificationService(NotificationServiceDeps deps) : d_(deps) {
    d_.db.on_appended([this](Connection& c, const std::vector<std::int64_t>& ids) -> Result<std::function<void()>> {
        TRY(c.exec("SAVEPOINT notify"));
        auto made = notifications::from_events(c, ids);
        if (!made) {
            if (d_.log) d_.log->error("notifications: {} {}", made.error().code, made.error().detail);
            TRY(c.exec("ROLLBACK TO notify"));
            TRY(c.exec("RELEASE notify"));
            return std::function<void()>();
        }
        TRY(c.exec("RELEASE notify"));
        auto users = std::move(*made);
        if (users.empty() || !notified_hook_) return std::function<void()>();
        return std::function<void()>([this, users = std::move(users)] { notified_hook_(users); });
    });
}

NotificationService::~NotificationService() { d_.db.on_appended(nullptr); }

Result<std::vector<Notification>> NotificationService::list(Id user_id, bool unread_only) {
    return d_.db.read([&](Connection& c) -> Result<std::vector<Notification>> {
        const std::string sql = std::string(kSelect) + "WHERE n.user_id = ? " +
                                (unread_only ? "AND n.read_at IS NULL " : "") + "ORDER BY n.id DESC LIMIT ?";
        TRY_ASSIGN(auto s, c.prepare(sql));
        s.bind(1, user_id).bind(2, kListMax);
        std::vector<Notification> out;
        for (;;) {
            TRY_ASSIGN(const bool row, s.step());
            if (!row) break;
            out.push_back(row_of(s));
        }
        return out;
    });
}

Result<void> NotificationService::word(std::vector<Notification>& notifications, std::string_view language) {
    if (notifications.empty()) return {};
    TRY_ASSIGN(const TemplateTexts texts, d_.db.read([](Connection& c) { return TemplateTexts::load(c); }));
    for (Notification& n : notifications) {
        const std::string who = n.customer_name.empty() ? staff_text("unnamed_customer", language) : n.customer_name;
        n.text = texts.staff("notification." + std::string(to_string(n.kind)), language,
                             {{"ro_number", n.ro_number}, {"customer_name", who}, {"detail", n.detail}});
    }
    return {};
}

Result<int> NotificationService::unread_count(Id user_id) {
    return d_.db.read([&](Connection& c) -> Result<int> {
        TRY_ASSIGN(auto s, c.prepare("SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL"));
        s.bind(1, user_id);
        TRY(s.step());
        return static_cast<int>(s.int64(0));
    });
}

Result<Notification> NotificationService::mark_read(Id user_id, Id notification_id) {
    const UnixMs now = d_.clock.now();
    return d_.db.write([&](Connection& c) -> Result<Notification> {
        TRY_ASSIGN(auto u, c.prepare("UPDATE notifications SET read_at = coalesce(read_at, ?) WHERE id = ? AND "
                                     "user_id = ?"));
        u.bind(1, now).bind(2, notification_id).bind(3, user_id);
        TRY(u.run());
        TRY_ASSIGN(auto s, c.prepare(std::string(kSelect) + "WHERE n.id = ? AND n.user_id = ?"));
        s.bind(1, notification_id).bind(2, user_id);
        TRY_ASSIGN(const bool found, s.step());
        if (!found) return not_found_error("notification");
        return row_of(s);
    });
}

Result<int> NotificationService::mark_all_read(Id user_id) {
    const UnixMs now = d_.clock.now();
    return d_.db.write([&](Connection& c) -> Result<int> {
        TRY_ASSIGN(auto u, c.prepare("UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL"));
        u.bind(1, now).bind(2, user_id);
        TRY(u.run());
        return c.changes();
    });
}

Result<NotificationSettings> NotificationService::settings(Id user_id) {
    return d_.db.read([&](Connection& c) -> Result<NotificationSettings> {
        TRY_ASSIGN(auto s, c.prepare("SELECT email, digest FROM notification_settings WHERE user_id = ?"));
        s.bind(1, user_id);
        TRY_ASSIGN(const bool found, s.step());
        NotificationSettings out;
        if (found) {
            out.email = s.text(0);
            out.digest = s.int64(1) != 0;
        }
        return out;
    });
}

Result<NotificationSettings> NotificationService::save_settings(Id user_id, const NotificationSettings& wanted) {
    NotificationSettings clean;
    clean.digest = wanted.digest;
    if (!trim(wanted.email).empty()) {
        auto email = normalize_email(wanted.email);
        if (!email) return validation_error({{"email", email.error().code, email.error().params}});
        clean.email = std::move(*email);
    } else if (wanted.digest) {
        return validation_error({{"email", "required", {}}});
    }
    const UnixMs now = d_.clock.now();
    TRY(d_.db.write([&](Connection& c) -> Result<void> {
        TRY_ASSIGN(auto s, c.prepare("INSERT INTO notification_settings (user_id, email, digest, updated_at) VALUES "
                                     "(?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, "
                                     "digest = excluded.digest, updated_at = excluded.updated_at"));
        s.bind(1, user_id).bind(2, clean.email).bind(3, clean.digest).bind(4, now);
        return s.run();
    }));
    return clean;
}

Result<int> NotificationService::prune() {
    const UnixMs now = d_.clock.now();
    return d_.db.write([&](Connection& c) -> Result<int> {
        TRY_ASSIGN(auto s, c.prepare("DELETE FROM notifications WHERE read_at IS NOT NULL AND read_at < ?"));
        s.bind(1, now - kKeepRead);
        TRY(s.run());
        return c.changes();
    });
}

}  // namespace relais
