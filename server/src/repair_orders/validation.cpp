#include "validation.hpp"

#include "email_address.hpp"
#include "text.hpp"

#include <algorithm>
#include <set>

namespace relais {
namespace {

void add(Problems& problems, const std::string& field, std::string code, Params params = {}) {
    problems.push_back({field, std::move(code), std::move(params)});
}

bool vin_char(char c) { return ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) && c != 'I' && c != 'O' && c != 'Q'; }

}  // namespace

void apply_vehicle_patch(Vehicle& target, const VehiclePatch& patch, const std::string& path, Problems& problems) {
    if (patch.plate) {
        std::string plate;
        for (char c : trim(*patch.plate)) {
            if (c == ' ' && !plate.empty() && plate.back() == ' ') continue;  // one space between groups
            plate += c;
        }
        plate = ascii_upper(plate);
        if (check_text_field(plate, path + "plate", 16, false, false, problems)) {
            const bool ok = std::all_of(plate.begin(), plate.end(), [](char c) {
                return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == ' ' || c == '.';
            });
            if (!ok) {
                add(problems, path + "plate", "plate_characters");
            } else {
                target.plate = plate;
            }
        }
    }
    if (patch.vin) {
        std::string vin;
        for (char c : *patch.vin) {
            if (c != ' ' && c != '-') vin += c;
        }
        vin = ascii_upper(vin);
        if (!vin.empty() && vin.size() != 17) {
            add(problems, path + "vin", "vin_length", {{"length", std::to_string(utf8_length(vin))}});
        } else if (!std::all_of(vin.begin(), vin.end(), vin_char)) {
            add(problems, path + "vin", "vin_characters");
        } else {
            target.vin = vin;
        }
    }
    set_text(target.make, patch.make, path + "make", 64, false, false, problems);
    set_text(target.model, patch.model, path + "model", 64, false, false, problems);
    if (patch.mileage_km) {
        const auto& m = *patch.mileage_km;
        if (m && (*m < 0 || *m > 3'000'000)) {
            add(problems, path + "mileage_km", "out_of_range", {{"min", "0"}, {"max", "3000000"}});
        } else {
            target.mileage_km = m;
        }
    }
}

void apply_contact_point_patch(ContactPoint& target, const ContactPointPatch& patch, bool creating,
                               const ValidationContext& ctx, const std::string& path, Problems& problems) {
    if (creating && !patch.kind) add(problems, path + "kind", "required");
    if (creating && !patch.value) add(problems, path + "value", "required");
    if (patch.kind) {
        if (!creating && *patch.kind != target.kind && !patch.value) {
            add(problems, path + "value", "required");  // a new kind needs a new value
        }
        target.kind = *patch.kind;
    }
    if (patch.usage) target.usage = *patch.usage;
    if (patch.opted_out) target.opted_out = *patch.opted_out;
    if (patch.value) {
        const std::string raw(trim(*patch.value));
        if (raw.empty()) {
            add(problems, path + "value", "required");
        } else if (target.kind == ContactKind::phone) {
            auto e164 = ctx.phones.normalize(raw);
            if (e164) {
                target.value = *e164;
            } else {
                add(problems, path + "value", e164.error().code, {{"value", raw}});
            }
        } else {
            auto email = normalize_email(raw);
            if (email) {
                target.value = *email;
            } else {
                Params params = email.error().params;
                params.emplace_back("value", raw);
                add(problems, path + "value", email.error().code, std::move(params));
            }
        }
    }
}

void apply_party_patch(Party& target, const PartyPatch& patch, bool creating, const ValidationContext& ctx,
                       const std::string& path, Problems& problems) {
    if (patch.roles) {
        std::vector<PartyRole> roles;
        for (PartyRole r : *patch.roles) {
            if (std::find(roles.begin(), roles.end(), r) == roles.end()) roles.push_back(r);
        }
        if (roles.empty()) {
            add(problems, path + "roles", "roles_required");
        } else {
            std::sort(roles.begin(), roles.end());
            target.roles = std::move(roles);
        }
    } else if (creating) {
        add(problems, path + "roles", "roles_required");
    }
    if (patch.kind) target.kind = *patch.kind;
    set_text(target.title, patch.title, path + "title", 20, false, false, problems);
    set_text(target.first_name, patch.first_name, path + "first_name", 100, false, false, problems);
    set_text(target.last_name, patch.last_name, path + "last_name", 100, false, false, problems);
    set_text(target.company_name, patch.company_name, path + "company_name", 120, false, false, problems);
    set_text(target.preferred_name, patch.preferred_name, path + "preferred_name", 60, false, false, problems);
    if (patch.language) {
        if (*patch.language != "" && *patch.language != "fr" && *patch.language != "en") {
            add(problems, path + "language", "invalid_choice", {{"choices", "fr, en, \"\" (the dealership's)"}});
        } else {
            target.language = *patch.language;
        }
    }
    if (patch.opted_out) target.opted_out = *patch.opted_out;

    const bool named = target.kind == PartyKind::company ? !target.company_name.empty()
                                                         : !(target.last_name.empty() && target.first_name.empty());
    const bool already_reported = std::any_of(problems.begin(), problems.end(), [&](const FieldError& e) {
        return e.field == path + "last_name" || e.field == path + "company_name" || e.field == path + "first_name";
    });
    if (!named && !already_reported) {
        add(problems, path + (target.kind == PartyKind::company ? "company_name" : "last_name"), "required");
    }

    if (patch.contact_points) {
        if (!creating) {
            add(problems, path + "contact_points", "use_sub_resource");
        } else {
            std::set<std::pair<ContactKind, std::string>> seen;
            for (std::size_t i = 0; i < patch.contact_points->size(); ++i) {
                ContactPoint cp;
                const std::string cp_path = path + "contact_points[" + std::to_string(i) + "].";
                const std::size_t before = problems.size();
                apply_contact_point_patch(cp, (*patch.contact_points)[i], true, ctx, cp_path, problems);
                if (problems.size() == before && !seen.insert({cp.kind, cp.value}).second) {
                    add(problems, cp_path + "value", "duplicate_contact");
                }
                target.contact_points.push_back(std::move(cp));
            }
        }
    }
}

