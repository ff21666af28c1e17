// firmware-bridge: the emulated modem. Argument parsing only; the work is in relais_bridge.
#include "bridge.hpp"

#include <sys/prctl.h>
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <iostream>
#include <optional>

int main(int argc, char** argv) {
    CLI::App cli{"firmware-bridge: an emulated GSM modem on a pseudo-terminal"};
    relais::bridge::BridgeOptions o;
    std::vector<std::string> failing;
    std::string profile = "generic";
    std::optional<std::int64_t> boot_ms, flood_ms;
    std::optional<double> cms500_share;
    std::string latency = "fixed";
    cli.add_option(
           "--profile", profile,
           "the modem to behave like: " +
               [] {
                   std::string names;
                   for (const auto& n : relais::bridge::profile_names()) names += (names.empty() ? "" : ", ") + n;
                   return names;
               }())
        ->capture_default_str();
    cli.add_option("--boot-ms", boot_ms, "the profile's boot time (SMS ready, or deaf until then)");
    cli.add_option("--flood-ms", flood_ms, "the period of a Huawei's periodic codes");
    cli.add_option("--cms500-share", cms500_share, "share of sends refused with +CMS ERROR: 500 (SIMCom: 0.05)")
        ->check(CLI::Range(0.0, 1.0));
    cli.add_option("--latency", latency, "fixed (--cmgs-latency-ms) or realistic (2-15 s, a tail to 120 s)")
        ->check(CLI::IsMember({"fixed", "realistic"}))
        ->capture_default_str();
    cli.add_option("--time-scale", o.emulator.time_scale, "multiplies the drawn latencies and the boot time")
        ->check(CLI::Range(0.0001, 100.0))
        ->capture_default_str();
    cli.add_option("--reset-share", o.emulator.reset_share, "share of sends during which the modem resets")
        ->check(CLI::Range(0.0, 1.0));
    cli.add_option("--seed", o.emulator.seed, "for drawn latencies, errors and resets")->capture_default_str();
    cli.add_option("--link", o.link, "path of the symlink to the pty (what programs open)")->required();
    cli.add_option("--journal", o.journal_path, "JSON lines of every SMS the network accepted")->required();
    cli.add_option("--control", o.control_path, "Unix socket for the control commands")->required();
    cli.add_option("--trace", o.trace_path, "write every byte each way to this file, timed");
    cli.add_option("--cmgs-latency-ms", o.emulator.cmgs_latency_ms, "delay before the answer to +CMGS")
        ->capture_default_str();
    cli.add_option("--report-delay-ms", o.emulator.report_delay_ms, "delay before a status report")
        ->capture_default_str();
    cli.add_option("--pin", o.emulator.pin, "the SIM's PIN (default: none)");
    cli.add_option("--smsc", o.emulator.smsc, "the service centre number")->capture_default_str();
    cli.add_option("--fail-number", failing, "recipients whose status reports say failed");
    pid_t parent = 0;
    cli.add_option("--parent", parent, "end when this process (the relais that started it) ends");
    CLI11_PARSE(cli, argc, argv);
    if (parent > 0) {
        // relais killed (SIGKILL, a crash) must not leave its modem behind: the next relais
        // would find the port taken. Checked once set, in case the parent died before.
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent) return 0;
    }
    o.emulator.failing_numbers.insert(failing.begin(), failing.end());
    auto chosen = relais::bridge::profile_named(profile);
    if (!chosen) {
        std::cerr << "firmware-bridge: unknown profile \"" << profile << "\"\n";
        return 2;
    }
    o.emulator.profile = std::move(*chosen);
    if (boot_ms) o.emulator.profile.boot_ms = *boot_ms;
    if (flood_ms) o.emulator.profile.flood_ms = *flood_ms;
    if (cms500_share) o.emulator.profile.cms500_share = *cms500_share;
    o.emulator.realistic_latency = latency == "realistic";

    std::signal(SIGPIPE, SIG_IGN);
    boost::asio::io_context io;
    relais::bridge::Bridge bridge(io, o);
    if (auto r = bridge.start(); !r) {
        std::cerr << "firmware-bridge: " << r.error().detail << "\n";
        return 2;
    }
    std::cout << "firmware-bridge: " << o.emulator.profile.name << " on " << bridge.device() << " linked at " << o.link
              << ", control " << o.control_path << std::endl;
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) {
        bridge.stop();
        io.stop();
    });
    io.run();
    return 0;
}
