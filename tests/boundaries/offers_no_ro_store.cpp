// folder: offers
// allowed: ro_service.hpp
// forbidden: ro_store.hpp
//
// Stores are private to their feature: offers read and change repair orders through
// RepairOrderService (its functions taking the caller's Connection), never through ro_store.
#include "ro_service.hpp"
#include "ro_store.hpp"
