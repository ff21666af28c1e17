#include "ro_service.hpp"

#include "json_text.hpp"
#include "ro_fields.hpp"
#include "ro_store.hpp"
#include "validation.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace relais {
namespace {

using json = nlohmann::json;

json diff(const json& before, const json& after) {
    json changes = json::object();
    for (auto it = after.begin(); it != after.end(); ++it) {
        if (!before.contains(it.key()) || before[it.key()] != it.value()) {
            changes[it.key()] = {{"from", before.value(it.key(), json(nullptr))}, {"to", it.value()}};
        }
    }
    return changes;
}

// A party has each phone number or address once (`cp` itself excepted: a new one has id 0).
void check_not_duplicate(const Party& party, const ContactPoint& cp, Problems& problems) {
    for (const ContactPoint& other : party.contact_points)
        if (other.id != cp.id && other.kind == cp.kind && other.value == cp.value)
            problems.push_back({"value", "duplicate_contact", {}});
}

Error version_conflict(std::int64_t current) {
    Error e = make_error(ErrorKind::precondition_failed, "version_conflict", {{"version", std::to_string(current)}});
    return e;
}

Result<RepairOrder> load_for_change(Connection& conn, Id id, std::optional<std::int64_t> if_version) {
    TRY_ASSIGN(auto ro, ro_store::load(conn, id));
    if (!ro) return not_found_error("repair_order");
    if (ro->deleted_at) return make_error(ErrorKind::conflict, "repair_order_deleted");
    if (if_version && *if_version != ro->version) return version_conflict(ro->version);
    return std::move(*ro);
}

Result<void> record(Connection& conn, Id ro_id, UnixMs now, const Actor& actor, std::string type, json data) {
    TRY(timeline::record(conn, ro_id, now, actor, type, data));
    return success();
}

Result<std::int64_t> finish(Connection& conn, Id ro_id, UnixMs now) {
    return ro_store::refresh_derived(conn, ro_id, now, ro_store::BumpVersion::yes);
}

Party* find_party(RepairOrder& ro, Id party_id) {
    for (Party& p : ro.parties) {
        if (p.id == party_id) return &p;
    }
    return nullptr;
}

ContactPoint* find_contact(Party& party, Id cp_id) {
    for (ContactPoint& cp : party.contact_points) {
        if (cp.id == cp_id) return &cp;
    }
    return nullptr;
}

Result<void> check_advisor(Connection& conn, RepairOrder& ro, const RepairOrderPatch& patch, Problems& problems) {
    if (!patch.advisor_id) return success();
    if (!*patch.advisor_id) {
        ro.advisor.reset();
        return success();
    }
    TRY_ASSIGN(auto ref, ro_store::find_user_ref(conn, **patch.advisor_id));
    if (!ref) {
        problems.push_back({"advisor_id", "unknown_user", {{"value", std::to_string(**patch.advisor_id)}}});
    } else {
        ro.advisor = *ref;
    }
    return success();
}

}  // namespace

Result<void> mark_number_opted_out(Connection& conn, const std::string& number) {
    return ro_store::mark_number_opted_out(conn, number);
}

void reposition(std::vector<Intervention>& items, Id moved_id, int position) {
    std::stable_sort(items.begin(), items.end(),
                     [](const Intervention& a, const Intervention& b) { return a.position < b.position; });
    const auto it = std::find_if(items.begin(), items.end(), [&](const Intervention& i) { return i.id == moved_id; });
    if (it != items.end()) {
        Intervention moved = *it;
        items.erase(it);
        const auto index = static_cast<std::size_t>(std::clamp(position, 1, static_cast<int>(items.size()) + 1) - 1);
        items.insert(items.begin() + static_cast<std::ptrdiff_t>(index), moved);
    }
    for (std::size_t i = 0; i < items.size(); ++i) items[i].position = static_cast<int>(i) + 1;
}

