#pragma once
// The outbox dispatcher (DESIGN.md §5). Messages are rows committed with the change that
// caused them; this sends committed rows only, on the core event loop, each through the
// channel of its kind (message_channel.hpp: SMS, email). A row is marked `sending` before the
// I/O; rows left `sending` by a crash are sent again with the identical text, link and
// Message-ID. Temporary failures are retried with exponential backoff (30 s doubling, capped
// at 1 h, 8 attempts); permanent ones fail the message, and an offer none of whose messages
// can go fails too. A message that was being sent each of the last kOutboxMaxInterruptions
// times Relais died is quarantined at start instead of sent again (the likely cause of the
// deaths; the advisor sees it). Nothing escapes the dispatcher's callbacks: a message whose
// handling throws counts a failed attempt.
// Each step is a timeline event; the feature whose message it was hears of each verdict
// (OutboxDeps::on_settled: the offers move along sent → received, or fail) in the same
// transaction. The outbox writes no table but its own and the timeline.

#include "db.hpp"
#include "message_channel.hpp"
#include "outbox_message.hpp"
#include "scheduler.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}
namespace spdlog {
class logger;
}

namespace relais {

class Clock;

/// A message's verdict, told in the transaction that records it: it left (`sent`), reached its
/// recipient (`delivered`: an SMS's status report, an email's acceptance by the relay), or will
/// never go (`failed`, also for a quarantined one).
struct MessageSettled {
    Id message_id = 0;
    std::optional<Id> ro_id;
    std::optional<Id> offer_id;
    Channel channel = Channel::sms;
    OutboxState outcome = OutboxState::sent;  // sent, delivered or failed
    std::string error;                        // failed: what went wrong, in words
    std::string reason;                       // failed: failure_json (below)
    UnixMs at = 0;
};
/// An error rolls the verdict back with it (the message is settled again later).
using SettledListener = std::function<Result<void>(Connection&, const MessageSettled&)>;

struct OutboxDeps {
    boost::asio::io_context& io;  // wake() posts a pass on it
    Database& db;
    const Clock& clock;
    /// Runs the next pass when the earliest pending row is due (the job kOutboxJob, whose
    /// handler the outbox registers; in memory: the rows' due times are on disk).
    Scheduler& scheduler;
    /// One per Channel kind (sms_channel, email_channel, …); a kind without one waits
    /// (temporary failures: channel_missing). Each must outlive the outbox.
    std::vector<MessageChannel*> channels;
    std::shared_ptr<spdlog::logger> log;
    SettledListener on_settled;  // none: nobody listens (a message without an offer)
};

namespace outbox_store {
/// Queues a message, in the caller's transaction (the change that causes a message and the
/// message itself commit together). Uses ro_id, offer_id, recipient_id, purpose, channel,
/// address, name, subject, body and html of `m`; it is due at `due_at` (a scheduled send),
/// else at `now`.
Result<Id> enqueue(Connection& conn, std::optional<Id> ro_id, const OutboxMessage& m, UnixMs now,
                   std::optional<UnixMs> due_at = std::nullopt);
/// Drops what is still waiting to go for an offer (the messages of a cancelled, superseded or
/// expired offer), in the caller's transaction: each pending message fails with `why` as its
/// failure code. Messages already sending or sent are left as they are.
Result<void> withdraw(Connection& conn, Id offer_id, std::string_view why);
/// Moves what waits to go for an offer and was never tried to `due_at` (a scheduled send that
/// follows the RO's promised time), in the caller's transaction (outbox_reschedule.cpp). How
/// many moved; messages tried, sending or settled are left as they are.
Result<int> reschedule(Connection& conn, Id offer_id, UnixMs due_at);
/// Fails what still waits to go to `address` by `channel` (its owner opted out), in the caller's
/// transaction: each pending message fails with `error` in words and `code` as its failure, and
/// `on_settled` (may be empty) hears of each, as of any message that will never go. The number
/// of messages failed.
Result<int> fail_pending_to(Connection& conn, Channel channel, const std::string& address, std::string_view code,
                            std::string_view error, UnixMs at, const SettledListener& on_settled);
/// An offer's messages as they are now, oldest first.
Result<std::vector<OutboxMessage>> for_offer(Connection& conn, Id offer_id);
}  // namespace outbox_store

/// Every failure code there is (the workspace has words for each; tests/e2e/texts.test.mjs).
const std::vector<std::string_view>& outbox_failure_codes();
/// {"code": …, "params": {…}}: as stored in outbox.failure, the API and timeline events.
std::string failure_json(std::string_view code, const Params& params = {});

/// The delay before attempt `attempts + 1` after a temporary failure.
std::chrono::milliseconds outbox_backoff(int attempts);
inline constexpr int kOutboxMaxAttempts = 8;
/// A message held back by what is not its doing (a SIM missing, no network) is tried again after this.
inline constexpr std::int64_t kOutboxWaitMs = 60'000;
inline constexpr int kOutboxMaxInterruptions = 3;
/// The scheduler's job for the outbox's next pass.
inline constexpr std::string_view kOutboxJob = "outbox.pass";

/// Lives on the io thread; wake() may be called from any thread. Everything in `deps` must
/// outlive it. Connects itself to each channel (ChannelSink), and disconnects when it goes.
class Outbox {
public:
    explicit Outbox(OutboxDeps deps);
    ~Outbox();
    Outbox(const Outbox&) = delete;
    Outbox& operator=(const Outbox&) = delete;

    /// Rows left `sending` become `pending` again (or `quarantined`, see above), then the
    /// first pass runs.
    void start();
    /// A clean stop, first part (never during a send); on the io thread. No more rows are
    /// claimed (the timer and wake() do nothing from now on), every channel is held
    /// (MessageChannel::hold: the modem starts no new SMS, the emails handed to the transport
    /// are waited for), and `settled` is called once, posted on the io thread, when every
    /// channel has settled, their verdicts recorded. stop() follows.
    void stop_claiming(std::function<void()> settled);
    /// A clean stop: rows being sent go back to `pending` without counting as an interruption
    /// (after stop_claiming, only SMS the modem held in its queue, and what the wait for the
    /// sends in progress gave up on). Those that never left (SMS of the modem's queue) give
    /// their attempt back; the others (MessageChannel::may_have_left: the SMS the modem was
    /// transmitting when held, emails handed to the mail transport) may have reached their
    /// recipient and keep it.
    void stop();
    /// Something was committed: look for due rows now.
    void wake();

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace relais
