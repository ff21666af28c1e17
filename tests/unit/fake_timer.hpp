#pragma once
// The scheduler's timer, fired by the test (scheduler.hpp's WakeTimer): the test sees when the
// scheduler wants to wake, moves the fake clock there and fires, as the loop would.

#include "scheduler.hpp"
#include "support.hpp"

#include <algorithm>
#include <functional>
#include <optional>
#include <utility>

namespace relais::test {

class FakeTimer final : public WakeTimer {
public:
    void arm(UnixMs at, std::function<void()> fire) override {
        armed_at = at;
        fire_ = std::move(fire);
    }
    void cancel() override {
        armed_at.reset();
        fire_ = nullptr;
    }
    /// Moves `clock` to the armed time (never back) and fires; false if nothing is armed.
    bool fire(FakeClock& clock) {
        if (!armed_at || !fire_) return false;
        clock.set(std::max(clock.now(), *armed_at));
        auto f = std::exchange(fire_, nullptr);
        armed_at.reset();
        f();
        return true;
    }

    std::optional<UnixMs> armed_at;

private:
    std::function<void()> fire_;
};

}  // namespace relais::test
