#pragma once
// The timeline (DESIGN.md §2): everything that happened to a repair order, appended in the
// same transaction as the change itself and never updated or deleted (the schema enforces it).

#include "clock.hpp"
#include "db.hpp"
#include "enum_names.hpp"
#include "ids.hpp"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace relais {

/// Who did something: a staff user, a DMS through its API key, the appliance itself, or a
/// customer (from issue 5 on).
struct Actor {
    enum class Kind { user, api_key, system, customer };
    Kind kind = Kind::system;
    Id id = 0;
    std::string name;
};

/// As events.actor_kind stores it and the API sends it.
template <>
struct EnumNames<Actor::Kind> {
    static constexpr NameTable<Actor::Kind, 4> table{{{Actor::Kind::user, "user"},
                                                      {Actor::Kind::api_key, "api_key"},
                                                      {Actor::Kind::system, "system"},
                                                      {Actor::Kind::customer, "customer"}}};
};

/// The appliance itself, as the actor of what it does on its own (a delivery report, an expiry).
inline Actor appliance_actor() { return Actor{Actor::Kind::system, 0, "relais"}; }

struct Event {
    Id id = 0;
    std::optional<Id> ro_id;
    UnixMs at = 0;
    Actor actor;
    std::string type;         // "repair_order.created", "intervention.updated", ...
    std::string data = "{}";  // JSON object with the details
};

namespace timeline {
/// Every type of event the timeline holds. The workspace has words for each in French and
/// English (tests/e2e/texts.test.mjs reads the list in timeline.cpp and fails on one without).
const std::vector<std::string_view>& event_types();
/// Refuses (internal error) a type that is not in event_types(): a new kind of event must be
/// listed, and so given words, before it can be recorded.
Result<Id> append(Connection& conn, const Event& event);
/// The one way to write an event: `data` (a JSON object) is stored as text that cannot fail to
/// write (dump_json); an event without a repair order (an agreement's) has no `ro_id`.
Result<Id> record(Connection& conn, std::optional<Id> ro_id, UnixMs at, const Actor& by, std::string_view type,
                  const nlohmann::json& data);
Result<std::vector<Event>> for_repair_order(Connection& conn, Id ro_id);
}  // namespace timeline

}  // namespace relais
