#include "virtual_modem.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

extern char** environ;

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

bool VirtualModem::running_in(const std::string& dir) {
    const std::string path = dir + "/control.sock";
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    const bool answering = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return answering;
}

Result<std::unique_ptr<VirtualModem>> VirtualModem::start(const std::string& binary, const std::string& dir) {
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
    std::vector<std::string> args = {binary, "--link", vm->link_, "--journal", vm->journal_, "--control", vm->control_};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    const int rc = ::posix_spawnp(&vm->pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return internal_error("cannot start the emulated modem " + binary + ": " + std::strerror(rc));
    // The child needs a moment to open its pty: wait for its link, but not for ever.
    for (int i = 0; i < 500; ++i) {
        if (fs::exists(vm->link_, ec) && fs::exists(vm->control_, ec)) return vm;
        int status = 0;
        if (::waitpid(vm->pid_, &status, WNOHANG) == vm->pid_) {
            vm->pid_ = 0;
            return internal_error("the emulated modem " + binary + " exited at start");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    vm->stop();
    return internal_error("the emulated modem did not create " + vm->link_);
}

VirtualModem::~VirtualModem() { stop(); }

void VirtualModem::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 300; ++i) {
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = 0;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = 0;
}

}  // namespace relais
