// POSIX termios serial port: used for pseudo-terminals, and usable for any tty.
#include "serial_port.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace relais::modem {

Error port_error(int err, const std::string& path);  // serial_port_common.cpp

namespace {

speed_t speed_of(int baud) {
    switch (baud) {
        case 9600: return B9600;
        case 19200: return B19200;
        case 38400: return B38400;
        case 57600: return B57600;
        case 230400: return B230400;
        case 460800: return B460800;
        case 921600: return B921600;
        default: return B115200;
    }
}

class TermiosPort final : public SerialPort {
public:
    explicit TermiosPort(SerialSettings s) : settings_(std::move(s)) {}
    ~TermiosPort() override { close(); }

    Result<void> open() override {
        close();
        const int fd = ::open(settings_.path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) return port_error(errno, settings_.path);
        // Another relais (or ModemManager) on the same line would mix its commands with ours.
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            const int err = errno == EWOULDBLOCK ? EBUSY : errno;
            ::close(fd);
            return port_error(err, settings_.path);
        }
        termios t{};
        if (::tcgetattr(fd, &t) != 0) {
            const int err = errno;
            ::close(fd);
            return port_error(err, settings_.path);
        }
        ::cfmakeraw(&t);
        ::cfsetspeed(&t, speed_of(settings_.baud));
        t.c_cflag |= CLOCAL | CREAD;
        if (settings_.rtscts) {
            t.c_cflag |= CRTSCTS;
        } else {
            t.c_cflag &= ~static_cast<tcflag_t>(CRTSCTS);
        }
        t.c_cc[VMIN] = 0;
        t.c_cc[VTIME] = 0;
        ::tcsetattr(fd, TCSANOW, &t);
        ::tcflush(fd, TCIOFLUSH);
        fd_ = fd;
        return success();
    }

    void close() override {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

    bool is_open() const override { return fd_ >= 0; }

    Result<std::size_t> write(std::string_view bytes) override {
        if (fd_ < 0) return port_error(EBADF, settings_.path);
        const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
        if (n >= 0) return static_cast<std::size_t>(n);
        if (errno == EAGAIN || errno == EINTR) return std::size_t{0};
        return port_error(errno, settings_.path);
    }

    Result<std::string> read() override {
        if (fd_ < 0) return port_error(EBADF, settings_.path);
        std::string out;
        for (;;) {
            // With VMIN = VTIME = 0 a read of nothing returns 0 whether or not the line is still
            // there: poll tells a hung-up pty or an unplugged USB device apart.
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 0) < 0) return out;
            if (p.revents & (POLLERR | POLLNVAL)) return port_error(EIO, settings_.path);
            if (!(p.revents & POLLIN)) {
                if (p.revents & POLLHUP) return port_error(EIO, settings_.path);
                return out;
            }
            char buf[4096];
            const ssize_t n = ::read(fd_, buf, sizeof buf);
            if (n > 0) {
                out.append(buf, static_cast<std::size_t>(n));
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) return out;
            if (!out.empty()) return out;  // deliver what came before the hang-up first
            return port_error(n == 0 ? EIO : errno, settings_.path);
        }
    }

    int fd() const override { return fd_; }
    std::string describe() const override { return settings_.path + " (termios)"; }

private:
    SerialSettings settings_;
    int fd_ = -1;
};

}  // namespace

std::unique_ptr<SerialPort> make_termios_port(SerialSettings settings) {
    return std::make_unique<TermiosPort>(std::move(settings));
}

}  // namespace relais::modem
