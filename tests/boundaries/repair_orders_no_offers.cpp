// boundary: repair_orders may not use offer.hpp (repair orders know nothing of offers: agreed work is guarded through a hook).
// folder: repair_orders
// allowed: ro_service.hpp
// forbidden: offer.hpp
#include "ro_service.hpp"
#include "offer.hpp"