RepairOrderService::RepairOrderService(RepairOrderServiceDeps deps)
    : db_(deps.db), phones_(deps.phones), clock_(deps.clock), zone_(deps.zone), default_vat_bp_(deps.default_vat_bp) {}

namespace {

// Builds a new RO from a client's patch, without the database: header, parties, interventions.
RepairOrder build_new(const RepairOrderPatch& patch, const ValidationContext& ctx, const std::string& path,
                      Problems& problems) {
    RepairOrder ro;
    apply_repair_order_patch(ro, patch, true, path, problems);
    if (patch.parties) {
        for (std::size_t i = 0; i < patch.parties->size(); ++i) {
            Party p;
            apply_party_patch(p, (*patch.parties)[i], true, ctx, path + "parties[" + std::to_string(i) + "].",
                              problems);
            ro.parties.push_back(std::move(p));
        }
        check_unique_roles(ro.parties, path, problems);
    }
    // A repair order is about a vehicle or a customer: one with neither (an empty form sent by
    // mistake) could never be found again nor offered to anyone.
    if (ro.vehicle.plate.empty() && ro.vehicle.vin.empty() && ro.parties.empty())
        problems.push_back({path + "vehicle.plate", "plate_or_customer_required", {}});
    if (patch.interventions) {
        for (std::size_t i = 0; i < patch.interventions->size(); ++i) {
            Intervention it;
            it.position = static_cast<int>(i) + 1;
            apply_intervention_patch(it, (*patch.interventions)[i], true, ctx,
                                     path + "interventions[" + std::to_string(i) + "].", problems);
            ro.interventions.push_back(std::move(it));
        }
        std::stable_sort(ro.interventions.begin(), ro.interventions.end(),
                         [](const Intervention& a, const Intervention& b) { return a.position < b.position; });
        for (std::size_t i = 0; i < ro.interventions.size(); ++i)
            ro.interventions[i].position = static_cast<int>(i) + 1;
    }
    return ro;
}

// Inserts a built RO (number checked or assigned here) with its "created" event.
Result<Id> insert_new(Connection& conn, RepairOrder& ro, const RepairOrderPatch& patch, const std::string& path,
                      UnixMs created_at, const TimeZone& zone, const Actor& actor, Problems& problems) {
    TRY(check_advisor(conn, ro, patch, problems));
    if (!ro.number.empty()) {
        TRY_ASSIGN(bool taken, ro_store::number_taken(conn, ro.number, 0));
        if (taken) problems.push_back({path + "number", "number_taken", {{"value", ro.number}}});
    }
    if (!problems.empty()) return validation_error(problems);
    if (ro.number.empty()) {
        TRY_ASSIGN(ro.number, ro_store::next_number(conn, zone.to_local(created_at).year));
    }
    TRY_ASSIGN(Id new_id, ro_store::insert(conn, ro, created_at));
    TRY(ro_store::refresh_derived(conn, new_id, created_at, ro_store::BumpVersion::no));
    json data = fields_of(ro);
    data["parties"] = ro.parties.size();
    data["interventions"] = ro.interventions.size();
    TRY(record(conn, new_id, created_at, actor, "repair_order.created", data));
    return new_id;
}

}  // namespace

Result<RepairOrder> RepairOrderService::create(const RepairOrderPatch& patch, const Actor& actor) {
    const ValidationContext ctx{phones_, default_vat_bp_};
    Problems problems;
    RepairOrder ro = build_new(patch, ctx, "", problems);
    const UnixMs now = clock_.now();
    TRY_ASSIGN(Id id, db_.write([&](Connection& conn) {
        return insert_new(conn, ro, patch, "", now, zone_, actor, problems);
    }));
    return get(id);
}

