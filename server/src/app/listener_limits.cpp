#include "listener_limits.hpp"

#include "box_names.hpp"
#include "https.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>

namespace relais {

Result<DescriptorBudget> share_descriptors(const Config& config) {
    DescriptorBudget b;
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = std::min<rlim_t>(rl.rlim_max, 1 << 20);
        ::setrlimit(RLIMIT_NOFILE, &rl);
        ::getrlimit(RLIMIT_NOFILE, &rl);
    }
    b.limit = rl.rlim_cur;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
        ++b.in_use;
    constexpr std::size_t reserve = 160;
    const std::size_t spare = b.limit > b.in_use + reserve ? b.limit - b.in_use - reserve : 0;
    const int connections = static_cast<int>(std::min<std::size_t>(spare / 3, 1 << 20));
    if (connections < 16) {
        return internal_error("too few file descriptors: the limit is " + std::to_string(b.limit) + ", " +
                              std::to_string(b.in_use) + " are in use, and serving needs at least " +
                              std::to_string(b.in_use + reserve + 48) +
                              " (raise LimitNOFILE in the service, or ulimit -n)");
    }
    b.lan = std::min(config.http.lan_max_connections, std::max(8, connections / 4));
    b.public_ = std::min(config.http.public_max_connections, connections - b.lan);
    return b;
}

Gates make_gates(const Config& config, const DescriptorBudget& budget) {
    Gates g;
    GateOptions& lan_gate = g.lan;
    lan_gate.max_connections = static_cast<std::size_t>(budget.lan);
    lan_gate.max_per_address = static_cast<std::size_t>(std::min(config.http.lan_max_per_address, budget.lan));
    lan_gate.limits.max_body_bytes = (1 << 20) + (64 << 10);
    lan_gate.hosts = host_policy(config, box_names());
    lan_gate.header_timeout = lan_gate.body_timeout = std::chrono::seconds(30);
    lan_gate.idle_timeout = lan_gate.write_timeout = std::chrono::seconds(60);
    GateOptions& public_gate = g.public_;
    public_gate.max_connections = static_cast<std::size_t>(budget.public_);
    public_gate.max_per_address =
        static_cast<std::size_t>(std::min(config.http.public_max_per_address, budget.public_));
    public_gate.limits.max_body_bytes = 64 << 10;
    public_gate.hosts = lan_gate.hosts;
    public_gate.header_timeout = public_gate.body_timeout = std::chrono::seconds(10);
    public_gate.idle_timeout = public_gate.write_timeout = std::chrono::seconds(15);
    return g;
}

}  // namespace relais
