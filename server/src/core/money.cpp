#include "money.hpp"

namespace relais {
namespace {

std::int64_t div_round(std::int64_t num, std::int64_t den) {
    // den > 0 here; rounds half away from zero.
    if (num >= 0) return (num + den / 2) / den;
    return -((-num + den / 2) / den);
}

}  // namespace

Cents incl_from_excl(Cents excl, VatBp vat) { return div_round(excl * (10000 + vat), 10000); }

Cents excl_from_incl(Cents incl, VatBp vat) { return div_round(incl * 10000, 10000 + vat); }

bool prices_consistent(Cents excl, Cents incl, VatBp vat) {
    const Cents expected = incl_from_excl(excl, vat);
    return expected - incl <= 1 && incl - expected <= 1;
}

}  // namespace relais
