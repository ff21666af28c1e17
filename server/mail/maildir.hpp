#pragma once
// The embedded default for email: with no relay configured, each message is delivered to a
// maildir (tmp/ → fsync → rename to new/ → fsync of new/), so a fresh checkout runs end to end
// and nothing is half-written when the power goes. Mail clients (mutt -f, Thunderbird's
// maildir store) and the advisor workspace read it.

#include "mail_transport.hpp"

#include <atomic>
#include <string>

namespace relais {
class Clock;
}

namespace relais::mail {

class MaildirTransport final : public MailTransport {
public:
    /// `root` (e.g. <data_dir>/mail) and its tmp/, new/ and cur/ are created when missing.
    /// `clock` must outlive the transport. Thread-safe.
    MaildirTransport(std::string root, const Clock& clock, MailLogger log);

    /// Synchronous: `done` runs before send returns. Delivered means the file is in new/ and
    /// on disk; a failure (disk full, permissions) is temporary, and nothing is left in new/.
    void send(Envelope envelope, std::string message, Done done) override;
    std::string describe() const override;
    const std::string& root() const { return root_; }

private:
    std::string root_;
    const Clock& clock_;
    MailLogger log_;
    std::atomic<unsigned> sequence_{0};
};

}  // namespace relais::mail
