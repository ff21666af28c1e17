#pragma once
// The names the box has by itself, from the system (gethostname): the one place they are read,
// for the listeners' Host check, the self-signed certificate and the backups' manifest.

#include <string>
#include <vector>

namespace relais {

/// The box's host name as the system has it; "" when it has none.
std::string box_host_name();

/// The names the box answers to on the LAN without configuration: its host name and
/// `<host name>.local` (mDNS), in lower case; none when it has no host name. Not localhost nor
/// its addresses: each caller adds what it needs of them.
std::vector<std::string> box_names();

}  // namespace relais
