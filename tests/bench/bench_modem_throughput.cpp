// Benchmark program: how many single-part SMS per minute the driver gets through the emulated
// modem. Starts firmware-bridge with a given +CMGS latency, queues N messages through
// ModemService (the production driver on Boost.Asio and a real pty), and times from the first
// send to the last answer. Prints one JSON line. Run by tests/bench/bench_modem.py.
#include "modem_service.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

extern char** environ;
using namespace relais::modem;

namespace {

struct Counter : ModemEvents {
    int sent = 0, failed = 0;
    void on_sent(const SendOutcome& o) override { o.status == SendOutcome::Status::sent ? ++sent : ++failed; }
};

}  // namespace

int main(int argc, char** argv) {
    std::string bridge = RELAIS_BRIDGE_BIN;
    int latency = 0, count = 1000;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--bridge") bridge = argv[i + 1];
        if (a == "--latency-ms") latency = std::atoi(argv[i + 1]);
        if (a == "--count") count = std::atoi(argv[i + 1]);
    }
    char tmpl[] = "/tmp/relais-bench-modem-XXXXXX";
    const std::string dir = ::mkdtemp(tmpl);
    const std::string link = dir + "/modem";
    std::vector<std::string> args = {bridge,
                                     "--link",
                                     link,
                                     "--journal",
                                     dir + "/journal.jsonl",
                                     "--control",
                                     dir + "/control.sock",
                                     "--cmgs-latency-ms",
                                     std::to_string(latency)};
    std::vector<char*> av;
    for (auto& a : args) av.push_back(a.data());
    av.push_back(nullptr);
    pid_t pid = 0;
    if (::posix_spawn(&pid, av[0], nullptr, nullptr, av.data(), environ) != 0) return 2;
    while (!std::filesystem::exists(link)) std::this_thread::sleep_for(std::chrono::milliseconds(5));

    boost::asio::io_context io;
    Counter events;
    ModemService service(io, make_serial_port({link}), ModemConfig{}, events);
    service.start();
    while (service.status().health != ModemHealth::ready) io.run_for(std::chrono::milliseconds(5));

    const auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < count; ++i) {
        (void)service.send(
            {static_cast<MessageId>(i + 1), "+33612345678", "Votre véhicule est prêt à être récupéré. Garage Demo"});
    }
    while (events.sent + events.failed < count) io.run_for(std::chrono::milliseconds(5));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf(
        "{\"count\": %d, \"sent\": %d, \"failed\": %d, \"latency_ms\": %d, \"seconds\": %.3f, \"per_minute\": %.1f}\n",
        count, events.sent, events.failed, latency, seconds, events.sent / seconds * 60.0);
    service.stop();
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    std::filesystem::remove_all(dir);
    return events.failed == 0 ? 0 : 1;
}
