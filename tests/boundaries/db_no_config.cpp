// folder: platform/db
// allowed: db.hpp
// forbidden: config.hpp
//
// The database knows its path, not the configuration file.
#include "config.hpp"
#include "db.hpp"
