#include "modem_ports.hpp"

#include "text.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace relais {
namespace {

bool is_property_name(std::string_view key) {
    if (key.empty() || key.size() > UdevRecord::kMaxKeyBytes) return false;
    for (char c : key) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok) return false;
    }
    return true;
}

// The rule's part of a port's line: which rule matched, and whether it made the link.
std::string udev_part(const modem::PortInfo& p, const ModemPortsPlaces& places) {
    struct stat st {};
    if (::stat(p.path.c_str(), &st) != 0) return "udev: cannot look it up (" + std::string(std::strerror(errno)) + ")";
    if (!S_ISCHR(st.st_mode)) return "udev: not a character device";
    auto record = read_udev_record(places.udev_data_dir, ::major(st.st_rdev), ::minor(st.st_rdev));
    if (!record) {
        if (record.error().code == "udev_no_record") return "udev has no record of it (is udev running?)";
        return "udev: " + record.error().detail;
    }
    const auto rule = record->properties.find("RELAIS_MODEM");
    if (rule == record->properties.end() || rule->second.empty()) return "no udev rule of Relais matched";
    const std::string link_name = std::filesystem::path(places.relais_link).filename().string();
    const bool linked = std::find(record->links.begin(), record->links.end(), link_name) != record->links.end();
    return "udev rule: " + rule->second +
           (linked ? " → " + places.relais_link : " (but no " + places.relais_link + ")");
}

std::string link_report(const std::string& link) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const auto status = fs::symlink_status(link, ec);
    if (ec || !fs::exists(status)) {
        return link +
               ": absent: no port matched a udev rule of Relais (is the modem plugged in? is the relais "
               "package's rule, 61-relais.rules, installed?)\n";
    }
    if (!fs::is_symlink(status)) return link + ": exists, but is not udev's link\n";
    const auto target = fs::canonical(link, ec);
    if (ec) {
        const auto raw = fs::read_symlink(link, ec);
        return link + " → " + escape_untrusted(raw.string(), 256) + " (which does not exist)\n";
    }
    return link + " → " + escape_untrusted(target.string(), 256) + "\n";
}

}  // namespace

UdevRecord parse_udev_record(std::string_view text) {
    UdevRecord r;
    if (text.size() > UdevRecord::kMaxFileBytes) {
        text = text.substr(0, UdevRecord::kMaxFileBytes);
        r.truncated = true;
    }
    while (!text.empty()) {
        const auto end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) continue;
        if (line.size() < 2 || line[1] != ':' || line[0] < 'A' || line[0] > 'Z') {
            ++r.malformed_lines;
            continue;
        }
        const std::string_view rest = line.substr(2);
        if (line[0] == 'E') {
            const auto eq = rest.find('=');
            if (eq == std::string_view::npos || !is_property_name(rest.substr(0, eq))) {
                ++r.malformed_lines;
                continue;
            }
            r.properties.insert_or_assign(std::string(rest.substr(0, eq)),
                                          escape_untrusted(rest.substr(eq + 1), UdevRecord::kMaxValueBytes));
        } else if (line[0] == 'S') {
            r.links.push_back(escape_untrusted(rest, UdevRecord::kMaxValueBytes));
        }
        // Other kinds (I: time, G: and Q: tags, V: version, W: watch, L: priority) say nothing
        // about which rule matched.
    }
    return r;
}

Result<UdevRecord> read_udev_record(const std::string& data_dir, unsigned major, unsigned minor) {
    const std::string path = data_dir + "/c" + std::to_string(major) + ":" + std::to_string(minor);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        const int err = errno;
        Error e = make_error(ErrorKind::not_found, err == ENOENT ? "udev_no_record" : "udev_unreadable",
                             {{"path", path}, {"detail", std::strerror(err)}});
        e.detail = "cannot read " + path + ": " + std::strerror(err);
        return e;
    }
    // One byte more than what is parsed: enough to know the file was longer.
    std::string text(UdevRecord::kMaxFileBytes + 1, '\0');
    std::size_t got = 0;
    while (got < text.size()) {
        const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int err = errno;
            ::close(fd);
            Error e =
                make_error(ErrorKind::internal, "udev_unreadable", {{"path", path}, {"detail", std::strerror(err)}});
            e.detail = "cannot read " + path + ": " + std::strerror(err);
            return e;
        }
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    text.resize(got);
    return parse_udev_record(text);
}

std::string modem_ports_report(const std::vector<modem::PortInfo>& ports, const ModemPortsPlaces& places) {
    std::string out;
    if (ports.empty()) out += "no serial port on this machine (is the modem plugged in?)\n";
    for (const auto& p : ports) {
        out += escape_untrusted(p.path, 256);
        if (p.usb_vid >= 0) {
            char ids[16];
            std::snprintf(ids, sizeof ids, "%04x:%04x", p.usb_vid & 0xFFFF, p.usb_pid & 0xFFFF);
            out += std::string("  USB ") + ids;
            // The product's name is the device's own USB string: anything may be there.
            const std::string known = modem::known_modem(p.usb_vid, p.usb_pid);
            out += "  " + (known.empty() ? escape_untrusted(p.product, 100) : known + " (known modem)");
        } else {
            out += "  " + escape_untrusted(p.description, 100);
        }
        out += "  " + udev_part(p, places) + "\n";
    }
    out += link_report(places.relais_link);
    return out;
}

}  // namespace relais