Result<std::vector<Id>> RepairOrderService::import(const std::vector<ImportItem>& items, const Actor& actor) {
    const ValidationContext ctx{phones_, default_vat_bp_};
    Problems problems;
    std::vector<RepairOrder> built;
    built.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        built.push_back(build_new(items[i].patch, ctx, "items[" + std::to_string(i) + "].", problems));
    }
    if (!problems.empty()) return validation_error(problems);
    // Oldest first: ids then follow creation dates, which the "newest first" order relies on.
    std::vector<std::size_t> order(items.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return items[a].created_at < items[b].created_at; });
    return db_.write([&](Connection& conn) -> Result<std::vector<Id>> {
        std::vector<Id> ids(items.size());
        for (std::size_t i : order) {
            TRY_ASSIGN(ids[i], insert_new(conn, built[i], items[i].patch, "items[" + std::to_string(i) + "].",
                                          items[i].created_at, zone_, actor, problems));
        }
        return ids;
    });
}

Result<RepairOrder> RepairOrderService::get(Id id) {
    TRY_ASSIGN(auto ro, db_.read([&](Connection& conn) { return ro_store::load(conn, id); }));
    if (!ro) return not_found_error("repair_order");
    return std::move(*ro);
}

Result<RepairOrderPage> RepairOrderService::list(const RepairOrderQuery& query) {
    return db_.read([&](Connection& conn) { return ro_store::list(conn, query); });
}

Result<std::vector<Event>> RepairOrderService::timeline(Id id) {
    return db_.read([&](Connection& conn) -> Result<std::vector<Event>> {
        TRY_ASSIGN(bool found, ro_store::exists(conn, id));
        if (!found) return not_found_error("repair_order");
        return timeline::for_repair_order(conn, id);
    });
}

Result<std::vector<CustomerReply>> RepairOrderService::replies(Id id) {
    return db_.read([&](Connection& conn) -> Result<std::vector<CustomerReply>> {
        TRY_ASSIGN(bool found, ro_store::exists(conn, id));
        if (!found) return not_found_error("repair_order");
        return ro_replies::replies(conn, id, 200);
    });
}

Result<std::size_t> RepairOrderService::mark_replies_read(Id id, const Actor& actor) {
    const UnixMs now = clock_.now();
    return db_.write([&](Connection& conn) -> Result<std::size_t> {
        TRY_ASSIGN(bool found, ro_store::exists(conn, id));
        if (!found) return not_found_error("repair_order");
        TRY_ASSIGN(auto ids, ro_replies::mark_read(conn, id, actor.id, now));
        // Not a change to the RO (its version stays): who read what, on the history.
        if (!ids.empty())
            TRY(record(conn, id, now, actor, "sms.read", json{{"inbound_ids", ids}, {"count", ids.size()}}));
        return ids.size();
    });
}

Result<void> RepairOrderService::mark_handled(Id id, const Actor& actor) {
    const UnixMs now = clock_.now();
    return db_.write([&](Connection& conn) -> Result<void> {
        TRY_ASSIGN(bool found, ro_store::exists(conn, id));
        if (!found) return not_found_error("repair_order");
        TRY_ASSIGN(auto ids, ro_replies::mark_read(conn, id, actor.id, now));
        TRY(ro_store::mark_handled(conn, id, now));
        conn.mark_changed(id);
        return record(conn, id, now, actor, "repair_order.handled", json{{"replies_read", ids.size()}});
    });
}

Result<void> RepairOrderService::remove(Id id, std::optional<std::int64_t> if_version, const Actor& actor,
                                        bool any_advisor) {
    const UnixMs now = clock_.now();
    return db_.write([&](Connection& conn) -> Result<void> {
        TRY_ASSIGN(RepairOrder ro, load_for_change(conn, id, if_version));
        if (actor.kind == Actor::Kind::user && !any_advisor && ro.advisor && ro.advisor->id != actor.id)
            return make_error(ErrorKind::forbidden, "not_your_repair_order", {{"advisor", ro.advisor->display_name}});
        // Something the customer received stays on record: such an RO is cancelled, not deleted.
        TRY_ASSIGN(auto q, conn.prepare("SELECT count(*) FROM offers WHERE ro_id = ? AND state != 'cancelled'"));
        q.bind(1, id);
        TRY(q.step());
        if (q.int64(0) > 0)
            return make_error(ErrorKind::conflict, "repair_order_has_offers", {{"count", std::to_string(q.int64(0))}});
        TRY(ro_store::mark_deleted(conn, id, actor.id, now));
        conn.mark_changed(id);
        return record(conn, id, now, actor, "repair_order.deleted",
                      json{{"number", ro.number}, {"status", std::string(to_string(ro.status))}});
    });
}

