#include "outbox.hpp"

#include "clock.hpp"
#include "json_text.hpp"
#include "text.hpp"
#include "timeline.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include <map>
#include <mutex>
#include <stdexcept>

namespace relais {

using nlohmann::json;

const std::vector<std::string_view>& outbox_failure_codes() {
    static const std::vector<std::string_view> codes = {
        // failure codes begin
        "not_mobile",         // the number cannot receive SMS
        "no_modem",           // no modem yet: waits
        "sms_temporary",      // {cms}: the modem or network said "later"
        "sms_refused",        // {cms}: the modem or network refused it for good
        "sms_sim_network",    // {cms}: the SIM or the mobile network stopped it: it waits, attempts kept
        "sms_modem_full",     // {cms}: the modem's storage was full: emptied, then tried again
        "sms_unknown",        // {cms}: an error the modem does not explain: a few tries, then it fails
        "sms_undelivered",    // {status}: the network could not deliver it to the handset
        "no_mail_transport",  // no way to send email yet: waits
        "relay_unreachable",  // the relay could not be reached (or not securely)
        "relay_temporary",    // {reply}: the relay said "later"
        "relay_refused",      // {reply}: the relay refused it
        "internal_error",     // handling it failed inside Relais
        "quarantined",        // {n}: Relais stopped n times while sending it
        "opted_out",          // the customer answered STOP
        "superseded",         // a newer version of the offer went instead
        "cancelled",          // the scheduled send was cancelled
        "expired",            // the offer expired before it could go
        // failure codes end
    };
    return codes;
}

std::string failure_json(std::string_view code, const Params& params) {
    json p = json::object();
    for (const auto& [k, v] : params) p[k] = v;
    return dump_json(json{{"code", code}, {"params", p}});
}

std::chrono::milliseconds outbox_backoff(int attempts) {
    using namespace std::chrono;
    milliseconds d = seconds(30);
    for (int i = 1; i < attempts && d < hours(1); ++i) d *= 2;
    return std::min<milliseconds>(d, hours(1));
}

namespace {

// A row as stored: the message a channel is handed, and the repair order it is about.
struct Row : OutboxMessage {
    std::optional<Id> ro_id;
};

// One column list and one decoder for every query of outbox rows.
constexpr std::string_view kSelectRows =
    "SELECT id, ro_id, offer_id, recipient_id, purpose, channel, address, name, subject, body, html, state, "
    "attempts, next_attempt_at, last_error, detail, message_id, created_at, sent_at, delivered_at, interruptions, "
    "failure, template FROM outbox ";
std::string rows_where(std::string_view condition) { return std::string(kSelectRows) + std::string(condition); }

Row row_from(const Statement& s) {
    Row r;
    r.id = s.int64(0);
    r.ro_id = s.optional_int64(1);
    r.offer_id = s.optional_int64(2);
    r.recipient_id = s.optional_int64(3);
    r.purpose = s.text(4);
    r.channel = parse_enum<Channel>(s.text(5)).value_or(Channel::sms);
    r.address = s.text(6);
    r.name = s.text(7);
    r.subject = s.text(8);
    r.body = s.text(9);
    r.html = s.text(10);
    r.state = parse_enum<OutboxState>(s.text(11)).value_or(OutboxState::pending);
    r.attempts = static_cast<int>(s.int64(12));
    r.next_attempt_at = s.int64(13);
    r.last_error = s.text(14);
    r.detail = s.text(15);
    r.message_id = s.text(16);
    r.created_at = s.int64(17);
    r.sent_at = s.optional_int64(18);
    r.delivered_at = s.optional_int64(19);
    r.interruptions = static_cast<int>(s.int64(20));
    r.failure = s.text(21);
    r.template_ref = s.text(22);  // "" for messages no template writes
    return r;
}

}  // namespace

namespace outbox_store {

Result<std::vector<OutboxMessage>> for_offer(Connection& c, Id offer_id) {
    TRY_ASSIGN(auto s, c.prepare(rows_where("WHERE offer_id = ? ORDER BY id")));
    s.bind(1, offer_id);
    std::vector<OutboxMessage> out;
    while (true) {
        TRY_ASSIGN(bool row, s.step());
        if (!row) break;
        out.push_back(row_from(s));
    }
    return out;
}

}  // namespace outbox_store

struct Outbox::Impl : std::enable_shared_from_this<Impl> {
    explicit Impl(OutboxDeps d) : deps(std::move(d)) {}

