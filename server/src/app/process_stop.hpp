#pragma once
// How relais decides to stop (ARCHITECTURE.md, "Shutdown"): a signal from the operator or the
// service manager, or a restart in place to apply the workspace's settings. Pure: the core loop
// (commands.cpp) asks it what a request means and does the stopping itself.
//
// A clean stop, once begun, is never begun again: a second restart request (a double click, two
// admins, the setup's next step) changes nothing, and the sends in progress are still never
// cut. A signal during a restart's stop makes it a plain stop (systemd is stopping the service:
// relais must not start again behind its back); a signal during a signal's stop is the
// operator's "stop now".

#include "result.hpp"

#include <atomic>

namespace relais {

enum class StopReason { signal, restart };

/// What the core loop does about a stop request.
enum class StopStep {
    begin,     // begin the clean stop: no new sends, wait for those in progress, then stop
    none,      // a clean stop is under way and goes on as it was
    plain,     // the clean stop under way goes on, now as a plain stop: no restart after it
    stop_now,  // stop at once (the sends in progress go again at the next start)
};

/// begin_stop() on the core loop only; stopping() and restart() from any thread.
class ProcessStop {
public:
    StopStep begin_stop(StopReason reason);
    /// A clean stop has begun: what would start a send or a restart must be refused.
    bool stopping() const { return stopping_.load(); }
    /// The stop under way ends in a restart in place.
    bool restart() const { return restart_.load(); }

private:
    std::atomic<bool> stopping_{false};
    std::atomic<bool> restart_{false};
};

/// Whether a clean stop has begun; none: never.
bool stopping(const ProcessStop* stop);
/// 503 shutting_down (Retry-After: 5): what would start a send or a restart, asked while
/// relais stops.
Error shutting_down_error();

}  // namespace relais
