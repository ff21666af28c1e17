#pragma once
// A program relais runs as a child process (lego for ACME certificates, firmware-bridge for the
// emulated modem): started in a process group of its own with nothing of relais's but what it is
// given (no listening socket, database or modem descriptor: closefrom), its output collected
// with a bound, and ended for sure: SIGTERM to its group, a grace period, then SIGKILL. A group,
// so that what it started in turn (lego's DNS hook script) ends with it; its own, so that a
// terminal's Ctrl-C reaches relais only, which stops its children itself (never cutting an SMS
// in flight).
//
// Not thread-safe: one thread drives it. Relais must not ignore SIGCHLD (the child is reaped
// here).

#include "result.hpp"

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace relais {

enum class ChildOutput {
    collected,        // stdout and stderr into one pipe, read by collect()
    stderr_inherited  // stdout to /dev/null, stderr relais's own (the journal)
};

struct ChildOptions {
    std::vector<std::string> argv;                // argv[0]: a path, or a name looked up in PATH
    std::optional<std::vector<std::string>> env;  // "KEY=VALUE"; nullopt: relais's own environment
    ChildOutput output = ChildOutput::collected;
};

class ChildProcess {
public:
    using Deadline = std::chrono::steady_clock::time_point;

    /// Starts it; stdin is /dev/null. The error names the program.
    static Result<ChildProcess> spawn(const ChildOptions& options);
    /// Ends it (terminate(kDefaultGrace)) if it is still running: no child outlives its object.
    ~ChildProcess();
    ChildProcess(ChildProcess&& other) noexcept;
    ChildProcess& operator=(ChildProcess&& other) noexcept;
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    static constexpr std::chrono::milliseconds kDefaultGrace{3000};

    pid_t pid() const { return pid_; }

    /// Reads what it writes (ChildOutput::collected) into `output`, of which the last `keep`
    /// bytes are kept, until every writer has closed the pipe (true: its end, or its group's) or
    /// `until` (false). After true, or without a pipe, returns true at once.
    bool collect(std::string& output, std::size_t keep, Deadline until);

    /// Its exit status once it has ended (then reaped): the exit code, or 128 + the signal that
    /// ended it; nullopt if it still runs at `until`.
    std::optional<int> wait_until(Deadline until);
    /// The same without waiting.
    std::optional<int> exited() { return wait_until(Deadline::min()); }

    /// Ends it: SIGTERM to its group, up to `grace` for it to exit, then SIGKILL to the group
    /// (what is left of it too); reaped. Its exit status. At once if it has ended already.
    int terminate(std::chrono::milliseconds grace = kDefaultGrace);

private:
    ChildProcess() = default;
    void release();
    pid_t pid_ = 0;
    int output_fd_ = -1;         // ChildOutput::collected: our end of the pipe, until EOF
    std::optional<int> status_;  // set once reaped
};

}  // namespace relais
