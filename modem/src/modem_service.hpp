#pragma once
// Runs a ModemSession on a Boost.Asio io_context (the core event loop, DESIGN.md §4): waits
// for the port to be readable or writable and for the session's next deadline, then lets it
// work. Other threads (HTTP handlers) use send() and status(), which are thread-safe.

#include "modem_session.hpp"

#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace boost::asio {
class io_context;
}

namespace relais::modem {

class ModemService {
public:
    /// `io` and `events` must outlive the service; events are called on the io thread.
    ModemService(boost::asio::io_context& io, std::unique_ptr<SerialPort> port, ModemConfig config,
                 ModemEvents& events);
    ~ModemService();
    ModemService(const ModemService&) = delete;
    ModemService& operator=(const ModemService&) = delete;

    void start();
    /// Stops waiting; the port is closed. Call on the io thread or after it stopped.
    void stop();
    /// A clean stop, first part; on the io thread. The session starts no new message
    /// (ModemSession::hold) and `idle` is called once, on the io thread, when no message is
    /// being transmitted any more (posted at once if none is). Returns the message being
    /// transmitted, if any. stop() follows.
    std::optional<OutgoingSms> hold(std::function<void()> idle);

    /// Thread-safe. The cost is known at once; the message goes when the modem is ready.
    Result<SmsCost> send(OutgoingSms sms);
    /// Thread-safe copy of the last status.
    ModemStatus status() const;
    /// Thread-safe: messages waiting or in flight.
    std::size_t queued() const;

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

/// What a text would cost, without a modem (the same rules as ModemSession::send).
Result<SmsCost> sms_cost(const std::string& text, Transliteration transliteration = Transliteration::off);

}  // namespace relais::modem
