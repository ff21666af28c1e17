#pragma once
// The email digest of a user's notifications (issue 15): one email about kDigestQuiet after the
// last notification of a burst, at most kDigestCap after the first one waiting, for users who
// opted in (NotificationSettings). When it is due is in `notification_digests`, moved in the
// transaction that notified (notifications.cpp); the email is queued in the outbox in the
// transaction that removes that row and marks the notifications it lists, so a restart (or a
// second process on the database) neither loses nor doubles one. One scheduler job in memory
// (kDigestJob) is armed at the earliest due digest, as the reminders' is.

#include "clock.hpp"
#include "config.hpp"
#include "db.hpp"
#include "ids.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace relais {

class TimeZone;

inline constexpr std::string_view kDigestJob = "notifications.digests";
/// A digest lists at most this many notifications, then says how many more there were.
inline constexpr int kDigestLines = 30;

struct DigestServiceDeps {
    Database& db;
    const Config& config;  // the dealership's name, colour and language
    const Clock& clock;
    const TimeZone& zone;  // the times in the email
    /// The workspace's address as staff reach it ("http://relais.local:8080"): each line's link.
    std::string workspace_url;
};

/// Thread-safe. Everything in `deps` must outlive it.
class DigestService {
public:
    explicit DigestService(DigestServiceDeps deps);

    /// Queues every digest due now. Returns when the next one is due (now when more were due
    /// than a pass takes). A digest that fails is tried again later, the others go on.
    Result<std::optional<UnixMs>> run_due();
    /// The earliest due digest.
    Result<std::optional<UnixMs>> next_due();

    /// Called after a pass that queued an email (the outbox wakes). Set once, before use.
    void on_queued(std::function<void()> hook) { queued_hook_ = std::move(hook); }

private:
    Result<bool> run_one(Id user_id, UnixMs now);

    DigestServiceDeps d_;
    std::function<void()> queued_hook_;
};

/// The workspace's address for links in staff email: the first of `[http] host_names`, else the
/// LAN listener's address unless it is a wildcard, else the box's host name.
std::string workspace_url(const Config& config, const std::string& box_host);

}  // namespace relais
