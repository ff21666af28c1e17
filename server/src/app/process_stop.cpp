#include "process_stop.hpp"

namespace relais {

StopStep ProcessStop::begin_stop(StopReason reason) {
    if (!stopping_) {
        restart_ = reason == StopReason::restart;
        stopping_ = true;
        return StopStep::begin;
    }
    if (reason == StopReason::restart) return StopStep::none;
    if (restart_) {
        restart_ = false;
        return StopStep::plain;
    }
    return StopStep::stop_now;
}

bool stopping(const ProcessStop* stop) { return stop && stop->stopping(); }

Error shutting_down_error() {
    Error e = make_error(ErrorKind::unavailable, "shutting_down");
    e.retry_after_s = 5;
    return e;
}

}  // namespace relais
