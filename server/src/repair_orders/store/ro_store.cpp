#include "ro_store.hpp"

#include "ro_queries.hpp"
#include "search.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace relais::ro_store {
namespace {

Result<void> insert_roles(Connection& conn, Id ro_id, Id party_id, const std::vector<PartyRole>& roles) {
    TRY_ASSIGN(auto stmt, conn.prepare("INSERT INTO party_roles (ro_id, role, party_id) VALUES (?, ?, ?)"));
    for (PartyRole role : roles) {
        stmt.bind(1, ro_id).bind(2, to_string(role)).bind(3, party_id);
        TRY(stmt.run());
    }
    return success();
}

}  // namespace

Result<std::optional<RepairOrder>> load(Connection& conn, Id id) {
    RepairOrder ro;
    {
        TRY_ASSIGN(
            auto s,
            conn.prepare(
                "SELECT ro.id, ro.number, ro.status, ro.advisor_id, u.username, u.display_name, "
                "ro.promised_at, ro.note, ro.plate, ro.vin, ro.make, ro.model, ro.mileage_km, ro.version, "
                "ro.created_at, ro.updated_at, ro.deleted_at, d.id, d.username, d.display_name FROM repair_orders ro "
                "LEFT JOIN users u ON u.id = ro.advisor_id LEFT JOIN users d ON d.id = ro.deleted_by "
                "WHERE ro.id = ?"));
        s.bind(1, id);
        TRY_ASSIGN(bool found, s.step());
        if (!found) return std::optional<RepairOrder>();
        ro.id = s.int64(0);
        ro.number = s.text(1);
        ro.status = enum_or(s.text(2), RoStatus::open);
        if (!s.is_null(3)) ro.advisor = UserRef{s.int64(3), s.text(4), s.text(5)};
        ro.promised_at = s.optional_int64(6);
        ro.note = s.text(7);
        ro.vehicle.plate = s.text(8);
        ro.vehicle.vin = s.text(9);
        ro.vehicle.make = s.text(10);
        ro.vehicle.model = s.text(11);
        ro.vehicle.mileage_km = s.optional_int64(12);
        ro.version = s.int64(13);
        ro.created_at = s.int64(14);
        ro.updated_at = s.int64(15);
        ro.deleted_at = s.optional_int64(16);
        if (!s.is_null(17)) ro.deleted_by = UserRef{s.int64(17), s.text(18), s.text(19)};
    }
    {
        TRY_ASSIGN(auto s, conn.prepare(std::string("SELECT ") + attention_condition +
                                        " FROM repair_orders ro WHERE ro.id = ?"));
        s.bind(1, id);
        TRY_ASSIGN(bool row, s.step());
        ro.needs_attention = row && s.int64(0) != 0;
    }
    {
        TRY_ASSIGN(auto s,
                   conn.prepare("SELECT id, kind, title, first_name, last_name, company_name, language, opted_out, "
                                "preferred_name FROM parties WHERE ro_id = ? ORDER BY id"));
        s.bind(1, id);
        for (;;) {
            TRY_ASSIGN(bool row, s.step());
            if (!row) break;
            Party p;
            p.id = s.int64(0);
            p.kind = enum_or(s.text(1), PartyKind::person);
            p.title = s.text(2);
            p.first_name = s.text(3);
            p.last_name = s.text(4);
            p.company_name = s.text(5);
            p.language = s.text(6);
            p.opted_out = s.int64(7) != 0;
            p.preferred_name = s.text(8);
            ro.parties.push_back(std::move(p));
        }
    }
    const auto party_by_id = [&ro](Id party_id) -> Party* {
        for (Party& p : ro.parties) {
            if (p.id == party_id) return &p;
        }
        return nullptr;
    };
    {
        TRY_ASSIGN(auto s, conn.prepare("SELECT party_id, role FROM party_roles WHERE ro_id = ?"));
        s.bind(1, id);
        for (;;) {
            TRY_ASSIGN(bool row, s.step());
            if (!row) break;
            if (Party* p = party_by_id(s.int64(0))) {
                if (auto role = parse_enum<PartyRole>(s.text(1))) p->roles.push_back(*role);
            }
        }
        for (Party& p : ro.parties) std::sort(p.roles.begin(), p.roles.end());
    }
    {
        TRY_ASSIGN(auto s, conn.prepare("SELECT cp.id, cp.party_id, cp.kind, cp.usage, cp.value, cp.opted_out "
                                        "FROM contact_points cp JOIN parties p ON p.id = cp.party_id "
                                        "WHERE p.ro_id = ? ORDER BY cp.id"));
        s.bind(1, id);
        for (;;) {
            TRY_ASSIGN(bool row, s.step());
            if (!row) break;
            if (Party* p = party_by_id(s.int64(1))) {
                ContactPoint cp;
                cp.id = s.int64(0);
                cp.kind = enum_or(s.text(2), ContactKind::phone);
                cp.usage = enum_or(s.text(3), ContactUsage::personal);
                cp.value = s.text(4);
                cp.opted_out = s.int64(5) != 0;
                p->contact_points.push_back(std::move(cp));
            }
        }
    }
    {
        TRY_ASSIGN(auto s,
                   conn.prepare("SELECT id, position, label, mechanic_note, price_excl_cents, price_incl_cents, "
                                "vat_rate_bp, kind, severity, shown, authorized FROM interventions WHERE ro_id = ? "
                                "ORDER BY position, id"));
        s.bind(1, id);
        for (;;) {
            TRY_ASSIGN(bool row, s.step());
            if (!row) break;
            Intervention it;
            it.id = s.int64(0);
            it.position = static_cast<int>(s.int64(1));
            it.label = s.text(2);
            it.mechanic_note = s.text(3);
            it.price_excl = s.int64(4);
            it.price_incl = s.int64(5);
            it.vat_bp = static_cast<VatBp>(s.int64(6));
            it.kind = enum_or(s.text(7), InterventionKind::initial);
            it.severity = enum_or(s.text(8), Severity::orange);
            it.shown = s.int64(9) != 0;
            if (!s.is_null(10)) it.authorized = s.int64(10) != 0;
            ro.interventions.push_back(std::move(it));
        }
    }
    return std::optional<RepairOrder>(std::move(ro));
}

