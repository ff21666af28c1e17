#pragma once
// Offer use cases on the advisor's side: send (freeze a version, make a magic link per
// recipient, queue one message each in the outbox, all in one transaction), read, list per
// repair order, lock. The outbox (outbox.hpp) sends what this commits.

#include "config.hpp"
#include "db.hpp"
#include "offer.hpp"
#include "offer_messages.hpp"
#include "outbox.hpp"
#include "reminder_plan.hpp"
#include "ro_service.hpp"
#include "timeline.hpp"

#include <functional>
#include <mutex>
#include <vector>

namespace relais {

class Clock;
class Random;
class TimeZone;

struct SendOfferRequest {
    std::vector<Id> contact_point_ids;  // phones get an SMS, email addresses an email
    std::string note = {};              // shown to the customer when the page opens
    /// Required when the current version was already seen or confirmed: the advisor has been
    /// asked and agrees to send a new version that replaces it.
    bool replace_seen = false;
    /// Later: the offer waits `scheduled` (cancellable) and its messages leave at this time.
    std::optional<UnixMs> send_at = {};
    /// The reminders until the customer answers; absent: the dealership's default ([reminders]).
    std::optional<ReminderCadence> reminders = {};
    /// Later, relative to the RO's promised time: so many hours from it (negative: before),
    /// within ±kMaxSendRelativeHours; the send follows a change of the promised time until it
    /// leaves (send_schedule.hpp). Not with `send_at`.
    std::optional<int> send_relative_hours = {};
    /// This one send's wording over the templates in force (checked as templates are).
    MessageEdits message = {};
    /// Another colleague the messages go out in the name of (their name, their signature);
    /// absent: the RO's advisor, whoever that is when each message leaves.
    std::optional<Id> sender_id = {};
};

/// The email signature of whoever an offer's emails go out in the name of: the colleague chosen
/// at send, else the RO's advisor ("" for none).
Result<std::string> signer_signature(Connection& c, std::optional<Id> sender, const RepairOrder& ro);

/// The dealership's default reminders ([reminders] policy and its period).
ReminderCadence default_reminders(const Config& config);

/// The longest period of an urgent cadence and of a custom one, in hours.
inline constexpr int kMaxUrgentEveryHours = 12;
inline constexpr int kMaxCustomEveryHours = 720;

/// How far ahead a send may be scheduled.
inline constexpr UnixMs kMaxScheduleAheadMs = 30LL * 24 * 3600 * 1000;

/// A link's token: 128 random bits (DESIGN.md's floor), 22 characters of base64url. 128 rather
/// than 192 bits: a guess cannot succeed against 2^128 (the tokens are looked up by SHA-256 and
/// guessing is throttled per address), and 10 characters fewer in every SMS keep the offer and
/// the reminders in one part (docs/BENCHMARKS.md, "One SMS part"). Links made with 192 bits
/// before keep working: a token is found by its hash, whatever its length.
inline constexpr std::size_t kLinkTokenBytes = 16;
inline constexpr std::size_t kLinkTokenChars = 22;

inline constexpr UnixMs kLinkValidityMs = 30LL * 24 * 3600 * 1000;

/// The customer's link to an offer: public_base_url + "/o/" + token.
std::string offer_link(const Config& config, const std::string& token);

/// What a send would send, without sending: the frozen items and each message's words.
struct OfferPreview {
    Offer offer;  // not stored: id 0, no recipients or messages
    struct Message {
        OfferRecipient recipient;
        OfferMessageText text;
    };
    std::vector<Message> messages;
    /// A scheduled send: when it would leave (the next opening when asked outside the opening
    /// hours), and the time asked for (send_at, or the promised time's plus the offset).
    std::optional<UnixMs> send_at = {};
    std::optional<UnixMs> asked_for = {};
};

struct OfferServiceDeps {
    Database& db;
    const Config& config;  // the links' base URL, the dealership's name and language in messages
    Random& random;        // the links' tokens
    const Clock& clock;
    const TimeZone& zone;  // the reminders' days and opening hours
};

/// Thread-safe. Everything in `deps` must outlive the service.
class OfferService {
public:
    explicit OfferService(OfferServiceDeps deps);