Result<RepairOrder> RepairOrderService::update(Id id, const RepairOrderPatch& patch,
                                               std::optional<std::int64_t> if_version, const Actor& actor) {
    const UnixMs now = clock_.now();
    bool followed = false;
    TRY(db_.write([&](Connection& conn) -> Result<bool> {
        TRY_ASSIGN(RepairOrder ro, load_for_change(conn, id, if_version));
        const std::optional<UnixMs> promised_before = ro.promised_at;
        const json before = fields_of(ro);
        Problems problems;
        apply_repair_order_patch(ro, patch, false, "", problems);
        TRY(check_advisor(conn, ro, patch, problems));
        if (patch.number && problems.empty()) {
            TRY_ASSIGN(bool taken, ro_store::number_taken(conn, ro.number, id));
            if (taken) problems.push_back({"number", "number_taken", {{"value", ro.number}}});
        }
        if (!problems.empty()) return validation_error(problems);
        const json changes = diff(before, fields_of(ro));
        if (changes.empty()) return false;
        TRY(ro_store::update_header(conn, ro, now));
        TRY(finish(conn, id, now));
        TRY(record(conn, id, now, actor, "repair_order.updated", {{"changes", changes}}));
        if (ro.promised_at != promised_before && promised_listener_.changed) {
            TRY_ASSIGN(followed, promised_listener_.changed(conn, id, ro.promised_at, now, actor));
        }
        return true;
    }));
    if (followed && promised_listener_.committed) promised_listener_.committed();
    return get(id);
}

Result<Changed<Party>> RepairOrderService::add_party(Id ro_id, const PartyPatch& patch,
                                                     std::optional<std::int64_t> if_version, const Actor& actor) {
    const ValidationContext ctx{phones_, default_vat_bp_};
    const UnixMs now = clock_.now();
    return db_.write([&](Connection& conn) -> Result<Changed<Party>> {
        TRY_ASSIGN(RepairOrder ro, load_for_change(conn, ro_id, if_version));
        Problems problems;
        Party party;
        apply_party_patch(party, patch, true, ctx, "", problems);
        ro.parties.push_back(party);
        Problems role_problems;
        check_unique_roles(ro.parties, "", role_problems);
        if (!role_problems.empty()) problems.push_back({"roles", "role_taken", role_problems.front().params});
        if (!problems.empty()) return validation_error(problems);
        TRY_ASSIGN(party.id, ro_store::insert_party(conn, ro_id, party, now));
        TRY_ASSIGN(auto version, finish(conn, ro_id, now));
        TRY_ASSIGN(auto reloaded, ro_store::load(conn, ro_id));
        Party* stored = find_party(*reloaded, party.id);
        json data = fields_of(*stored);
        data["party_id"] = party.id;
        data["contact_points"] = stored->contact_points.size();
        TRY(record(conn, ro_id, now, actor, "party.added", data));
        return Changed<Party>{*stored, version};
    });
}

