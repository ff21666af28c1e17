#pragma once
// Persistence of repair orders and everything hanging off them. Functions take the
// Connection of the caller's transaction (Database::write/read), so a service can change
// several parts and append events atomically. No validation here: callers pass checked data.

#include "db.hpp"
#include "repair_order.hpp"

#include <optional>
#include <string>

namespace relais::ro_store {

Result<std::optional<RepairOrder>> load(Connection& conn, Id id);

/// Inserts the header, parties (with roles and contact points) and interventions; fills in
/// nothing in `ro`. Returns the new id.
Result<Id> insert(Connection& conn, const RepairOrder& ro, UnixMs now);
Result<void> update_header(Connection& conn, const RepairOrder& ro, UnixMs now);

Result<Id> insert_party(Connection& conn, Id ro_id, const Party& party, UnixMs now);
/// Rewrites the party's fields and roles (not its contact points).
Result<void> update_party(Connection& conn, Id ro_id, const Party& party, UnixMs now);
Result<void> delete_party(Connection& conn, Id party_id);

Result<Id> insert_contact_point(Connection& conn, Id party_id, const ContactPoint& cp, UnixMs now);
Result<void> update_contact_point(Connection& conn, const ContactPoint& cp);
Result<void> delete_contact_point(Connection& conn, Id cp_id);
/// Every phone contact point with this number (E.164) marked opted out.
Result<void> mark_number_opted_out(Connection& conn, const std::string& number);

Result<Id> insert_intervention(Connection& conn, Id ro_id, const Intervention& item, UnixMs now);
Result<void> update_intervention(Connection& conn, const Intervention& item, UnixMs now);
Result<void> delete_intervention(Connection& conn, Id item_id);
/// The customer's answer on an item: authorised for the work or not.
Result<void> set_authorized(Connection& conn, Id item_id, bool authorized, UnixMs now);

enum class BumpVersion { no, yes };
/// Recomputes the list and search columns of an RO from its parts and stamps updated_at;
/// must follow every change in the same transaction. Returns the RO's version afterwards.
Result<std::int64_t> refresh_derived(Connection& conn, Id ro_id, UnixMs now, BumpVersion bump);
/// Replaces the RO's search document in both search indexes.
Result<void> update_search_document(Connection& conn, Id ro_id, const std::string& doc);
/// Rewrites every RO's search document if they were made by an older search_document()
/// (search.hpp's search_document_version, kept in `counters`); the number rewritten.
Result<int> refresh_search_documents(Connection& conn);

Result<RepairOrderPage> list(Connection& conn, const RepairOrderQuery& query);

/// Next free automatic number for `year`: "OR-2026-00001", "OR-2026-00002", ...
Result<std::string> next_number(Connection& conn, int year);
/// Deleted (repair_order.hpp): cancelled, out of the list and search, with its history.
Result<void> mark_deleted(Connection& conn, Id id, Id user_id, UnixMs now);
/// What needed handling on the RO up to `now` is handled (RepairOrderQuery::attention).
Result<void> mark_handled(Connection& conn, Id id, UnixMs now);
/// Whether the RO exists, without reading it (for routes that only hang off it).
Result<bool> exists(Connection& conn, Id id);
Result<bool> number_taken(Connection& conn, const std::string& number, Id except_id);

Result<std::optional<UserRef>> find_user_ref(Connection& conn, Id user_id);

}  // namespace relais::ro_store
