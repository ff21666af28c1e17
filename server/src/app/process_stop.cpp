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

}  // namespace relais
