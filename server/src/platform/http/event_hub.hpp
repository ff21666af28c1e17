#pragma once
// Live updates for the workspace (server-sent events, GET /api/v1/events): every committed
// write that touched a repair order (its timeline, its offers' states and messages) becomes
// one "ro" event naming the repair orders, and the pages that show them fetch them again.
// Subscribers are the listener's open streams; dead ones are dropped at the next write.
// Thread-safe. No timer of its own: the core loop calls tick() (keep-alives, stream age).

#include "ids.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace relais {

class StreamSink;

struct EventHubOptions {
    std::size_t max_streams = 64;  // a small box: past this, new streams are refused (503)
    // One user's tabs, or one API key: past this, that one is refused (429) and nobody else,
    // so a single account cannot take every stream.
    std::size_t max_per_owner = 8;
    /// A stream is ended after this long: the browser reconnects at once and its session is
    /// checked again, so a signed-out or disabled user stops receiving events.
    std::chrono::milliseconds max_age = std::chrono::minutes(30);
    std::chrono::milliseconds reconnect_after = std::chrono::seconds(3);  // the "retry:" field
};

class EventHub {
public:
    explicit EventHub(EventHubOptions options = {});
    ~EventHub();
    EventHub(const EventHub&) = delete;
    EventHub& operator=(const EventHub&) = delete;

    /// Starts the stream (its "retry:" field) and keeps it; false when the hub is full, when the
    /// first of `owners` already has max_per_owner streams, or the client has already gone. `owners` name who it was
    /// opened for ("session:12", "user:3", "api_key:2"), so that close_for() can end it when that access ends.
    bool subscribe(std::shared_ptr<StreamSink> sink, std::chrono::steady_clock::time_point now,
                   std::vector<std::string> owners = {});
    /// One "ro" event with the ids, to every subscriber.
    void repair_orders_changed(const std::vector<Id>& ro_ids);
    /// One "notification" event to the streams of each user ("user:<id>" among their owners),
    /// and to nobody else: their pages fetch their notifications again.
    void notified(const std::vector<Id>& user_ids);
    /// A keep-alive comment to every subscriber (which also finds the ones that left), and
    /// the end of streams older than max_age.
    void tick(std::chrono::steady_clock::time_point now);
    /// Ends every stream opened for `owner` (a sign-out, a disabled user, a revoked key): the
    /// browser reconnects and its access is checked again.
    void close_for(const std::string& owner);
    void close_all();
    std::size_t subscribers() const;
    bool full() const { return subscribers() >= options_.max_streams; }
    /// Whether `owner` has max_per_owner streams open.
    bool full_for(const std::string& owner) const;
    std::size_t max_per_owner() const { return options_.max_per_owner; }

private:
    struct Subscriber {
        std::shared_ptr<StreamSink> sink;
        std::chrono::steady_clock::time_point since;
        std::vector<std::string> owners;
    };
    void broadcast(const std::string& chunk, const std::string* owner = nullptr);  // owner: only theirs
    std::size_t count_for_locked(const std::string& owner) const;

    EventHubOptions options_;
    mutable std::mutex mutex_;
    std::vector<Subscriber> subscribers_;
};

/// The text of one server-sent event: "event: NAME\ndata: DATA\n\n" (DATA on one line).
std::string sse_event(std::string_view name, std::string_view data);

}  // namespace relais
