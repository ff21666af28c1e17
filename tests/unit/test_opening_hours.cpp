// Opening hours (core/opening_hours.hpp): France's public holidays, the next opening after an
// instant in the dealership's zone (across both DST changes of a year), the same local time
// days later, and the text forms of the week and the closed days.
#include "opening_hours.hpp"
#include "timezone.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace relais;

namespace {

UnixMs paris_time(const TimeZone& zone, const char* local) { return *parse_date_time(local, zone); }

std::string next(const OpeningHours& hours, const TimeZone& zone, const char* local) {
    return format_utc(next_opening(hours, zone, paris_time(zone, local)));
}

std::string local_of(const TimeZone& zone, UnixMs t) {
    const CivilTime c = zone.to_local(t);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d", c.year, c.month, c.day, c.hour, c.minute);
    return buf;
}

std::string refusal(std::string_view text) {
    std::string error;
    const auto week = parse_week(text, error);
    CHECK_FALSE(week.has_value());
    return error;
}

}  // namespace

TEST_CASE("opening hours: France's 11 public holidays, Easter's by the Gregorian computus") {
    const std::vector<LocalDate> y2026 = {{2026, 1, 1},  {2026, 4, 6},   {2026, 5, 1},  {2026, 5, 8},
                                          {2026, 5, 14}, {2026, 5, 25},  {2026, 7, 14}, {2026, 8, 15},
                                          {2026, 11, 1}, {2026, 11, 11}, {2026, 12, 25}};
    CHECK(french_public_holidays(2026) == y2026);
    const std::vector<LocalDate> y2027 = {{2027, 1, 1},  {2027, 3, 29},  {2027, 5, 1},  {2027, 5, 6},
                                          {2027, 5, 8},  {2027, 5, 17},  {2027, 7, 14}, {2027, 8, 15},
                                          {2027, 11, 1}, {2027, 11, 11}, {2027, 12, 25}};
    CHECK(french_public_holidays(2027) == y2027);
    // Easter on its earliest and latest dates: 2285-03-22 and 2038-04-25 (Monday the day after).
    CHECK(french_public_holidays(2285)[1] == LocalDate{2285, 3, 23});
    CHECK(french_public_holidays(2038)[1] == LocalDate{2038, 4, 26});
    CHECK(french_public_holidays(2008)[2] == LocalDate{2008, 5, 1});  // Ascension fell on 1 May: both kept
    CHECK(french_public_holidays(2008)[3] == LocalDate{2008, 5, 1});

    OpeningHours hours = OpeningHours::defaults();
    CHECK(is_closed_day(hours, {2026, 7, 14}));
    CHECK_FALSE(is_closed_day(hours, {2026, 7, 15}));
    hours.french_holidays = false;
    CHECK_FALSE(is_closed_day(hours, {2026, 7, 14}));
    hours.closed_days = {{2026, 12, 24}, {2026, 12, 31}};
    CHECK(is_closed_day(hours, {2026, 12, 31}));
}

TEST_CASE("opening hours: the defaults, and a week without hours is always open") {
    const OpeningHours hours = OpeningHours::defaults();
    CHECK(format_week(hours.week) == "mon-fri 08:00-19:00, sat 08:00-12:00");
    CHECK(hours.french_holidays);
    CHECK(hours.closed_days.empty());
    CHECK_FALSE(hours.always_open());

    auto paris = make_system_time_zone("Europe/Paris");
    OpeningHours open;
    open.closed_days = {{2026, 12, 25}};
    CHECK(open.always_open());
    const UnixMs christmas_night = paris_time(*paris, "2026-12-25T03:00");
    CHECK(is_open(open, *paris, christmas_night));
    CHECK(next_opening(open, *paris, christmas_night) == christmas_night);
}

