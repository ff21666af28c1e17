#pragma once
// When the dealership is open: its week, France's public holidays and its other closed days.
// Reminders and scheduled sends that fall while it is closed wait for the next opening (issue
// 15), so a customer is never asked to call a closed workshop. Every interval is computed
// from the local date through the zone, so 08:00 stays 08:00 local across a DST change.

#include "civil_time.hpp"
#include "clock.hpp"
#include "timezone.hpp"

#include <array>
#include <compare>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace relais {

struct LocalDate {
    int year = 1970, month = 1, day = 1;
    auto operator<=>(const LocalDate&) const = default;
};

struct OpenInterval {
    int from_minute = 0, to_minute = 0;  // minutes after local midnight, from < to <= 1440
    auto operator<=>(const OpenInterval&) const = default;
};

struct OpeningHours {
    std::array<std::vector<OpenInterval>, 7> week;  // index 0 = Sunday ... 6 = Saturday, sorted, not overlapping
    bool french_holidays = true;                    // closed on France's 11 public holidays
    std::vector<LocalDate> closed_days;             // other days closed (sorted)
    /// Mon–Fri 08:00–19:00, Sat 08:00–12:00, closed on French public holidays.
    static OpeningHours defaults();
    /// No interval on any day: no hours configured, so always open (nothing is ever deferred,
    /// and holidays and closed days do not apply).
    bool always_open() const;
};

/// France's 11 public holidays of a year, in date order (1 Jan, Easter Monday, 1 May, 8 May,
/// Ascension, Whit Monday, 14 Jul, 15 Aug, 1 Nov, 11 Nov, 25 Dec); Easter by the anonymous
/// Gregorian algorithm.
std::vector<LocalDate> french_public_holidays(int year);
/// A French public holiday (when the hours say so) or one of closed_days.
bool is_closed_day(const OpeningHours& hours, const LocalDate& date);
/// Whether the dealership is open at instant t in zone (always for always_open()).
bool is_open(const OpeningHours& hours, const TimeZone& zone, UnixMs t);
/// t itself if open at t, else the start (UTC) of the next open interval; searches at most 400
/// days ahead and returns t if nothing is open in them (and for always_open()).
UnixMs next_opening(const OpeningHours& hours, const TimeZone& zone, UnixMs t);
/// The same local clock time `days` calendar days later (negative: earlier). A "daily"
/// reminder stays at 10:00 across a DST change; a local time that does not exist that day
/// moves forward by the gap (02:30 → 03:30), one that exists twice is the earlier.
UnixMs add_local_days(const TimeZone& zone, UnixMs t, int days);

/// The instant of a local time in zone: the earlier one when it exists twice, moved forward by
/// the gap when it does not exist (TimeZone::to_utc leaves both to the C library).
UnixMs local_to_utc(const TimeZone& zone, const CivilTime& local);

/// Text forms of the configuration file and the settings page. The week:
/// "mon-fri 08:00-19:00, sat 08:00-12:00": day names mon tue wed thu fri sat sun (any case),
/// ranges such as mon-fri (sat-mon wraps), several intervals per day ("mon 08:00-12:00
/// 14:00-18:00"), "24:00" as an end; "" is always open. nullopt with `error` naming what is
/// wrong: unknown day "mun", "08:00-07:00: the end is before the start", "overlapping
/// intervals on monday", ...
std::optional<std::array<std::vector<OpenInterval>, 7>> parse_week(std::string_view text, std::string& error);
/// The canonical form (Monday first, days with the same intervals as ranges); parse_week
/// reads it back to the same week.
std::string format_week(const std::array<std::vector<OpenInterval>, 7>& week);
/// "2026-12-24, 2026-12-31" (commas or spaces between dates) → sorted, without duplicates; ""
/// is none. nullopt with `error` naming the wrong date.
std::optional<std::vector<LocalDate>> parse_closed_days(std::string_view text, std::string& error);
std::string format_closed_days(const std::vector<LocalDate>& days);

}  // namespace relais
