#pragma once
// The serial line to the modem, behind one interface: libserialport for real ports (it knows
// USB ids and platform quirks), POSIX termios for pseudo-terminals (libserialport 0.1.1 cannot
// open a pty: it finds no sysfs entry and fails on TIOCMGET), and a fake in unit tests. All are
// non-blocking; the session above them is the same code.

#include "result.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace relais::modem {

struct SerialSettings {
    std::string path;  // "/dev/ttyUSB2", "/dev/serial/by-id/...", or a pty's link
    int baud = 115200;
    bool rtscts = false;
};

class SerialPort {
public:
    virtual ~SerialPort() = default;
    /// Opens the device for this process alone. Errors: "modem_device_missing",
    /// "modem_device_busy" (another program holds it), "modem_device_error"; each with
    /// "path" and "detail" parameters.
    virtual Result<void> open() = 0;
    virtual void close() = 0;
    virtual bool is_open() const = 0;
    /// Writes what the port takes now and returns how much; an error means the port is gone.
    virtual Result<std::size_t> write(std::string_view bytes) = 0;
    /// What has arrived, without waiting ("" if nothing); an error means the port is gone
    /// (unplugged, hung up).
    virtual Result<std::string> read() = 0;
    /// A descriptor an event loop can wait on; -1 when closed or when there is none (fakes).
    virtual int fd() const = 0;
    virtual std::string describe() const = 0;
};

std::unique_ptr<SerialPort> make_termios_port(SerialSettings settings);
std::unique_ptr<SerialPort> make_libserialport_port(SerialSettings settings);
/// A pseudo-terminal (the emulated modem) gets the termios port, anything else libserialport.
std::unique_ptr<SerialPort> make_serial_port(SerialSettings settings);

struct PortInfo {
    std::string path;
    std::string description;
    int usb_vid = -1;
    int usb_pid = -1;
    std::string manufacturer;
    std::string product;
    std::string serial;
};

/// The serial ports of this machine with their USB ids, so the appliance can find a known
/// modem by itself (libserialport).
std::vector<PortInfo> list_serial_ports();

/// The modem family a USB id belongs to ("Quectel EC25", "SIMCom SIM7600", ...), or "" if it
/// is not one we know. Such modems expose several ports; the AT port is usually listed in
/// their documentation (EC25: the third, ttyUSB2).
std::string known_modem(int usb_vid, int usb_pid);

}  // namespace relais::modem
