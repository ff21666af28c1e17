#include "maildir.hpp"

#include "clock.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace relais::mail {
namespace {

std::string host_name() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return "relais";
    std::string out;
    // The maildir spec reserves '/' and ':' in names.
    for (char c : std::string(buf)) out += c == '/' ? "\\057" : c == ':' ? "\\072" : std::string(1, c);
    return out.empty() ? "relais" : out;
}

bool write_all(int fd, const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

bool fsync_dir(const std::string& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

}  // namespace

MaildirTransport::MaildirTransport(std::string root, const Clock& clock, MailLogger log)
    : root_(std::move(root)), clock_(clock), log_(std::move(log)) {}

void MaildirTransport::send(Envelope envelope, std::string message, Done done) {
    auto fail = [&](const std::string& why) {
        MailOutcome o;
        o.status = DeliveryStatus::temporary;
        o.text = why;
        for (const auto& r : envelope.rcpt_to) o.recipients.push_back({r, o.status, 0, why});
        if (log_) log_(MailLogLevel::warn, "maildir: " + why);
        done(std::move(o));
    };
    std::error_code ec;
    for (const char* sub : {"tmp", "new", "cur"}) {
        std::filesystem::create_directories(root_ + "/" + sub, ec);
        if (ec) return fail("cannot create " + root_ + "/" + sub + ": " + ec.message());
    }

    UnixMs now = clock_.now();
    std::string name = std::to_string(now / 1000) + ".M" + std::to_string((now % 1000) * 1000) + "P" +
                       std::to_string(::getpid()) + "Q" + std::to_string(++sequence_) + "." + host_name();
    std::string tmp = root_ + "/tmp/" + name;
    std::string fresh = root_ + "/new/" + name;

    // What a local delivery agent adds, so the envelope is not lost; then the message with
    // Unix line ends, as maildir readers expect.
    std::string data = "Return-Path: <" + envelope.mail_from + ">\n";
    for (const auto& r : envelope.rcpt_to) data += "Delivered-To: " + r + "\n";
    data.reserve(data.size() + message.size());
    for (std::size_t i = 0; i < message.size(); ++i)
        if (!(message[i] == '\r' && i + 1 < message.size() && message[i + 1] == '\n')) data += message[i];

    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) return fail("cannot create " + tmp + ": " + std::strerror(errno));
    bool ok = write_all(fd, data) && ::fsync(fd) == 0;
    int saved = errno;
    ::close(fd);
    if (!ok) {
        ::unlink(tmp.c_str());
        return fail("cannot write " + tmp + ": " + std::strerror(saved));
    }
    if (::rename(tmp.c_str(), fresh.c_str()) != 0) {
        saved = errno;
        ::unlink(tmp.c_str());
        return fail("cannot move the message into " + root_ + "/new: " + std::strerror(saved));
    }
    fsync_dir(root_ + "/new");

    MailOutcome o;
    o.status = DeliveryStatus::delivered;
    o.text = "written to " + fresh;
    for (const auto& r : envelope.rcpt_to) o.recipients.push_back({r, o.status, 0, o.text});
    if (log_)
        log_(MailLogLevel::info, "mail to " + std::to_string(envelope.rcpt_to.size()) + " recipient(s) " + o.text);
    done(std::move(o));
}

std::string MaildirTransport::describe() const { return "maildir " + root_; }

}  // namespace relais::mail
