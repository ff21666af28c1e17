#include "api_json.hpp"

#include "ro_replies.hpp"

#include <nlohmann/json.hpp>

#include <set>

namespace relais::api_json {
namespace {

json opt(const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); }
json opt_time(const std::optional<UnixMs>& v) { return v ? json(format_utc(*v)) : json(nullptr); }

json user_ref(const std::optional<UserRef>& u) {
    if (!u) return nullptr;
    return {{"id", u->id}, {"username", u->username}, {"display_name", u->display_name}};
}

// Reads the fields of one JSON object, recording each problem with its path.
class ObjectReader {
public:
    ObjectReader(const json& obj, std::string path, Problems& problems, std::set<std::string> read_only = {})
        : obj_(obj), path_(std::move(path)), problems_(problems), read_only_(std::move(read_only)) {}

    ~ObjectReader() {
        for (auto it = obj_.begin(); it != obj_.end(); ++it) {
            if (!seen_.count(it.key()) && !read_only_.count(it.key())) problem(it.key(), "unknown_field");
        }
    }
    ObjectReader(const ObjectReader&) = delete;
    ObjectReader& operator=(const ObjectReader&) = delete;

    const json* field(const char* key) {
        seen_.insert(key);
        const auto it = obj_.find(key);
        return it == obj_.end() ? nullptr : &*it;
    }

    void problem(const std::string& key, std::string code, Params params = {}) {
        problems_.push_back({path_ + key, std::move(code), std::move(params)});
    }

    Maybe<std::string> string(const char* key) {
        const json* v = field(key);
        if (!v) return std::nullopt;
        if (v->is_null()) return std::string();
        if (!v->is_string()) {
            problem(key, "invalid_type", {{"expected", "string"}});
            return std::nullopt;
        }
        return v->get<std::string>();
    }

    Maybe<std::int64_t> integer(const char* key) {
        const json* v = field(key);
        if (!v) return std::nullopt;
        if (!v->is_number_integer()) {
            problem(key, "invalid_type", {{"expected", "integer"}});
            return std::nullopt;
        }
        return v->get<std::int64_t>();
    }

    Maybe<std::optional<std::int64_t>> nullable_integer(const char* key) {
        const json* v = field(key);
        if (!v) return std::nullopt;
        if (v->is_null()) return std::optional<std::int64_t>();
        if (!v->is_number_integer()) {
            problem(key, "invalid_type", {{"expected", "integer"}});
            return std::nullopt;
        }
        return std::optional<std::int64_t>(v->get<std::int64_t>());
    }

    Maybe<std::optional<bool>> nullable_boolean(const char* key) {
        const json* v = field(key);
        if (!v) return std::nullopt;
        Maybe<std::optional<bool>> out;
        if (v->is_null()) {
            out.emplace(std::nullopt);  // "null": clear it
        } else if (v->is_boolean()) {
            out.emplace(v->get<bool>());
        } else {
            problem(key, "invalid_type", {{"expected", "true, false or null"}});
        }
        return out;
    }

    Maybe<bool> boolean(const char* key) {
        const json* v = field(key);
        if (!v) return std::nullopt;
        if (!v->is_boolean()) {
            problem(key, "invalid_type", {{"expected", "boolean"}});
            return std::nullopt;
        }
        return v->get<bool>();
    }

    template <class E>
    Maybe<E> enumeration(const char* key) {
        const json* v = field(key);
        if (!v) return std::nullopt;
        if (v->is_string()) {
            if (auto e = parse_enum<E>(v->get<std::string>())) return e;
        }
        problem(key, "invalid_choice", {{"choices", enum_choices<E>()}});
        return std::nullopt;
    }

    Maybe<std::optional<UnixMs>> nullable_date(const char* key, const TimeZone& zone) {
        const json* v = field(key);
        if (!v) return std::nullopt;
        if (v->is_null()) return std::optional<UnixMs>();
        if (v->is_string()) {
            if (auto t = parse_date_time(v->get<std::string>(), zone)) return std::optional<UnixMs>(*t);
        }
        problem(key, "invalid_date");
        return std::nullopt;
    }

    const json* object(const char* key) {
        const json* v = field(key);
        if (!v) return nullptr;
        if (!v->is_object()) {
            problem(key, "invalid_type", {{"expected", "object"}});
            return nullptr;
        }
        return v;
    }

    const json* array(const char* key) {
        const json* v = field(key);
        if (!v) return nullptr;
        if (!v->is_array()) {
            problem(key, "invalid_type", {{"expected", "array"}});
            return nullptr;
        }
        return v;
    }

    const std::string& path() const { return path_; }
    Problems& problems() { return problems_; }

private:
    const json& obj_;
    std::string path_;
    Problems& problems_;
    std::set<std::string> read_only_;
    std::set<std::string> seen_;
};

json local_text(const LocalText& t) { return {{"fr", t.fr}, {"en", t.en}}; }

bool expect_object(const json& body, const std::string& path, Problems& problems) {
    if (body.is_object()) return true;
    problems.push_back({path.empty() ? "" : path.substr(0, path.size() - 1), "invalid_type", {{"expected", "object"}}});
    return false;
}

Maybe<Cents> cents(ObjectReader& r, const char* key) {
    auto v = r.integer(key);
    return v ? Maybe<Cents>(*v) : std::nullopt;
}

}  // namespace