namespace {

// The header's columns as insert() and update_header() list them: number … mileage_km, then
// updated_at (11).
void bind_header(Statement& s, const RepairOrder& ro, UnixMs now) {
    s.bind(1, ro.number)
        .bind(2, to_string(ro.status))
        .bind(3, ro.advisor ? std::optional<Id>(ro.advisor->id) : std::nullopt);
    s.bind(4, ro.promised_at).bind(5, ro.note).bind(6, ro.vehicle.plate).bind(7, ro.vehicle.vin);
    s.bind(8, ro.vehicle.make).bind(9, ro.vehicle.model).bind(10, ro.vehicle.mileage_km).bind(11, now);
}

}  // namespace

Result<Id> insert(Connection& conn, const RepairOrder& ro, UnixMs now) {
    {
        TRY_ASSIGN(auto s,
                   conn.prepare("INSERT INTO repair_orders (number, status, advisor_id, promised_at, note, plate, "
                                "vin, make, model, mileage_km, version, created_at, updated_at) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)"));
        bind_header(s, ro, now);
        s.bind(12, now);
        TRY(s.run());
    }
    const Id id = conn.last_insert_id();
    for (const Party& p : ro.parties) {
        TRY(insert_party(conn, id, p, now));
    }
    for (const Intervention& it : ro.interventions) {
        TRY(insert_intervention(conn, id, it, now));
    }
    return id;
}

Result<void> update_header(Connection& conn, const RepairOrder& ro, UnixMs now) {
    TRY_ASSIGN(auto s, conn.prepare("UPDATE repair_orders SET number = ?, status = ?, advisor_id = ?, promised_at = ?, "
                                    "note = ?, plate = ?, vin = ?, make = ?, model = ?, mileage_km = ?, updated_at = ? "
                                    "WHERE id = ?"));
    bind_header(s, ro, now);
    s.bind(12, ro.id);
    return s.run();
}

Result<Id> insert_party(Connection& conn, Id ro_id, const Party& party, UnixMs now) {
    {
        TRY_ASSIGN(auto s, conn.prepare(
                               "INSERT INTO parties (ro_id, kind, title, first_name, last_name, company_name, "
                               "language, opted_out, created_at, updated_at, preferred_name) VALUES (?, ?, ?, ?, ?, ?, "
                               "?, ?, ?, ?, ?)"));
        s.bind(1, ro_id).bind(2, to_string(party.kind)).bind(3, party.title).bind(4, party.first_name);
        s.bind(5, party.last_name).bind(6, party.company_name).bind(7, party.language).bind(8, party.opted_out);
        s.bind(9, now).bind(10, now).bind(11, party.preferred_name);
        TRY(s.run());
    }
    const Id party_id = conn.last_insert_id();
    TRY(insert_roles(conn, ro_id, party_id, party.roles));
    for (const ContactPoint& cp : party.contact_points) {
        TRY(insert_contact_point(conn, party_id, cp, now));
    }
    return party_id;
}

