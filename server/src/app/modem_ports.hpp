#pragma once
// What `relais modem-ports` shows: each serial port with its USB id, the modem family we know
// it as, and which rule of the package's udev file (61-relais.rules) matched it — the rule
// sets RELAIS_MODEM=<name> and the link /dev/relais-modem. udev keeps a device's properties in
// <udev data dir>/c<major>:<minor>, one `E:KEY=VALUE` per line (and `S:link` for its links):
// read from there, so relais needs no libudev. The file's bytes come from the device's USB
// descriptors through udev: untrusted, so bounded and escaped where they are read.

#include "result.hpp"
#include "serial_port.hpp"

#include <map>
#include <string>
#include <vector>

namespace relais {

inline constexpr const char* kUdevDataDir = "/run/udev/data";
inline constexpr const char* kRelaisModemLink = "/dev/relais-modem";

/// What udev recorded for one device.
struct UdevRecord {
    std::map<std::string, std::string> properties;  // E: lines; values escaped, at most kMaxValueBytes
    std::vector<std::string> links;                 // S: lines, relative to /dev, escaped
    int malformed_lines = 0;                        // skipped: no KEY=VALUE, a key that is not a name
    bool truncated = false;                         // the file was longer than kMaxFileBytes

    static constexpr std::size_t kMaxFileBytes = 64 * 1024;
    static constexpr std::size_t kMaxValueBytes = 256;
    static constexpr std::size_t kMaxKeyBytes = 64;
};

/// Parses the text of a udev data file.
UdevRecord parse_udev_record(std::string_view text);

/// Reads `<data_dir>/c<major>:<minor>`. Errors: "udev_no_record" (no such file: udev never
/// saw the device, or does not run here), "udev_unreadable" (with "path" and "detail").
Result<UdevRecord> read_udev_record(const std::string& data_dir, unsigned major, unsigned minor);

/// Where the report looks (the real system's places by default; tests give their own).
struct ModemPortsPlaces {
    std::string udev_data_dir = kUdevDataDir;
    std::string relais_link = kRelaisModemLink;
};

/// One line per port, then where the package's link points. Ports that are character devices
/// are looked up in udev's data by their device number (stat()).
std::string modem_ports_report(const std::vector<modem::PortInfo>& ports, const ModemPortsPlaces& places = {});

}  // namespace relais