json contact_point(const ContactPoint& cp, const PhoneNumbers& phones) {
    json j = {{"id", cp.id},
              {"kind", to_string(cp.kind)},
              {"usage", to_string(cp.usage)},
              {"value", cp.value},
              {"opted_out", cp.opted_out}};
    if (cp.kind == ContactKind::phone) {
        j["display"] = phones.display(cp.value);
        j["sms_capable"] = phones.can_receive_sms(cp.value);
    } else {
        j["display"] = cp.value;
    }
    return j;
}

json party(const Party& p, const PhoneNumbers& phones) {
    json roles = json::array();
    for (PartyRole r : p.roles) roles.push_back(to_string(r));
    json cps = json::array();
    for (const ContactPoint& cp : p.contact_points) cps.push_back(contact_point(cp, phones));
    return {{"id", p.id},
            {"roles", roles},
            {"kind", to_string(p.kind)},
            {"title", p.title},
            {"first_name", p.first_name},
            {"last_name", p.last_name},
            {"company_name", p.company_name},
            {"display_name", p.display_name()},
            {"language", p.language},
            {"opted_out", p.opted_out},
            {"contact_points", cps}};
}

json intervention(const Intervention& it) {
    return {{"id", it.id},
            {"position", it.position},
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
        {"needs_attention", s.needs_attention},
        {"created_at", format_utc(s.created_at)},
        {"updated_at", format_utc(s.updated_at)}};
}

json page(const RepairOrderPage& p) {
    json items = json::array();
    for (const auto& s : p.items) items.push_back(summary(s));
    return {{"items", items}, {"total", p.total}, {"page", p.page}, {"per_page", p.per_page}};
}

json user(const User& u) {
    return {{"id", u.id},
            {"username", u.username},
            {"display_name", u.display_name},
            {"role", to_string(u.role)},
            {"active", u.active},
            {"language", u.language},
            {"must_change_password", u.must_change_password},
            {"created_at", format_utc(u.created_at)}};
}

json api_key(const ApiKeyRecord& k) {
    return {{"id", k.id},
            {"name", k.name},
            {"prefix", k.prefix},
            {"created_at", format_utc(k.created_at)},
            {"last_used_at", opt_time(k.last_used_at)},
            {"revoked_at", opt_time(k.revoked_at)}};
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

json principal(const Principal& p) {
    return {{"kind", p.kind == Principal::Kind::user ? "user" : "api_key"},
            {"id", p.id},
            {"username", p.name},
            {"display_name", p.display_name},
            {"role", to_string(p.role)},
            {"language", p.language},
            {"must_change_password", p.must_change_password}};
}

RepairOrderPatch parse_repair_order(const json& body, bool creating, const TimeZone& zone, Problems& problems) {
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
            list.push_back(parse_party((*parties)[i], true, "parties[" + std::to_string(i) + "].", problems));
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
    (void)creating;
    return patch;
}

PartyPatch parse_party(const json& body, bool creating, const std::string& path, Problems& problems) {
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
    (void)creating;
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
    InterventionPatch patch;
    if (!expect_object(body, path, problems)) return patch;
    ObjectReader r(body, path, problems, {"id"});
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

NewUser parse_new_user(const json& body, Problems& problems) {
    NewUser u;
    if (!expect_object(body, "", problems)) return u;
    ObjectReader r(body, "", problems, {"id", "active", "must_change_password", "created_at"});
    u.username = r.string("username").value_or("");
    u.display_name = r.string("display_name").value_or("");
    u.role = r.enumeration<UserRole>("role").value_or(UserRole::advisor);
    u.password = r.string("password").value_or("");
    u.language = r.string("language").value_or("");
    u.must_change_password = true;  // the admin chose it: the user picks their own at first sign-in
    return u;
}

UserPatch parse_user_patch(const json& body, Problems& problems) {
    UserPatch p;
    if (!expect_object(body, "", problems)) return p;
    ObjectReader r(body, "", problems, {"id", "username", "must_change_password", "created_at"});
    p.display_name = r.string("display_name");
    p.role = r.enumeration<UserRole>("role");
    p.active = r.boolean("active");
    p.language = r.string("language");
    p.password = r.string("password");
    return p;
}

json agreement(const Agreement& a) {
    const AgreementVersion& v = a.current;
    json j = {{"id", a.id},
              {"active", a.active},
              {"version", v.version},
              {"mandatory", v.mandatory},
              {"title", local_text(v.title)},
              {"text", local_text(v.text)},
              {"created_at", format_utc(a.created_at)},
              {"updated_at", format_utc(v.created_at)},  // the current version's
              {"updated_by", v.created_by}};
    if (!a.history.empty()) {
        json versions = json::array();
        for (const auto& old : a.history)
            versions.push_back({{"version", old.version},
                                {"mandatory", old.mandatory},
                                {"title", local_text(old.title)},
                                {"text", local_text(old.text)},
                                {"created_at", format_utc(old.created_at)},
                                {"created_by", old.created_by}});
        j["versions"] = versions;
    }
    return j;
}

AgreementPatch parse_agreement(const json& body, Problems& problems) {
    AgreementPatch p;
    if (!expect_object(body, "", problems)) return p;
    ObjectReader r(body, "", problems, {"id", "version", "created_at", "updated_at", "updated_by", "versions"});
    for (const char* part : {"title", "text"}) {
        const json* o = r.object(part);
        if (!o) continue;
        ObjectReader lang(*o, std::string(part) + ".", problems);
        const bool title = std::string_view(part) == "title";
        (title ? p.title_fr : p.text_fr) = lang.string("fr");
        (title ? p.title_en : p.text_en) = lang.string("en");
    }
    p.mandatory = r.boolean("mandatory");
    p.active = r.boolean("active");
    return p;
}

}  // namespace relais::api_json
