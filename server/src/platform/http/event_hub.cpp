#include "event_hub.hpp"

#include "http.hpp"

#include <algorithm>
#include <string>

namespace relais {

std::string sse_event(std::string_view name, std::string_view data) {
    std::string out;
    out.reserve(name.size() + data.size() + 16);
    out.append("event: ").append(name).append("\ndata: ");
    for (char c : data) out += (c == '\n' || c == '\r') ? ' ' : c;  // a line end would cut the event
    out.append("\n\n");
    return out;
}

EventHub::EventHub(EventHubOptions options) : options_(options) {}

EventHub::~EventHub() { close_all(); }

bool EventHub::subscribe(std::shared_ptr<StreamSink> sink, std::chrono::steady_clock::time_point now,
                         std::vector<std::string> owners) {
    const std::string hello = "retry: " + std::to_string(options_.reconnect_after.count()) + "\n: relais\n\n";
    std::lock_guard lock(mutex_);
    if (subscribers_.size() >= options_.max_streams) return false;
    if (!owners.empty() && count_for_locked(owners.front()) >= options_.max_per_owner) return false;
    // Written under the lock, so that two streams of one owner cannot both pass the check; the
    // sink never blocks (it drops a client that does not read).
    if (!sink->write(hello)) return false;
    subscribers_.push_back({std::move(sink), now, std::move(owners)});
    return true;
}

std::size_t EventHub::count_for_locked(const std::string& owner) const {
    return static_cast<std::size_t>(std::count_if(subscribers_.begin(), subscribers_.end(), [&](const Subscriber& s) {
        return std::find(s.owners.begin(), s.owners.end(), owner) != s.owners.end();
    }));
}

bool EventHub::full_for(const std::string& owner) const {
    std::lock_guard lock(mutex_);
    return count_for_locked(owner) >= options_.max_per_owner;
}

void EventHub::broadcast(const std::string& chunk, const std::string* owner) {
    std::vector<Subscriber> current;
    {
        std::lock_guard lock(mutex_);
        for (const auto& s : subscribers_)
            if (!owner || std::find(s.owners.begin(), s.owners.end(), *owner) != s.owners.end()) current.push_back(s);
    }
    std::vector<StreamSink*> gone;
    for (const auto& s : current)
        if (!s.sink->write(chunk)) gone.push_back(s.sink.get());
    if (gone.empty()) return;
    std::lock_guard lock(mutex_);
    std::erase_if(subscribers_,
                  [&](const Subscriber& s) { return std::find(gone.begin(), gone.end(), s.sink.get()) != gone.end(); });
}

void EventHub::repair_orders_changed(const std::vector<Id>& ro_ids) {
    if (ro_ids.empty()) return;
    std::vector<Id> ids = ro_ids;
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::string data = "{\"ids\":[";
    for (std::size_t i = 0; i < ids.size(); ++i) data += (i ? "," : "") + std::to_string(ids[i]);
    data += "]}";
    broadcast(sse_event("ro", data));
}

void EventHub::notified(const std::vector<Id>& user_ids) {
    for (const Id user : user_ids) {
        const std::string owner = "user:" + std::to_string(user);
        broadcast(sse_event("notification", "{}"), &owner);
    }
}

void EventHub::tick(std::chrono::steady_clock::time_point now) {
    std::vector<std::shared_ptr<StreamSink>> expired;
    {
        std::lock_guard lock(mutex_);
        auto old = [&](const Subscriber& s) { return now - s.since >= options_.max_age; };
        for (const auto& s : subscribers_)
            if (old(s)) expired.push_back(s.sink);
        std::erase_if(subscribers_, old);
    }
    for (auto& sink : expired) sink->close();
    broadcast(": keep-alive\n\n");
}

void EventHub::close_for(const std::string& owner) {
    std::vector<std::shared_ptr<StreamSink>> ended;
    {
        std::lock_guard lock(mutex_);
        auto owned = [&](const Subscriber& s) {
            return std::find(s.owners.begin(), s.owners.end(), owner) != s.owners.end();
        };
        for (const auto& s : subscribers_)
            if (owned(s)) ended.push_back(s.sink);
        std::erase_if(subscribers_, owned);
    }
    for (auto& sink : ended) sink->close();
}

void EventHub::close_all() {
    std::vector<Subscriber> all;
    {
        std::lock_guard lock(mutex_);
        all.swap(subscribers_);
    }
    for (auto& s : all) s.sink->close();
}

std::size_t EventHub::subscribers() const {
    std::lock_guard lock(mutex_);
    return subscribers_.size();
}

}  // namespace relais
