#include "serial_port.hpp"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace relais::modem {

Error port_error(int err, const std::string& path) {
    const char* code = "modem_device_error";
    if (err == ENOENT || err == ENODEV || err == ENXIO) code = "modem_device_missing";
    if (err == EBUSY || err == EWOULDBLOCK) code = "modem_device_busy";
    Error e = make_error(ErrorKind::unavailable, code, {{"path", path}, {"detail", std::strerror(err)}});
    e.detail = path + ": " + std::strerror(err);
    return e;
}

std::unique_ptr<SerialPort> make_serial_port(SerialSettings settings) {
    char resolved[PATH_MAX];
    const bool pty = ::realpath(settings.path.c_str(), resolved) && std::strncmp(resolved, "/dev/pts/", 9) == 0;
    if (pty) return make_termios_port(std::move(settings));
    return make_libserialport_port(std::move(settings));
}

}  // namespace relais::modem
