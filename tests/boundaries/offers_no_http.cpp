// boundary: offers may not use http.hpp (a service is no HTTP handler; its JSON for the API is the app's).
// folder: offers
// allowed: offer_service.hpp
// forbidden: http.hpp
#include "offer_service.hpp"
#include "http.hpp"