TEST_CASE("opening hours: the next opening in Paris, with its weekends, holidays and closed days") {
    auto paris = make_system_time_zone("Europe/Paris");
    OpeningHours hours = OpeningHours::defaults();
    hours.closed_days = {{2026, 12, 24}};

    // Open now: the instant itself.
    const UnixMs tuesday = paris_time(*paris, "2026-12-08T10:00");
    CHECK(is_open(hours, *paris, tuesday));
    CHECK(next_opening(hours, *paris, tuesday) == tuesday);
    CHECK(next(hours, *paris, "2026-12-08T08:00") == "2026-12-08T07:00:00Z");  // the opening minute is open
    CHECK(next(hours, *paris, "2026-12-08T07:59") == "2026-12-08T07:00:00Z");
    CHECK_FALSE(is_open(hours, *paris, paris_time(*paris, "2026-12-08T19:00")));  // the closing minute is not
    // The evening: the next morning at 08:00 local.
    CHECK(next(hours, *paris, "2026-12-08T19:00") == "2026-12-09T07:00:00Z");
    CHECK(next(hours, *paris, "2026-12-08T23:59") == "2026-12-09T07:00:00Z");
    // Saturday after noon and Sunday: Monday 08:00.
    CHECK(next(hours, *paris, "2026-12-12T12:30") == "2026-12-14T07:00:00Z");
    CHECK(next(hours, *paris, "2026-12-13T10:00") == "2026-12-14T07:00:00Z");
    // Whit Monday 2026-05-25: Friday evening gives Saturday morning, Saturday noon gives Tuesday.
    CHECK(next(hours, *paris, "2026-05-22T19:30") == "2026-05-23T06:00:00Z");
    CHECK(next(hours, *paris, "2026-05-23T12:30") == "2026-05-26T06:00:00Z");
    CHECK_FALSE(is_open(hours, *paris, paris_time(*paris, "2026-05-25T10:00")));
    // A closed day (24 Dec) then Christmas: Saturday the 26th.
    CHECK(next(hours, *paris, "2026-12-23T20:00") == "2026-12-26T07:00:00Z");
    CHECK_FALSE(is_open(hours, *paris, paris_time(*paris, "2026-12-24T10:00")));
    // Without the holidays, Christmas is a Friday like another.
    hours.french_holidays = false;
    CHECK(next(hours, *paris, "2026-12-23T20:00") == "2026-12-25T07:00:00Z");
}

TEST_CASE("opening hours: several intervals a day, and one to midnight") {
    auto paris = make_system_time_zone("Europe/Paris");
    std::string error;
    OpeningHours hours;
    hours.week = *parse_week("mon-fri 08:00-12:00 14:00-18:00, sat 20:00-24:00", error);
    CHECK(next(hours, *paris, "2026-12-08T12:00") == "2026-12-08T13:00:00Z");  // lunch: 14:00 local
    CHECK(next(hours, *paris, "2026-12-12T23:59") == format_utc(paris_time(*paris, "2026-12-12T23:59")));
    CHECK_FALSE(is_open(hours, *paris, paris_time(*paris, "2026-12-13T00:00")));
    CHECK(next(hours, *paris, "2026-12-13T00:00") == "2026-12-14T07:00:00Z");
}

TEST_CASE("opening hours: the next opening across the DST changes of 2026 and 2027") {
    auto paris = make_system_time_zone("Europe/Paris");
    const OpeningHours hours = OpeningHours::defaults();
    // Spring 2026 (Sunday 29 March, 02:00 → 03:00): Monday 08:00 is 08:00 summer time.
    CHECK(next(hours, *paris, "2026-03-28T13:00") == "2026-03-30T06:00:00Z");
    CHECK(next(hours, *paris, "2026-03-27T20:00") == "2026-03-28T07:00:00Z");  // Saturday still in winter time
    // Autumn 2026 (Sunday 25 October, 03:00 → 02:00): Monday 08:00 is 08:00 winter time.
    CHECK(next(hours, *paris, "2026-10-24T13:00") == "2026-10-26T07:00:00Z");
    CHECK(next(hours, *paris, "2026-10-23T20:00") == "2026-10-24T06:00:00Z");
    // Spring 2027 falls on Easter Sunday (28 March): Easter Monday closed too, Tuesday 08:00.
    CHECK(next(hours, *paris, "2027-03-27T13:00") == "2027-03-30T06:00:00Z");
    // Autumn 2027 (31 October), then 1 November: Tuesday 08:00 winter time.
    CHECK(next(hours, *paris, "2027-10-30T13:00") == "2027-11-02T07:00:00Z");
    CHECK(local_of(*paris, next_opening(hours, *paris, paris_time(*paris, "2027-10-30T13:00"))) == "2027-11-02 08:00");

    // Open on Sundays, at the very hours that change: in spring 02:00-03:00 does not exist.
    OpeningHours night;
    std::string error;
    night.week = *parse_week("sun 02:00-03:00 08:00-09:00", error);
    night.french_holidays = false;
    CHECK(next(night, *paris, "2026-03-29T00:00") == "2026-03-29T06:00:00Z");
    // In autumn 02:00-03:00 lasts two hours: from the first 02:00 to 03:00 (winter time).
    CHECK(next(night, *paris, "2026-10-25T00:00") == "2026-10-25T00:00:00Z");
    CHECK(is_open(night, *paris, parse_date_time("2026-10-25T01:30:00Z", *paris).value()));  // the second 02:30
    CHECK_FALSE(is_open(night, *paris, parse_date_time("2026-10-25T02:00:00Z", *paris).value()));
}

