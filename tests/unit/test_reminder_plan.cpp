// When each reminder is due (offers/reminder_plan.hpp), on a fake clock in Europe/Paris: each
// policy, the opening hours and holidays, and both changes of clock of 2026 and 2027.
#include "opening_hours.hpp"
#include "reminder_plan.hpp"
#include "timezone.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace relais;

namespace {

struct Paris {
    std::unique_ptr<TimeZone> zone = make_system_time_zone("Europe/Paris");
    OpeningHours hours = OpeningHours::defaults();

    UnixMs at(const char* local) const { return *parse_date_time(local, *zone); }
    std::string local(UnixMs t) const {
        const CivilTime c = zone->to_local(t);
        char buf[32];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d", c.year, c.month, c.day, c.hour, c.minute);
        return buf;
    }
    // The reminders a plan sends, each sent when it is due, until the cap; then the time the
    // last counts as unanswered.
    std::string run(ReminderPlanState s, int count = kMaxReminders + 1) const {
        std::string out;
        for (int i = 0; i < count; ++i) {
            const auto due = next_reminder_at(s, hours, *zone);
            if (!due) break;
            REQUIRE(*due > s.anchor_at);  // never twice at the same time, never back in time
            out += (out.empty() ? "" : ", ") + local(*due);
            s.anchor_at = *due;
            s.sent += 1;
        }
        return out;
    }
};

ReminderPlanState from(UnixMs started, ReminderCadence c, std::optional<UnixMs> promised = std::nullopt) {
    return {.cadence = c, .started_at = started, .anchor_at = started, .promised_at = promised, .sent = 0};
}

}  // namespace

TEST_CASE("reminders, gentle: two hours before the promised time, at it, then daily") {
    Paris p;
    // Sent Monday 7 December 2026 at 09:10, car promised for 17:30 the same day.
    const auto plan = p.run(from(p.at("2026-12-07T09:10"), {ReminderPolicy::gentle}, p.at("2026-12-07T17:30")));
    CHECK(plan ==
          "2026-12-07 15:30, 2026-12-07 17:30, 2026-12-08 17:30, 2026-12-09 17:30, 2026-12-10 17:30, 2026-12-11 17:30");
}

TEST_CASE("reminders, gentle: a promised time after closing moves to the next opening, no reminder twice") {
    Paris p;
    // Friday 11 December 2026 at 16:00, promised 19:30 (after closing): 17:30, then Saturday's
    // 19:30 is closed → Saturday 08:00, then a day later: Sunday is closed → Monday 08:00, and
    // one per open day from there.
    const auto plan = p.run(from(p.at("2026-12-11T16:00"), {ReminderPolicy::gentle}, p.at("2026-12-11T19:30")));
    CHECK(plan ==
          "2026-12-11 17:30, 2026-12-12 08:00, 2026-12-14 08:00, 2026-12-15 08:00, 2026-12-16 08:00, 2026-12-17 08:00");
}

TEST_CASE("reminders, gentle: without a promised time, one per open day from the send") {
    Paris p;
    // Thursday 10 December 2026 at 10:12: Friday, Saturday (open until noon), Sunday closed →
    // Monday 08:00, then a day after that.
    const auto plan = p.run(from(p.at("2026-12-10T10:12"), {ReminderPolicy::gentle}));
    CHECK(plan ==
          "2026-12-11 10:12, 2026-12-12 10:12, 2026-12-14 08:00, 2026-12-15 08:00, 2026-12-16 08:00, 2026-12-17 08:00");
}

TEST_CASE("reminders, gentle: never within an hour of the send") {
    Paris p;
    // Promised in 90 minutes: two hours before is already past, so the first is at the promised time.
    auto plan = p.run(from(p.at("2026-12-07T10:00"), {ReminderPolicy::gentle}, p.at("2026-12-07T11:30")), 2);
    CHECK(plan == "2026-12-07 11:30, 2026-12-08 11:30");
    // Promised in 30 minutes: daily from the send instead.
    plan = p.run(from(p.at("2026-12-07T10:00"), {ReminderPolicy::gentle}, p.at("2026-12-07T10:30")), 2);
    CHECK(plan == "2026-12-08 10:00, 2026-12-09 10:00");
    // Promised time already past when the offer left.
    plan = p.run(from(p.at("2026-12-07T10:00"), {ReminderPolicy::gentle}, p.at("2026-12-04T18:00")), 1);
    CHECK(plan == "2026-12-08 10:00");
}

