#include "modem_service.hpp"

#include <unistd.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <utility>

namespace relais::modem {
namespace asio = boost::asio;

namespace {

Millis monotonic_now() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

Result<SmsCost> sms_cost(const std::string& text, Transliteration transliteration) {
    TRY_ASSIGN(SmsText sms, prepare_sms(text, transliteration));
    return SmsCost{sms.encoding, sms.characters, sms.units, sms.parts.size(), sms.transliterated, sms.text};
}

struct ModemService::Impl : std::enable_shared_from_this<ModemService::Impl>, ModemEvents {
    asio::io_context& io;
    std::unique_ptr<SerialPort> port;
    ModemEvents& outer;
    ModemSession session;
    asio::steady_timer timer;
    std::unique_ptr<asio::posix::stream_descriptor> descriptor;  // a dup of the port's fd
    int watched_fd = -1;
    bool waiting_read = false;
    bool waiting_write = false;
    bool stopped = false;
    mutable std::mutex mutex;
    ModemStatus last_status;
    std::atomic<std::size_t> queue_size{0};
    std::function<void()> idle;  // set by hold(): called once nothing is being transmitted

    Impl(asio::io_context& ctx, std::unique_ptr<SerialPort> p, ModemConfig config, ModemEvents& events)
        : io(ctx), port(std::move(p)), outer(events), session(*port, std::move(config), *this), timer(ctx) {}

    // ModemEvents, on the io thread: keep a copy for other threads, pass on.
    void on_status(const ModemStatus& s) override {
        {
            std::lock_guard lock(mutex);
            last_status = s;
        }
        outer.on_status(s);
    }
    void on_sent(const SendOutcome& o) override { outer.on_sent(o); }
    bool on_inbound(const InboundSms& m) override { return outer.on_inbound(m); }
    void on_delivery(const DeliveryReport& d) override { outer.on_delivery(d); }

    void run() {
        if (stopped) return;
        session.poll(monotonic_now());
        queue_size = session.queued();
        notify_idle();
        rewatch();
    }

    void notify_idle() {
        if (idle && !session.transmitting()) asio::post(io, std::exchange(idle, nullptr));
    }

    void drop_descriptor() {
        if (descriptor) {
            boost::system::error_code ec;
            descriptor->cancel(ec);
            descriptor->close(ec);  // our dup only; the port keeps its own descriptor
            descriptor.reset();
        }
        watched_fd = -1;
        waiting_read = waiting_write = false;
    }

    void rewatch() {
        if (stopped) return;
        const int fd = port->is_open() ? port->fd() : -1;
        if (fd != watched_fd) {
            drop_descriptor();
            if (fd >= 0) {
                descriptor = std::make_unique<asio::posix::stream_descriptor>(io, ::dup(fd));
                watched_fd = fd;
            }
        }
        auto self = shared_from_this();
        if (descriptor && !waiting_read) {
            waiting_read = true;
            descriptor->async_wait(asio::posix::stream_descriptor::wait_read,
                                   [this, self](const boost::system::error_code& ec) {
                                       waiting_read = false;
                                       if (ec == asio::error::operation_aborted) return;
                                       run();
                                   });
        }
        if (descriptor && session.wants_write() && !waiting_write) {
            waiting_write = true;
            descriptor->async_wait(asio::posix::stream_descriptor::wait_write,
                                   [this, self](const boost::system::error_code& ec) {
                                       waiting_write = false;
                                       if (ec == asio::error::operation_aborted) return;
                                       run();
                                   });
        }
        if (const auto wake = session.next_wakeup()) {
            timer.expires_at(asio::steady_timer::time_point(std::chrono::milliseconds(*wake)));
            timer.async_wait([this, self](const boost::system::error_code& ec) {
                if (!ec) run();
            });
        } else if (!descriptor) {
            // Nothing to wait for yet: try again shortly (a port that could not be opened).
            timer.expires_after(std::chrono::milliseconds(500));
            timer.async_wait([this, self](const boost::system::error_code& ec) {
                if (!ec) run();
            });
        }
    }
};

ModemService::ModemService(asio::io_context& io, std::unique_ptr<SerialPort> port, ModemConfig config,
                           ModemEvents& events)
    : impl_(std::make_shared<Impl>(io, std::move(port), std::move(config), events)) {}

ModemService::~ModemService() { stop(); }

void ModemService::start() {
    auto impl = impl_;
    asio::post(impl->io, [impl] { impl->run(); });
}

void ModemService::stop() {
    if (!impl_ || impl_->stopped) return;
    impl_->stopped = true;
    impl_->timer.cancel();
    impl_->drop_descriptor();
    impl_->port->close();
}

std::optional<OutgoingSms> ModemService::hold(std::function<void()> idle) {
    impl_->session.hold();
    std::optional<OutgoingSms> busy;
    if (const OutgoingSms* sms = impl_->session.transmitting()) busy = *sms;
    // Not waited for (its report may take minutes), but it may have left all the same.
    else if (const OutgoingSms* maybe = impl_->session.unresolved())
        busy = *maybe;
    impl_->idle = std::move(idle);
    impl_->notify_idle();
    return busy;
}

Result<SmsCost> ModemService::send(OutgoingSms sms) {
    TRY_ASSIGN(SmsCost cost, sms_cost(sms.text, sms.transliteration));
    auto impl = impl_;
    ++impl->queue_size;
    asio::post(impl->io, [impl, sms = std::move(sms)]() mutable {
        (void)impl->session.send(std::move(sms));  // checked above with the same rules
        impl->run();
    });
    return cost;
}

ModemStatus ModemService::status() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->last_status;
}

std::size_t ModemService::queued() const { return impl_->queue_size; }

}  // namespace relais::modem
