#include "ro_store.hpp"

#include "search.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace relais::ro_store {
namespace {

template <class E>
E enum_or(const std::string& s, E fallback) {
    return parse_enum<E>(s).value_or(fallback);
}

Result<void> insert_roles(Connection& conn, Id ro_id, Id party_id, const std::vector<PartyRole>& roles) {
    TRY_ASSIGN(auto stmt, conn.prepare("INSERT INTO party_roles (ro_id, role, party_id) VALUES (?, ?, ?)"));
    for (PartyRole role : roles) {
        stmt.bind(1, ro_id).bind(2, to_string(role)).bind(3, party_id);
        TRY(stmt.run());
    }
    return success();
}

// What makes an RO "to handle" (RepairOrderQuery::attention), for an `ro` row.
constexpr const char* attention_condition =
    "(EXISTS (SELECT 1 FROM sms_inbound i WHERE i.ro_id = ro.id AND i.read_at IS NULL) "
    "OR EXISTS (SELECT 1 FROM events e WHERE e.ro_id = ro.id AND e.type IN ('offer.confirmed', 'message.failed', "
    "'message.quarantined') AND e.at > coalesce(ro.handled_at, 0)) "
    "OR EXISTS (SELECT 1 FROM offers o JOIN offer_decisions d ON d.offer_id = o.id WHERE o.ro_id = ro.id AND "
    "d.decision = 'contact_me' AND d.decided_at > coalesce(ro.handled_at, 0)))";

constexpr const char* summary_columns =
    "ro.id, ro.number, ro.status, ro.advisor_id, u.username, u.display_name, ro.promised_at, ro.plate, ro.make, "
    "ro.model, ro.customer_name, ro.intervention_count, ro.total_incl_cents, ro.version, ro.created_at, "
    "ro.updated_at, "
    "(SELECT o.state || ' ' || o.version FROM offers o WHERE o.ro_id = ro.id ORDER BY o.version DESC LIMIT 1), "
    "(SELECT count(*) FROM sms_inbound i WHERE i.ro_id = ro.id AND i.read_at IS NULL), ";

std::string summary_select() { return std::string("SELECT ") + summary_columns + attention_condition; }

RepairOrderSummary read_summary(const Statement& s) {
    RepairOrderSummary r;
    r.id = s.int64(0);
    r.number = s.text(1);
    r.status = enum_or(s.text(2), RoStatus::open);
    if (!s.is_null(3)) r.advisor = UserRef{s.int64(3), s.text(4), s.text(5)};
    r.promised_at = s.optional_int64(6);
    r.plate = s.text(7);
    r.make = s.text(8);
    r.model = s.text(9);
    r.customer_name = s.text(10);
    r.intervention_count = static_cast<int>(s.int64(11));
    r.total_incl = s.int64(12);
    r.version = s.int64(13);
    r.created_at = s.int64(14);
    r.updated_at = s.int64(15);
    if (!s.is_null(16)) {  // "seen 2"
        const std::string latest = s.text(16);
        const auto space = latest.find(' ');
        r.offer_state = latest.substr(0, space);
        if (space != std::string::npos) r.offer_version = std::atoi(latest.c_str() + space + 1);
    }
    r.unread_replies = static_cast<int>(s.int64(17));
    r.needs_attention = s.int64(18) != 0;
    return r;
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
                   conn.prepare("SELECT id, kind, title, first_name, last_name, company_name, language, opted_out "
                                "FROM parties WHERE ro_id = ? ORDER BY id"));
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
        TRY_ASSIGN(auto s,
                   conn.prepare("INSERT INTO parties (ro_id, kind, title, first_name, last_name, company_name, "
                                "language, opted_out, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        s.bind(1, ro_id).bind(2, to_string(party.kind)).bind(3, party.title).bind(4, party.first_name);
        s.bind(5, party.last_name).bind(6, party.company_name).bind(7, party.language).bind(8, party.opted_out);
        s.bind(9, now).bind(10, now);
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
        TRY_ASSIGN(auto s, conn.prepare("UPDATE parties SET kind = ?, title = ?, first_name = ?, last_name = ?, "
                                        "company_name = ?, language = ?, opted_out = ?, updated_at = ? WHERE id = ?"));
        s.bind(1, to_string(party.kind)).bind(2, party.title).bind(3, party.first_name).bind(4, party.last_name);
        s.bind(5, party.company_name).bind(6, party.language).bind(7, party.opted_out).bind(8, now).bind(9, party.id);
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

Result<void> update_search_document(Connection& conn, Id ro_id, const std::string& doc) {
    // The two indexes read their text from ro_search_doc (external content): to take an old
    // document out of them, FTS5 must be given its exact old text.
    std::optional<std::string> old;
    {
        TRY_ASSIGN(auto s, conn.prepare("SELECT doc FROM ro_search_doc WHERE id = ?"));
        s.bind(1, ro_id);
        TRY_ASSIGN(bool row, s.step());
        if (row) old = s.text(0);
    }
    if (old == doc) return success();
    for (const char* index : {"ro_search", "ro_words"}) {
        if (old) {
            TRY_ASSIGN(auto s, conn.prepare(std::string("INSERT INTO ") + index + " (" + index +
                                            ", rowid, doc) VALUES ('delete', ?, ?)"));
            s.bind(1, ro_id).bind(2, *old);
            TRY(s.run());
        }
        TRY_ASSIGN(auto s, conn.prepare(std::string("INSERT INTO ") + index + " (rowid, doc) VALUES (?, ?)"));
        s.bind(1, ro_id).bind(2, doc);
        TRY(s.run());
    }
    TRY_ASSIGN(auto s, conn.prepare("INSERT INTO ro_search_doc (id, doc) VALUES (?, ?) "
                                    "ON CONFLICT (id) DO UPDATE SET doc = excluded.doc"));
    s.bind(1, ro_id).bind(2, doc);
    return s.run();
}

Result<int> refresh_search_documents(Connection& conn) {
    {
        TRY_ASSIGN(auto s, conn.prepare("SELECT value FROM counters WHERE name = 'search_document_version'"));
        TRY_ASSIGN(bool row, s.step());
        if (row && s.int64(0) >= search_document_version) return 0;
    }
    std::vector<Id> ids;
    {
        TRY_ASSIGN(auto s, conn.prepare("SELECT id FROM repair_orders ORDER BY id"));
        for (;;) {
            TRY_ASSIGN(bool row, s.step());
            if (!row) break;
            ids.push_back(s.int64(0));
        }
    }
    for (Id id : ids) {
        TRY_ASSIGN(auto ro, load(conn, id));
        if (ro) TRY(update_search_document(conn, id, search_document(*ro)));
    }
    TRY_ASSIGN(auto s, conn.prepare("INSERT INTO counters (name, value) VALUES ('search_document_version', ?) "
                                    "ON CONFLICT (name) DO UPDATE SET value = excluded.value"));
    s.bind(1, static_cast<std::int64_t>(search_document_version));
    TRY(s.run());
    return static_cast<int>(ids.size());
}

namespace {

// A search with no other filter, newest or oldest first: FTS5 walks its index in rowid order
// and stops after one page, instead of materialising every match and sorting it.
Result<std::optional<RepairOrderPage>> search_only(Connection& conn, const RepairOrderQuery& q,
                                                   const SearchQuery& search) {
    const bool one_index = search.substring_match.empty() != search.prefix_match.empty();
    const bool plain_order = q.sort == RepairOrderQuery::Sort::newest || q.sort == RepairOrderQuery::Sort::oldest;
    if (!one_index || !plain_order || !q.statuses.empty() || q.advisor_id || q.unassigned || q.from || q.to ||
        q.attention) {
        return std::optional<RepairOrderPage>();
    }
    const std::string index = search.substring_match.empty() ? "ro_words" : "ro_search";
    const std::string& match = search.substring_match.empty() ? search.prefix_match : search.substring_match;
    RepairOrderPage page;
    page.page = q.page;
    page.per_page = q.per_page;
    {
        TRY_ASSIGN(auto s, conn.prepare("SELECT count(*) FROM " + index + " WHERE " + index + " MATCH ?"));
        s.bind(1, match);
        TRY_ASSIGN(bool row, s.step());
        page.total = row ? s.int64(0) : 0;
    }
    if (page.total == 0) return std::optional<RepairOrderPage>(page);
    const char* dir = q.sort == RepairOrderQuery::Sort::newest ? "DESC" : "ASC";
    TRY_ASSIGN(auto s, conn.prepare(summary_select() + " FROM (SELECT rowid AS id FROM " + index + " WHERE " + index +
                                    " MATCH ? ORDER BY rowid " + dir +
                                    " LIMIT ? OFFSET ?) hits JOIN repair_orders ro ON ro.id = hits.id "
                                    "LEFT JOIN users u ON u.id = ro.advisor_id ORDER BY ro.id " +
                                    dir));
    s.bind(1, match).bind(2, q.per_page).bind(3, static_cast<std::int64_t>(q.page - 1) * q.per_page);
    for (;;) {
        TRY_ASSIGN(bool row, s.step());
        if (!row) break;
        page.items.push_back(read_summary(s));
    }
    return std::optional<RepairOrderPage>(page);
}

}  // namespace

Result<RepairOrderPage> list(Connection& conn, const RepairOrderQuery& q) {
    {
        const SearchQuery search = parse_search_query(q.text);
        if (!search.empty()) {
            TRY_ASSIGN(auto fast, search_only(conn, q, search));
            if (fast) return std::move(*fast);
        }
    }
    std::string where;
    const auto clause = [&where](const std::string& c) { where += (where.empty() ? " WHERE " : " AND ") + c; };
    const SearchQuery search = parse_search_query(q.text);
    if (!search.substring_match.empty()) clause("ro.id IN (SELECT rowid FROM ro_search WHERE ro_search MATCH ?)");
    if (!search.prefix_match.empty()) clause("ro.id IN (SELECT rowid FROM ro_words WHERE ro_words MATCH ?)");
    // One placeholder per status asked for (at most one per status there is, so at most
    // kRoStatusCount statement texts: requests cannot fill the statement cache). Not a fixed
    // five with NULLs: with one status, "IN (?)" is an equality and "newest first" walks the
    // (status, id) index and stops after a page; five slots made SQLite sort every match
    // (0.7 ms became 115 ms on 100,000 repair orders, docs/BENCHMARKS.md).
    if (q.statuses.size() > kRoStatusCount) return internal_error("more statuses than there are");
    const auto status_in = [n = q.statuses.size()] {
        std::string in = "status IN (";
        for (std::size_t i = 0; i < n; ++i) in += i ? ", ?" : "?";
        return in + ")";
    };
    if (!q.statuses.empty()) clause("ro." + status_in());
    clause("ro.deleted_at IS NULL");
    if (q.attention) clause(attention_condition);
    if (q.unassigned) {
        clause("ro.advisor_id IS NULL");
    } else if (q.advisor_id) {
        clause("ro.advisor_id = ?");
    }
    // The promised date is compared through the same expression as its index.
    const bool promised = q.date_field == RepairOrderQuery::DateField::promised;
    const std::string date_col = promised ? "coalesce(ro.promised_at, 9223372036854775807)" : "ro.created_at";
    if (promised && (q.from || q.to)) clause("ro.promised_at IS NOT NULL");
    if (q.from) clause(date_col + " >= ?");
    if (q.to) clause(date_col + " < ?");

    const auto bind_filters = [&](Statement& s) {
        int i = 1;
        if (!search.substring_match.empty()) s.bind(i++, search.substring_match);
        if (!search.prefix_match.empty()) s.bind(i++, search.prefix_match);
        for (RoStatus st : q.statuses) s.bind(i++, to_string(st));
        if (!q.unassigned && q.advisor_id) s.bind(i++, *q.advisor_id);
        if (q.from) s.bind(i++, *q.from);
        if (q.to) s.bind(i++, *q.to);
        return i;
    };

    RepairOrderPage page;
    page.page = q.page;
    page.per_page = q.per_page;
    const bool by_status_only = search.empty() && !q.advisor_id && !q.unassigned && !q.from && !q.to && !q.attention;
    if (by_status_only) {
        TRY_ASSIGN(auto s, conn.prepare("SELECT coalesce(sum(n), 0) FROM ro_status_counts" +
                                        (q.statuses.empty() ? std::string() : " WHERE " + status_in())));
        for (std::size_t i = 0; i < q.statuses.size(); ++i) s.bind(static_cast<int>(i) + 1, to_string(q.statuses[i]));
        TRY_ASSIGN(bool row, s.step());
        page.total = row ? s.int64(0) : 0;
        // Deleted repair orders are cancelled ones the list leaves out.
        if (q.statuses.empty() ||
            std::find(q.statuses.begin(), q.statuses.end(), RoStatus::cancelled) != q.statuses.end()) {
            TRY_ASSIGN(auto d, conn.prepare("SELECT count(*) FROM repair_orders WHERE deleted_at IS NOT NULL"));
            TRY_ASSIGN(bool any, d.step());
            if (any) page.total -= d.int64(0);
        }
    } else {
        TRY_ASSIGN(auto s, conn.prepare("SELECT count(*) FROM repair_orders ro" + where));
        bind_filters(s);
        TRY_ASSIGN(bool row, s.step());
        page.total = row ? s.int64(0) : 0;
    }
    if (page.total == 0) return page;

    const char* order = "ro.id DESC";
    switch (q.sort) {
        case RepairOrderQuery::Sort::newest: break;
        case RepairOrderQuery::Sort::oldest: order = "ro.id ASC"; break;
        case RepairOrderQuery::Sort::promised: order = "coalesce(ro.promised_at, 9223372036854775807), ro.id"; break;
        case RepairOrderQuery::Sort::number: order = "ro.number COLLATE NOCASE ASC"; break;
    }
    TRY_ASSIGN(auto s,
               conn.prepare(summary_select() + " FROM repair_orders ro LEFT JOIN users u ON u.id = ro.advisor_id" +
                            where + " ORDER BY " + order + " LIMIT ? OFFSET ?"));
    int i = bind_filters(s);
    s.bind(i, q.per_page);
    s.bind(i + 1, static_cast<std::int64_t>(q.page - 1) * q.per_page);
    for (;;) {
        TRY_ASSIGN(bool row, s.step());
        if (!row) break;
        page.items.push_back(read_summary(s));
    }
    return page;
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