    OutboxDeps deps;
    std::map<Channel, MessageChannel*> channels;
    bool pass_posted = false;
    std::mutex wake_mutex;
    // Verdicts a channel gave from inside its send() (a transport that answers at once): recorded
    // once the send is over, so that a channel is never re-entered. On the io thread.
    bool in_send = false;
    std::vector<ChannelVerdict> given_in_send;
    // A clean stop (stop_claiming): no more rows claimed; `settled` once all held settled.
    bool claiming = true;  // on the io thread
    // Set when the Outbox goes: a pass or an outcome still queued on the loop (holding this Impl)
    // then claims nothing and never calls the scheduler, which may be gone too.
    bool detached = false;
    std::size_t unsettled_channels = 0;
    std::function<void()> settled;

    spdlog::logger& log() { return *deps.log; }
    UnixMs now() { return deps.clock.now(); }

    void event(Connection& c, std::optional<Id> ro_id, const std::string& type, json data) {
        if (!ro_id) return;
        if (auto r = timeline::record(c, ro_id, now(), appliance_actor(), type, data); !r)
            log().error("outbox: timeline: {}", r.error().detail);
    }

    // What the channels call (message_channel.hpp); nothing they call reaches back into them.
    ChannelSink sink() {
        std::weak_ptr<Impl> weak = weak_from_this();
        return {.verdict =
                    [weak](const ChannelVerdict& v) {
                        if (auto self = weak.lock()) self->take(v);
                    },
                .wake =
                    [weak] {
                        if (auto self = weak.lock()) self->post_pass();
                    },
                .keep_message_id =
                    [weak](Id id, const std::string& message_id) {
                        if (auto self = weak.lock()) self->keep_message_id(id, message_id);
                    }};
    }

    // --- the pass -------------------------------------------------------------------------

    void post_pass() {
        {
            std::lock_guard lock(wake_mutex);
            if (pass_posted) return;
            pass_posted = true;
        }
        boost::asio::post(deps.io, [self = shared_from_this()] {
            {
                std::lock_guard lock(self->wake_mutex);
                self->pass_posted = false;
            }
            self->pass();
        });
    }

    // Every entry from the event loop goes through here: whatever one message does, nothing
    // escapes to io.run() (which would end the process and, at the next start, send the same
    // message again), and the other messages carry on.
    template <class F>
    void guarded(const char* what, const Row* row, F&& f) noexcept {
        try {
            f();
        } catch (const std::exception& e) {
            log().error("outbox: {}: unexpected error: {}", what, escape_untrusted(e.what(), 500));
            if (row) fail_after_error(*row, e.what());
        } catch (...) {
            log().error("outbox: {}: unexpected error", what);
            if (row) fail_after_error(*row, "unknown exception");
        }
    }

    // A message whose handling threw: counted as a failed attempt (temporary, so it is tried
    // again a bounded number of times, then failed for good with this reason).
    void fail_after_error(const Row& r, std::string_view what) noexcept {
        try {
            temporary(r, internal_failure(what));
        } catch (...) {
            log().error("outbox: message {} could not be marked failed", r.id);
        }
    }

    void pass() {
        guarded("pass", nullptr, [&] { pass_unguarded(); });
    }

