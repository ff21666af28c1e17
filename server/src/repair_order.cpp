#include "repair_order.hpp"

#include <array>
#include <utility>

namespace relais {
namespace {

template <class E, std::size_t N>
std::optional<E> lookup(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view s) {
    for (const auto& [value, name] : table) {
        if (name == s) return value;
    }
    return std::nullopt;
}

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E v) {
    for (const auto& [value, name] : table) {
        if (value == v) return name;
    }
    return "?";
}

template <class E, std::size_t N>
std::string choices_of(const std::array<std::pair<E, std::string_view>, N>& table) {
    std::string out;
    for (const auto& [value, name] : table) {
        if (!out.empty()) out += ", ";
        out += name;
    }
    return out;
}

constexpr std::array<std::pair<RoStatus, std::string_view>, kRoStatusCount> ro_statuses{
    {{RoStatus::open, "open"},
     {RoStatus::in_progress, "in_progress"},
     {RoStatus::ready, "ready"},
     {RoStatus::closed, "closed"},
     {RoStatus::cancelled, "cancelled"}}};
constexpr std::array<std::pair<PartyRole, std::string_view>, 4> party_roles{
    {{PartyRole::driver, "driver"},
     {PartyRole::owner, "owner"},
     {PartyRole::contractor, "contractor"},
     {PartyRole::leasing_company, "leasing_company"}}};
constexpr std::array<std::pair<PartyKind, std::string_view>, 2> party_kinds{
    {{PartyKind::person, "person"}, {PartyKind::company, "company"}}};
constexpr std::array<std::pair<ContactKind, std::string_view>, 2> contact_kinds{
    {{ContactKind::email, "email"}, {ContactKind::phone, "phone"}}};
constexpr std::array<std::pair<ContactUsage, std::string_view>, 2> contact_usages{
    {{ContactUsage::personal, "personal"}, {ContactUsage::professional, "professional"}}};
constexpr std::array<std::pair<InterventionKind, std::string_view>, 2> intervention_kinds{
    {{InterventionKind::initial, "initial"}, {InterventionKind::optional, "optional"}}};
constexpr std::array<std::pair<Severity, std::string_view>, 3> severities{
    {{Severity::red, "red"}, {Severity::orange, "orange"}, {Severity::green, "green"}}};
constexpr std::array<std::pair<UserRole, std::string_view>, 2> user_roles{
    {{UserRole::advisor, "advisor"}, {UserRole::dealer_admin, "dealer_admin"}}};

}  // namespace

std::string_view to_string(RoStatus v) { return name_of(ro_statuses, v); }
std::string_view to_string(PartyRole v) { return name_of(party_roles, v); }
std::string_view to_string(PartyKind v) { return name_of(party_kinds, v); }
std::string_view to_string(ContactKind v) { return name_of(contact_kinds, v); }
std::string_view to_string(ContactUsage v) { return name_of(contact_usages, v); }
std::string_view to_string(InterventionKind v) { return name_of(intervention_kinds, v); }
std::string_view to_string(Severity v) { return name_of(severities, v); }
Severity default_severity(InterventionKind kind) {
    return kind == InterventionKind::initial ? Severity::red : Severity::orange;
}
std::string_view to_string(UserRole v) { return name_of(user_roles, v); }

template <>
std::optional<RoStatus> parse_enum<RoStatus>(std::string_view s) {
    return lookup(ro_statuses, s);
}
template <>
std::optional<PartyRole> parse_enum<PartyRole>(std::string_view s) {
    return lookup(party_roles, s);
}
template <>
std::optional<PartyKind> parse_enum<PartyKind>(std::string_view s) {
    return lookup(party_kinds, s);
}
template <>
std::optional<ContactKind> parse_enum<ContactKind>(std::string_view s) {
    return lookup(contact_kinds, s);
}
template <>
std::optional<ContactUsage> parse_enum<ContactUsage>(std::string_view s) {
    return lookup(contact_usages, s);
}
template <>
std::optional<InterventionKind> parse_enum<InterventionKind>(std::string_view s) {
    return lookup(intervention_kinds, s);
}
template <>
std::optional<Severity> parse_enum<Severity>(std::string_view s) {
    return lookup(severities, s);
}
template <>
std::optional<UserRole> parse_enum<UserRole>(std::string_view s) {
    return lookup(user_roles, s);
}

template <>
std::string enum_choices<RoStatus>() {
    return choices_of(ro_statuses);
}
template <>
std::string enum_choices<PartyRole>() {
    return choices_of(party_roles);
}
template <>
std::string enum_choices<PartyKind>() {
    return choices_of(party_kinds);
}
template <>
std::string enum_choices<ContactKind>() {
    return choices_of(contact_kinds);
}
template <>
std::string enum_choices<ContactUsage>() {
    return choices_of(contact_usages);
}
template <>
std::string enum_choices<InterventionKind>() {
    return choices_of(intervention_kinds);
}
template <>
std::string enum_choices<Severity>() {
    return choices_of(severities);
}
template <>
std::string enum_choices<UserRole>() {
    return choices_of(user_roles);
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
