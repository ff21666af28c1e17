// boundary: offers may not use api_json.hpp (the stored snapshot is written by offers' own codec, not by the API's JSON).
// folder: offers
// allowed: offer_service.hpp
// forbidden: api_json.hpp
#include "offer_service.hpp"
#include "api_json.hpp"
