// folder: repair_orders
// allowed: ro_service.hpp
// forbidden: offer.hpp
//
// Repair orders know nothing of offers: agreed work is guarded through a hook.
#include "offer.hpp"
#include "ro_service.hpp"
