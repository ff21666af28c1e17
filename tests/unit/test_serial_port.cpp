// The termios port on a real pseudo-terminal (the kind the emulated modem uses), and the
// choice between termios and libserialport.
#include "serial_port.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include <string>

using namespace relais::modem;

namespace {

struct Pty {
    Pty() {
        master = ::posix_openpt(O_RDWR | O_NOCTTY);
        REQUIRE(master >= 0);
        REQUIRE(::grantpt(master) == 0);
        REQUIRE(::unlockpt(master) == 0);
        path = ::ptsname(master);
    }
    ~Pty() {
        if (master >= 0) ::close(master);
    }
    std::string read_master() {
        std::string out;
        char buf[256];
        for (int i = 0; i < 100 && out.empty(); ++i) {
            const ssize_t n = ::read(master, buf, sizeof buf);
            if (n > 0) out.append(buf, static_cast<std::size_t>(n));
        }
        return out;
    }
    int master = -1;
    std::string path;
};

}  // namespace

TEST_CASE("termios port: bytes both ways on a pty, raw (no echo, no CR translation)") {
    Pty pty;
    auto port = make_serial_port({pty.path});
    REQUIRE(port->describe().find("termios") != std::string::npos);
    REQUIRE(port->open().ok());
    CHECK(port->fd() >= 0);
    REQUIRE(*port->write("AT\r") == 3);
    CHECK(pty.read_master() == "AT\r");
    REQUIRE(::write(pty.master, "\r\nOK\r\n", 6) == 6);
    std::string got;
    for (int i = 0; i < 100 && got.size() < 6; ++i) got += *port->read();
    CHECK(got == "\r\nOK\r\n");
    CHECK(port->read()->empty());  // nothing more: no error either
}

TEST_CASE("termios port: the other side going away is an error, not silence") {
    Pty pty;
    auto port = make_serial_port({pty.path});
    REQUIRE(port->open().ok());
    ::close(pty.master);
    pty.master = -1;
    auto r = port->read();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "modem_device_error");
}

TEST_CASE("serial ports: a missing device and a busy one are named clearly") {
    auto missing = make_serial_port({"/dev/ttyUSB-relais-none"});
    auto r = missing->open();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "modem_device_missing");
    CHECK(r.error().detail.find("/dev/ttyUSB-relais-none") != std::string::npos);
    auto missing_pty = make_termios_port({"/dev/pts/relais-none"});
    CHECK(missing_pty->open().error().code == "modem_device_missing");

    Pty pty;
    auto first = make_serial_port({pty.path});
    auto second = make_serial_port({pty.path});
    REQUIRE(first->open().ok());
    auto busy = second->open();
    REQUIRE_FALSE(busy.ok());
    CHECK(busy.error().code == "modem_device_busy");
    first->close();
    CHECK(second->open().ok());
}

TEST_CASE("known modems by USB id") {
    CHECK(known_modem(0x2C7C, 0x0125) == "Quectel EC25/EG25");
    CHECK(known_modem(0x1E0E, 0x9001) == "SIMCom SIM7600");
    CHECK(known_modem(0x1199, 0x9079) == "Sierra Wireless EM7455");  // the udev rule's ids
    CHECK(known_modem(0x1199, 0x9071) == "Sierra Wireless EM7455");
    CHECK(known_modem(0x1234, 0x5678).empty());
    // Listing works on any machine (there may be no serial port at all).
    for (const PortInfo& p : list_serial_ports()) CHECK_FALSE(p.path.empty());
}
