// folder: timeline
// allowed: db.hpp
// forbidden: notifications.hpp
//
// The timeline tells whoever listens through the Database (the appended-events listener); it
// knows nothing of notifications, which sit above it.
#include "db.hpp"
#include "notifications.hpp"
