// libserialport: real serial ports (USB modems), and the list of ports with their USB ids.
#include "serial_port.hpp"

#include <libserialport.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>

#include <cerrno>

namespace relais::modem {

Error port_error(int err, const std::string& path);  // serial_port_common.cpp

namespace {

class LibSerialPort final : public SerialPort {
public:
    explicit LibSerialPort(SerialSettings s) : settings_(std::move(s)) {}
    ~LibSerialPort() override { close(); }

    Result<void> open() override {
        close();
        sp_port* port = nullptr;
        // libserialport looks a port up by its name under /sys/class/tty, so a udev link such as
        // /dev/relais-modem is resolved first (to /dev/ttyUSB2); a link to nothing is a missing
        // device. Messages keep the configured name.
        char resolved[PATH_MAX];
        if (!::realpath(settings_.path.c_str(), resolved)) return port_error(errno, settings_.path);
        if (sp_get_port_by_name(resolved, &port) != SP_OK) return port_error(ENOENT, settings_.path);
        if (sp_open(port, SP_MODE_READ_WRITE) != SP_OK) {
            const int err = sp_last_error_code();
            sp_free_port(port);
            return port_error(err ? err : EIO, settings_.path);
        }
        sp_set_baudrate(port, settings_.baud);
        sp_set_bits(port, 8);
        sp_set_parity(port, SP_PARITY_NONE);
        sp_set_stopbits(port, 1);
        sp_set_flowcontrol(port, settings_.rtscts ? SP_FLOWCONTROL_RTSCTS : SP_FLOWCONTROL_NONE);
        sp_flush(port, SP_BUF_BOTH);
        port_ = port;
        return success();
    }

    void close() override {
        if (port_) {
            sp_close(port_);
            sp_free_port(port_);
        }
        port_ = nullptr;
    }

    bool is_open() const override { return port_ != nullptr; }

    Result<std::size_t> write(std::string_view bytes) override {
        if (!port_) return port_error(EBADF, settings_.path);
        const sp_return n = sp_nonblocking_write(port_, bytes.data(), bytes.size());
        if (n < 0) return port_error(EIO, settings_.path);
        return static_cast<std::size_t>(n);
    }

    Result<std::string> read() override {
        if (!port_) return port_error(EBADF, settings_.path);
        const int fd = this->fd();
        pollfd p{fd, POLLIN, 0};
        if (fd >= 0 && ::poll(&p, 1, 0) >= 0 && (p.revents & (POLLERR | POLLNVAL | POLLHUP)) && !(p.revents & POLLIN)) {
            return port_error(EIO, settings_.path);
        }
        std::string out;
        char buf[4096];
        for (;;) {
            const sp_return n = sp_nonblocking_read(port_, buf, sizeof buf);
            if (n < 0) return port_error(EIO, settings_.path);
            if (n == 0) return out;
            out.append(buf, static_cast<std::size_t>(n));
        }
    }

    int fd() const override {
        int fd = -1;
        if (port_ && sp_get_port_handle(port_, &fd) == SP_OK) return fd;
        return -1;
    }

    std::string describe() const override { return settings_.path + " (libserialport)"; }

private:
    SerialSettings settings_;
    sp_port* port_ = nullptr;
};

std::string text(const char* s) { return s ? s : ""; }

}  // namespace

std::unique_ptr<SerialPort> make_libserialport_port(SerialSettings settings) {
    return std::make_unique<LibSerialPort>(std::move(settings));
}

std::vector<PortInfo> list_serial_ports() {
    std::vector<PortInfo> out;
    sp_port** ports = nullptr;
    if (sp_list_ports(&ports) != SP_OK) return out;
    for (sp_port** p = ports; *p; ++p) {
        PortInfo info;
        info.path = text(sp_get_port_name(*p));
        info.description = text(sp_get_port_description(*p));
        if (sp_get_port_transport(*p) == SP_TRANSPORT_USB) {
            int vid = -1, pid = -1;
            if (sp_get_port_usb_vid_pid(*p, &vid, &pid) == SP_OK) info.usb_vid = vid, info.usb_pid = pid;
            info.manufacturer = text(sp_get_port_usb_manufacturer(*p));
            info.product = text(sp_get_port_usb_product(*p));
            info.serial = text(sp_get_port_usb_serial(*p));
        }
        out.push_back(std::move(info));
    }
    sp_free_port_list(ports);
    return out;
}

}  // namespace relais::modem
