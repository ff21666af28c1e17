#pragma once
// An RO's parts as flat JSON fields: what a timeline event records of a change (before and
// after, diffed by ro_service) and the start of what the API shows of each part (ro_json adds
// ids and display values). One list of fields per part, so the two cannot drift apart.

#include "repair_order.hpp"

#include <nlohmann/json_fwd.hpp>

namespace relais {

/// The header and vehicle, keys as "vehicle.plate".
nlohmann::json fields_of(const RepairOrder& ro);
nlohmann::json fields_of(const Party& p);
nlohmann::json fields_of(const ContactPoint& cp);
nlohmann::json fields_of(const Intervention& it);

}  // namespace relais