Result<Changed<Party>> RepairOrderService::update_party(Id ro_id, Id party_id, const PartyPatch& patch,
                                                        std::optional<std::int64_t> if_version, const Actor& actor) {
    const ValidationContext ctx{phones_, default_vat_bp_};
    const UnixMs now = clock_.now();
    return db_.write([&](Connection& conn) -> Result<Changed<Party>> {
        TRY_ASSIGN(RepairOrder ro, load_for_change(conn, ro_id, if_version));
        Party* party = find_party(ro, party_id);
        if (!party) return not_found_error("party");
        const json before = fields_of(*party);
        Problems problems;
        apply_party_patch(*party, patch, false, ctx, "", problems);
        Problems role_problems;
        check_unique_roles(ro.parties, "", role_problems);
        if (!role_problems.empty()) problems.push_back({"roles", "role_taken", role_problems.front().params});
        if (!problems.empty()) return validation_error(problems);
        const json changes = diff(before, fields_of(*party));
        std::int64_t version = ro.version;
        if (!changes.empty()) {
            TRY(ro_store::update_party(conn, ro_id, *party, now));
            TRY_ASSIGN(version, finish(conn, ro_id, now));
            TRY(record(conn, ro_id, now, actor, "party.updated", {{"party_id", party_id}, {"changes", changes}}));
        }
        return Changed<Party>{*party, version};
    });
}

Result<std::int64_t> RepairOrderService::remove_party(Id ro_id, Id party_id, std::optional<std::int64_t> if_version,
                                                      const Actor& actor) {
    const UnixMs now = clock_.now();
    return db_.write([&](Connection& conn) -> Result<std::int64_t> {
        TRY_ASSIGN(RepairOrder ro, load_for_change(conn, ro_id, if_version));
        Party* party = find_party(ro, party_id);
        if (!party) return not_found_error("party");
        json data = fields_of(*party);
        data["party_id"] = party_id;
        TRY(ro_store::delete_party(conn, party_id));
        TRY_ASSIGN(auto version, finish(conn, ro_id, now));
        TRY(record(conn, ro_id, now, actor, "party.removed", data));
        return version;
    });
}

Result<Changed<ContactPoint>> RepairOrderService::add_contact_point(Id ro_id, Id party_id,
                                                                    const ContactPointPatch& patch,
                                                                    std::optional<std::int64_t> if_version,
                                                                    const Actor& actor) {
    const ValidationContext ctx{phones_, default_vat_bp_};
    const UnixMs now = clock_.now();
    return db_.write([&](Connection& conn) -> Result<Changed<ContactPoint>> {
        TRY_ASSIGN(RepairOrder ro, load_for_change(conn, ro_id, if_version));
        Party* party = find_party(ro, party_id);
        if (!party) return not_found_error("party");
        Problems problems;
        ContactPoint cp;
        apply_contact_point_patch(cp, patch, true, ctx, "", problems);
        if (problems.empty()) check_not_duplicate(*party, cp, problems);
        if (!problems.empty()) return validation_error(problems);
        TRY_ASSIGN(cp.id, ro_store::insert_contact_point(conn, party_id, cp, now));
        TRY_ASSIGN(auto version, finish(conn, ro_id, now));
        json data = fields_of(cp);
        data["party_id"] = party_id;
        data["contact_point_id"] = cp.id;
        TRY(record(conn, ro_id, now, actor, "contact_point.added", data));
        return Changed<ContactPoint>{cp, version};
    });
}

Result<Changed<ContactPoint>> RepairOrderService::update_contact_point(Id ro_id, Id party_id, Id cp_id,
                                                                       const ContactPointPatch& patch,
                                                                       std::optional<std::int64_t> if_version,
                                                                       const Actor& actor) {
    const ValidationContext ctx{phones_, default_vat_bp_};
    const UnixMs now = clock_.now();
    return db_.write([&](Connection& conn) -> Result<Changed<ContactPoint>> {
        TRY_ASSIGN(RepairOrder ro, load_for_change(conn, ro_id, if_version));
        Party* party = find_party(ro, party_id);
        if (!party) return not_found_error("party");
        const ContactPoint* found = find_contact(*party, cp_id);
        if (!found) return not_found_error("contact_point");
        ContactPoint cp = *found;
        const json before = fields_of(cp);
        Problems problems;
        apply_contact_point_patch(cp, patch, false, ctx, "", problems);
        if (problems.empty()) check_not_duplicate(*party, cp, problems);
        if (!problems.empty()) return validation_error(problems);
        const json changes = diff(before, fields_of(cp));
        std::int64_t version = ro.version;
        if (!changes.empty()) {
            TRY(ro_store::update_contact_point(conn, cp));
            TRY_ASSIGN(version, finish(conn, ro_id, now));
            TRY(record(conn, ro_id, now, actor, "contact_point.updated",
                       {{"party_id", party_id}, {"contact_point_id", cp_id}, {"changes", changes}}));
        }
        return Changed<ContactPoint>{cp, version};
    });
}

