#include "repair_order.hpp"

namespace relais {

Severity default_severity(InterventionKind kind) {
    return kind == InterventionKind::initial ? Severity::red : Severity::orange;
}

std::string Party::display_name() const {
    std::string person = first_name;
    if (!last_name.empty()) {
        if (!person.empty()) person += ' ';
        person += last_name;
    }
    if (kind == PartyKind::company && !company_name.empty()) {
        return person.empty() ? company_name : company_name + " (" + person + ")";
    }
    if (person.empty()) return company_name;
    return person;
}

const Party* RepairOrder::main_party() const {
    for (PartyRole role : {PartyRole::driver, PartyRole::owner, PartyRole::contractor, PartyRole::leasing_company}) {
        for (const Party& p : parties) {
            for (PartyRole r : p.roles) {
                if (r == role) return &p;
            }
        }
    }
    return parties.empty() ? nullptr : &parties.front();
}

}  // namespace relais
