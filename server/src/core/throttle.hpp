#pragma once
// Failed-login throttling. A key (a user name, an address, a known browser) gets a few free
// failures, then must wait, the wait doubling with each failure up to a cap; quiet time
// forgets it. auth.cpp chooses the keys so that an attacker cannot lock a user out of the
// browser they usually sign in from, and elsewhere for at most the cap.

#include "clock.hpp"

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace relais {

struct ThrottlePolicy {
    int free_failures = 5;
    UnixMs first_wait_ms = 30'000;
    UnixMs max_wait_ms = 15 * 60'000;
    UnixMs forget_after_ms = 60 * 60'000;  // failures older than this no longer count
};

/// Thread-safe. `clock` must outlive the throttle.
class Throttle {
public:
    Throttle(const Clock& clock, ThrottlePolicy policy, std::size_t max_keys = 10000);

    /// Milliseconds before `key` may try again; 0 when it may try now.
    UnixMs wait_ms(const std::string& key) const;
    void failure(const std::string& key);
    void success(const std::string& key);

private:
    struct Entry {
        int failures = 0;
        UnixMs last_failure = 0;
        UnixMs blocked_until = 0;
    };
    void prune(UnixMs now);

    const Clock& clock_;
    ThrottlePolicy policy_;
    std::size_t max_keys_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
};

}  // namespace relais
