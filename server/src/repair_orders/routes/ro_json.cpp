#include "ro_json.hpp"

#include "request_body.hpp"
#include "ro_fields.hpp"
#include "ro_replies.hpp"

#include <nlohmann/json.hpp>

namespace relais::ro_json {
namespace {

json opt(const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); }
json opt_time(const std::optional<UnixMs>& v) { return v ? json(format_utc(*v)) : json(nullptr); }

json user_ref(const std::optional<UserRef>& u) {
    if (!u) return nullptr;
    return {{"id", u->id}, {"username", u->username}, {"display_name", u->display_name}};
}

Maybe<Cents> cents(ObjectReader& r, const char* key) {
    auto v = r.integer(key);
    return v ? Maybe<Cents>(*v) : std::nullopt;
}

// The fields of an intervention, from a reader of its object.
InterventionPatch read_intervention(ObjectReader& r) {
    InterventionPatch patch;
    patch.label = r.string("label");
    patch.mechanic_note = r.string("mechanic_note");
    patch.price_excl = cents(r, "price_excl_cents");
    patch.price_incl = cents(r, "price_incl_cents");
    if (auto vat = r.integer("vat_rate_bp")) {
        if (*vat < 0 || *vat > max_vat_bp) {
            r.problem("vat_rate_bp", "out_of_range", {{"min", "0"}, {"max", std::to_string(max_vat_bp)}});
        } else {
            patch.vat_bp = static_cast<VatBp>(*vat);
        }
    }
    patch.kind = r.enumeration<InterventionKind>("kind");
    patch.severity = r.enumeration<Severity>("severity");
    patch.shown = r.boolean("shown");
    patch.authorized = r.nullable_boolean("authorized");
    if (auto pos = r.integer("position")) {
        if (*pos < 1 || *pos > 10000) {
            r.problem("position", "out_of_range", {{"min", "1"}, {"max", "10000"}});
        } else {
            patch.position = static_cast<int>(*pos);
        }
    }
    return patch;
}

}  // namespace

json contact_point(const ContactPoint& cp, const PhoneNumbers& phones) {
    json j = fields_of(cp);
    j["id"] = cp.id;
    if (cp.kind == ContactKind::phone) {
        j["display"] = phones.display(cp.value);
        j["sms_capable"] = phones.can_receive_sms(cp.value);
    } else {
        j["display"] = cp.value;
    }
    return j;
}

json party(const Party& p, const PhoneNumbers& phones) {
    json cps = json::array();
    for (const ContactPoint& cp : p.contact_points) cps.push_back(contact_point(cp, phones));
    json j = fields_of(p);
    j["id"] = p.id;
    j["display_name"] = p.display_name();
    j["contact_points"] = cps;
    return j;
}

json intervention(const Intervention& it) {
    json j = fields_of(it);
    j["id"] = it.id;
    return j;
}

json repair_order(const RepairOrder& ro, const PhoneNumbers& phones) {
    json parties = json::array();
    for (const Party& p : ro.parties) parties.push_back(party(p, phones));
    json items = json::array();
    Cents excl = 0, incl = 0, shown_excl = 0, shown_incl = 0;
    for (const Intervention& it : ro.interventions) {
        items.push_back(intervention(it));
        excl += it.price_excl;
        incl += it.price_incl;
        if (it.shown) shown_excl += it.price_excl, shown_incl += it.price_incl;
    }
    const Party* main = ro.main_party();
    return {{"id", ro.id},
            {"number", ro.number},
            {"status", to_string(ro.status)},
            {"version", ro.version},
            {"advisor", user_ref(ro.advisor)},
            {"promised_at", opt_time(ro.promised_at)},
            {"note", ro.note},
            {"customer_name", main ? main->display_name() : std::string()},
            {"vehicle",
             {{"plate", ro.vehicle.plate},
              {"vin", ro.vehicle.vin},
              {"make", ro.vehicle.make},
              {"model", ro.vehicle.model},
              {"mileage_km", opt(ro.vehicle.mileage_km)}}},
            {"parties", parties},
            {"interventions", items},
            {"totals",
             {{"excl_cents", excl},
              {"incl_cents", incl},
              {"shown_excl_cents", shown_excl},
              {"shown_incl_cents", shown_incl}}},
            {"created_at", format_utc(ro.created_at)},
            {"updated_at", format_utc(ro.updated_at)},
            {"needs_attention", ro.needs_attention},
            {"deleted_at", opt_time(ro.deleted_at)},
            {"deleted_by", user_ref(ro.deleted_by)}};
}

json summary(const RepairOrderSummary& s) {
    return {
        {"id", s.id},
        {"number", s.number},
        {"status", to_string(s.status)},
        {"version", s.version},
        {"advisor", user_ref(s.advisor)},
        {"promised_at", opt_time(s.promised_at)},
        {"customer_name", s.customer_name},
        {"vehicle", {{"plate", s.plate}, {"make", s.make}, {"model", s.model}}},
        {"intervention_count", s.intervention_count},
        {"shown_incl_cents", s.total_incl},
        {"offer", s.offer_state.empty() ? json(nullptr) : json{{"state", s.offer_state}, {"version", s.offer_version}}},
        {"unread_replies", s.unread_replies},
        {"no_answer", s.no_answer},
        {"to_follow_up", s.to_follow_up},
        {"needs_attention", s.needs_attention},
        {"created_at", format_utc(s.created_at)},
        {"updated_at", format_utc(s.updated_at)}};
}

