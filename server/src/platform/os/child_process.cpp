#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <thread>
#include <utility>

extern char** environ;

namespace relais {
namespace {

using SteadyClock = std::chrono::steady_clock;

int decoded(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

int poll_timeout_ms(ChildProcess::Deadline until) {
    const auto now = SteadyClock::now();
    if (until <= now) return 0;
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(until - now).count();
    return static_cast<int>(std::min<decltype(ms)>(ms, INT_MAX));
}

// Whether it has ended by `until`, without reaping it: while unreaped, its pid stays its group's
// and no other process's, so the group can still be signalled.
bool ended_by(pid_t pid, ChildProcess::Deadline until) {
    for (;;) {
        siginfo_t info{};
        if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
            if (errno == EINTR) continue;
            return true;  // ECHILD: not ours to wait for any more
        }
        if (info.si_pid != 0) return true;
        const auto now = SteadyClock::now();
        if (now >= until) return false;
        std::this_thread::sleep_for(std::min<SteadyClock::duration>(until - now, std::chrono::milliseconds(10)));
    }
}

// Owns posix_spawn's two structures for the length of a spawn.
struct SpawnSetup {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    SpawnSetup() {
        posix_spawn_file_actions_init(&actions);
        posix_spawnattr_init(&attr);
    }
    ~SpawnSetup() {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;
};

}  // namespace

Result<ChildProcess> ChildProcess::spawn(const ChildOptions& options) {
    if (options.argv.empty()) return internal_error("no program to run");
    const std::string& program = options.argv.front();
    const auto failed = [&](int err) { return internal_error("cannot run " + program + ": " + std::strerror(err)); };
    int pipe_fds[2] = {-1, -1};
    if (options.output == ChildOutput::collected && ::pipe2(pipe_fds, O_CLOEXEC) != 0) return failed(errno);

    SpawnSetup setup;
    posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (options.output == ChildOutput::collected) {
        posix_spawn_file_actions_adddup2(&setup.actions, pipe_fds[1], STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&setup.actions, pipe_fds[1], STDERR_FILENO);
    } else {
        posix_spawn_file_actions_addopen(&setup.actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    }
    // Nothing else of relais's: its listening sockets (kept across a restart in place), database, modem.
    posix_spawn_file_actions_addclosefrom_np(&setup.actions, 3);
    // A group of its own; no signal blocked, none ignored (what relais blocks or ignores on the
    // spawning thread would otherwise be the child's too, across exec: a SIGTERM that never arrives).
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (const int sig : {SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGUSR1, SIGUSR2, SIGCHLD})
        sigaddset(&defaults, sig);
    posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&setup.attr, 0);
    posix_spawnattr_setsigmask(&setup.attr, &none);
    posix_spawnattr_setsigdefault(&setup.attr, &defaults);

    std::vector<char*> argv, envp;
    for (const auto& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    if (options.env) {
        for (const auto& e : *options.env) envp.push_back(const_cast<char*>(e.c_str()));
        envp.push_back(nullptr);
    }
    pid_t pid = 0;
    const int rc = ::posix_spawnp(&pid, program.c_str(), &setup.actions, &setup.attr, argv.data(),
                                  options.env ? envp.data() : environ);
    if (pipe_fds[1] >= 0) ::close(pipe_fds[1]);
    if (rc != 0) {
        if (pipe_fds[0] >= 0) ::close(pipe_fds[0]);
        return failed(rc);
    }
    ChildProcess child;
    child.pid_ = pid;
    child.output_fd_ = pipe_fds[0];
    return child;
}

ChildProcess::~ChildProcess() { release(); }

void ChildProcess::release() {
    if (pid_ > 0 && !status_) terminate();
    if (output_fd_ >= 0) ::close(output_fd_);
    pid_ = 0;
    output_fd_ = -1;
    status_.reset();
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, 0)),
      output_fd_(std::exchange(other.output_fd_, -1)),
      status_(std::exchange(other.status_, std::nullopt)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
    if (this != &other) {
        release();
        pid_ = std::exchange(other.pid_, 0);
        output_fd_ = std::exchange(other.output_fd_, -1);
        status_ = std::exchange(other.status_, std::nullopt);
    }
    return *this;
}

bool ChildProcess::collect(std::string& output, std::size_t keep, Deadline until) {
    char buf[4096];
    while (output_fd_ >= 0) {
        pollfd p{output_fd_, POLLIN, 0};
        const int n = ::poll(&p, 1, poll_timeout_ms(until));
        if (n < 0 && errno == EINTR) continue;
        if (n == 0) return false;
        const ssize_t got = n > 0 ? ::read(output_fd_, buf, sizeof buf) : -1;
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {  // every writer is gone (or the pipe failed: nothing more will come of it)
            ::close(output_fd_);
            output_fd_ = -1;
            break;
        }
        output.append(buf, static_cast<std::size_t>(got));
        if (output.size() > keep) output.erase(0, output.size() - keep);
    }
    return true;
}

std::optional<int> ChildProcess::wait_until(Deadline until) {
    if (status_ || pid_ <= 0) return status_;
    if (!ended_by(pid_, until)) return std::nullopt;
    int status = 0;
    pid_t r;
    while ((r = ::waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
    }
    status_ = r == pid_ ? decoded(status) : -1;  // -1: reaped elsewhere (SIGCHLD ignored)
    return status_;
}

int ChildProcess::terminate(std::chrono::milliseconds grace) {
    if (status_ || pid_ <= 0) return status_.value_or(-1);
    ::kill(-pid_, SIGTERM);
    ended_by(pid_, SteadyClock::now() + grace);
    // It, if it ignored SIGTERM, and whatever of its group outlived it.
    ::kill(-pid_, SIGKILL);
    return wait_until(Deadline::max()).value_or(-1);
}

}  // namespace relais
