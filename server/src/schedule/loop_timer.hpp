#pragma once
// The scheduler's timer on the core loop (Asio): waits on the steady clock for what the
// Clock says is left, at most a minute at a time, so a wall clock set late (an appliance that
// boots before NTP answers) delays no job by more than a minute once it is right.

#include "scheduler.hpp"

#include <memory>

namespace boost::asio {
class io_context;
}

namespace relais {

/// On the io thread; `io` and `clock` must outlive it. A fire replaced, cancelled or
/// outlived by the timer is never called.
class LoopTimer final : public WakeTimer {
public:
    LoopTimer(boost::asio::io_context& io, const Clock& clock);
    ~LoopTimer() override;
    LoopTimer(const LoopTimer&) = delete;
    LoopTimer& operator=(const LoopTimer&) = delete;

    void arm(UnixMs at, std::function<void()> fire) override;
    void cancel() override;

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace relais
