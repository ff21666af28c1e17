#pragma once
// The limits of the listeners of `relais serve`: the file descriptors shared out between them,
// and each gate's caps and timeouts.

#include "config.hpp"
#include "http_gate.hpp"
#include "result.hpp"

#include <sys/resource.h>

#include <cstddef>

namespace relais {

// File descriptors: the process's limit is raised to its hard limit, then shared out. Each
// connection that carries a request costs three (the client's, and both ends of the gate's
// loopback connection to the engine); what was open at this point (database, modem, logs) and
// a reserve (mail, the 64 live-update streams, files) stay out of the share. The lan listener
// keeps a quarter, so customers on the internet can never take the workspace's descriptors.
struct DescriptorBudget {
    rlim_t limit = 0;
    std::size_t in_use = 0;
    int lan = 0;
    int public_ = 0;
};

/// Raises the process's limit to its hard limit and shares it out; an error when too few are left.
Result<DescriptorBudget> share_descriptors(const Config& config);

// The listeners' gates. The workspace is used all day from a few browsers; the customer pages
// from phones on the internet, where a slow or hostile client must let go quickly.
struct Gates {
    GateOptions lan;
    GateOptions public_;
};

Gates make_gates(const Config& config, const DescriptorBudget& budget);

}  // namespace relais
