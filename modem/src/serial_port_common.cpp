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

std::string known_modem(int vid, int pid) {
    struct Known {
        int vid, pid;
        const char* name;
    };
    // USB ids from the vendors' Linux USB driver notes (option/qmi_wwan device tables).
    static constexpr Known table[] = {
        {0x2C7C, 0x0125, "Quectel EC25/EG25"},
        {0x2C7C, 0x0121, "Quectel EC21"},
        {0x2C7C, 0x0296, "Quectel BG96"},
        {0x2C7C, 0x0306, "Quectel EP06"},
        {0x2C7C, 0x0800, "Quectel RM500Q"},
        {0x1E0E, 0x9001, "SIMCom SIM7600"},
        {0x1E0E, 0x9011, "SIMCom SIM7600"},
        {0x12D1, 0x1001, "Huawei (3G)"},
        {0x12D1, 0x1506, "Huawei (3G/4G)"},
        {0x12D1, 0x155E, "Huawei (LTE)"},
        {0x1199, 0x68C0, "Sierra Wireless MC7304/MC7354"},
        {0x1199, 0x9071, "Sierra Wireless EM7455"},
        {0x1199, 0x9079, "Sierra Wireless EM7455"},
        {0x1BC7, 0x1201, "Telit LE910"},
        {0x1BC7, 0x0036, "Telit LE910Cx"},
    };
    for (const Known& k : table) {
        if (k.vid == vid && k.pid == pid) return k.name;
    }
    return "";
}

std::unique_ptr<SerialPort> make_serial_port(SerialSettings settings) {
    char resolved[PATH_MAX];
    const bool pty = ::realpath(settings.path.c_str(), resolved) && std::strncmp(resolved, "/dev/pts/", 9) == 0;
    if (pty) return make_termios_port(std::move(settings));
    return make_libserialport_port(std::move(settings));
}

}  // namespace relais::modem
