// folder: offers
// allowed: offer_service.hpp
// forbidden: http.hpp
//
// A service is no HTTP handler; its JSON for the API is the app's.
#include "http.hpp"
#include "offer_service.hpp"
