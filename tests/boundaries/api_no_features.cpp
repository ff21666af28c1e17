// folder: api
// allowed: api_routes.hpp
// forbidden: ro_service.hpp
//
// The API's plumbing serves every feature's routes and includes no feature's service.
#include "api_routes.hpp"
#include "ro_service.hpp"
