#pragma once
// Time comes in through this interface so that logic never calls now() itself
// (ENGINEERING.md, "Pass time in"). Production uses SystemClock; tests use fakes.

#include <cstdint>

namespace relais {

/// Milliseconds since the Unix epoch, UTC.
using UnixMs = std::int64_t;

class Clock {
public:
    virtual ~Clock() = default;
    /// Wall-clock time. Implementations must be callable from any thread.
    virtual UnixMs now() const = 0;
};

class SystemClock final : public Clock {
public:
    UnixMs now() const override;
};

}  // namespace relais
