// folder: offers
// allowed: offer_service.hpp
// forbidden: http.hpp
//
// A service is no HTTP handler: its routes and their JSON are in offers/routes.
#include "http.hpp"
#include "offer_service.hpp"
