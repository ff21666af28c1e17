#include "virtual_modem.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#ifndef RELAIS_DEFAULT_BRIDGE
#define RELAIS_DEFAULT_BRIDGE "/usr/bin/firmware-bridge"
#endif

namespace relais {
namespace fs = std::filesystem;

std::string find_bridge_binary() {
    if (const char* env = std::getenv("RELAIS_BRIDGE_BIN"); env && *env) return env;
    std::error_code ec;
    const auto self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const auto beside = self.parent_path() / "firmware-bridge";
        if (fs::exists(beside, ec)) return beside.string();
    }
    if (fs::exists(RELAIS_DEFAULT_BRIDGE, ec)) return RELAIS_DEFAULT_BRIDGE;
    return "firmware-bridge";
}

namespace {

// The pid a bridge answering on `control` gives for itself (0: it answered without one, an
// older bridge), or nullopt when nothing answers.
std::optional<pid_t> bridge_pid(const std::string& control) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::nullopt;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", control.c_str());
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return std::nullopt;
    }
    timeval tv{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    static constexpr std::string_view ask = "{\"cmd\": \"status\"}\n";
    std::string line;
    if (::send(fd, ask.data(), ask.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(ask.size())) {
        char buf[4096];
        while (line.find('\n') == std::string::npos && line.size() < 65536) {
            const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) break;
            line.append(buf, static_cast<std::size_t>(n));
        }
    }
    ::close(fd);
    const auto reply = nlohmann::json::parse(line.substr(0, line.find('\n')), nullptr, false);
    if (reply.is_object() && reply.contains("pid") && reply["pid"].is_number_integer())
        return reply["pid"].get<pid_t>();
    return pid_t{0};
}

// The parent of `pid` and that parent's command name, from /proc.
std::pair<pid_t, std::string> parent_of(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so from the last ')'.
    const auto close = text.rfind(')');
    pid_t ppid = 0;
    if (close != std::string::npos) {
        std::istringstream rest(text.substr(close + 1));
        std::string state;
        rest >> state >> ppid;
    }
    std::ifstream comm("/proc/" + std::to_string(ppid) + "/comm");
    std::string name;
    std::getline(comm, name);
    return {ppid, name};
}

bool gone(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

}  // namespace

Result<BridgeTakeover> VirtualModem::take_over(const std::string& dir) {
    const auto pid = bridge_pid(dir + "/control.sock");
    if (!pid) return BridgeTakeover::none;
    const auto [ppid, parent] = *pid > 0 ? parent_of(*pid) : std::pair<pid_t, std::string>{0, ""};
    if (*pid <= 0 || parent == "relais")
        return make_error(ErrorKind::unavailable, "modem_in_use",
                          {{"detail", "another relais already runs the emulated modem in " + dir}});
    // Left behind by a relais that died (its parent is init, or whoever adopted it): it holds
    // the pty link and the control socket this relais needs, and talks to nobody.
    ::kill(*pid, SIGTERM);
    for (int i = 0; i < 300 && !gone(*pid) && bridge_pid(dir + "/control.sock"); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!gone(*pid) && bridge_pid(dir + "/control.sock")) {
        ::kill(*pid, SIGKILL);
        for (int i = 0; i < 100 && !gone(*pid); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    (void)ppid;
    return BridgeTakeover::orphan_ended;
}

Result<std::unique_ptr<VirtualModem>> VirtualModem::start(const std::string& binary, const std::string& dir,
                                                          const std::string& profile) {
    // A Unix socket's path holds at most 107 bytes (sockaddr_un): say so rather than let the
    // emulated modem fail at start.
    if (const std::string control = dir + "/control.sock"; control.size() > 107)
        return internal_error("the data directory is too deep for the emulated modem: its control socket " + control +
                              " would be " + std::to_string(control.size()) +
                              " bytes long, and a Unix socket path holds at most 107");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return internal_error("cannot create " + dir + ": " + ec.message());
    auto vm = std::unique_ptr<VirtualModem>(new VirtualModem());
    vm->link_ = dir + "/tty";
    vm->control_ = dir + "/control.sock";
    vm->journal_ = dir + "/journal.jsonl";
    fs::remove(vm->link_, ec);
    std::vector<std::string> argv = {binary,       "--link",     vm->link_,
                                     "--journal",  vm->journal_, "--control",
                                     vm->control_, "--parent",   std::to_string(::getpid()),
                                     "--profile",  profile};
    if (const char* extra = std::getenv("RELAIS_BRIDGE_ARGS"); extra && *extra) {
        std::istringstream words(extra);
        for (std::string w; words >> w;) argv.push_back(w);
    }
    auto child = ChildProcess::spawn({argv, std::nullopt, ChildOutput::stderr_inherited});
    if (!child) return internal_error("cannot start the emulated modem: " + child.error().detail);
    vm->child_.emplace(std::move(child).value());
    // The child needs a moment to open its pty: wait for its link, but not for ever.
    for (int i = 0; i < 500; ++i) {
        if (fs::exists(vm->link_, ec) && fs::exists(vm->control_, ec)) return vm;
        if (vm->child_->exited()) {
            vm->child_.reset();
            return internal_error("the emulated modem " + binary + " exited at start");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    vm->stop();
    return internal_error("the emulated modem did not create " + vm->link_);
}

VirtualModem::~VirtualModem() { stop(); }

void VirtualModem::stop() {
    if (!child_) return;
    child_->terminate(std::chrono::seconds(3));
    child_.reset();
}

}  // namespace relais
