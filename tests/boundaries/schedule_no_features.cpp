// folder: schedule
// allowed: scheduler.hpp
// forbidden: outbox.hpp
//
// The scheduler knows no feature: the outbox, offers and the wiring give it jobs and handlers.
#include "outbox.hpp"
#include "scheduler.hpp"
