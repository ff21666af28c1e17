#pragma once
// An agreement as an offer carries it: what the customer is asked to accept, frozen with the
// offer (agreements.hpp keeps the versions; offer.hpp the snapshot that holds these).

#include "ids.hpp"
#include "local_text.hpp"

namespace relais {

/// One version of an agreement ("conditions") as the customer is asked to accept it.
struct OfferAgreement {
    Id agreement_id = 0;
    int version = 1;
    bool mandatory = true;
    LocalText title, text;
};

}  // namespace relais