TEST_CASE("reminders, urgent: every two hours during opening hours") {
    Paris p;
    const auto plan = p.run(from(p.at("2026-12-07T14:30"), {ReminderPolicy::urgent}));
    CHECK(plan ==
          "2026-12-07 16:30, 2026-12-07 18:30, 2026-12-08 08:00, 2026-12-08 10:00, 2026-12-08 12:00, 2026-12-08 14:00");
    // Every 3 hours.
    const auto three = p.run(from(p.at("2026-12-07T09:00"), {ReminderPolicy::urgent, 3}), 3);
    CHECK(three == "2026-12-07 12:00, 2026-12-07 15:00, 2026-12-07 18:00");
}

TEST_CASE("reminders, custom: every N hours, or every N days at the same clock time") {
    Paris p;
    CHECK(p.run(from(p.at("2026-12-07T09:00"), {ReminderPolicy::custom, 5}), 3) ==
          "2026-12-07 14:00, 2026-12-08 08:00, 2026-12-08 13:00");
    CHECK(p.run(from(p.at("2026-12-07T09:40"), {ReminderPolicy::custom, 48}), 3) ==
          "2026-12-09 09:40, 2026-12-11 09:40, 2026-12-14 08:00");
    CHECK(cadence_hours({ReminderPolicy::custom, 0}) == 24);
    CHECK(cadence_hours({ReminderPolicy::urgent, 0}) == 2);
}

TEST_CASE("reminders, custom: a change of frequency sets the next one a period from the change") {
    Paris p;
    auto s = from(p.at("2026-12-07T09:00"), {ReminderPolicy::custom, 24});
    CHECK(p.local(*next_reminder_at(s, p.hours, *p.zone)) == "2026-12-08 09:00");
    s.cadence = {ReminderPolicy::custom, 3};
    s.anchor_at = p.at("2026-12-07T11:20");  // the change
    CHECK(p.local(*next_reminder_at(s, p.hours, *p.zone)) == "2026-12-07 14:20");
}

TEST_CASE("reminders, none: never") {
    Paris p;
    CHECK_FALSE(next_reminder_at(from(p.at("2026-12-07T09:00"), {ReminderPolicy::none}), p.hours, *p.zone));
}

TEST_CASE("reminders: public holidays and closed days are skipped") {
    Paris p;
    // Thursday 24 December 2026, 17:30, urgent: 19:30 is closed, Friday 25 is Christmas, so
    // Saturday 26 at 08:00.
    CHECK(p.run(from(p.at("2026-12-24T17:30"), {ReminderPolicy::urgent}), 1) == "2026-12-26 08:00");
    // Ascension 2027 (Thursday 6 May), a closed Friday after it (the "pont"), and Saturday is
    // 8 May, a public holiday too: Monday 10 at 08:00.
    p.hours.closed_days = {{2027, 5, 7}};
    CHECK(p.run(from(p.at("2027-05-05T18:00"), {ReminderPolicy::urgent}), 1) == "2027-05-10 08:00");
}

TEST_CASE("reminders: the changes of clock of 2026 and 2027 neither skip nor double a reminder") {
    Paris p;
    p.hours = {};  // always open, so that the night of the change counts
    REQUIRE(p.hours.always_open());
    struct Change {
        const char* day_before;  // 10:00 local the day before the change
        const char* night;       // 23:30 local the evening before the change
        const char* daily;       // every 24 hours from day_before: 10:00 local every day
    };
    for (const Change c :
         {Change{"2026-03-28T10:00", "2026-03-28T23:30", "2026-03-29 10:00, 2026-03-30 10:00, 2026-03-31 10:00"},
          Change{"2026-10-24T10:00", "2026-10-24T23:30", "2026-10-25 10:00, 2026-10-26 10:00, 2026-10-27 10:00"},
          Change{"2027-03-27T10:00", "2027-03-27T23:30", "2027-03-28 10:00, 2027-03-29 10:00, 2027-03-30 10:00"},
          Change{"2027-10-30T10:00", "2027-10-30T23:30", "2027-10-31 10:00, 2027-11-01 10:00, 2027-11-02 10:00"}}) {
        CAPTURE(c.day_before);
        CHECK(p.run(from(p.at(c.day_before), {ReminderPolicy::custom, 24}), 3) == c.daily);
        // Every hour through the night: six reminders six real hours apart, whatever the clock says.
        auto s = from(p.at(c.night), {ReminderPolicy::urgent, 1});
        UnixMs last = s.started_at;
        for (int i = 0; i < 6; ++i) {
            const auto due = next_reminder_at(s, p.hours, *p.zone);
            REQUIRE(due);
            CHECK(*due - last == 3'600'000);
            last = *due;
            s.anchor_at = *due;
            s.sent += 1;
        }
    }
    // Gentle daily at 02:30, a time that does not exist on 29 March 2026: moved by the gap, and
    // daily from there.
    const auto gentle = p.run(from(p.at("2026-03-27T02:30"), {ReminderPolicy::gentle}), 3);
    CHECK(gentle == "2026-03-28 02:30, 2026-03-29 03:30, 2026-03-30 03:30");
}
