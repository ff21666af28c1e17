// The repair orders list and its search (the store's read side for many ROs).
#include "ro_queries.hpp"
#include "ro_store.hpp"
#include "search.hpp"

#include <cstdlib>

namespace relais::ro_store {
namespace {

constexpr const char* summary_columns =
    "ro.id, ro.number, ro.status, ro.advisor_id, u.username, u.display_name, ro.promised_at, ro.plate, ro.make, "
    "ro.model, ro.customer_name, ro.intervention_count, ro.total_incl_cents, ro.version, ro.created_at, "
    "ro.updated_at, "
    "(SELECT o.state || ' ' || o.version FROM offers o WHERE o.ro_id = ro.id ORDER BY o.version DESC LIMIT 1), "
    "(SELECT count(*) FROM sms_inbound i WHERE i.ro_id = ro.id AND i.read_at IS NULL), "
    // The latest version still waits after its fifth reminder went unanswered (offers/reminders).
    "(SELECT o.state IN ('sent', 'received', 'seen') AND r.ended = 'no_answer' FROM offers o JOIN offer_reminders r "
    "ON r.offer_id = o.id WHERE o.ro_id = ro.id ORDER BY o.version DESC LIMIT 1), "
    // Red and orange items the customer declined on the answered latest version: work to plan later.
    "(SELECT count(*) FROM offer_decisions d JOIN interventions i ON i.id = d.intervention_id WHERE d.offer_id = "
    "(SELECT o.id FROM offers o WHERE o.ro_id = ro.id AND o.state IN ('confirmed', 'locked') AND NOT EXISTS "
    "(SELECT 1 FROM offers n WHERE n.ro_id = ro.id AND n.version > o.version)) AND d.decision = 'decline' AND "
    "i.severity IN ('red', 'orange')), ";

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
    r.no_answer = !s.is_null(18) && s.int64(18) != 0;
    r.to_follow_up = static_cast<int>(s.int64(19));
    r.needs_attention = s.int64(20) != 0;
    return r;
}

}  // namespace

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

}  // namespace relais::ro_store
