#pragma once
// The embedded default modem: firmware-bridge started as a child process, its pty linked
// under the data directory (DESIGN.md §4). A dealership switches to real hardware by setting
// [modem] device to the serial path instead of "virtual".

#include "child_process.hpp"
#include "result.hpp"

#include <memory>
#include <optional>
#include <string>

namespace relais {

enum class BridgeTakeover { none, orphan_ended };

class VirtualModem {
public:
    /// Starts `binary` with its link, journal and control socket in `dir` (created), and
    /// waits until the link exists.
    /// `profile`: the modem it behaves like ([modem] emulated_profile). Tests may add options
    /// of their own (a shorter boot, faults) in $RELAIS_BRIDGE_ARGS, separated by spaces.
    static Result<std::unique_ptr<VirtualModem>> start(const std::string& binary, const std::string& dir,
                                                       const std::string& profile = "generic");
    ~VirtualModem();
    void stop();
    const std::string& link() const { return link_; }
    const std::string& control() const { return control_; }
    const std::string& journal() const { return journal_; }
    /// Makes `dir` free for a new bridge: a bridge left running there by a relais that died
    /// (it ends with its parent since `--parent`, but not one started by an older relais, or
    /// one whose parent was killed before it could ask) is ended; one whose parent is a running
    /// relais is an error (modem_in_use).
    static Result<BridgeTakeover> take_over(const std::string& dir);

private:
    std::optional<ChildProcess> child_;
    std::string link_, control_, journal_;
};

/// Where firmware-bridge is: $RELAIS_BRIDGE_BIN, beside this executable, the build tree's, or PATH.
std::string find_bridge_binary();

}  // namespace relais
