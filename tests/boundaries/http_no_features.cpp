// boundary: platform/http may not use offer.hpp (the platform serves every feature and includes none).
// folder: platform/http
// allowed: http.hpp
// forbidden: offer.hpp
#include "http.hpp"
#include "offer.hpp"