Result<std::int64_t> RepairOrderService::remove_contact_point(Id ro_id, Id party_id, Id cp_id,
                                                              std::optional<std::int64_t> if_version,
                                                              const Actor& actor) {
    const UnixMs now = clock_.now();
    return db_.write([&](Connection& conn) -> Result<std::int64_t> {
        TRY_ASSIGN(RepairOrder ro, load_for_change(conn, ro_id, if_version));
        Party* party = find_party(ro, party_id);
        if (!party) return not_found_error("party");
        const ContactPoint* found = find_contact(*party, cp_id);
        if (!found) return not_found_error("contact_point");
        json data = fields_of(*found);
        data["party_id"] = party_id;
        data["contact_point_id"] = cp_id;
        TRY(ro_store::delete_contact_point(conn, cp_id));
        TRY_ASSIGN(auto version, finish(conn, ro_id, now));
        TRY(record(conn, ro_id, now, actor, "contact_point.removed", data));
        return version;
    });
}

Result<Changed<Intervention>> RepairOrderService::add_intervention(Id ro_id, const InterventionPatch& patch,
                                                                   std::optional<std::int64_t> if_version,
                                                                   const Actor& actor) {
    const ValidationContext ctx{phones_, default_vat_bp_};
    const UnixMs now = clock_.now();
    return db_.write([&](Connection& conn) -> Result<Changed<Intervention>> {
        TRY_ASSIGN(RepairOrder ro, load_for_change(conn, ro_id, if_version));
        Problems problems;
        Intervention item;
        item.position = static_cast<int>(ro.interventions.size()) + 1;
        apply_intervention_patch(item, patch, true, ctx, "", problems);
        if (!problems.empty()) return validation_error(problems);
        const int wanted = item.position;
        item.position = static_cast<int>(ro.interventions.size()) + 1;
        TRY_ASSIGN(item.id, ro_store::insert_intervention(conn, ro_id, item, now));
        std::vector<Intervention> items = ro.interventions;
        items.push_back(item);
        reposition(items, item.id, wanted);
        for (const Intervention& i : items) {
            const auto old = std::find_if(ro.interventions.begin(), ro.interventions.end(),
                                          [&](const Intervention& o) { return o.id == i.id; });
            if (i.id == item.id ? i.position != item.position : old->position != i.position) {
                TRY(ro_store::update_intervention(conn, i, now));
            }
            if (i.id == item.id) item.position = i.position;
        }
        TRY_ASSIGN(auto version, finish(conn, ro_id, now));
        json data = fields_of(item);
        data["intervention_id"] = item.id;
        TRY(record(conn, ro_id, now, actor, "intervention.added", data));
        return Changed<Intervention>{item, version};
    });
}

