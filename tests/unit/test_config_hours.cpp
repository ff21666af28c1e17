// [hours] and [reminders] (config_keys_hours.cpp): each key read, its default, a wrong value's
// problem naming the key, and the workspace's settings carrying them as text.
#include "config.hpp"
#include "settings_api.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

using namespace relais;
using namespace relais::test;

namespace {

const std::string kFile = "/etc/relais/relais.toml";

ConfigLoad parse(const std::string& text) { return parse_config(text, kFile, config_environment()); }

std::string only_problem(const std::string& text) {
    const ConfigLoad load = parse(text);
    REQUIRE(load.problems.size() == 1);
    CHECK_FALSE(load.config);
    return load.problems.front().to_string();
}

}  // namespace

TEST_CASE("config: [hours] and [reminders] default to the week, the holidays and gentle reminders") {
    const ConfigLoad load = parse("");
    REQUIRE(load.config);
    const Config& c = *load.config;
    CHECK(c.hours.opening.week == OpeningHours::defaults().week);
    CHECK(format_week(c.hours.opening.week) == "mon-fri 08:00-19:00, sat 08:00-12:00");
    CHECK(c.hours.opening.french_holidays);
    CHECK(c.hours.opening.closed_days.empty());
    CHECK(c.reminders.policy == ReminderPolicy::gentle);
    CHECK(c.reminders.urgent_every_hours == 2);
    CHECK(c.reminders.custom_every_hours == 24);
    CHECK_FALSE(c.reminders.sms_replies);
}

TEST_CASE("config: [hours] and [reminders] are read") {
    const ConfigLoad load = parse(
        "[hours]\n"
        "open = \"mon-thu 08:00-12:00 14:00-18:30, fri 08:00-17:00\"\n"
        "french_holidays = false\n"
        "closed = \"2026-12-31, 2026-12-24\"\n"
        "[reminders]\n"
        "policy = \"custom\"\n"
        "urgent_every_hours = 12\n"
        "custom_every_hours = 720\n"
        "sms_replies = true\n");
    REQUIRE_MESSAGE(load.config, (load.problems.empty() ? "" : load.problems.front().to_string()));
    const Config& c = *load.config;
    CHECK(format_week(c.hours.opening.week) == "mon-thu 08:00-12:00 14:00-18:30, fri 08:00-17:00");
    CHECK(c.hours.opening.week[6].empty());
    CHECK_FALSE(c.hours.opening.french_holidays);
    CHECK(c.hours.opening.closed_days == std::vector<LocalDate>{{2026, 12, 24}, {2026, 12, 31}});
    CHECK(c.reminders.policy == ReminderPolicy::custom);
    CHECK(c.reminders.urgent_every_hours == 12);
    CHECK(c.reminders.custom_every_hours == 720);
    CHECK(c.reminders.sms_replies);

    const ConfigLoad always = parse("[hours]\nopen = \"\"\n[reminders]\npolicy = \"none\"\n");
    REQUIRE(always.config);
    CHECK(always.config->hours.opening.always_open());
    CHECK(always.config->reminders.policy == ReminderPolicy::none);
}

TEST_CASE("config: a wrong [hours] or [reminders] value names the key and what is wrong") {
    CHECK(only_problem("[hours]\nopen = \"mun 08:00-12:00\"\n") ==
          kFile + ":2: [hours] open: unknown day \"mun\" (expected mon, tue, wed, thu, fri, sat or sun)");
    CHECK(only_problem("[hours]\nopen = \"mon 08:00-07:00\"\n") ==
          kFile + ":2: [hours] open: 08:00-07:00: the end is before the start");
    CHECK(only_problem("[hours]\nopen = \"mon-fri 08:00-12:00 11:00-14:00\"\n") ==
          kFile + ":2: [hours] open: overlapping intervals on monday");
    CHECK(only_problem("[hours]\nopen = 8\n") == kFile + ":2: [hours] open: expected a string, got an integer");
    CHECK(only_problem("[hours]\nfrench_holidays = \"yes\"\n") ==
          kFile + ":2: [hours] french_holidays: expected true or false, got a string");
    CHECK(only_problem("[hours]\nclosed = \"2026-12-24, 2026-02-30\"\n") ==
          kFile + ":2: [hours] closed: \"2026-02-30\" is not a date (expected YYYY-MM-DD such as 2026-12-24)");
    CHECK(only_problem("[reminders]\npolicy = \"often\"\n") ==
          kFile +
              ":2: [reminders] policy: expected one of \"none\", \"gentle\", \"urgent\", \"custom\", got \"often\"");
    CHECK(only_problem("[reminders]\nurgent_every_hours = 13\n") ==
          kFile + ":2: [reminders] urgent_every_hours: must be between 1 and 12, got 13");
    CHECK(only_problem("[reminders]\nurgent_every_hours = 0\n") ==
          kFile + ":2: [reminders] urgent_every_hours: must be between 1 and 12, got 0");
    CHECK(only_problem("[reminders]\ncustom_every_hours = 721\n") ==
          kFile + ":2: [reminders] custom_every_hours: must be between 1 and 720, got 721");
    CHECK(only_problem("[reminders]\nsms_replies = 1\n") ==
          kFile + ":2: [reminders] sms_replies: expected true or false, got an integer");
    CHECK(only_problem("[reminders]\npolicies = \"none\"\n")
              .starts_with(kFile + ":2: [reminders] policies: unknown key"));
}

