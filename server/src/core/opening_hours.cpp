#include "opening_hours.hpp"

#include "text.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace relais {
namespace {

constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::int64_t kHourMs = 3'600'000;
constexpr std::array<std::string_view, 7> kDayNames = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
constexpr std::array<std::string_view, 7> kDayFullNames = {"sunday",   "monday", "tuesday", "wednesday",
                                                           "thursday", "friday", "saturday"};

LocalDate add_days(const LocalDate& d, int days) {
    const CivilTime c = civil_from_utc((days_from_civil(d.year, d.month, d.day) + days) * kDayMs);
    return {c.year, c.month, c.day};
}

LocalDate date_of(const CivilTime& c) { return {c.year, c.month, c.day}; }

int weekday(const LocalDate& d) { return weekday_of(CivilTime{d.year, d.month, d.day}); }

bool valid_date(int year, int month, int day) {
    static constexpr int days_in[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 1900 || year > 2200 || month < 1 || month > 12 || day < 1) return false;
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return day <= (month == 2 ? (leap ? 29 : 28) : days_in[month - 1]);
}

// The local offset from UTC at an instant.
std::int64_t offset_at(const TimeZone& zone, UnixMs t) { return utc_of(zone.to_local(t)) - t; }

bool same_time(const CivilTime& a, const CivilTime& b) {
    return a.year == b.year && a.month == b.month && a.day == b.day && a.hour == b.hour && a.minute == b.minute &&
           a.second == b.second;
}

// The UTC bounds of one interval on a local date; empty (from == to) when a DST gap swallows it.
struct Span {
    UnixMs from, to;
};
Span span_of(const TimeZone& zone, const LocalDate& d, const OpenInterval& i) {
    const UnixMs from = local_to_utc(zone, {d.year, d.month, d.day, i.from_minute / 60, i.from_minute % 60, 0});
    const LocalDate end_day = i.to_minute >= 1440 ? add_days(d, 1) : d;
    const int end_minute = i.to_minute % 1440;
    const UnixMs to =
        local_to_utc(zone, {end_day.year, end_day.month, end_day.day, end_minute / 60, end_minute % 60, 0});
    return {from, std::max(from, to)};
}

std::string quote_word(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Splits on any of `separators`, dropping empty pieces when `keep_empty` is false.
std::vector<std::string_view> split_on(std::string_view s, std::string_view separators, bool keep_empty) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= s.size(); ++i) {
        if (i < s.size() && separators.find(s[i]) == std::string_view::npos) continue;
        if (keep_empty || i > start) out.push_back(s.substr(start, i - start));
        start = i + 1;
    }
    return out;
}

std::optional<int> day_index(std::string_view word) {
    const std::string w = ascii_lower(word);
    for (int i = 0; i < 7; ++i)
        if (kDayNames[i] == w) return i;
    return std::nullopt;
}

// "8:00", "08:00", "24:00" → minutes after midnight.
std::optional<int> parse_time(std::string_view s) {
    const auto colon = s.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 2 || s.size() != colon + 3) return std::nullopt;
    int h = 0, m = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (i == colon) continue;
        if (s[i] < '0' || s[i] > '9') return std::nullopt;
        (i < colon ? h : m) = (i < colon ? h : m) * 10 + (s[i] - '0');
    }
    if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
    return h * 60 + m;
}

std::string format_time(int minutes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60, minutes % 60);
    return buf;
}

// "mon" or "mon-fri" (wrapping: "sat-mon") → the days it names.
std::optional<std::vector<int>> parse_days(std::string_view spec, std::string& error) {
    const auto dash = spec.find('-');
    const std::string_view first = spec.substr(0, dash);
    const auto from = day_index(first);
    if (!from)
        return error = "unknown day " + quote_word(first) + " (expected mon, tue, wed, thu, fri, sat or sun)",
               std::nullopt;
    if (dash == std::string_view::npos) return std::vector<int>{*from};
    const std::string_view last = spec.substr(dash + 1);
    const auto to = day_index(last);
    if (!to)
        return error = "unknown day " + quote_word(last) + " (expected mon, tue, wed, thu, fri, sat or sun)",
               std::nullopt;
    std::vector<int> days{*from};
    for (int d = *from; d != *to;) {
        d = (d + 1) % 7;
        days.push_back(d);
    }
    return days;
}