Result<Changed<Intervention>> RepairOrderService::update_intervention(Id ro_id, Id item_id,
                                                                      const InterventionPatch& patch,
                                                                      std::optional<std::int64_t> if_version,
                                                                      const Actor& actor, AgreedChange agreed) {
    const ValidationContext ctx{phones_, default_vat_bp_};
    const UnixMs now = clock_.now();
    return db_.write([&](Connection& conn) -> Result<Changed<Intervention>> {
        TRY_ASSIGN(RepairOrder ro, load_for_change(conn, ro_id, if_version));
        const auto it = std::find_if(ro.interventions.begin(), ro.interventions.end(),
                                     [&](const Intervention& i) { return i.id == item_id; });
        if (it == ro.interventions.end()) return not_found_error("intervention");
        Intervention item = *it;
        Problems problems;
        apply_intervention_patch(item, patch, false, ctx, "", problems);
        if (!problems.empty()) return validation_error(problems);
        if (agreed == AgreedChange::refuse && agreement_guard_) TRY(agreement_guard_(conn, ro_id, *it, &item));
        std::vector<Intervention> items = ro.interventions;
        *std::find_if(items.begin(), items.end(), [&](const Intervention& i) { return i.id == item_id; }) = item;
        if (patch.position) reposition(items, item_id, item.position);
        bool changed = false;
        json changes = json::object();
        for (const Intervention& i : items) {
            const Intervention& old = *std::find_if(ro.interventions.begin(), ro.interventions.end(),
                                                    [&](const Intervention& o) { return o.id == i.id; });
            const json d = diff(fields_of(old), fields_of(i));
            if (d.empty()) continue;
            changed = true;
            TRY(ro_store::update_intervention(conn, i, now));
            if (i.id == item_id) {
                changes = d;
                item = i;
            }
        }
        std::int64_t version = ro.version;
        if (changed) {
            TRY_ASSIGN(version, finish(conn, ro_id, now));
            if (!changes.empty()) {
                TRY(record(conn, ro_id, now, actor, "intervention.updated",
                           {{"intervention_id", item_id}, {"label", item.label}, {"changes", changes}}));
            }
        }
        return Changed<Intervention>{item, version};
    });
}

Result<std::int64_t> RepairOrderService::remove_intervention(Id ro_id, Id item_id,
                                                             std::optional<std::int64_t> if_version, const Actor& actor,
                                                             AgreedChange agreed) {
    const UnixMs now = clock_.now();
    return db_.write([&](Connection& conn) -> Result<std::int64_t> {
        TRY_ASSIGN(RepairOrder ro, load_for_change(conn, ro_id, if_version));
        const auto it = std::find_if(ro.interventions.begin(), ro.interventions.end(),
                                     [&](const Intervention& i) { return i.id == item_id; });
        if (it == ro.interventions.end()) return not_found_error("intervention");
        if (agreed == AgreedChange::refuse && agreement_guard_) TRY(agreement_guard_(conn, ro_id, *it, nullptr));
        json data = fields_of(*it);
        data["intervention_id"] = item_id;
        TRY(ro_store::delete_intervention(conn, item_id));
        std::vector<Intervention> items = ro.interventions;
        items.erase(items.begin() + (it - ro.interventions.begin()));
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (items[i].position != static_cast<int>(i) + 1) {
                items[i].position = static_cast<int>(i) + 1;
                TRY(ro_store::update_intervention(conn, items[i], now));
            }
        }
        TRY_ASSIGN(auto version, finish(conn, ro_id, now));
        TRY(record(conn, ro_id, now, actor, "intervention.removed", data));
        return version;
    });
}

Result<std::optional<RepairOrder>> RepairOrderService::read(Connection& conn, Id id) {
    return ro_store::load(conn, id);
}

Result<std::vector<RepairOrderService::Authorized>> RepairOrderService::authorize(Connection& c, Id ro_id,
                                                                                  const std::map<Id, bool>& wanted,
                                                                                  UnixMs now) {
    TRY_ASSIGN(auto ro, ro_store::load(c, ro_id));
    if (!ro) return not_found_error("repair_order");
    std::vector<Authorized> changed;
    for (const auto& [item_id, want] : wanted) {
        for (const Intervention& it : ro->interventions) {
            if (it.id != item_id || it.authorized == want) continue;
            TRY(ro_store::set_authorized(c, it.id, want, now));
            changed.push_back({it.label, want});
        }
    }
    if (!changed.empty()) TRY(ro_store::refresh_derived(c, ro_id, now, ro_store::BumpVersion::yes));
    return changed;
}

Result<int> RepairOrderService::refresh_search_documents(Connection& conn) {
    return ro_store::refresh_search_documents(conn);
}

}  // namespace relais
