// boundary: platform/db may not use config.hpp (the database knows its path, not the configuration file).
// folder: platform/db
// allowed: db.hpp
// forbidden: config.hpp
#include "db.hpp"
#include "config.hpp"
