// folder: offers
// allowed: offer_service.hpp
// forbidden: api_routes.hpp
//
// The service is no route: its HTTP side is offers/routes, a folder above it.
#include "api_routes.hpp"
#include "offer_service.hpp"
