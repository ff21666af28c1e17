#pragma once
// Money is integer cents; VAT rates are basis points (2000 = 20 %, 550 = 5.5 %), stored per
// intervention because a rate can change between two repair orders.

#include <cstdint>
#include <optional>

namespace relais {

using Cents = std::int64_t;
using VatBp = std::int32_t;

constexpr Cents max_price_cents = 10'000'000'00;  // 10 million, far above any repair line
constexpr VatBp max_vat_bp = 10000;

/// Price incl. VAT from excl., rounded half away from zero to the cent.
Cents incl_from_excl(Cents excl, VatBp vat);
/// Price excl. VAT from incl., rounded half away from zero to the cent.
Cents excl_from_incl(Cents incl, VatBp vat);

/// Whether a price pair given together by a client agrees with the rate to within one cent
/// (DMS round each figure on their own, so an exact match cannot be demanded).
bool prices_consistent(Cents excl, Cents incl, VatBp vat);

}  // namespace relais