TEST_CASE("opening hours: a local time days later keeps its hour across DST, one day per day") {
    auto paris = make_system_time_zone("Europe/Paris");
    // A daily reminder at 10:00 around each change of 2026 and 2027.
    for (const char* anchor : {"2026-03-25T10:00", "2026-10-21T10:00", "2027-03-24T10:00", "2027-10-27T10:00"}) {
        CAPTURE(anchor);
        const UnixMs start = paris_time(*paris, anchor);
        const CivilTime first = paris->to_local(start);
        UnixMs previous = start;
        for (int days = 1; days <= 10; ++days) {
            const UnixMs t = add_local_days(*paris, start, days);
            const CivilTime c = paris->to_local(t);
            CHECK(c.hour == 10);
            CHECK(c.minute == 0);
            CHECK(days_from_civil(c.year, c.month, c.day) ==
                  days_from_civil(first.year, first.month, first.day) + days);
            CHECK(t > previous);
            const UnixMs step = t - previous;
            CHECK((step == 86'400'000 || step == 82'800'000 || step == 90'000'000));
            previous = t;
            CHECK(add_local_days(*paris, t, -days) == start);
        }
    }
    CHECK(format_utc(add_local_days(*paris, paris_time(*paris, "2026-03-28T10:00"), 1)) == "2026-03-29T08:00:00Z");
    CHECK(format_utc(add_local_days(*paris, paris_time(*paris, "2026-10-24T10:00"), 1)) == "2026-10-25T09:00:00Z");
    CHECK(format_utc(add_local_days(*paris, paris_time(*paris, "2027-03-27T10:00"), 1)) == "2027-03-28T08:00:00Z");
    CHECK(format_utc(add_local_days(*paris, paris_time(*paris, "2027-10-30T10:00"), 1)) == "2027-10-31T09:00:00Z");

    // 02:30 does not exist on 29 March: moved forward by the gap, to 03:30 summer time.
    const UnixMs night = paris_time(*paris, "2026-03-28T02:30");
    CHECK(local_of(*paris, add_local_days(*paris, night, 1)) == "2026-03-29 03:30");
    CHECK(format_utc(add_local_days(*paris, night, 1)) == "2026-03-29T01:30:00Z");
    CHECK(local_of(*paris, add_local_days(*paris, night, 2)) == "2026-03-30 02:30");
    // 02:30 exists twice on 25 October: the first (summer time), and the next day is a day later.
    const UnixMs autumn = paris_time(*paris, "2026-10-24T02:30");
    CHECK(format_utc(add_local_days(*paris, autumn, 1)) == "2026-10-25T00:30:00Z");
    CHECK(format_utc(add_local_days(*paris, autumn, 2)) == "2026-10-26T01:30:00Z");
    // Every day of a year at 02:30: each a calendar day after the one before, never the same instant.
    std::set<UnixMs> seen;
    for (int days = 0; days < 800; ++days) {
        const UnixMs t = add_local_days(*paris, night, days);
        CHECK(seen.insert(t).second);
        const CivilTime c = paris->to_local(t);
        CHECK(days_from_civil(c.year, c.month, c.day) == days_from_civil(2026, 3, 28) + days);
    }
    // Milliseconds are kept; zero days is the instant itself, even the second 02:30 of autumn.
    CHECK(add_local_days(*paris, night + 250, 3) == add_local_days(*paris, night, 3) + 250);
    const UnixMs second_half_past_two = parse_date_time("2026-10-25T01:30:00Z", *paris).value();
    CHECK(add_local_days(*paris, second_half_past_two, 0) == second_half_past_two);
}

