#pragma once
// Fakes for the outbox's channels (message_channel.hpp, sms_channel.hpp): a channel scripted
// by the test, and a modem as the SMS channel sees it. Both record what they are handed and
// give verdicts or outcomes when the test says, on the test's thread (the io thread there).

#include "message_channel.hpp"
#include "sms_channel.hpp"

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace relais::test {

class FakeChannel final : public MessageChannel {
public:
    explicit FakeChannel(Channel kind) : kind_(kind) {}

    // ---- switches ----
    std::optional<ChannelVerdict> answer;  // given by send() at once (its message_id set)
    bool answer_inside_send = false;       // given through the sink from inside send() instead
    bool throws = false;                   // send() throws (after answering inside it, if it does)
    std::vector<Id> left;                  // may_have_left()

    // ---- what happened ----
    std::vector<OutboxMessage> handed;
    std::function<void()> settled;  // hold()'s
    int holds = 0;

    /// A verdict that comes later, as from a transport's callback.
    void give(ChannelVerdict v) { sink_.verdict(v); }
    void wake() { sink_.wake(); }
    bool connected() const { return static_cast<bool>(sink_.verdict); }

    Channel kind() const override { return kind_; }
    void connect(ChannelSink sink) override { sink_ = std::move(sink); }
    std::optional<ChannelVerdict> send(const OutboxMessage& m) override {
        handed.push_back(m);
        std::optional<ChannelVerdict> v = answer;
        if (v) v->message_id = m.id;
        if (v && answer_inside_send) sink_.verdict(*std::exchange(v, std::nullopt));
        if (throws) throw std::runtime_error("channel broke \xff");
        return v;
    }
    void hold(std::function<void()> s) override {
        ++holds;
        settled = std::move(s);
    }
    std::vector<Id> may_have_left() const override { return left; }

private:
    Channel kind_;
    ChannelSink sink_;
};

class FakeSmsModem final : public SmsModem {
public:
    std::optional<Error> refuse;                                                // send() answers this
    std::optional<modem::MessageId> transmitting;                               // transmitting_at_hold()
    std::vector<std::tuple<modem::MessageId, std::string, std::string>> queue;  // id, to, text
    Listener listener;
    std::function<void()> idle;  // hold()'s

    Result<modem::SmsCost> send(modem::MessageId id, const std::string& to, const std::string& text) override {
        if (refuse) return *refuse;
        queue.emplace_back(id, to, text);
        return modem::SmsCost{};
    }
    void set_listener(Listener l) override { listener = std::move(l); }
    void hold(std::function<void()> i) override { idle = std::move(i); }
    std::optional<modem::MessageId> transmitting_at_hold() const override { return transmitting; }
};

}  // namespace relais::test
