#pragma once
// What the customer's side writes to an offer (DESIGN.md §5, seed 002): the link a message
// carried, bound to the first device that opens it; the decisions per item and the agreements
// accepted. The offer's tables are written by offers/ only (scripts/check-includes says so):
// customer/ asks here, in its own transaction.

#include "db.hpp"
#include "ids.hpp"
#include "offer.hpp"
#include "result.hpp"

#include <map>
#include <optional>
#include <string>

namespace relais::offer_links {

struct Link {
    Id id = 0;
    Id offer_id = 0;
    Id recipient_id = 0;
    UnixMs expires_at = 0;
    /// SHA-256 of the device id that opened it first; none until then.
    std::optional<std::string> device_hash;
    bool revoked = false;
};

/// The link whose token is `token` (only its hash is stored); none for an unknown token.
Result<std::optional<Link>> find(Connection& conn, const std::string& token);

/// The first device to open `link` keeps it, and the recipient's other links stop working.
/// Does nothing to a link already bound (the first device won).
Result<void> bind(Connection& conn, const Link& link, const std::string& device_hash, UnixMs at);

/// The customer's decision per item, each replacing the one before for that item.
Result<void> record_decisions(Connection& conn, Id offer_id, const std::map<Id, Decision>& decisions, UnixMs at);

/// An agreement the customer accepted, in the version they read.
Result<void> record_agreement(Connection& conn, Id offer_id, Id agreement_id, int version, UnixMs at);

/// The offer lives at least until `until` (a fresh link asked for); an expired one is taken up
/// again by offer_state::reopen().
Result<void> extend(Connection& conn, Id offer_id, UnixMs until);

}  // namespace relais::offer_links
