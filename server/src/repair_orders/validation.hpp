#pragma once
// Applying what a client asked for to a repair order, part by part: every value is checked
// and normalised (E.164 phones, lower-case email domains, upper-case plates and VINs, prices
// completed from the VAT rate) and every problem is collected with its field name, so a
// client hears about all of them at once. Nothing here touches the database.

#include "field_checks.hpp"
#include "phone.hpp"
#include "repair_order.hpp"
#include "result.hpp"

#include <string>
#include <vector>

namespace relais {

struct ValidationContext {
    const PhoneNumbers& phones;
    VatBp default_vat_bp;
};

/// Each apply_* changes `target` only where the patch says so; `path` prefixes field names
/// ("" for the top level, "parties[1]." for a nested one).
void apply_vehicle_patch(Vehicle& target, const VehiclePatch& patch, const std::string& path, Problems& problems);
void apply_contact_point_patch(ContactPoint& target, const ContactPointPatch& patch, bool creating,
                               const ValidationContext& ctx, const std::string& path, Problems& problems);
void apply_party_patch(Party& target, const PartyPatch& patch, bool creating, const ValidationContext& ctx,
                       const std::string& path, Problems& problems);
void apply_intervention_patch(Intervention& target, const InterventionPatch& patch, bool creating,
                              const ValidationContext& ctx, const std::string& path, Problems& problems);
/// Header fields only (number, status, promised date, note, vehicle); advisor_id is checked
/// against the users by the caller. Parties and interventions of a new RO are applied by
/// the caller with the functions above.
void apply_repair_order_patch(RepairOrder& target, const RepairOrderPatch& patch, bool creating,
                              const std::string& path, Problems& problems);

/// A role is held by one party per RO: problems for each party that repeats one.
void check_unique_roles(const std::vector<Party>& parties, const std::string& path, Problems& problems);

}  // namespace relais
