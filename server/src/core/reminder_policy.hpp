#pragma once
// How often a customer who has not answered an offer is reminded ([reminders] policy, issue
// 15): never, gently (a few spaced reminders), urgently (every [reminders] urgent_every_hours)
// or every [reminders] custom_every_hours. Reminders wait for the dealership's next opening.

#include "enum_names.hpp"

namespace relais {

enum class ReminderPolicy { none, gentle, urgent, custom };

/// As [reminders] policy and the settings page say it.
template <>
struct EnumNames<ReminderPolicy> {
    static constexpr NameTable<ReminderPolicy, 4> table{{{ReminderPolicy::none, "none"},
                                                         {ReminderPolicy::gentle, "gentle"},
                                                         {ReminderPolicy::urgent, "urgent"},
                                                         {ReminderPolicy::custom, "custom"}}};
};

}  // namespace relais
