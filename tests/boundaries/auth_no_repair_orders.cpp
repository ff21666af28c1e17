// folder: auth
// allowed: auth.hpp
// forbidden: repair_order.hpp
//
// Who is calling says nothing about repair orders.
#include "auth.hpp"
#include "repair_order.hpp"
