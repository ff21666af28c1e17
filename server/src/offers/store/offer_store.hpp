#pragma once
// Reading offers as stored: the version, its recipients, its messages, the customer's
// decisions and the agreements accepted. Private to offers (offers/store/): the features above
// read an offer through load_offer() (offer_service.hpp).

#include "db.hpp"
#include "offer.hpp"

#include <optional>
#include <vector>

namespace relais::offer_store {

Result<std::optional<Offer>> load(Connection& conn, Id offer_id);
/// The RO's offers, newest version first.
Result<std::vector<Id>> ids_for_repair_order(Connection& conn, Id ro_id);

}  // namespace relais::offer_store
