#pragma once
// The customer's side of an offer, reached through a magic link (DESIGN.md §6, seeds 000–002):
// open it (binding the link to the first device that does, which makes the offer `seen`),
// decide per intervention, confirm; from another device or after 30 days, see nothing
// personal and ask for a fresh link sent to the original number or address.
// Reading a link (GET, HEAD) changes nothing: only these calls, made by the page's script
// with POST, do.

#include "config.hpp"
#include "db.hpp"
#include "enum_names.hpp"
#include "generation_cache.hpp"
#include "offer.hpp"
#include "questions.hpp"
#include "repair_report.hpp"
#include "throttle.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

namespace relais {

class Clock;
class Random;

enum class LinkStatus {
    ok,            // this device may see and answer the offer
    unknown,       // no such link
    other_device,  // bound to another device, or replaced by a newer access link
    expired,       // past its 30 days
    superseded,    // a newer version of the offer was sent
};
/// As the customer page's GET /c/<token>/offer sends it ("status").
template <>
struct EnumNames<LinkStatus> {
    static constexpr NameTable<LinkStatus, 5> table{{{LinkStatus::ok, "ok"},
                                                     {LinkStatus::unknown, "unknown"},
                                                     {LinkStatus::other_device, "other_device"},
                                                     {LinkStatus::expired, "expired"},
                                                     {LinkStatus::superseded, "superseded"}}};
};

/// Who is at the other end, for the timeline.
struct CustomerContext {
    std::string device_id;  // from the device cookie; empty: a new device
    std::string ip;
    std::string user_agent;
};

/// An offer as its customer sees it, read in one go and never changed after: many devices
/// opening the same offer share one copy while the database stays as it was.
struct CustomerOffer {
    Offer offer;
    std::optional<UnixMs> promised_at;    // the repair order's, as it is now
    std::vector<ItemQuestion> questions;  // the items' threads, oldest first (questions.hpp)
    /// The latest repair report sent on this offer (reports.hpp): the page shows it, read-only,
    /// over the offer it reports on.
    std::optional<RepairReport> report;
    std::uint64_t generation = 0;  // Database::generation when read; 0: read while writing
};

struct CustomerAccess {
    LinkStatus status = LinkStatus::unknown;
    std::string device_id;                       // set when a new device id was made (the caller sets the cookie)
    std::shared_ptr<const CustomerOffer> offer;  // only when status is ok
    std::string language;                        // the recipient's (also when refused)
    std::string masked_destination;  // "••78", "h•••@e•••.fr" (when a fresh link can be asked)
    Channel channel = Channel::sms;
};

struct AccessLinkResult {
    std::string masked_destination;
    Channel channel = Channel::sms;
};

// Fresh links (seed 002), limited so that someone who once had a link cannot flood the
// customer's phone: per link asked from, per recipient (an hour and a day), and per address
// asking (a day, across every offer). Each limit answers 429 too_many_access_links naming it.
inline constexpr int kAccessLinksPerLinkPerDay = 2;
inline constexpr int kAccessLinksPerHour = 3;  // per recipient
inline constexpr int kAccessLinksPerRecipientPerDay = 6;
inline constexpr int kAccessLinksPerAddressPerDay = 10;

/// Links tried that do not exist, and answers refused for guessing (for /healthz).
struct LinkGuessStats {
    std::uint64_t unknown = 0;
    std::uint64_t throttled = 0;
};

/// "••78" for a phone, "h•••@exemple.fr" for an email address.
std::string mask_destination(Channel channel, const std::string& address);

struct CustomerServiceDeps {
    Database& db;
    const Config& config;  // the links' base URL, the dealership's name and language in messages
    Random& random;        // fresh links' tokens
    const Clock& clock;
};

/// Thread-safe. Everything in `deps` must outlive the service.
class CustomerService {
public:
    explicit CustomerService(CustomerServiceDeps deps);

    /// The page's script opening the link: binds an unbound link to this device (making the
    /// offer `seen`), and returns the offer when this device may see it.
    Result<CustomerAccess> open(const std::string& token, const CustomerContext& who);

    /// Saves decisions (by intervention id); with `confirm`, every item must have one, every
    /// mandatory agreement of the offer must be among `agreements` (ids of accepted agreements,
    /// recorded with the offer's versions of them), and the offer becomes `confirmed` and
    /// read-only. Refused once confirmed or locked.
    Result<Offer> decide(const std::string& token, const CustomerContext& who, const std::map<Id, Decision>& decisions,
                         bool confirm, const std::set<Id>& agreements = {});

    /// A question on item `intervention_id` (questions.hpp), while the link is this device's, also
    /// once the offer is confirmed or locked: a question changes no answer, and "when will it be
    /// ready?" comes after one. 422 on the text (field `text`) or an item not in the offer; 429
    /// too_many_questions. Returns the offer as the page shows it, with the question.
    Result<CustomerOffer> ask(const std::string& token, const CustomerContext& who, Id intervention_id,
                              std::string text);

    /// A fresh link for the same recipient, sent to the original number or address. The other
    /// links of that recipient keep working until the fresh one is opened (then only the device
    /// that opened it may use the offer): asking signs nobody out. Limited as above; every
    /// request sent, and the first refused in an hour, is on the timeline.
    Result<AccessLinkResult> send_access_link(const std::string& token, const CustomerContext& who);

    /// When the repair order's vehicle is promised for now (it may have moved since the offer was
    /// sent): the customer's "what happens next". Nullopt when none is set or it cannot be read.
    std::optional<UnixMs> promised_at(Id ro_id);
    /// The repair order's item threads (questions.hpp); empty when they cannot be read.
    std::vector<ItemQuestion> threads(Id ro_id);

    void on_queued(std::function<void()> hook) { queued_hook_ = std::move(hook); }

    LinkGuessStats guess_stats() const { return {unknown_.load(), throttled_.load()}; }

private:
    // Tokens that match no link, per address: past a few, the address waits (429) before any
    // lookup, so guessing links costs minutes per handful of tries.
    Result<void> check_guessing(const CustomerContext& who);
    void note_unknown(const CustomerContext& who);
    // A link that does not exist is refused from a reader (and counted), before any write.
    Result<void> require_known(const std::string& token, const CustomerContext& who);

    Database& db_;
    const Config& config_;
    Random& random_;
    const Clock& clock_;
    std::function<void()> queued_hook_;
    Throttle guesses_;
    // What bound devices coming back read (the common case, and the one a crowd repeats).
    GenerationCache<Id, CustomerOffer> offers_{64};
    std::atomic<std::uint64_t> unknown_{0}, throttled_{0};
};

}  // namespace relais
