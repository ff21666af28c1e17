#pragma once
// What the process `relais serve` asks of the system before anything is opened, and the ports
// kept across a restart in place (ARCHITECTURE.md, "Processes and threads").

#include "config.hpp"

namespace relais {

/// Started again for new settings: the ports it had, also those the kernel chose for port 0, so
/// that the browser that saved the settings finds the box where it was (RELAIS_RESTART_PORTS,
/// then unset).
void keep_restart_ports(Config& config);

/// The file mode mask, SIGPIPE ignored, and malloc's settings.
void set_up_process();

}  // namespace relais
