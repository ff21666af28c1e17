#pragma once
// The JSON of repair orders in the API (docs/API.md, "Repair orders"): the RO and its parts,
// the list, the timeline, the customer's SMS replies; and the bodies that create or change
// them. Reading is strict (ObjectReader, request_body.hpp): a wrong type, an unknown enum value
// or an unknown field is a problem named by its path, so a DMS integrator sees a typo at once
// instead of a silently ignored field. Fields that only appear in responses (id, version, ...)
// are ignored on input, so a client may send back what it read.

#include "phone.hpp"
#include "repair_order.hpp"
#include "result.hpp"
#include "ro_service.hpp"
#include "timeline.hpp"
#include "timezone.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string>

namespace relais {
struct CustomerReply;
}

namespace relais::ro_json {

using json = nlohmann::json;

json repair_order(const RepairOrder& ro, const PhoneNumbers& phones);
json summary(const RepairOrderSummary& s);
json page(const RepairOrderPage& p);
json party(const Party& p, const PhoneNumbers& phones);
json contact_point(const ContactPoint& cp, const PhoneNumbers& phones);
json intervention(const Intervention& it);
json event(const Event& e);
/// An SMS the customer sent back: its text whole, who sent it (the number as displayed
/// elsewhere, the party it was sent to), when, and whether an advisor has read it.
json reply(const CustomerReply& r, const PhoneNumbers& phones);

// Each parse_* appends to `problems`; the result is meaningful only when none were added.
RepairOrderPatch parse_repair_order(const json& body, const TimeZone& zone, Problems& problems);
PartyPatch parse_party(const json& body, const std::string& path, Problems& problems);
ContactPointPatch parse_contact_point(const json& body, const std::string& path, Problems& problems);
InterventionPatch parse_intervention(const json& body, const std::string& path, Problems& problems);

/// A change of one intervention: its fields, and `"change_agreed": true` when changing what the
/// customer agreed to is wanted.
struct InterventionChange {
    InterventionPatch patch;
    AgreedChange agreed = AgreedChange::refuse;
};
InterventionChange parse_intervention_change(const json& body, Problems& problems);

}  // namespace relais::ro_json