TEST_CASE("config: the workspace sets [hours] and [reminders], as text the settings page shows") {
    using json = nlohmann::json;
    Config c;
    c.hours.opening.closed_days = {{2026, 12, 24}};
    c.reminders.policy = ReminderPolicy::urgent;
    const json j = settings_json(c, {});
    CHECK(j["hours"]["open"] == "mon-fri 08:00-19:00, sat 08:00-12:00");
    CHECK(j["hours"]["french_holidays"] == true);
    CHECK(j["hours"]["closed"] == "2026-12-24");
    CHECK(j["reminders"]["policy"] == "urgent");
    CHECK(j["reminders"]["urgent_every_hours"] == 2);
    CHECK(j["reminders"]["custom_every_hours"] == 24);
    CHECK(j["reminders"]["sms_replies"] == false);

    const SettingsBody body = read_settings_body(json::parse(R"({
        "hours": {"open": "mon-sat 09:00-18:00", "french_holidays": "no"},
        "reminders": {"policy": "custom", "custom_every_hours": 48}
    })"));
    std::vector<std::string> changed;
    for (const auto& ch : body.changes) changed.push_back(ch.section + "." + ch.key);
    CHECK(changed == std::vector<std::string>{"hours.open", "reminders.custom_every_hours", "reminders.policy"});
    REQUIRE(body.problems.size() == 1);
    CHECK(body.problems[0].field == "hours.french_holidays");

    // Saved into settings.toml, read back over the file, and refused with the key named.
    TempDir dir;
    const std::string config_path = dir.path() + "/relais.toml";
    write_file(config_path, "[storage]\ndata_dir = \"var\"\n");
    std::filesystem::create_directories(dir.path() + "/var");
    const ConfigLoad first = load_config_file(config_path, config_environment());
    REQUIRE(first.config);
    const ConfigLoad saved = save_settings(*first.config,
                                           {{"hours", "open", std::string("mon-fri 08:30-12:00 13:30-18:00")},
                                            {"hours", "closed", std::string("2026-12-31, 2026-12-24")},
                                            {"reminders", "policy", std::string("urgent")},
                                            {"reminders", "urgent_every_hours", std::int64_t{4}},
                                            {"reminders", "sms_replies", true}},
                                           config_environment());
    REQUIRE_MESSAGE(saved.config, (saved.problems.empty() ? "" : saved.problems.front().to_string()));
    const ConfigLoad loaded = load_config_file(config_path, config_environment());
    REQUIRE(loaded.config);
    CHECK(format_week(loaded.config->hours.opening.week) == "mon-fri 08:30-12:00 13:30-18:00");
    CHECK(format_closed_days(loaded.config->hours.opening.closed_days) == "2026-12-24, 2026-12-31");
    CHECK(loaded.config->reminders.policy == ReminderPolicy::urgent);
    CHECK(loaded.config->reminders.urgent_every_hours == 4);
    CHECK(loaded.config->reminders.sms_replies);

    const ConfigLoad refused =
        save_settings(*loaded.config, {{"hours", "open", std::string("mon 18:00-08:00")}}, config_environment());
    REQUIRE(refused.problems.size() == 1);
    CHECK(refused.problems[0].section == "hours");
    CHECK(refused.problems[0].key == "open");
    CHECK(refused.problems[0].message == "18:00-08:00: the end is before the start");
    CHECK(setting_problem(refused.problems[0]).field == "hours.open");
}
