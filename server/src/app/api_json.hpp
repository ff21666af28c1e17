#pragma once
// The JSON shapes of /api/v1 (docs/API.md): domain values to JSON, and JSON to patches.
// Reading is strict: a wrong type, an unknown enum value or an unknown field is a problem
// named by its path, so a DMS integrator sees a typo at once instead of a silently ignored
// field. Fields that only appear in responses (id, version, ...) are ignored on input, so a
// client may send back what it read.

#include "agreements.hpp"
#include "auth.hpp"
#include "offer.hpp"
#include "phone.hpp"
#include "repair_order.hpp"
#include "result.hpp"
#include "timeline.hpp"
#include "timezone.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string>

namespace relais {
struct CustomerReply;
}

namespace relais::api_json {

using json = nlohmann::json;

json repair_order(const RepairOrder& ro, const PhoneNumbers& phones);
json summary(const RepairOrderSummary& s);
json page(const RepairOrderPage& p);
json party(const Party& p, const PhoneNumbers& phones);
json contact_point(const ContactPoint& cp, const PhoneNumbers& phones);
json intervention(const Intervention& it);
json user(const User& u);
json api_key(const ApiKeyRecord& k);
json event(const Event& e);
/// An SMS the customer sent back: its text whole, who sent it (the number as displayed
/// elsewhere, the party it was sent to), when, and whether an advisor has read it.
json reply(const CustomerReply& r, const PhoneNumbers& phones);
json principal(const Principal& p);
/// An agreement with its current version (and `versions`, newest first, when known).
json agreement(const Agreement& a);

// Each parse_* appends to `problems`; the result is meaningful only when none were added.
RepairOrderPatch parse_repair_order(const json& body, bool creating, const TimeZone& zone, Problems& problems);
PartyPatch parse_party(const json& body, bool creating, const std::string& path, Problems& problems);
ContactPointPatch parse_contact_point(const json& body, const std::string& path, Problems& problems);
InterventionPatch parse_intervention(const json& body, const std::string& path, Problems& problems);
NewUser parse_new_user(const json& body, Problems& problems);
UserPatch parse_user_patch(const json& body, Problems& problems);
/// {"title": {"fr", "en"}, "text": {"fr", "en"}, "mandatory", "active"}.
AgreementPatch parse_agreement(const json& body, Problems& problems);

}  // namespace relais::api_json