    void pass_unguarded() {
        if (!claiming) return;
        const UnixMs t = now();
        auto due = deps.db.write([&](Connection& c) -> Result<std::vector<Row>> {
            TRY_ASSIGN(auto s, c.prepare(rows_where("WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY "
                                                    "next_attempt_at, id LIMIT 50")));
            s.bind(1, t);
            std::vector<Row> rows;
            while (true) {
                TRY_ASSIGN(bool row, s.step());
                if (!row) break;
                rows.push_back(row_from(s));
                ++rows.back().attempts;  // this one
                rows.back().state = OutboxState::sending;
            }
            // Marked before any I/O: a crash from here on sends them again, identically. Each is
            // "dispatching" until its channel has it: a crash meanwhile is one on this message.
            for (const Row& r : rows) {
                TRY_ASSIGN(auto u, c.prepare("UPDATE outbox SET state = 'sending', attempts = ?, dispatching = 1 "
                                             "WHERE id = ?"));
                u.bind(1, r.attempts).bind(2, r.id);
                TRY(u.run());
            }
            return rows;
        });
        if (!due) {
            log().error("outbox: cannot read due messages: {}", due.error().detail);
            schedule(std::chrono::seconds(5));
            return;
        }
        for (Row& r : *due) {
            guarded("dispatch", &r, [&] { dispatch(r); });
            take_given_in_send();
        }
        // Handed over: a crash from now on (the modem on the radio, the relay answering) is not
        // these messages' doing, and does not count towards their quarantine.
        if (!due->empty()) {
            auto handed = deps.db.write([&](Connection& c) -> Result<void> {
                TRY_ASSIGN(auto u, c.prepare("UPDATE outbox SET dispatching = 0 WHERE id = ? AND dispatching = 1"));
                for (const Row& r : *due) {
                    u.bind(1, r.id);
                    TRY(u.run());
                    u.reset();
                }
                return {};
            });
            if (!handed) log().error("outbox: cannot mark messages handed over: {}", handed.error().detail);
        }
        schedule_next();
    }

    // The next pass is a job of the scheduler, kept in memory: the rows' next_attempt_at are
    // its truth on disk, and start() derives it again from them.
    void schedule(std::chrono::milliseconds in) {
        if (!claiming || detached) return;
        if (auto s = deps.scheduler.schedule(kOutboxJob, "", now() + in.count(), {}, JobStore::memory); !s)
            log().error("outbox: cannot schedule the next pass: {}", s.error().detail);
    }
    void unschedule() {
        if (detached) return;
        if (auto s = deps.scheduler.cancel(kOutboxJob, ""); !s)
            log().error("outbox: cannot cancel the next pass: {}", s.error().detail);
    }

    void schedule_next() {
        auto next = deps.db.read([](Connection& c) -> Result<std::optional<UnixMs>> {
            TRY_ASSIGN(auto s, c.prepare("SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending'"));
            TRY(s.step());
            return s.optional_int64(0);
        });
        if (!next || !*next) return unschedule();
        schedule(std::chrono::milliseconds(std::max<UnixMs>(0, **next - now())));
    }

    // --- sending --------------------------------------------------------------------------

    void dispatch(const Row& r) {
        const auto found = channels.find(r.channel);
        if (found == channels.end()) return temporary(r, channel_missing(r.channel));
        std::optional<ChannelVerdict> at_once;
        in_send = true;
        try {
            at_once = found->second->send(r);
        } catch (...) {
            in_send = false;
            throw;
        }
        in_send = false;
        if (at_once) record(r, *at_once);
        // Otherwise the verdict comes through the sink (take).
    }

    void keep_message_id(Id id, const std::string& message_id) {
        auto w = deps.db.write([&](Connection& c) -> Result<void> {
            TRY_ASSIGN(auto u, c.prepare("UPDATE outbox SET message_id = ? WHERE id = ?"));
            u.bind(1, message_id).bind(2, id);
            return u.run();
        });
        if (!w) log().error("outbox: message {}: cannot keep its Message-ID: {}", id, w.error().detail);
    }

    // A verdict from a channel, on the io thread.
    void take(const ChannelVerdict& v) noexcept {
        guarded("outcome", nullptr, [&] {
            if (in_send) return given_in_send.push_back(v);
            Row r = row_of(v.message_id);
            if (r.id == 0) return;  // not ours (any more)
            // A message still being sent whose verdict cannot be recorded counts a failed
            // attempt, like one whose sending threw; one that already left is left as it is.
            guarded("outcome", r.state == OutboxState::sending ? &r : nullptr, [&] { record(r, v); });
        });
    }

    void take_given_in_send() noexcept {
        std::vector<ChannelVerdict> given;
        given.swap(given_in_send);
        for (const ChannelVerdict& v : given) take(v);
    }

    void record(const Row& r, const ChannelVerdict& v) {
        switch (v.kind) {
            case ChannelVerdict::Kind::sent: return settle(r, OutboxState::sent, v.detail, "message.sent");
            case ChannelVerdict::Kind::delivered:
                return settle(r, OutboxState::delivered, v.detail, "message.delivered");
            case ChannelVerdict::Kind::retry: return temporary(r, v.failure, v.max_attempts);
            case ChannelVerdict::Kind::wait: return held_back(r, v.failure);
            case ChannelVerdict::Kind::fail: return permanent(r, v.failure);
        }
    }

