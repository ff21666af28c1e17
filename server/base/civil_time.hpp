#pragma once
// Calendar dates and times of day without a zone, and their conversion to and from UTC
// instants in the proleptic Gregorian calendar (Howard Hinnant's algorithms). Zones are
// server/src/core/timezone.hpp's business; this is the arithmetic they and email dates share.

#include "clock.hpp"

#include <cstdint>

namespace relais {

struct CivilTime {
    int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0;
};

/// Days from 1970-01-01 to year-month-day.
std::int64_t days_from_civil(int year, int month, int day);
/// The calendar date and time of a UTC instant (milliseconds dropped).
CivilTime civil_from_utc(UnixMs instant);
/// The instant of a calendar date and time read as UTC.
UnixMs utc_of(const CivilTime& c);
/// 0 = Sunday ... 6 = Saturday.
int weekday_of(const CivilTime& c);

}  // namespace relais
