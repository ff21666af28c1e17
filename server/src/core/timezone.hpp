#pragma once
// Dates as the dealership means them. An advisor's "promised for 24/11 at 17:30" and a
// filter "from 2026-11-01" are local times in the dealership's zone; storage is UTC.

#include "civil_time.hpp"
#include "clock.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace relais {

class TimeZone {
public:
    virtual ~TimeZone() = default;
    /// The UTC instant of a local time (the earlier one when a DST change makes it ambiguous).
    virtual UnixMs to_utc(const CivilTime& local) const = 0;
    virtual CivilTime to_local(UnixMs instant) const = 0;
    virtual const std::string& name() const = 0;
};

/// The system's tz database. The process has one zone, the dealership's: this sets TZ for
/// the whole process (log time stamps follow it too). Call once, at start.
std::unique_ptr<TimeZone> make_system_time_zone(const std::string& name);

/// A zone with a fixed offset from UTC, for tests.
std::unique_ptr<TimeZone> make_fixed_offset_zone(int offset_minutes);

/// Accepts "2026-11-24" (local midnight), "2026-11-24T17:30[:00]" (local), and RFC 3339
/// instants with "Z" or "+01:00". nullopt for anything else or an impossible date.
std::optional<UnixMs> parse_date_time(std::string_view text, const TimeZone& zone);

/// RFC 3339 in UTC with milliseconds dropped: "2026-11-24T16:30:00Z".
std::string format_utc(UnixMs instant);

}  // namespace relais