Result<void> update_party(Connection& conn, Id ro_id, const Party& party, UnixMs now) {
    {
        TRY_ASSIGN(auto s,
                   conn.prepare("UPDATE parties SET kind = ?, title = ?, first_name = ?, last_name = ?, "
                                "company_name = ?, language = ?, opted_out = ?, updated_at = ?, preferred_name = ? "
                                "WHERE id = ?"));
        s.bind(1, to_string(party.kind)).bind(2, party.title).bind(3, party.first_name).bind(4, party.last_name);
        s.bind(5, party.company_name).bind(6, party.language).bind(7, party.opted_out).bind(8, now);
        s.bind(9, party.preferred_name).bind(10, party.id);
        TRY(s.run());
    }
    {
        TRY_ASSIGN(auto s, conn.prepare("DELETE FROM party_roles WHERE party_id = ?"));
        s.bind(1, party.id);
        TRY(s.run());
    }
    return insert_roles(conn, ro_id, party.id, party.roles);
}

Result<void> delete_party(Connection& conn, Id party_id) {
    TRY_ASSIGN(auto s, conn.prepare("DELETE FROM parties WHERE id = ?"));
    s.bind(1, party_id);
    return s.run();
}

Result<Id> insert_contact_point(Connection& conn, Id party_id, const ContactPoint& cp, UnixMs now) {
    TRY_ASSIGN(auto s, conn.prepare("INSERT INTO contact_points (party_id, kind, usage, value, opted_out, created_at) "
                                    "VALUES (?, ?, ?, ?, ?, ?)"));
    s.bind(1, party_id).bind(2, to_string(cp.kind)).bind(3, to_string(cp.usage)).bind(4, cp.value);
    s.bind(5, cp.opted_out).bind(6, now);
    TRY(s.run());
    return conn.last_insert_id();
}

Result<void> update_contact_point(Connection& conn, const ContactPoint& cp) {
    TRY_ASSIGN(auto s,
               conn.prepare("UPDATE contact_points SET kind = ?, usage = ?, value = ?, opted_out = ? WHERE id = ?"));
    s.bind(1, to_string(cp.kind)).bind(2, to_string(cp.usage)).bind(3, cp.value).bind(4, cp.opted_out).bind(5, cp.id);
    return s.run();
}

Result<void> mark_number_opted_out(Connection& conn, const std::string& number) {
    TRY_ASSIGN(auto s, conn.prepare("UPDATE contact_points SET opted_out = 1 WHERE kind = 'phone' AND value = ?"));
    s.bind(1, number);
    TRY(s.run());
    return {};
}

Result<void> delete_contact_point(Connection& conn, Id cp_id) {
    TRY_ASSIGN(auto s, conn.prepare("DELETE FROM contact_points WHERE id = ?"));
    s.bind(1, cp_id);
    return s.run();
}

