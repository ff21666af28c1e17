// boundary: timeline may not use outbox.hpp (the timeline records events of every feature and sends nothing).
// folder: timeline
// allowed: timeline.hpp
// forbidden: outbox.hpp
#include "timeline.hpp"
#include "outbox.hpp"