    void notify_settled() {
        if (!claiming && unsettled_channels == 0 && settled)
            boost::asio::post(deps.io, std::exchange(settled, nullptr));
    }

    Row row_of(Id id) {
        auto r = deps.db.read([&](Connection& c) -> Result<Row> {
            TRY_ASSIGN(auto s, c.prepare(rows_where("WHERE id = ?")));
            s.bind(1, id);
            TRY_ASSIGN(bool found, s.step());
            return found ? row_from(s) : Row{};
        });
        return r ? *r : Row{};
    }

    void settle(const Row& r, OutboxState state, const std::string& detail, const std::string& event_type) {
        const UnixMs t = now();
        auto w = deps.db.write([&](Connection& c) -> Result<void> {
            const char* sql =
                state == OutboxState::delivered
                    ? "UPDATE outbox SET state = 'delivered', detail = ?, last_error = '', failure = '', "
                      "sent_at = coalesce(sent_at, ?), delivered_at = ? WHERE id = ?"
                    : "UPDATE outbox SET state = 'sent', detail = ?, last_error = '', failure = '', sent_at = ?, "
                      "delivered_at = ? WHERE id = ? AND state = 'sending'";
            TRY_ASSIGN(auto u, c.prepare(sql));
            u.bind(1, detail).bind(2, t);
            if (state == OutboxState::delivered)
                u.bind(3, t);
            else
                u.bind_null(3);
            u.bind(4, r.id);
            TRY(u.run());
            event(c, r.ro_id, event_type,
                  {{"message_id", r.id},
                   {"offer_id", r.offer_id ? json(*r.offer_id) : json(nullptr)},
                   {"channel", to_string(r.channel)},
                   {"address", r.address},
                   {"detail", detail}});
            return tell(c, r, state, "", "", t);
        });
        if (!w) log().error("outbox: message {}: {}", r.id, w.error().detail);
        log().info("outbox: {} {} to {}: {}", to_string(r.channel), to_string(state), r.address, detail);
    }

    // Pending again, its attempt given back, tried again in kOutboxWaitMs: the SIM or the
    // network stopped it, and a dealership's SIM out for an hour must not fail its messages.
    void held_back(const Row& r, const OutboxFailure& f) {
        const UnixMs next = now() + kOutboxWaitMs;
        auto w = deps.db.write([&](Connection& c) -> Result<void> {
            TRY_ASSIGN(auto u, c.prepare("UPDATE outbox SET state = 'pending', attempts = max(attempts - 1, 0), "
                                         "last_error = ?, failure = ?, next_attempt_at = ? WHERE id = ?"));
            u.bind(1, f.detail).bind(2, failure_json(f.code, f.params)).bind(3, next).bind(4, r.id);
            TRY(u.run());
            if (r.ro_id) c.mark_changed(*r.ro_id);
            return {};
        });
        if (!w) log().error("outbox: message {}: {}", r.id, w.error().detail);
        log().warn("outbox: {} to {} waits ({}); tried again in {} s, its attempts kept", to_string(r.channel),
                   r.address, f.detail, kOutboxWaitMs / 1000);
        schedule_next();
    }

    void temporary(const Row& r, OutboxFailure f, int max_attempts = 0) {
        if (r.attempts >= (max_attempts > 0 ? max_attempts : kOutboxMaxAttempts)) {
            f.detail += " (gave up after " + std::to_string(r.attempts) + " attempts)";
            f.params.emplace_back("attempts", std::to_string(r.attempts));
            return permanent(r, f);
        }
        const std::string& why = f.detail;
        const UnixMs next = now() + outbox_backoff(r.attempts).count();
        auto w = deps.db.write([&](Connection& c) -> Result<void> {
            TRY_ASSIGN(auto u, c.prepare("UPDATE outbox SET state = 'pending', last_error = ?, failure = ?, "
                                         "next_attempt_at = ? WHERE id = ?"));
            u.bind(1, why).bind(2, failure_json(f.code, f.params)).bind(3, next).bind(4, r.id);
            TRY(u.run());
            if (r.ro_id) c.mark_changed(*r.ro_id);  // the advisor sees the next attempt's time
            return {};
        });
        if (!w) log().error("outbox: message {}: {}", r.id, w.error().detail);
        log().warn("outbox: {} to {} failed for now ({}); attempt {} in {} s", to_string(r.channel), r.address, why,
                   r.attempts + 1, (next - now()) / 1000);
        schedule_next();
    }

