#include "loop_timer.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace relais {

struct LoopTimer::Impl : std::enable_shared_from_this<Impl> {
    Impl(boost::asio::io_context& io, const Clock& c) : timer(io), clock(c) {}
    boost::asio::steady_timer timer;
    const Clock& clock;
    // A wait that completed before cancel() or arm() is still delivered by Asio: each arm has
    // its own number, and only the current one fires.
    std::uint64_t generation = 0;
    UnixMs at = 0;
    std::function<void()> fire;

    void wait() {
        constexpr UnixMs longest = 60'000;
        const UnixMs left = std::clamp<UnixMs>(at - clock.now(), 0, longest);
        timer.expires_after(std::chrono::milliseconds(left));
        timer.async_wait([weak = weak_from_this(), armed = generation](const boost::system::error_code& ec) {
            auto self = weak.lock();
            if (!self || ec || self->generation != armed) return;
            if (self->clock.now() < self->at) return self->wait();  // a minute of a longer wait
            ++self->generation;
            auto f = std::move(self->fire);
            self->fire = nullptr;
            if (f) f();
        });
    }
};

LoopTimer::LoopTimer(boost::asio::io_context& io, const Clock& clock) : impl_(std::make_shared<Impl>(io, clock)) {}

LoopTimer::~LoopTimer() { cancel(); }

void LoopTimer::arm(UnixMs at, std::function<void()> fire) {
    ++impl_->generation;
    impl_->at = at;
    impl_->fire = std::move(fire);
    impl_->wait();
}

void LoopTimer::cancel() {
    ++impl_->generation;
    impl_->fire = nullptr;
    impl_->timer.cancel();
}

}  // namespace relais
