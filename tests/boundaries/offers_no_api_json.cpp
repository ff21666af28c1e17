// folder: offers
// allowed: offer_service.hpp
// forbidden: api_json.hpp
//
// The stored snapshot is written by the offers' own codec, not by the API's JSON.
#include "api_json.hpp"
#include "offer_service.hpp"