std::optional<OpenInterval> parse_interval(std::string_view word, std::string& error) {
    const auto dash = word.find('-');
    const std::optional<int> from = dash == std::string_view::npos ? std::nullopt : parse_time(word.substr(0, dash));
    const std::optional<int> to = dash == std::string_view::npos ? std::nullopt : parse_time(word.substr(dash + 1));
    if (!from || !to)
        return error = "expected opening hours such as 08:00-12:00 (00:00 to 24:00), got " + quote_word(word),
               std::nullopt;
    if (*from == 1440) return error = std::string(word) + ": 24:00 may only end an interval", std::nullopt;
    if (*to < *from) return error = std::string(word) + ": the end is before the start", std::nullopt;
    if (*to == *from) return error = std::string(word) + ": the interval is empty", std::nullopt;
    return OpenInterval{*from, *to};
}

}  // namespace

OpeningHours OpeningHours::defaults() {
    OpeningHours h;
    for (int d = 1; d <= 5; ++d) h.week[d] = {{8 * 60, 19 * 60}};
    h.week[6] = {{8 * 60, 12 * 60}};
    return h;
}

bool OpeningHours::always_open() const {
    return std::all_of(week.begin(), week.end(), [](const auto& day) { return day.empty(); });
}

std::vector<LocalDate> french_public_holidays(int year) {
    // Easter Sunday: the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
    const int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4;
    const int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
    const int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451;
    const LocalDate easter{year, (h + l - 7 * m + 114) / 31, (h + l - 7 * m + 114) % 31 + 1};
    std::vector<LocalDate> out = {{year, 1, 1},         add_days(easter, 1),                        // Easter Monday
                                  {year, 5, 1},         {year, 5, 8},        add_days(easter, 39),  // Ascension
                                  add_days(easter, 50),                                             // Whit Monday
                                  {year, 7, 14},        {year, 8, 15},       {year, 11, 1},
                                  {year, 11, 11},       {year, 12, 25}};
    std::sort(out.begin(), out.end());  // Ascension may come before 8 May (2008: 1 May)
    return out;
}

bool is_closed_day(const OpeningHours& hours, const LocalDate& date) {
    if (std::binary_search(hours.closed_days.begin(), hours.closed_days.end(), date)) return true;
    if (!hours.french_holidays) return false;
    const auto holidays = french_public_holidays(date.year);
    return std::find(holidays.begin(), holidays.end(), date) != holidays.end();
}

UnixMs local_to_utc(const TimeZone& zone, const CivilTime& local) {
    // Offsets change at most a few times a year: those 14 h either side are the ones that may
    // apply. Each gives a candidate; the local time exists at those that read back to it.
    const UnixMs as_utc = utc_of(local);
    const UnixMs before = as_utc - offset_at(zone, as_utc - 14 * kHourMs);
    const UnixMs after = as_utc - offset_at(zone, as_utc + 14 * kHourMs);
    const UnixMs library = zone.to_utc(local);
    std::optional<UnixMs> best;
    for (UnixMs candidate : {before, after, library})
        if (same_time(zone.to_local(candidate), local) && (!best || candidate < *best)) best = candidate;
    // In a gap: read with the offset before it, which lands as far past the gap's start as the
    // time was (02:30 in a 02:00→03:00 gap is 03:30).
    return best ? *best : before;
}

bool is_open(const OpeningHours& hours, const TimeZone& zone, UnixMs t) {
    if (hours.always_open()) return true;
    const LocalDate today = date_of(zone.to_local(t));
    for (int delta = -1; delta <= 1; ++delta) {
        const LocalDate d = add_days(today, delta);
        if (is_closed_day(hours, d)) continue;
        for (const OpenInterval& i : hours.week[weekday(d)]) {
            const Span s = span_of(zone, d, i);
            if (s.from <= t && t < s.to) return true;
        }
    }
    return false;
}

