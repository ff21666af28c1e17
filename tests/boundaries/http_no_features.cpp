// folder: platform/http
// allowed: http.hpp
// forbidden: offer.hpp
//
// The platform serves every feature and includes none.
#include "http.hpp"
#include "offer.hpp"
