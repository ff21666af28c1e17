// boundary: customer may not use http_gate.hpp (customer pages are request to response functions; the sockets and TLS are the process's).
// folder: customer
// allowed: customer_service.hpp
// forbidden: http_gate.hpp
#include "customer_service.hpp"
#include "http_gate.hpp"
