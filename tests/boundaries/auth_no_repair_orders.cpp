// boundary: auth may not use repair_order.hpp (who is calling says nothing about repair orders).
// folder: auth
// allowed: auth.hpp
// forbidden: repair_order.hpp
#include "auth.hpp"
#include "repair_order.hpp"
