#include "offer.hpp"

namespace relais {

bool is_open(OfferState s) {
    return s == OfferState::draft || s == OfferState::scheduled || s == OfferState::sent || s == OfferState::received ||
           s == OfferState::seen;
}

Cents OfferSnapshot::total_incl() const {
    Cents total = 0;
    for (const auto& i : items) total += i.price_incl;
    return total;
}

}  // namespace relais