    Result<Offer> send(Id ro_id, const SendOfferRequest& request, const Actor& actor);
    /// The same checks as send, and the messages as they would go (with a link of the real
    /// length), for the send dialog. Writes nothing.
    Result<OfferPreview> preview(Id ro_id, const SendOfferRequest& request);
    Result<Offer> get(Id offer_id);
    /// Newest first.
    Result<std::vector<Offer>> for_repair_order(Id ro_id);
    Result<Offer> lock(Id offer_id, const Actor& actor);
    /// Cancels a scheduled offer (or one whose messages have not left yet): its messages are
    /// dropped and its links revoked. Refused (`offer_not_cancellable`) once anything went out.
    Result<Offer> cancel(Id offer_id, const Actor& actor);
    /// Sends the same version again to its recipients (not the opted-out ones), each with a
    /// fresh link (earlier links keep working), and gives the offer 30 more days. For offers
    /// still waiting for the customer, or whose sending failed.
    Result<Offer> resend(Id offer_id, const Actor& actor);
    /// Offers nobody answered before their links ran out (30 days) become `expired`.
    /// Returns how many; run by the appliance's scheduler.
    Result<int> expire_due();
    /// Until the customer confirms, their answers are drafts they may still change.
    enum class Answers { confirmed_only, drafts_too };
    /// Authorises the RO's interventions as the customer answered on this offer: accept →
    /// thumbs up, decline → thumbs down, contact me → left as it is. Returns how many changed.
    /// Answers the customer has not confirmed are refused (`answers_not_confirmed`, a conflict)
    /// unless `answers` is `drafts_too`; the event says which it was.
    Result<int> apply_answers(Id offer_id, const Actor& actor, Answers answers = Answers::confirmed_only);

    /// The repair orders' agreement guard (ro_service.hpp): once the latest version was
    /// confirmed by the customer (confirmed or locked since), a change to the label, the price
    /// incl. VAT or the "shown" of an item they agreed to, or its removal, is refused
    /// (`agreed_by_customer`, a conflict naming the offer and the agreed label and price) unless
    /// the new value is what they agreed to. Notes, severity, order and thumbs stay free.
    static Result<void> check_agreed_change(Connection& conn, Id ro_id, const Intervention& before,
                                            const Intervention* after);

    /// Called after every commit that queued outbox messages (the outbox wakes up). Set once,
    /// before use.
    void on_queued(std::function<void()> hook) { queued_hook_ = std::move(hook); }

    /// The repair orders' promised-time listener (ro_service.hpp): a send scheduled relative to
    /// the promised time follows it until it leaves (send_schedule.hpp); after such a move, the
    /// queued hook runs (the outbox and the reminders' job look again). The service must
    /// outlive the listener's use.
    PromisedTimeListener promised_time_listener();

private:
    Database& db_;
    const Config& config_;
    Random& random_;
    const Clock& clock_;
    const TimeZone& zone_;
    std::function<void()> queued_hook_;
};

/// A message carrying a fresh link to an offer, as every one is made: a send, a resend, the
/// customer's "send me a new link".
struct LinkedMessage {
    const Offer& offer;               // its id and ro_id
    const OfferRecipient& recipient;  // id, channel, address, name
    std::string purpose;              // "offer", "access_link", "reminder", "report"
    UnixMs now = 0;
    UnixMs link_expires_at = 0;    // earlier links keep working
    std::optional<UnixMs> due_at;  // a scheduled send; else now
};
/// In the caller's transaction: a fresh link for the recipient, the message's words rendered by
/// `render` for the link's URL, and the message queued in the outbox. Returns the outbox row's id.
Result<Id> queue_linked_message(Connection& conn, Random& random, const Config& config, const LinkedMessage& message,
                                const std::function<Result<OfferMessageText>(const std::string& url)>& render);

/// Whether a recipient may no longer be written to: its number or address said STOP, or the
/// advisor marked the contact point or its party opted out on the RO. A send and a resend ask
/// the same question.
Result<bool> recipient_opted_out(Connection& conn, const RepairOrder& ro, std::optional<Id> contact_point_id,
                                 const std::string& address);

/// An offer read in the caller's transaction, for the features above offers (the customer's
/// pages); offers' store is private to offers (offers/store/). Nullopt: no such offer.
Result<std::optional<Offer>> load_offer(Connection& conn, Id offer_id);

}  // namespace relais