    void permanent(const Row& r, const OutboxFailure& f) {
        const std::string& why = f.detail;
        const std::string reason = failure_json(f.code, f.params);
        auto w = deps.db.write([&](Connection& c) -> Result<void> {
            TRY_ASSIGN(auto u,
                       c.prepare("UPDATE outbox SET state = 'failed', last_error = ?, failure = ? WHERE id = ?"));
            u.bind(1, why).bind(2, reason).bind(3, r.id);
            TRY(u.run());
            event(c, r.ro_id, "message.failed",
                  {{"message_id", r.id},
                   {"offer_id", r.offer_id ? json(*r.offer_id) : json(nullptr)},
                   {"channel", to_string(r.channel)},
                   {"address", r.address},
                   {"error", why},
                   {"reason", json::parse(reason)}});
            return tell(c, r, OutboxState::failed, why, reason, now());
        });
        if (!w) log().error("outbox: message {}: {}", r.id, w.error().detail);
        log().error("outbox: {} to {} failed: {}", to_string(r.channel), r.address, why);
    }

    // The verdict, to whoever listens (the offers), in the transaction that records it.
    Result<void> tell(Connection& c, const Row& r, OutboxState outcome, const std::string& error,
                      const std::string& reason, UnixMs at) {
        if (!deps.on_settled) return {};
        return deps.on_settled(c, MessageSettled{r.id, r.ro_id, r.offer_id, r.channel, outcome, error, reason, at});
    }

