// `relais modem-ports`: udev's data files read from a fake data directory (the rule that
// matched, malformed lines, overlong and hostile values), and the report over ports that are
// real character devices (/dev/null and friends) with fake udev records.
#include "modem_ports.hpp"
#include "support.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

using namespace relais;
using relais::test::TempDir;
using relais::test::write_file;

namespace {

// As udev 252 writes it for a Quectel EG25-G's AT port matched by 61-relais.rules.
constexpr const char* kQuectelRecord =
    "S:serial/by-id/usb-Quectel_EG25-G-if02-port0\n"
    "S:relais-modem\n"
    "S:serial/by-path/pci-0000:00:14.0-usb-0:2:1.2-port0\n"
    "W:3\n"
    "I:4512335\n"
    "E:ID_VENDOR_ID=2c7c\n"
    "E:ID_MODEL_ID=0125\n"
    "E:ID_MODEL=EG25-G\n"
    "E:ID_USB_INTERFACE_NUM=02\n"
    "E:RELAIS_MODEM=quectel-ec25\n"
    "E:ID_MM_DEVICE_IGNORE=1\n"
    "G:systemd\n"
    "Q:systemd\n"
    "V:1\n";

// The name udev gives the data file of a character device.
std::string data_file(const std::string& dir, const char* device) {
    struct stat st {};
    REQUIRE(::stat(device, &st) == 0);
    return dir + "/c" + std::to_string(::major(st.st_rdev)) + ":" + std::to_string(::minor(st.st_rdev));
}

}  // namespace

TEST_CASE("modem-ports: the rule that matched is read from udev's data file") {
    TempDir dir;
    write_file(dir.path() + "/c188:2", kQuectelRecord);
    auto record = read_udev_record(dir.path(), 188, 2);
    REQUIRE(record.ok());
    CHECK(record->properties.at("RELAIS_MODEM") == "quectel-ec25");
    CHECK(record->properties.at("ID_USB_INTERFACE_NUM") == "02");
    CHECK(record->properties.at("ID_MM_DEVICE_IGNORE") == "1");
    CHECK(record->properties.size() == 6);
    CHECK(record->links == std::vector<std::string>{"serial/by-id/usb-Quectel_EG25-G-if02-port0", "relais-modem",
                                                    "serial/by-path/pci-0000:00:14.0-usb-0:2:1.2-port0"});
    CHECK(record->malformed_lines == 0);
    CHECK_FALSE(record->truncated);
}

TEST_CASE("modem-ports: a device udev has no file for is said so, not taken for a missing rule") {
    TempDir dir;
    auto missing = read_udev_record(dir.path(), 188, 0);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == "udev_no_record");
    CHECK(missing.error().detail.find(dir.path() + "/c188:0") != std::string::npos);
    auto no_dir = read_udev_record(dir.path() + "/nowhere", 188, 0);
    REQUIRE_FALSE(no_dir.ok());
    CHECK(no_dir.error().code == "udev_no_record");
}

TEST_CASE("modem-ports: malformed lines are skipped and counted, the others still read") {
    const auto r = parse_udev_record(
        "garbage without a kind\n"
        "E:NO_EQUALS_SIGN\n"
        "E:=a value without a name\n"
        "E:A KEY WITH SPACES=x\n"
        "e:lower_kind=x\n"
        "E:RELAIS_MODEM=simcom-sim7600\r\n"
        "\n"
        "E\n"
        "E:EMPTY=\n");
    CHECK(r.malformed_lines == 6);
    CHECK(r.properties.size() == 2);
    CHECK(r.properties.at("RELAIS_MODEM") == "simcom-sim7600");  // its CR is not part of the name
    CHECK(r.properties.at("EMPTY").empty());
}

TEST_CASE("modem-ports: values from the device are bounded and escaped, and so is the file") {
    // A USB device names itself: its strings reach udev's file as they are.
    const std::string overlong(10000, 'A');
    const auto r = parse_udev_record("E:ID_MODEL=" + overlong +
                                     "\n"
                                     "E:ID_SERIAL=\x1b]0;owned\x07\xff\xfe end\n"
                                     "E:" +
                                     std::string(200, 'K') +
                                     "=a name too long\n"
                                     "S:" +
                                     overlong + "\n");
    const std::string& model = r.properties.at("ID_MODEL");
    CHECK(model.size() <= UdevRecord::kMaxValueBytes);
    CHECK(model.size() > 200);
    CHECK(model.ends_with("…"));
    CHECK(r.properties.at("ID_SERIAL") == "\\x1B]0;owned\\x07\\xFF\\xFE end");
    CHECK(r.malformed_lines == 1);
    REQUIRE(r.links.size() == 1);
    CHECK(r.links[0].size() <= UdevRecord::kMaxValueBytes);

    // A file larger than any udev writes is read only up to the bound.
    TempDir dir;
    std::string huge;
    while (huge.size() <= UdevRecord::kMaxFileBytes) huge += "E:FILLER_" + std::to_string(huge.size()) + "=x\n";
    write_file(dir.path() + "/c188:3", huge + "E:RELAIS_MODEM=past-the-bound\n");
    auto read = read_udev_record(dir.path(), 188, 3);
    REQUIRE(read.ok());
    CHECK(read->truncated);
    CHECK(read->properties.count("RELAIS_MODEM") == 0);
}

TEST_CASE("modem-ports: the report names the rule per port and where /dev/relais-modem points") {
    TempDir dir;
    const std::string udev = dir.path() + "/udev";
    std::filesystem::create_directory(udev);
    // Three real character devices stand in for serial ports: udev's files for them are ours.
    write_file(data_file(udev, "/dev/null"), kQuectelRecord);
    write_file(data_file(udev, "/dev/zero"), "E:ID_VENDOR_ID=0403\nE:ID_MODEL_ID=6001\nS:serial/by-id/usb-FTDI\n");
    const std::string link = dir.path() + "/relais-modem";
    std::filesystem::create_symlink("/dev/null", link);

    std::vector<modem::PortInfo> ports(3);
    ports[0].path = "/dev/null";
    ports[0].usb_vid = 0x2C7C;
    ports[0].usb_pid = 0x0125;
    ports[1].path = "/dev/zero";
    ports[1].usb_vid = 0x0403;
    ports[1].usb_pid = 0x6001;
    ports[1].product = "FT232R USB UART\x1b[2J";
    ports[2].path = "/dev/full";
    ports[2].description = "ttyS0";
    const std::string report = modem_ports_report(ports, {udev, link});
    CAPTURE(report);
    CHECK(report.find("/dev/null  USB 2c7c:0125  Quectel EC25/EG25 (known modem)  udev rule: quectel-ec25 → " + link +
                      "\n") != std::string::npos);
    CHECK(report.find("/dev/zero  USB 0403:6001  FT232R USB UART\\x1B[2J  no udev rule of Relais matched\n") !=
          std::string::npos);
    CHECK(report.find("/dev/full  ttyS0  udev has no record of it") != std::string::npos);
    CHECK(report.ends_with(link + " → /dev/null\n"));

    // No link: no port matched, and the report says what to check.
    std::filesystem::remove(link);
    const std::string without = modem_ports_report({}, {udev, link});
    CHECK(without.find("no serial port") != std::string::npos);
    CHECK(without.find(link + ": absent") != std::string::npos);
    CHECK(without.find("61-relais.rules") != std::string::npos);
}
