#include "clock.hpp"

#include <chrono>

namespace relais {

UnixMs SystemClock::now() const {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace relais
