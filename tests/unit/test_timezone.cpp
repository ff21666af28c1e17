#include "timezone.hpp"

#include <doctest/doctest.h>

using namespace relais;

TEST_CASE("dates and times in the dealership's zone") {
    auto paris_winter = make_fixed_offset_zone(60);
    CHECK(format_utc(*parse_date_time("2026-11-24", *paris_winter)) == "2026-11-23T23:00:00Z");
    CHECK(format_utc(*parse_date_time("2026-11-24T17:30", *paris_winter)) == "2026-11-24T16:30:00Z");
    CHECK(format_utc(*parse_date_time("2026-11-24T17:30:15", *paris_winter)) == "2026-11-24T16:30:15Z");
    CHECK(format_utc(*parse_date_time("2026-11-24 17:30", *paris_winter)) == "2026-11-24T16:30:00Z");
}

TEST_CASE("RFC 3339 instants ignore the zone") {
    auto zone = make_fixed_offset_zone(60);
    CHECK(format_utc(*parse_date_time("2026-11-24T16:30:00Z", *zone)) == "2026-11-24T16:30:00Z");
    CHECK(format_utc(*parse_date_time("2026-11-24T17:30:00+01:00", *zone)) == "2026-11-24T16:30:00Z");
    CHECK(format_utc(*parse_date_time("2026-11-24T12:30:00.250-04:00", *zone)) == "2026-11-24T16:30:00Z");
}

TEST_CASE("impossible or malformed dates are refused") {
    auto zone = make_fixed_offset_zone(0);
    for (const char* bad : {"2026-02-30", "2026-13-01", "24/11/2026", "2026-11-24T25:00", "2026-11-24T17:30+1",
                            "2026-11-24Tfoo", "", "2026-11-24T17:30:00Zjunk"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_date_time(bad, *zone).has_value());
    }
    CHECK(parse_date_time("2028-02-29", *zone).has_value());
}

TEST_CASE("the system zone follows daylight saving time") {
    auto paris = make_system_time_zone("Europe/Paris");
    CHECK(format_utc(*parse_date_time("2026-07-14T12:00", *paris)) == "2026-07-14T10:00:00Z");
    CHECK(format_utc(*parse_date_time("2026-12-24T12:00", *paris)) == "2026-12-24T11:00:00Z");
    const CivilTime c = paris->to_local(*parse_date_time("2026-07-14T10:00:00Z", *paris));
    CHECK(c.hour == 12);
    CHECK(c.day == 14);
}

TEST_CASE("format_utc round-trips through the civil calendar") {
    auto utc = make_fixed_offset_zone(0);
    for (const char* s :
         {"1970-01-01T00:00:00Z", "2000-02-29T23:59:59Z", "2026-11-23T10:15:00Z", "2099-12-31T12:00:00Z"}) {
        CHECK(format_utc(*parse_date_time(s, *utc)) == s);
    }
}
