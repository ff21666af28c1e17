#pragma once
// A way messages leave (DESIGN.md §5): the outbox hands a claimed row to the channel of its
// kind and records what the channel says became of it. SMS through the modem (sms_channel),
// email through the relay or the maildir (email_channel); a webhook or a notification is one
// more class like them, plus its `Channel` value and failure codes. A channel writes no table:
// it classifies its transport's outcomes into verdicts, and the outbox stores them.
//
// Named MessageChannel because `Channel` is the row's column (outbox_message.hpp: "sms",
// "email", stored as text), which each channel reports as kind().

#include "ids.hpp"
#include "outbox_message.hpp"
#include "result.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace relais {

/// Why a message failed or waits, as a stable code with its values (the workspace says it in
/// the reader's language); `detail` keeps the modem's or the relay's own words, for the log.
struct OutboxFailure {
    std::string code;  // one of outbox_failure_codes() (outbox.hpp)
    Params params;
    std::string detail;
};

/// What became of a message a channel was handed.
struct ChannelVerdict {
    enum class Kind {
        sent,       // it left (the modem's network took it)
        delivered,  // it reached its recipient (an SMS status report, the relay's acceptance)
        retry,      // not now: tried again after a backoff, failed after max_attempts
        wait,       // not now, and not this message's doing (the SIM, the network): tried again in
                    // kOutboxWaitMs without spending one of its attempts
        fail,       // never: the message fails
    };
    Id message_id = 0;
    Kind kind = Kind::sent;
    std::string detail;     // sent, delivered: kept as the row's detail ("references 12", the relay's answer)
    OutboxFailure failure;  // retry, wait, fail
    int max_attempts = 0;   // retry: fails after this many (0: kOutboxMaxAttempts)
};

/// What the outbox offers a channel; set by connect(), called on the io thread.
struct ChannelSink {
    /// Records a verdict. May be called from inside send() (a transport that answers at once):
    /// the outbox records it when send() returns. Unknown ids are ignored.
    std::function<void(const ChannelVerdict&)> verdict;
    /// Something may be due (an inbound SMS queued a reply): a pass runs soon. Any thread.
    std::function<void()> wake;
    /// Keeps a Message-ID on the row (before any I/O: a row sent again after a crash carries
    /// the same one).
    std::function<void(Id message_id, const std::string& rfc_message_id)> keep_message_id;
};

/// One channel per Channel kind; lives on the io thread; must outlive the outbox it is given to.
class MessageChannel {
public:
    virtual ~MessageChannel() = default;
    /// The rows it carries (outbox.channel).
    virtual Channel kind() const = 0;
    /// Where verdicts go; the outbox connects every channel it is given, and disconnects
    /// (an empty sink) when it goes.
    virtual void connect(ChannelSink sink) = 0;
    /// Hands over a claimed row (already `sending`, its attempt counted). A verdict known at
    /// once (the address cannot take this channel, the transport refused it) is returned;
    /// otherwise it comes later through the sink. May throw: the outbox counts a failed attempt.
    virtual std::optional<ChannelVerdict> send(const OutboxMessage& message) = 0;
    /// A clean stop, first part: start nothing new, and call `settled` once (on the io thread,
    /// possibly before hold returns) when what was handed over has its verdict — given to the
    /// sink first — or is known never to have left. send() is not called any more.
    virtual void hold(std::function<void()> settled) = 0;
    /// After hold(): messages whose send was cut while in progress (no verdict yet, or the SMS
    /// being transmitted) and may have reached their recipient.
    virtual std::vector<Id> may_have_left() const = 0;
};

/// A message of a kind no channel carries waits: `no_modem`, `no_mail_transport`.
OutboxFailure channel_missing(Channel kind);
/// A message whose handling threw inside Relais (`internal_error`), with its words made safe.
OutboxFailure internal_failure(std::string_view what);

}  // namespace relais
