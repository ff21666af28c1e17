#pragma once
// The emulated modem as a process: the Emulator on a pseudo-terminal whose slave side is
// linked at a path of our choosing (so programs open "/run/relais/modem" like a USB modem's
// /dev/ttyUSB2), a journal of everything "sent" (JSON lines), and a control socket (a Unix
// socket, one JSON object per line) to inject SMS, list what was sent, switch faults, and
// unplug or replug the device. Runs on a Boost.Asio io_context, on one thread.

#include "emulator.hpp"

#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace relais::bridge {

struct BridgeOptions {
    std::string link;          // symlink to the pty's slave
    std::string journal_path;  // JSON lines
    std::string control_path;  // Unix socket
    std::string trace_path;    // optional: every byte each way, timed (for debugging a driver)
    EmulatorOptions emulator;
};

class Bridge {
public:
    Bridge(boost::asio::io_context& io, BridgeOptions options);
    ~Bridge();
    /// Creates the pty and its link, opens the journal, listens on the control socket.
    Result<void> start();
    /// Removes the link and the socket.
    void stop();
    /// The pty's device path ("/dev/pts/7"), empty while unplugged.
    std::string device() const;

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;  // shared with its pending asynchronous operations
};

}  // namespace relais::bridge
