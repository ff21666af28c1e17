#pragma once
// Row ids, shared by every feature (a feature that only refers to a repair order or an offer by
// its id needs nothing else of it).

#include <cstdint>

namespace relais {

using Id = std::int64_t;

}  // namespace relais
