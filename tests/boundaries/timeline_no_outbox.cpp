// folder: timeline
// allowed: timeline.hpp
// forbidden: outbox.hpp
//
// The timeline records events of every feature and sends nothing.
#include "outbox.hpp"
#include "timeline.hpp"
