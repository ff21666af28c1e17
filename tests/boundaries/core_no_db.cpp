// boundary: core may not use db.hpp (the vocabulary stores nothing).
// folder: core
// allowed: money.hpp
// forbidden: db.hpp
#include "money.hpp"
#include "db.hpp"
