// folder: offers
// allowed: offer_service.hpp
// forbidden: ro_json.hpp
//
// The stored snapshot is written by offers' own codec, not by the API's JSON.
#include "offer_service.hpp"
#include "ro_json.hpp"
