// Child processes (child_process.hpp) run for real with /bin/sh: their output collected with a
// bound, their exit status, a group of their own without relais's descriptors, and an end that
// comes within the grace period even for a child that ignores SIGTERM and a grandchild that
// holds the output open (what made `relais` wait for lego for ever, and its stop with it).
#include "acme_client.hpp"
#include "child_process.hpp"
#include "support.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <cerrno>
#include <chrono>

using namespace relais;
using namespace relais::test;
using namespace std::chrono_literals;

namespace {

using SteadyClock = std::chrono::steady_clock;

ChildProcess sh(const std::string& script, ChildOutput output = ChildOutput::collected) {
    auto child = ChildProcess::spawn({{"/bin/sh", "-c", script}, std::nullopt, output});
    REQUIRE(child);
    return std::move(child).value();
}

// Collects until `text` has been written (at most 10 s).
void wait_for_output(ChildProcess& child, std::string& output, const std::string& text) {
    const auto deadline = SteadyClock::now() + 10s;
    while (output.find(text) == std::string::npos && SteadyClock::now() < deadline)
        if (child.collect(output, 4096, std::min(deadline, SteadyClock::now() + 50ms))) break;
    REQUIRE(output.find(text) != std::string::npos);
}

bool running(pid_t pid) { return ::kill(pid, 0) == 0 || errno != ESRCH; }

}  // namespace

TEST_CASE("child process: stdout and stderr collected, the exit status, the tail kept") {
    ChildProcess child = sh("echo out; echo err >&2; exit 3");
    std::string output;
    CHECK(child.collect(output, 1024, SteadyClock::now() + 10s));
    CHECK(output == "out\nerr\n");
    CHECK(child.wait_until(SteadyClock::now() + 10s) == 3);
    CHECK(child.exited() == 3);

    ChildProcess chatty = sh("i=0; while [ $i -lt 2000 ]; do echo line $i; i=$((i+1)); done; echo END");
    output.clear();
    CHECK(chatty.collect(output, 100, SteadyClock::now() + 10s));
    CHECK(output.size() == 100);
    CHECK(output.ends_with("line 1999\nEND\n"));

    ChildProcess killed = sh("kill -KILL $$");
    CHECK(killed.wait_until(SteadyClock::now() + 10s) == 128 + SIGKILL);

    auto missing = ChildProcess::spawn({{"/nonexistent/lego"}, std::nullopt, ChildOutput::collected});
    REQUIRE_FALSE(missing);
    CHECK(missing.error().detail == "cannot run /nonexistent/lego: No such file or directory");
}

TEST_CASE("child process: a group of its own, none of relais's descriptors, the environment given") {
    const int leaked = ::open("/dev/null", O_RDONLY);  // not close-on-exec
    REQUIRE(leaked > 2);
    auto child = ChildProcess::spawn({{"/bin/sh", "-c",
                                       "if [ -e /proc/self/fd/" + std::to_string(leaked) +
                                           " ]; then echo open; else echo closed; fi; echo \"$RELAIS_TEST\""},
                                      std::vector<std::string>{"RELAIS_TEST=given", "PATH=/usr/bin:/bin"},
                                      ChildOutput::collected});
    ::close(leaked);
    REQUIRE(child);
    CHECK(::getpgid(child->pid()) == child->pid());
    std::string output;
    CHECK(child->collect(output, 1024, SteadyClock::now() + 10s));
    CHECK(output == "closed\ngiven\n");
    CHECK(child->wait_until(SteadyClock::now() + 10s) == 0);
}

TEST_CASE("child process: one that ignores SIGTERM is killed after the grace period, its group with it") {
    // The shell ignores SIGTERM, and so does its own child (an ignored signal stays ignored
    // across exec), which holds the output pipe open too.
    ChildProcess child = sh("trap '' TERM; sleep 60 & echo ready; wait; sleep 60");
    std::string output;
    wait_for_output(child, output, "ready");
    const pid_t pid = child.pid();
    const auto started = SteadyClock::now();
    CHECK(child.terminate(200ms) == 128 + SIGKILL);
    const auto took = SteadyClock::now() - started;
    CHECK(took >= 200ms);
    CHECK(took < 5s);
    CHECK_FALSE(running(pid));
    // The grandchild was killed with it: the pipe ends now, not in a minute.
    CHECK(child.collect(output, 4096, SteadyClock::now() + 5s));
    CHECK(child.terminate() == 128 + SIGKILL);  // once ended, the same answer at once
}

TEST_CASE("child process: one that ends on SIGTERM is not waited for, the destructor ends a running one") {
    ChildProcess polite = sh("echo ready; exec sleep 60");
    std::string output;
    wait_for_output(polite, output, "ready");
    const auto started = SteadyClock::now();
    CHECK(polite.terminate(10s) == 128 + SIGTERM);
    CHECK(SteadyClock::now() - started < 5s);

    pid_t pid = 0;
    {
        ChildProcess forgotten = sh("exec sleep 60", ChildOutput::stderr_inherited);
        pid = forgotten.pid();
        CHECK_FALSE(forgotten.exited());
        ChildProcess moved = std::move(forgotten);  // the moved-from one owns nothing
        CHECK(moved.pid() == pid);
    }
    CHECK_FALSE(running(pid));
}

TEST_CASE("lego that ignores SIGTERM is ended: obtain() returns within the grace period") {
    TempDir dir;
    const std::string lego = dir.path() + "/lego";
    // As a lego stuck on a DNS hook would be: it says something, then waits, deaf to SIGTERM,
    // a child of its holding its output.
    write_file(lego,
               "#!/bin/sh\ntrap '' TERM\necho '2026/01/01 10:00:00 [INFO] [relais.garage-test.fr] waiting for DNS'\n"
               "sleep 60 &\nwait\n");
    ::chmod(lego.c_str(), 0755);
    auto client = make_lego_client(lego, null_logger(), 200ms);
    AcmeRequest rq;
    rq.name = "relais.garage-test.fr";
    rq.state_dir = dir.path() + "/acme";
    rq.webroot = dir.path() + "/challenges";
    rq.timeout = 1s;

    std::atomic<bool> cancel{false};
    auto started = SteadyClock::now();
    auto late = client->obtain(rq, cancel);
    REQUIRE_FALSE(late);
    CHECK(late.error().detail.find("waiting for DNS") != std::string::npos);
    CHECK(late.error().detail.find("stopped: it took too long") != std::string::npos);
    CHECK(SteadyClock::now() - started < 5s);

    // relais stopping: the same, without waiting for the timeout.
    cancel = true;
    rq.timeout = 600s;
    started = SteadyClock::now();
    auto stopped = client->obtain(rq, cancel);
    REQUIRE_FALSE(stopped);
    CHECK(stopped.error().detail.find("stopped: relais is stopping") != std::string::npos);
    CHECK(SteadyClock::now() - started < 5s);
}
