// [hours] and [reminders]: when the dealership is open, and how customers are reminded (issue
// 15). Apart from config_keys.cpp for its length; read after its keys.

#include "config_keys.hpp"

namespace relais {
namespace {

using HoursValue = WorkspaceSetting::Value;

std::string hours_open(const ConfigValue& v, KeyContext& k) {
    std::string error;
    auto week = parse_week(std::get<std::string>(v), error);
    if (!week) return error;  // what is wrong, and what was expected
    k.config.hours.opening.week = std::move(*week);
    return "";
}

std::string hours_closed(const ConfigValue& v, KeyContext& k) {
    std::string error;
    auto days = parse_closed_days(std::get<std::string>(v), error);
    if (!days) return error;
    k.config.hours.opening.closed_days = std::move(*days);
    return "";
}

std::string reminders_policy(const ConfigValue& v, KeyContext& k) {
    const std::string& word = std::get<std::string>(v);
    if (auto policy = parse_enum<ReminderPolicy>(word)) return k.config.reminders.policy = *policy, "";
    return "expected one of \"none\", \"gentle\", \"urgent\", \"custom\", got \"" + word + "\"";
}

}  // namespace

std::vector<ConfigKey> hours_and_reminder_keys() {
    using T = ConfigKey::Type;
    return {
        // [hours]
        {.section = "hours",
         .key = "open",
         .type = T::text,
         .fallback = "`\"mon-fri 08:00-19:00, sat 08:00-12:00\"`",
         .apply = hours_open,
         .json = "hours.open",
         .workspace_value = [](const Config& c) { return HoursValue(format_week(c.hours.opening.week)); }},
        {.section = "hours",
         .key = "french_holidays",
         .type = T::boolean,
         .fallback = "`true`",
         .apply =
             [](const ConfigValue& v, KeyContext& k) {
                 return k.config.hours.opening.french_holidays = std::get<bool>(v), std::string();
             },
         .json = "hours.french_holidays",
         .workspace_value = [](const Config& c) { return HoursValue(c.hours.opening.french_holidays); }},
        {.section = "hours",
         .key = "closed",
         .type = T::text,
         .fallback = "`\"\"`",
         .apply = hours_closed,
         .json = "hours.closed",
         .workspace_value =
             [](const Config& c) { return HoursValue(format_closed_days(c.hours.opening.closed_days)); }},
        // [reminders]
        {.section = "reminders",
         .key = "policy",
         .type = T::text,
         .fallback = "`\"gentle\"`",
         .apply = reminders_policy,
         .json = "reminders.policy",
         .workspace_value = [](const Config& c) { return HoursValue(std::string(to_string(c.reminders.policy))); }},
        {.section = "reminders",
         .key = "urgent_every_hours",
         .type = T::integer,
         .fallback = "`2`",
         .min = 1,
         .max = 12,
         .apply =
             [](const ConfigValue& v, KeyContext& k) {
                 k.config.reminders.urgent_every_hours = static_cast<int>(std::get<std::int64_t>(v));
                 return std::string();
             },
         .json = "reminders.urgent_every_hours",
         .workspace_value = [](const Config& c) { return HoursValue(std::int64_t{c.reminders.urgent_every_hours}); }},
        {.section = "reminders",
         .key = "custom_every_hours",
         .type = T::integer,
         .fallback = "`24`",
         .min = 1,
         .max = 720,
         .apply =
             [](const ConfigValue& v, KeyContext& k) {
                 k.config.reminders.custom_every_hours = static_cast<int>(std::get<std::int64_t>(v));
                 return std::string();
             },
         .json = "reminders.custom_every_hours",
         .workspace_value = [](const Config& c) { return HoursValue(std::int64_t{c.reminders.custom_every_hours}); }},
        {.section = "reminders",
         .key = "sms_replies",
         .type = T::boolean,
         .fallback = "`false`",
         .apply = [](const ConfigValue& v,
                     KeyContext& k) { return k.config.reminders.sms_replies = std::get<bool>(v), std::string(); },
         .json = "reminders.sms_replies",
         .workspace_value = [](const Config& c) { return HoursValue(c.reminders.sms_replies); }},
    };
}

}  // namespace relais
