// folder: app
// allowed: http_gate.hpp
// forbidden: gate_impl.hpp
//
// The gate's insides (Asio, its connections) are platform/net's own: the process sees the gate.
#include "gate_impl.hpp"
#include "http_gate.hpp"
