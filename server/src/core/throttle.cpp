#include "throttle.hpp"

#include <algorithm>

namespace relais {

Throttle::Throttle(const Clock& clock, ThrottlePolicy policy, std::size_t max_keys)
    : clock_(clock), policy_(policy), max_keys_(max_keys) {}

UnixMs Throttle::wait_ms(const std::string& key) const {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(key);
    if (it == entries_.end()) return 0;
    const UnixMs now = clock_.now();
    return std::max<UnixMs>(0, it->second.blocked_until - now);
}

void Throttle::failure(const std::string& key) {
    std::lock_guard lock(mutex_);
    const UnixMs now = clock_.now();
    if (entries_.size() >= max_keys_) prune(now);
    Entry& e = entries_[key];
    if (e.failures > 0 && now - e.last_failure > policy_.forget_after_ms) e = Entry{};
    ++e.failures;
    e.last_failure = now;
    if (e.failures >= policy_.free_failures) {
        const int over = std::min(e.failures - policy_.free_failures, 30);
        const UnixMs wait = std::min(policy_.max_wait_ms, policy_.first_wait_ms << over);
        e.blocked_until = now + wait;
    }
}

void Throttle::success(const std::string& key) {
    std::lock_guard lock(mutex_);
    entries_.erase(key);
}

void Throttle::prune(UnixMs now) {
    for (auto it = entries_.begin(); it != entries_.end();) {
        if (now - it->second.last_failure > policy_.forget_after_ms && it->second.blocked_until <= now) {
            it = entries_.erase(it);
        } else {
            ++it;
        }
    }
    // Still full (a flood of distinct keys): drop the entries that are not blocking anyone.
    if (entries_.size() >= max_keys_) {
        for (auto it = entries_.begin(); it != entries_.end();) {
            it = it->second.blocked_until <= now ? entries_.erase(it) : std::next(it);
        }
    }
}

}  // namespace relais
