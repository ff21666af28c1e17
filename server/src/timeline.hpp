#pragma once
// The timeline (DESIGN.md §2): everything that happened to a repair order, appended in the
// same transaction as the change itself and never updated or deleted (the schema enforces it).

#include "db.hpp"
#include "repair_order.hpp"

#include <optional>
#include <string>
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

std::string_view to_string(Actor::Kind kind);

struct Event {
    Id id = 0;
    std::optional<Id> ro_id;
    UnixMs at = 0;
    Actor actor;
    std::string type;         // "repair_order.created", "intervention.updated", ...
    std::string data = "{}";  // JSON object with the details
};

namespace timeline {
Result<Id> append(Connection& conn, const Event& event);
Result<std::vector<Event>> for_repair_order(Connection& conn, Id ro_id);
}  // namespace timeline

}  // namespace relais
