#pragma once
// Staff notifications (issue 15): what a customer did on an RO (opened its offer, confirmed it,
// asked to be called, asked a question on an item, replied or decided by SMS), a message that failed, an offer left
// without an answer after its fifth reminder. Each is told to the RO's advisor and to the colleague who sent the offer
// when that is someone else: a row per user, written in the very transaction that appended the timeline event (the
// Database's AppendedListener, so no feature calls this one), pushed live to that user's open pages once committed,
// read per item; and, for those who opted in, gathered into one email digest (digests.hpp).

#include "clock.hpp"
#include "db.hpp"
#include "enum_names.hpp"
#include "ids.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace spdlog {
class logger;
}

namespace relais {

enum class NotificationKind { seen, confirmed, contact_me, sms_decision, reply, failed, no_answer, question };

template <>
struct EnumNames<NotificationKind> {
    static constexpr NameTable<NotificationKind, 8> table{{{NotificationKind::seen, "seen"},
                                                           {NotificationKind::confirmed, "confirmed"},
                                                           {NotificationKind::contact_me, "contact_me"},
                                                           {NotificationKind::sms_decision, "sms_decision"},
                                                           {NotificationKind::reply, "reply"},
                                                           {NotificationKind::failed, "failed"},
                                                           {NotificationKind::no_answer, "no_answer"},
                                                           {NotificationKind::question, "question"}}};
};

struct Notification {
    Id id = 0;
    Id user_id = 0;
    Id ro_id = 0;
    Id event_id = 0;
    NotificationKind kind = NotificationKind::seen;
    UnixMs at = 0;
    std::string detail;  // the reply's or question's text, the failed message's address; "" for the others
    std::string ro_number;
    std::string customer_name;
    std::optional<UnixMs> read_at;
    std::string text;  // its sentence (the advisor_notification template), once worded
};

/// A user's choice of an email digest, and where it goes.
struct NotificationSettings {
    std::string email;  // "" when none
    bool digest = false;
};

/// Time between the last notification of a burst and its digest, and the longest a notification
/// waits for its digest while more keep coming.
inline constexpr UnixMs kDigestQuiet = 10 * 60'000;
inline constexpr UnixMs kDigestCap = 60 * 60'000;
/// Read notifications are kept so long (housekeeping); a user's list shows at most kListMax.
inline constexpr UnixMs kKeepRead = 30LL * 24 * 3600'000;
inline constexpr int kListMax = 100;

namespace notifications {
/// In the caller's transaction: the notifications that the timeline events `event_ids` (appended
/// in it) make, and the digests they move. Returns the users notified (each once).
Result<std::vector<Id>> from_events(Connection& conn, const std::vector<std::int64_t>& event_ids);
}  // namespace notifications

struct NotificationServiceDeps {
    Database& db;
    const Clock& clock;
    std::shared_ptr<spdlog::logger> log = {};  // none: a notification that could not be made is not logged
};

/// Thread-safe. Installs itself as `db`'s AppendedListener for its lifetime (one per Database);
/// `db` and `clock` must outlive it. A notification that cannot be made never holds up the change
/// that caused it (a customer's answer, a message's verdict): its writes are undone on their own
/// (a savepoint), logged, and the transaction commits without it.
class NotificationService {
public:
    explicit NotificationService(NotificationServiceDeps deps);
    ~NotificationService();
    NotificationService(const NotificationService&) = delete;
    NotificationService& operator=(const NotificationService&) = delete;

    /// The user's newest notifications (at most kListMax), only the unread ones if asked.
    Result<std::vector<Notification>> list(Id user_id, bool unread_only);
    Result<int> unread_count(Id user_id);
    /// Sets each one's `text` in `language`, from the advisor_notification template in force.
    Result<void> word(std::vector<Notification>& notifications, std::string_view language);
    /// Marks one of the user's own notifications read (again: no change). not_found otherwise.
    Result<Notification> mark_read(Id user_id, Id notification_id);
    /// Marks all of the user's notifications read; how many were unread.
    Result<int> mark_all_read(Id user_id);

    Result<NotificationSettings> settings(Id user_id);
    /// Checks the address (normalize_email; required when `digest` is on) and stores it.
    Result<NotificationSettings> save_settings(Id user_id, const NotificationSettings& settings);

    /// Removes read notifications older than kKeepRead; how many.
    Result<int> prune();

    /// Called after a commit that notified users, with their ids, on the writing thread while the
    /// writer is held (keep it quick: the live stream, the digest's job). Set once, before use.
    void on_notified(std::function<void(const std::vector<Id>&)> hook) { notified_hook_ = std::move(hook); }

private:
    NotificationServiceDeps d_;
    std::function<void(const std::vector<Id>&)> notified_hook_;
};

}  // namespace relais