Result<Id> insert_intervention(Connection& conn, Id ro_id, const Intervention& it, UnixMs now) {
    TRY_ASSIGN(auto s,
               conn.prepare("INSERT INTO interventions (ro_id, position, label, mechanic_note, price_excl_cents, "
                            "price_incl_cents, vat_rate_bp, kind, severity, shown, created_at, updated_at, "
                            "authorized) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    s.bind(1, ro_id).bind(2, it.position).bind(3, it.label).bind(4, it.mechanic_note).bind(5, it.price_excl);
    s.bind(6, it.price_incl).bind(7, it.vat_bp).bind(8, to_string(it.kind)).bind(9, to_string(it.severity));
    s.bind(10, it.shown).bind(11, now).bind(12, now).bind(13, it.authorized);
    TRY(s.run());
    return conn.last_insert_id();
}

Result<void> update_intervention(Connection& conn, const Intervention& it, UnixMs now) {
    TRY_ASSIGN(auto s,
               conn.prepare("UPDATE interventions SET position = ?, label = ?, mechanic_note = ?, "
                            "price_excl_cents = ?, price_incl_cents = ?, vat_rate_bp = ?, kind = ?, severity = ?, "
                            "shown = ?, updated_at = ?, authorized = ? WHERE id = ?"));
    s.bind(1, it.position).bind(2, it.label).bind(3, it.mechanic_note).bind(4, it.price_excl).bind(5, it.price_incl);
    s.bind(6, it.vat_bp).bind(7, to_string(it.kind)).bind(8, to_string(it.severity)).bind(9, it.shown);
    s.bind(10, now).bind(11, it.authorized).bind(12, it.id);
    return s.run();
}

Result<void> delete_intervention(Connection& conn, Id item_id) {
    TRY_ASSIGN(auto s, conn.prepare("DELETE FROM interventions WHERE id = ?"));
    s.bind(1, item_id);
    return s.run();
}

Result<void> set_authorized(Connection& conn, Id item_id, bool authorized, UnixMs now) {
    TRY_ASSIGN(auto u, conn.prepare("UPDATE interventions SET authorized = ?, updated_at = ? WHERE id = ?"));
    u.bind(1, authorized).bind(2, now).bind(3, item_id);
    return u.run();
}

Result<std::int64_t> refresh_derived(Connection& conn, Id ro_id, UnixMs now, BumpVersion bump) {
    TRY_ASSIGN(auto loaded, load(conn, ro_id));
    if (!loaded) return not_found_error("repair_order");
    const RepairOrder& ro = *loaded;
    const Party* main = ro.main_party();
    Cents total = 0;
    for (const Intervention& it : ro.interventions) {
        if (it.shown) total += it.price_incl;
    }
    {
        TRY_ASSIGN(auto s, conn.prepare("UPDATE repair_orders SET customer_name = ?, intervention_count = ?, "
                                        "total_incl_cents = ?, updated_at = ?, version = version + ? WHERE id = ?"));
        s.bind(1, main ? main->display_name() : std::string())
            .bind(2, static_cast<std::int64_t>(ro.interventions.size()));
        s.bind(3, total).bind(4, now).bind(5, bump == BumpVersion::yes ? 1 : 0).bind(6, ro_id);
        TRY(s.run());
    }
    TRY(update_search_document(conn, ro_id, search_document(ro)));
    return ro.version + (bump == BumpVersion::yes ? 1 : 0);
}

Result<void> mark_handled(Connection& conn, Id id, UnixMs now) {
    TRY_ASSIGN(auto s, conn.prepare("UPDATE repair_orders SET handled_at = ? WHERE id = ?"));
    s.bind(1, now).bind(2, id);
    return s.run();
}

Result<void> mark_deleted(Connection& conn, Id id, Id user_id, UnixMs now) {
    TRY_ASSIGN(auto s, conn.prepare("UPDATE repair_orders SET status = 'cancelled', deleted_at = ?, deleted_by = ?, "
                                    "updated_at = ?, version = version + 1 WHERE id = ? AND deleted_at IS NULL"));
    s.bind(1, now).bind(2, user_id).bind(3, now).bind(4, id);
    TRY(s.run());
    return update_search_document(conn, id, "");  // found by no search
}

Result<bool> exists(Connection& conn, Id id) {
    TRY_ASSIGN(auto s, conn.prepare("SELECT 1 FROM repair_orders WHERE id = ?"));
    s.bind(1, id);
    return s.step();
}

Result<bool> number_taken(Connection& conn, const std::string& number, Id except_id) {
    TRY_ASSIGN(auto s, conn.prepare("SELECT 1 FROM repair_orders WHERE number = ? AND id != ?"));
    s.bind(1, number).bind(2, except_id);
    return s.step();
}

Result<std::string> next_number(Connection& conn, int year) {
    const std::string counter = "ro_number:" + std::to_string(year);
    for (;;) {
        {
            TRY_ASSIGN(auto s, conn.prepare("INSERT INTO counters (name, value) VALUES (?, 1) "
                                            "ON CONFLICT (name) DO UPDATE SET value = value + 1"));
            s.bind(1, counter);
            TRY(s.run());
        }
        TRY_ASSIGN(auto s, conn.prepare("SELECT value FROM counters WHERE name = ?"));
        s.bind(1, counter);
        TRY_ASSIGN(bool row, s.step());
        if (!row) return internal_error("counter vanished");
        char buf[40];
        std::snprintf(buf, sizeof buf, "OR-%d-%05lld", year, static_cast<long long>(s.int64(0)));
        s.reset();
        // A DMS may already have used the same format: skip numbers that are taken.
        TRY_ASSIGN(bool taken, number_taken(conn, buf, 0));
        if (!taken) return std::string(buf);
    }
}

Result<std::optional<UserRef>> find_user_ref(Connection& conn, Id user_id) {
    TRY_ASSIGN(auto s, conn.prepare("SELECT id, username, display_name FROM users WHERE id = ? AND active = 1"));
    s.bind(1, user_id);
    TRY_ASSIGN(bool row, s.step());
    if (!row) return std::optional<UserRef>();
    return std::optional<UserRef>(UserRef{s.int64(0), s.text(1), s.text(2)});
}

}  // namespace relais::ro_store
