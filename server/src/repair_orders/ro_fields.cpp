#include "ro_fields.hpp"

#include "timezone.hpp"

#include <nlohmann/json.hpp>

namespace relais {

using json = nlohmann::json;

json fields_of(const RepairOrder& ro) {
    return {{"number", ro.number},
            {"status", to_string(ro.status)},
            {"advisor_id", ro.advisor ? json(ro.advisor->id) : json(nullptr)},
            {"promised_at", ro.promised_at ? json(format_utc(*ro.promised_at)) : json(nullptr)},
            {"note", ro.note},
            {"vehicle.plate", ro.vehicle.plate},
            {"vehicle.vin", ro.vehicle.vin},
            {"vehicle.make", ro.vehicle.make},
            {"vehicle.model", ro.vehicle.model},
            {"vehicle.mileage_km", ro.vehicle.mileage_km ? json(*ro.vehicle.mileage_km) : json(nullptr)}};
}

json fields_of(const Party& p) {
    json roles = json::array();
    for (PartyRole r : p.roles) roles.push_back(to_string(r));
    return {{"roles", roles},
            {"kind", to_string(p.kind)},
            {"title", p.title},
            {"first_name", p.first_name},
            {"last_name", p.last_name},
            {"company_name", p.company_name},
            {"preferred_name", p.preferred_name},
            {"language", p.language},
            {"opted_out", p.opted_out}};
}

json fields_of(const ContactPoint& cp) {
    return {
        {"kind", to_string(cp.kind)}, {"usage", to_string(cp.usage)}, {"value", cp.value}, {"opted_out", cp.opted_out}};
}

json fields_of(const Intervention& it) {
    return {{"position", it.position},
            {"label", it.label},
            {"mechanic_note", it.mechanic_note},
            {"price_excl_cents", it.price_excl},
            {"price_incl_cents", it.price_incl},
            {"vat_rate_bp", it.vat_bp},
            {"kind", to_string(it.kind)},
            {"severity", to_string(it.severity)},
            {"shown", it.shown},
            {"authorized", it.authorized ? json(*it.authorized) : json(nullptr)}};
}

}  // namespace relais