json page(const RepairOrderPage& p) {
    json items = json::array();
    for (const auto& s : p.items) items.push_back(summary(s));
    return {{"items", items}, {"total", p.total}, {"page", p.page}, {"per_page", p.per_page}};
}

json event(const Event& e) {
    json data = json::parse(e.data, nullptr, false);
    if (data.is_discarded()) data = json::object();
    return {{"id", e.id},
            {"at", format_utc(e.at)},
            {"actor",
             {{"kind", to_string(e.actor.kind)},
              {"id", e.actor.id ? json(e.actor.id) : json(nullptr)},
              {"name", e.actor.name}}},
            {"type", e.type},
            {"data", data}};
}

json reply(const CustomerReply& r, const PhoneNumbers& phones) {
    return {{"id", r.id},
            {"from", r.sender},
            {"from_display", phones.display(r.sender)},
            {"name", r.name},
            {"text", r.text},
            {"complete", r.complete},
            {"received_at", format_utc(r.received_at)},
            {"read_at", opt_time(r.read_at)},
            {"read_by", opt(r.read_by)},
            {"offer_id", opt(r.offer_id)},
            {"party_id", opt(r.party_id)},
            {"contact_point_id", opt(r.contact_point_id)}};
}

RepairOrderPatch parse_repair_order(const json& body, const TimeZone& zone, Problems& problems) {
    RepairOrderPatch patch;
    if (!expect_object(body, "", problems)) return patch;
    ObjectReader r(body, "", problems,
                   {"id", "version", "advisor", "customer_name", "totals", "created_at", "updated_at"});
    patch.number = r.string("number");
    patch.status = r.enumeration<RoStatus>("status");
    patch.advisor_id = r.nullable_integer("advisor_id");
    patch.promised_at = r.nullable_date("promised_at", zone);
    patch.note = r.string("note");
    if (const json* v = r.object("vehicle")) {
        ObjectReader vr(*v, "vehicle.", problems);
        VehiclePatch vp;
        vp.plate = vr.string("plate");
        vp.vin = vr.string("vin");
        vp.make = vr.string("make");
        vp.model = vr.string("model");
        vp.mileage_km = vr.nullable_integer("mileage_km");
        patch.vehicle = vp;
    }
    if (const json* parties = r.array("parties")) {
        std::vector<PartyPatch> list;
        for (std::size_t i = 0; i < parties->size(); ++i) {
            list.push_back(parse_party((*parties)[i], "parties[" + std::to_string(i) + "].", problems));
        }
        patch.parties = std::move(list);
    }
    if (const json* items = r.array("interventions")) {
        std::vector<InterventionPatch> list;
        for (std::size_t i = 0; i < items->size(); ++i) {
            list.push_back(parse_intervention((*items)[i], "interventions[" + std::to_string(i) + "].", problems));
        }
        patch.interventions = std::move(list);
    }
    return patch;
}

PartyPatch parse_party(const json& body, const std::string& path, Problems& problems) {
    PartyPatch patch;
    if (!expect_object(body, path, problems)) return patch;
    ObjectReader r(body, path, problems, {"id", "display_name"});
    if (const json* roles = r.array("roles")) {
        std::vector<PartyRole> list;
        for (std::size_t i = 0; i < roles->size(); ++i) {
            const json& v = (*roles)[i];
            if (auto role = v.is_string() ? parse_enum<PartyRole>(v.get<std::string>()) : std::nullopt) {
                list.push_back(*role);
            } else {
                r.problem("roles[" + std::to_string(i) + "]", "invalid_choice",
                          {{"choices", enum_choices<PartyRole>()}});
            }
        }
        patch.roles = std::move(list);
    }
    patch.kind = r.enumeration<PartyKind>("kind");
    patch.title = r.string("title");
    patch.first_name = r.string("first_name");
    patch.last_name = r.string("last_name");
    patch.company_name = r.string("company_name");
    patch.preferred_name = r.string("preferred_name");
    patch.language = r.string("language");
    patch.opted_out = r.boolean("opted_out");
    if (const json* cps = r.array("contact_points")) {
        std::vector<ContactPointPatch> list;
        for (std::size_t i = 0; i < cps->size(); ++i) {
            list.push_back(
                parse_contact_point((*cps)[i], path + "contact_points[" + std::to_string(i) + "].", problems));
        }
        patch.contact_points = std::move(list);
    }
    return patch;
}

ContactPointPatch parse_contact_point(const json& body, const std::string& path, Problems& problems) {
    ContactPointPatch patch;
    if (!expect_object(body, path, problems)) return patch;
    ObjectReader r(body, path, problems, {"id", "display", "sms_capable"});
    patch.kind = r.enumeration<ContactKind>("kind");
    patch.usage = r.enumeration<ContactUsage>("usage");
    patch.value = r.string("value");
    patch.opted_out = r.boolean("opted_out");
    return patch;
}

InterventionPatch parse_intervention(const json& body, const std::string& path, Problems& problems) {
    if (!expect_object(body, path, problems)) return {};
    ObjectReader r(body, path, problems, {"id"});
    return read_intervention(r);
}

InterventionChange parse_intervention_change(const json& body, Problems& problems) {
    InterventionChange change;
    if (!expect_object(body, "", problems)) return change;
    ObjectReader r(body, "", problems, {"id"});
    if (r.boolean("change_agreed").value_or(false)) change.agreed = AgreedChange::allow;
    change.patch = read_intervention(r);
    return change;
}

}  // namespace relais::ro_json
