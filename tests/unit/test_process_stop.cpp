// How relais decides to stop (process_stop.hpp): a clean stop begins once; a second restart
// request changes nothing; a signal during a restart's stop makes it a plain stop; a signal
// during a signal's stop is the operator's "stop now".
#include "process_stop.hpp"

#include <doctest/doctest.h>

using namespace relais;

TEST_CASE("a signal begins a clean stop, a second one stops at once") {
    ProcessStop stop;
    CHECK_FALSE(stop.stopping());
    CHECK(stop.begin_stop(StopReason::signal) == StopStep::begin);
    CHECK(stop.stopping());
    CHECK_FALSE(stop.restart());
    CHECK(stop.begin_stop(StopReason::signal) == StopStep::stop_now);
    CHECK_FALSE(stop.restart());
}

TEST_CASE("a restart begins a clean stop once: more restart requests change nothing") {
    ProcessStop stop;
    CHECK(stop.begin_stop(StopReason::restart) == StopStep::begin);
    CHECK(stop.stopping());
    CHECK(stop.restart());
    // A double click, two admins, the setup's next step: the sends in progress are not cut.
    CHECK(stop.begin_stop(StopReason::restart) == StopStep::none);
    CHECK(stop.begin_stop(StopReason::restart) == StopStep::none);
    CHECK(stop.restart());
}

TEST_CASE("a signal during a restart's stop makes it a plain stop, the next signal stops at once") {
    ProcessStop stop;
    CHECK(stop.begin_stop(StopReason::restart) == StopStep::begin);
    // systemd stopping the service meanwhile: relais must not start again behind its back, and
    // the sends in progress still finish.
    CHECK(stop.begin_stop(StopReason::signal) == StopStep::plain);
    CHECK(stop.stopping());
    CHECK_FALSE(stop.restart());
    CHECK(stop.begin_stop(StopReason::restart) == StopStep::none);
    CHECK_FALSE(stop.restart());
    CHECK(stop.begin_stop(StopReason::signal) == StopStep::stop_now);
}

TEST_CASE("a restart asked during a signal's stop does not make it a restart") {
    ProcessStop stop;
    CHECK(stop.begin_stop(StopReason::signal) == StopStep::begin);
    CHECK(stop.begin_stop(StopReason::restart) == StopStep::none);
    CHECK_FALSE(stop.restart());
}