void apply_intervention_patch(Intervention& target, const InterventionPatch& patch, bool creating,
                              const ValidationContext& ctx, const std::string& path, Problems& problems) {
    set_text(target.label, patch.label, path + "label", 200, false, true, problems);
    if (creating && !patch.label) add(problems, path + "label", "required");
    set_text(target.mechanic_note, patch.mechanic_note, path + "mechanic_note", 4000, true, false, problems);
    if (patch.kind) target.kind = *patch.kind;
    if (patch.severity) {
        target.severity = *patch.severity;
    } else if (creating) {
        // Unsaid, the severity follows the kind: the work the customer came for is to be done
        // (red, "Urgent"); something found on the way can usually wait (orange, "À prévoir").
        target.severity = default_severity(target.kind);
    }
    if (patch.shown) target.shown = *patch.shown;
    if (patch.authorized) target.authorized = *patch.authorized;
    if (patch.position) {
        if (*patch.position < 1 || *patch.position > 10000) {
            add(problems, path + "position", "out_of_range", {{"min", "1"}, {"max", "10000"}});
        } else {
            target.position = *patch.position;
        }
    }

    if (creating) target.vat_bp = ctx.default_vat_bp;
    const std::size_t before = problems.size();
    if (patch.vat_bp && (*patch.vat_bp < 0 || *patch.vat_bp > max_vat_bp)) {
        add(problems, path + "vat_rate_bp", "out_of_range", {{"min", "0"}, {"max", std::to_string(max_vat_bp)}});
    }
    const auto price_ok = [&](const Maybe<Cents>& p, const char* name) {
        if (p && (*p < 0 || *p > max_price_cents)) {
            add(problems, path + name, "out_of_range", {{"min", "0"}, {"max", std::to_string(max_price_cents)}});
        }
    };
    price_ok(patch.price_excl, "price_excl_cents");
    price_ok(patch.price_incl, "price_incl_cents");
    if (problems.size() != before) return;

    const VatBp vat = patch.vat_bp.value_or(target.vat_bp);
    if (patch.price_excl && patch.price_incl) {
        if (!prices_consistent(*patch.price_excl, *patch.price_incl, vat)) {
            add(problems, path + "price_incl_cents", "price_mismatch",
                {{"expected", std::to_string(incl_from_excl(*patch.price_excl, vat))}});
            return;
        }
        target.price_excl = *patch.price_excl;
        target.price_incl = *patch.price_incl;
    } else if (patch.price_excl) {
        target.price_excl = *patch.price_excl;
        target.price_incl = incl_from_excl(target.price_excl, vat);
    } else if (patch.price_incl) {
        target.price_incl = *patch.price_incl;
        target.price_excl = excl_from_incl(target.price_incl, vat);
    } else if (patch.vat_bp) {
        // The workshop's figure is the price excl. VAT; a new rate changes what the customer pays.
        target.price_incl = incl_from_excl(target.price_excl, vat);
    }
    target.vat_bp = vat;
}

void apply_repair_order_patch(RepairOrder& target, const RepairOrderPatch& patch, bool creating,
                              const std::string& path, Problems& problems) {
    if (patch.number) {
        std::string number = *patch.number;
        if (check_text_field(number, path + "number", 32, false, true, problems)) target.number = number;
    }
    if (patch.status) target.status = *patch.status;
    if (patch.promised_at) {
        const auto& when = *patch.promised_at;
        // 2000-01-01 .. 2100-01-01: anything else is a unit mistake (seconds vs milliseconds).
        if (when && (*when < 946684800000LL || *when > 4102444800000LL)) {
            add(problems, path + "promised_at", "invalid_date");
        } else {
            target.promised_at = when;
        }
    }
    set_text(target.note, patch.note, path + "note", 4000, true, false, problems);
    if (patch.vehicle) apply_vehicle_patch(target.vehicle, *patch.vehicle, path + "vehicle.", problems);
    if (!creating && patch.parties) add(problems, path + "parties", "use_sub_resource");
    if (!creating && patch.interventions) add(problems, path + "interventions", "use_sub_resource");
}

void check_unique_roles(const std::vector<Party>& parties, const std::string& path, Problems& problems) {
    std::set<PartyRole> taken;
    for (std::size_t i = 0; i < parties.size(); ++i) {
        for (PartyRole r : parties[i].roles) {
            if (!taken.insert(r).second) {
                add(problems, path + "parties[" + std::to_string(i) + "].roles", "role_taken",
                    {{"role", std::string(to_string(r))}});
            }
        }
    }
}

}  // namespace relais
