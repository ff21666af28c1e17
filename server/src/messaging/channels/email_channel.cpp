#include "email_channel.hpp"

#include "appliance_mail.hpp"
#include "text.hpp"

#include <spdlog/spdlog.h>

#include <set>
#include <utility>

namespace relais {

namespace {

using Kind = ChannelVerdict::Kind;

ChannelVerdict outcome_verdict(Id id, const mail::MailOutcome& o) {
    // The relay's words, as received (mail/ made them valid UTF-8; this keeps it so for any
    // other text a transport may put there, and bounds what is stored).
    std::string answer = escape_untrusted(o.code ? std::to_string(o.code) + " " + o.text : o.text, 1000);
    // For email, the relay's acceptance is the best "received" there is (DESIGN.md §2).
    if (o.delivered()) return {id, Kind::delivered, std::move(answer), {}};
    // No reply code: the relay was not reached (or not securely); else its answer.
    const bool temp = o.status == mail::DeliveryStatus::temporary;
    OutboxFailure f{o.code ? (temp ? "relay_temporary" : "relay_refused") : "relay_unreachable", {}, std::move(answer)};
    if (o.code) f.params.emplace_back("reply", std::to_string(o.code));
    return {id, temp ? Kind::retry : Kind::fail, "", std::move(f)};
}

}  // namespace

struct EmailChannel::State {
    explicit State(EmailChannelDeps d) : deps(std::move(d)) {}

    EmailChannelDeps deps;
    ChannelSink sink;
    std::set<Id> in_flight;  // handed to the transport, no outcome yet
    bool holding = false;
    std::function<void()> settled;

    // The transport's answer, on the io thread: nothing may escape to the event loop.
    void done(Id id, const mail::MailOutcome& o) noexcept {
        try {
            ChannelVerdict v;
            try {
                v = outcome_verdict(id, o);
            } catch (const std::exception& e) {
                deps.log->error("outbox: email outcome: unexpected error: {}", escape_untrusted(e.what(), 500));
                v = {id, Kind::retry, "", internal_failure(e.what())};
            }
            if (sink.verdict) sink.verdict(v);
        } catch (...) {
            deps.log->error("outbox: email outcome of message {}: unexpected error", id);
        }
        in_flight.erase(id);
        if (holding && in_flight.empty() && settled) std::exchange(settled, nullptr)();
    }
};

EmailChannel::EmailChannel(EmailChannelDeps deps) : state_(std::make_shared<State>(std::move(deps))) {}

EmailChannel::~EmailChannel() = default;

void EmailChannel::connect(ChannelSink sink) { state_->sink = std::move(sink); }

std::optional<ChannelVerdict> EmailChannel::send(const OutboxMessage& r) {
    State& s = *state_;
    mail::MailMessage m;
    m.to = {{r.name, r.address}};
    m.subject = r.subject;
    m.text = r.body;
    m.html = r.html;
    m.message_id = r.message_id;
    ComposedMail composed = compose_mail(s.deps.config, s.deps.random, s.deps.clock, s.deps.zone, std::move(m));
    // Kept before any I/O: sent again after a crash, it carries the same Message-ID.
    if (r.message_id.empty() && s.sink.keep_message_id) s.sink.keep_message_id(r.id, composed.message_id);
    // Counted before it is handed over: the maildir answers inside send().
    s.in_flight.insert(r.id);
    try {
        s.deps.transport.send(composed.envelope, composed.bytes,
                              [weak = std::weak_ptr<State>(state_), id = r.id](mail::MailOutcome o) {
                                  if (auto self = weak.lock()) self->done(id, o);
                              });
    } catch (...) {
        s.in_flight.erase(r.id);
        throw;
    }
    return std::nullopt;
}

void EmailChannel::hold(std::function<void()> settled) {
    State& s = *state_;
    s.holding = true;
    if (s.in_flight.empty()) return settled();
    s.deps.log->info("stopping: {} email(s) handed to the {}: waiting for their outcome", s.in_flight.size(),
                     s.deps.transport.describe());
    s.settled = std::move(settled);
}

std::vector<Id> EmailChannel::may_have_left() const { return {state_->in_flight.begin(), state_->in_flight.end()}; }

}  // namespace relais