    // At start: rows left `sending` were cut off by a crash or a power cut. Sent again,
    // identically (DESIGN.md §5), unless Relais died that many times while sending that one:
    // then the message itself is the likely cause, and it waits for a person instead.
    Result<std::pair<int, int>> recover() {
        return deps.db.write([&](Connection& c) -> Result<std::pair<int, int>> {
            // A death counts against a message Relais was handing over, or an email in its SMTP
            // exchange (the message's bytes in play: it may be what kills Relais). Not against
            // an SMS the modem had, waiting its turn or on the radio for up to two minutes: a
            // power cut or a kill then is not its doing, and must not quarantine it.
            constexpr std::string_view kBlamed = "state = 'sending' AND (dispatching = 1 OR channel = 'email')";
            TRY(c.exec("UPDATE outbox SET interruptions = interruptions + 1 WHERE " + std::string(kBlamed)));
            TRY_ASSIGN(auto q, c.prepare(rows_where("WHERE " + std::string(kBlamed) + " AND interruptions >= ?")));
            q.bind(1, kOutboxMaxInterruptions);
            std::vector<Row> doomed;
            while (true) {
                TRY_ASSIGN(bool row, q.step());
                if (!row) break;
                doomed.push_back(row_from(q));
            }
            q.reset();
            for (const Row& r : doomed) {
                const int deaths = r.interruptions;
                const std::string why = "quarantined: Relais stopped " + std::to_string(deaths) +
                                        " times while sending this message, so it is not sent again by itself";
                const std::string reason = failure_json("quarantined", {{"n", std::to_string(deaths)}});
                TRY_ASSIGN(auto u, c.prepare("UPDATE outbox SET state = 'quarantined', last_error = ?, failure = ? "
                                             "WHERE id = ?"));
                u.bind(1, why).bind(2, reason).bind(3, r.id);
                TRY(u.run());
                event(c, r.ro_id, "message.quarantined",
                      {{"message_id", r.id},
                       {"offer_id", r.offer_id ? json(*r.offer_id) : json(nullptr)},
                       {"channel", to_string(r.channel)},
                       {"address", r.address},
                       {"interruptions", deaths},
                       {"error", why},
                       {"reason", json::parse(reason)}});
                TRY(tell(c, r, OutboxState::failed, why, reason, now()));
                log().error("outbox: {} to {} quarantined: Relais stopped {} times while sending it",
                            to_string(r.channel), r.address, deaths);
            }
            TRY(c.exec("UPDATE outbox SET state = 'pending', dispatching = 0 WHERE state = 'sending'"));
            return std::pair<int, int>(c.changes(), static_cast<int>(doomed.size()));
        });
    }
};

Outbox::Outbox(OutboxDeps deps) : impl_(std::make_shared<Impl>(std::move(deps))) {
    impl_->deps.scheduler.handle(std::string(kOutboxJob),
                                 [weak = std::weak_ptr<Impl>(impl_)](const ScheduledJob&) -> JobOutcome {
                                     if (auto self = weak.lock()) self->pass();  // which schedules the next one
                                     return job_done();
                                 });
    for (MessageChannel* channel : impl_->deps.channels) {
        if (!channel) continue;
        if (!impl_->channels.emplace(channel->kind(), channel).second)
            throw std::invalid_argument("outbox: two channels for " + std::string(to_string(channel->kind())));
        channel->connect(impl_->sink());
    }
}

Outbox::~Outbox() {
    for (const auto& [kind, channel] : impl_->channels) channel->connect({});
    impl_->unschedule();
    impl_->deps.scheduler.handle(std::string(kOutboxJob), nullptr);
    impl_->claiming = false;
    impl_->detached = true;
}

void Outbox::start() {
    auto recovered = impl_->recover();
    if (!recovered)
        impl_->log().error("outbox: cannot recover the messages being sent: {}", recovered.error().detail);
    else if (recovered->first > 0)
        impl_->log().warn("outbox: {} message(s) were being sent when Relais stopped; sending them again",
                          recovered->first);
    impl_->post_pass();
}

void Outbox::stop() {
    // Stopped on purpose: what was being sent goes again at the next start, without counting
    // as a death (only crashes and power cuts do). A message that may have left (the SMS the
    // modem was transmitting, an email the relay was taking: the wait for them gave up) keeps
    // its attempt; one that never left (an SMS of the modem's queue) gives it back, and goes at
    // once at the next start (claiming a row does not move its next_attempt_at).
    std::vector<Id> may_have_left;
    for (const auto& [kind, channel] : impl_->channels) {
        const std::vector<Id> ids = channel->may_have_left();
        may_have_left.insert(may_have_left.end(), ids.begin(), ids.end());
    }
    auto reset = impl_->deps.db.write([&](Connection& c) -> Result<std::pair<int, int>> {
        int cut = 0;
        TRY_ASSIGN(auto u, c.prepare("UPDATE outbox SET state = 'pending', dispatching = 0 WHERE state = 'sending' "
                                     "AND id = ?"));
        for (Id id : may_have_left) {
            u.bind(1, id);
            TRY(u.run());
            cut += c.changes();
            u.reset();
        }
        TRY(
            c.exec("UPDATE outbox SET state = 'pending', attempts = max(attempts - 1, 0), dispatching = 0 WHERE state "
                   "= 'sending'"));
        return std::pair<int, int>(c.changes(), cut);
    });
    if (!reset) {
        impl_->log().error("outbox: cannot put back the messages being sent: {}", reset.error().detail);
    } else {
        if (reset->first > 0)
            impl_->log().info("outbox: {} message(s) not started before the stop go at the next start", reset->first);
        if (reset->second > 0)
            impl_->log().warn(
                "outbox: {} message(s) cut off by the stop go again at the next start (they may have "
                "reached their recipients)",
                reset->second);
    }
    impl_->unschedule();
}

void Outbox::stop_claiming(std::function<void()> settled) {
    impl_->claiming = false;
    impl_->unschedule();
    impl_->settled = std::move(settled);
    impl_->unsettled_channels = impl_->channels.size();
    std::weak_ptr<Impl> weak = impl_;
    // A channel settles once its verdicts are given (recorded as they come): the SMS the modem
    // is transmitting, the emails handed to the relay.
    for (const auto& [kind, channel] : impl_->channels)
        channel->hold([weak, called = false]() mutable {
            if (std::exchange(called, true)) return;  // once per channel
            if (auto self = weak.lock(); self && self->unsettled_channels > 0) {
                --self->unsettled_channels;
                self->notify_settled();
            }
        });
    impl_->notify_settled();
}

void Outbox::wake() { impl_->post_pass(); }

}  // namespace relais