TEST_CASE("opening hours: the week as text, read and written back") {
    std::string error;
    const auto defaults = parse_week("mon-fri 08:00-19:00, sat 08:00-12:00", error);
    REQUIRE(defaults);
    CHECK(*defaults == OpeningHours::defaults().week);

    const auto week = parse_week(" Mon 14:00-18:00 8:00-12:00 , tue-thu 08:00-18:00,sun 10:00-24:00 ", error);
    REQUIRE(week);
    CHECK((*week)[1] == std::vector<OpenInterval>{{480, 720}, {840, 1080}});
    CHECK((*week)[0] == std::vector<OpenInterval>{{600, 1440}});
    CHECK((*week)[5].empty());
    CHECK(format_week(*week) == "mon 08:00-12:00 14:00-18:00, tue-thu 08:00-18:00, sun 10:00-24:00");

    const auto wrapping = parse_week("sat-mon 09:00-10:00", error);
    REQUIRE(wrapping);
    CHECK(format_week(*wrapping) == "mon 09:00-10:00, sat-sun 09:00-10:00");
    const auto same_day_twice = parse_week("mon 14:00-18:00, mon 08:00-12:00 12:00-13:00", error);
    REQUIRE(same_day_twice);
    CHECK(format_week(*same_day_twice) == "mon 08:00-12:00 12:00-13:00 14:00-18:00");  // touching is not overlapping

    for (const char* text :
         {"mon-fri 08:00-19:00, sat 08:00-12:00", "mon 08:00-12:00 14:00-18:00, tue-thu 08:00-18:00, sun 10:00-24:00",
          "mon 09:00-10:00, sat-sun 09:00-10:00", "mon-sun 00:00-24:00", "wed 07:30-07:31", ""}) {
        CAPTURE(text);
        const auto read = parse_week(text, error);
        REQUIRE(read);
        CHECK(format_week(*read) == text);
        CHECK(parse_week(format_week(*read), error) == read);
    }
    const auto empty = parse_week("  ", error);
    REQUIRE(empty);
    OpeningHours hours;
    hours.week = *empty;
    CHECK(hours.always_open());
}

TEST_CASE("opening hours: a wrong week is refused, saying what is wrong") {
    CHECK(refusal("mun 08:00-12:00").starts_with("unknown day \"mun\""));
    CHECK(refusal("mon-fry 08:00-12:00").starts_with("unknown day \"fry\""));
    CHECK(refusal("08:00-12:00").starts_with("unknown day \"08:00\""));
    CHECK(refusal("mon 08:00-07:00") == "08:00-07:00: the end is before the start");
    CHECK(refusal("mon 08:00-08:00") == "08:00-08:00: the interval is empty");
    CHECK(refusal("mon 08:00-12:00 11:00-13:00") == "overlapping intervals on monday");
    CHECK(refusal("mon-fri 08:00-12:00, wed 11:00-14:00") == "overlapping intervals on wednesday");
    CHECK(refusal("sun 08:00-12:00 08:00-12:00") == "overlapping intervals on sunday");
    CHECK(refusal("mon") == "\"mon\": expected opening hours after the day, such as 08:00-12:00");
    CHECK(refusal("mon 8h-12h") == "expected opening hours such as 08:00-12:00 (00:00 to 24:00), got \"8h-12h\"");
    CHECK(refusal("mon 08:00-24:30").ends_with("got \"08:00-24:30\""));
    CHECK(refusal("mon 08:60-09:00").ends_with("got \"08:60-09:00\""));
    CHECK(refusal("mon 08:00").ends_with("got \"08:00\""));
    CHECK(refusal("mon 24:00-24:00") == "24:00-24:00: 24:00 may only end an interval");
    CHECK(refusal("mon 08:00-12:00,, tue 08:00-12:00") == "an empty entry between commas");
    CHECK(refusal("mon 08:00-12:00,") == "an empty entry between commas");
}

TEST_CASE("opening hours: closed days as text") {
    std::string error;
    const auto days = parse_closed_days("2026-12-31, 2026-12-24 2026-12-24,2027-01-02", error);
    REQUIRE(days);
    CHECK(*days == std::vector<LocalDate>{{2026, 12, 24}, {2026, 12, 31}, {2027, 1, 2}});
    CHECK(format_closed_days(*days) == "2026-12-24, 2026-12-31, 2027-01-02");
    CHECK(parse_closed_days(format_closed_days(*days), error) == days);
    CHECK(parse_closed_days("", error)->empty());
    CHECK(format_closed_days({}) == "");
    CHECK(parse_closed_days("2028-02-29", error).has_value());
    for (const char* bad : {"2026-02-29", "2026-13-01", "24/12/2026", "2026-12-4", "2026-12-24x", "2026--1-01"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_closed_days(std::string("2026-12-24, ") + bad, error).has_value());
        CHECK(error == "\"" + std::string(bad) + "\" is not a date (expected YYYY-MM-DD such as 2026-12-24)");
    }
}
