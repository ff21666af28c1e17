#pragma once
// The emulated modem as a process, and the driver on a Boost.Asio loop against it: shared by
// the integration tests of the driver (test_modem_bridge.cpp, test_modem_profiles.cpp).
#include "../unit/modem_recorder.hpp"
#include "modem_service.hpp"

#include <doctest/doctest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace relais::test {

using json = nlohmann::json;
namespace fs = std::filesystem;

using Recorder = ModemRecorder;

class BridgeProcess {
public:
    explicit BridgeProcess(std::vector<std::string> extra = {}) {
        char tmpl[] = "/tmp/relais-bridge-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        std::vector<std::string> args = {RELAIS_BRIDGE_BIN,       "--link",    link(),   "--journal",
                                         dir_ + "/journal.jsonl", "--control", control()};
        args.insert(args.end(), extra.begin(), extra.end());
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        REQUIRE(::posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) == 0);
        for (int i = 0; i < 500 && !(fs::exists(link()) && fs::exists(control())); ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));  // waiting for another process to start
        }
        REQUIRE(fs::exists(link()));
    }
    ~BridgeProcess() {
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        std::error_code ec;
        if (!failed_) fs::remove_all(dir_, ec);
    }
    std::string link() const { return dir_ + "/modem"; }
    std::string control() const { return dir_ + "/control.sock"; }
    void keep() { failed_ = true; }

    json command(const json& request) const {
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", control().c_str());
        REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        const std::string line = request.dump() + "\n";
        REQUIRE(::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()));
        std::string reply;
        char c;
        while (::read(fd, &c, 1) == 1 && c != '\n') reply += c;
        ::close(fd);
        return json::parse(reply);
    }

private:
    std::string dir_;
    pid_t pid_ = 0;
    bool failed_ = false;
};

struct Rig {
    explicit Rig(std::vector<std::string> bridge_args = {}, modem::ModemConfig config = fast_config())
        : bridge(std::move(bridge_args)) {
        service = std::make_unique<modem::ModemService>(io, modem::make_serial_port({bridge.link()}), config, events);
        service->start();
    }
    static modem::ModemConfig fast_config() {
        modem::ModemConfig c;
        c.status_interval = 2000;
        c.reopen_interval = 200;
        c.command_timeout = 1000;
        c.send_timeout = 5000;
        return c;
    }
    // Runs the event loop until `done` or the time limit (then the test fails).
    bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
        const auto end = std::chrono::steady_clock::now() + limit;
        while (!done()) {
            if (std::chrono::steady_clock::now() > end) return false;
            io.run_for(std::chrono::milliseconds(10));
            io.restart();
        }
        return true;
    }
    bool ready() {
        return run_until([&] { return service->status().health == modem::ModemHealth::ready; });
    }
    std::vector<json> sent_messages() { return bridge.command({{"cmd", "sent"}})["messages"].get<std::vector<json>>(); }

    BridgeProcess bridge;
    boost::asio::io_context io;
    Recorder events;
    std::unique_ptr<modem::ModemService> service;
};

}  // namespace relais::test