UnixMs next_opening(const OpeningHours& hours, const TimeZone& zone, UnixMs t) {
    if (hours.always_open()) return t;
    // From the day before: an interval ending at 24:00 may still be open early on a DST day.
    const LocalDate first = add_days(date_of(zone.to_local(t)), -1);
    for (int n = 0; n <= 401; ++n) {
        const LocalDate d = add_days(first, n);
        if (is_closed_day(hours, d)) continue;
        for (const OpenInterval& i : hours.week[weekday(d)]) {
            const Span s = span_of(zone, d, i);
            if (s.from < s.to && s.to > t) return std::max(s.from, t);
        }
    }
    return t;
}

UnixMs add_local_days(const TimeZone& zone, UnixMs t, int days) {
    if (days == 0) return t;
    const CivilTime now = zone.to_local(t);
    const LocalDate d = add_days(date_of(now), days);
    const UnixMs sub_second = ((t % 1000) + 1000) % 1000;
    return local_to_utc(zone, {d.year, d.month, d.day, now.hour, now.minute, now.second}) + sub_second;
}

std::optional<std::array<std::vector<OpenInterval>, 7>> parse_week(std::string_view text, std::string& error) {
    std::array<std::vector<OpenInterval>, 7> week;
    text = trim(text);
    if (text.empty()) return week;
    for (std::string_view entry : split_on(text, ",", true)) {
        const auto words = split_on(trim(entry), " \t\r\n", false);
        if (words.empty()) return error = "an empty entry between commas", std::nullopt;
        const auto days = parse_days(words.front(), error);
        if (!days) return std::nullopt;
        if (words.size() == 1)
            return error = quote_word(words.front()) + ": expected opening hours after the day, such as 08:00-12:00",
                   std::nullopt;
        for (std::size_t w = 1; w < words.size(); ++w) {
            const auto interval = parse_interval(words[w], error);
            if (!interval) return std::nullopt;
            for (int d : *days) week[d].push_back(*interval);
        }
    }
    for (int d = 0; d < 7; ++d) {
        auto& day = week[d];
        std::sort(day.begin(), day.end());
        for (std::size_t i = 1; i < day.size(); ++i)
            if (day[i].from_minute < day[i - 1].to_minute)
                return error = "overlapping intervals on " + std::string(kDayFullNames[d]), std::nullopt;
    }
    return week;
}

std::string format_week(const std::array<std::vector<OpenInterval>, 7>& week) {
    static constexpr int kMondayFirst[] = {1, 2, 3, 4, 5, 6, 0};
    std::string out;
    for (int p = 0; p < 7;) {
        const auto& day = week[kMondayFirst[p]];
        int last = p;
        while (last + 1 < 7 && week[kMondayFirst[last + 1]] == day) ++last;
        if (!day.empty()) {
            if (!out.empty()) out += ", ";
            out += kDayNames[kMondayFirst[p]];
            if (last > p) out += "-" + std::string(kDayNames[kMondayFirst[last]]);
            for (const OpenInterval& i : day) out += " " + format_time(i.from_minute) + "-" + format_time(i.to_minute);
        }
        p = last + 1;
    }
    return out;
}

std::optional<std::vector<LocalDate>> parse_closed_days(std::string_view text, std::string& error) {
    std::vector<LocalDate> out;
    for (std::string_view word : split_on(text, ", \t\r\n", false)) {
        int parts[3] = {0, 0, 0};
        const bool shaped =
            word.size() == 10 && word[4] == '-' && word[7] == '-' &&
            std::all_of(word.begin(), word.end(), [](char c) { return c == '-' || (c >= '0' && c <= '9'); });
        if (shaped)
            for (int p = 0, pos = 0; p < 3; ++p, ++pos)
                for (; pos < static_cast<int>(word.size()) && word[pos] != '-'; ++pos)
                    parts[p] = parts[p] * 10 + (word[pos] - '0');
        if (!shaped || !valid_date(parts[0], parts[1], parts[2]))
            return error = quote_word(word) + " is not a date (expected YYYY-MM-DD such as 2026-12-24)", std::nullopt;
        out.push_back({parts[0], parts[1], parts[2]});
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::string format_closed_days(const std::vector<LocalDate>& days) {
    std::string out;
    for (const LocalDate& d : days) {
        char buf[48];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
        if (!out.empty()) out += ", ";
        out += buf;
    }
    return out;
}

}  // namespace relais
