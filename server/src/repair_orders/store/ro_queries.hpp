#pragma once
// What the store's two files share (private to repair_orders/store): the condition that makes
// an RO "to handle", and reading a stored word back as its enum.

#include "enum_names.hpp"

#include <string>

namespace relais::ro_store {

// What makes an RO "to handle" (RepairOrderQuery::attention), for an `ro` row.
inline constexpr const char* attention_condition =
    "(EXISTS (SELECT 1 FROM sms_inbound i WHERE i.ro_id = ro.id AND i.read_at IS NULL) "
    "OR EXISTS (SELECT 1 FROM events e WHERE e.ro_id = ro.id AND e.type IN ('offer.confirmed', 'message.failed', "
    "'message.quarantined', 'offer.no_answer') AND e.at > coalesce(ro.handled_at, 0)) "
    "OR EXISTS (SELECT 1 FROM offers o JOIN offer_decisions d ON d.offer_id = o.id WHERE o.ro_id = ro.id AND "
    "d.decision = 'contact_me' AND d.decided_at > coalesce(ro.handled_at, 0)) "
    "OR EXISTS (SELECT 1 FROM offer_questions q WHERE q.ro_id = ro.id AND q.author = 'customer' AND "
    "q.at > coalesce(ro.handled_at, 0)))";

/// A stored word as its enum; `fallback` for a word this version does not know.
template <class E>
E enum_or(const std::string& s, E fallback) {
    return parse_enum<E>(s).value_or(fallback);
}

}  // namespace relais::ro_store
