// folder: core
// allowed: money.hpp
// forbidden: db.hpp
//
// The vocabulary stores nothing.
#include "db.hpp"
#include "money.hpp"
