// folder: customer
// allowed: customer_service.hpp
// forbidden: http_gate.hpp
//
// Customer pages are request to response functions; the sockets and TLS are the process's.
#include "customer_service.hpp"
#include "http_gate.hpp"
