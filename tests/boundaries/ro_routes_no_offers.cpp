// folder: repair_orders/routes
// allowed: ro_routes.hpp
// forbidden: offer_service.hpp
//
// Repair orders' routes know nothing of offers; the offers' routes use theirs.
#include "offer_service.hpp"
#include "ro_routes.hpp"
