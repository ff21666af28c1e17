#pragma once
// The customer's side of an offer, reached through a magic link (DESIGN.md §6, seeds 000–002):
// open it (binding the link to the first device that does, which makes the offer `seen`),
// decide per intervention, confirm; from another device or after 30 days, see nothing
// personal and ask for a fresh link sent to the original number or address.
// Reading a link (GET, HEAD) changes nothing: only these calls, made by the page's script
// with POST, do.

#include "config.hpp"
#include "db.hpp"
#include "offer.hpp"

#include <functional>
#include <map>
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
std::string_view to_string(LinkStatus s);

/// Who is at the other end, for the timeline.
struct CustomerContext {
    std::string device_id;  // from the device cookie; empty: a new device
    std::string ip;
    std::string user_agent;
};

struct CustomerAccess {
    LinkStatus status = LinkStatus::unknown;
    std::string device_id;           // set when a new device id was made (the caller sets the cookie)
    Offer offer;                     // only when status is ok
    std::string language;            // the recipient's (also when refused)
    std::string masked_destination;  // "••78", "h•••@exemple.fr" (when a fresh link can be asked)
    Channel channel = Channel::sms;
};

struct AccessLinkResult {
    std::string masked_destination;
    Channel channel = Channel::sms;
};

inline constexpr int kAccessLinksPerHour = 3;

/// "••78" for a phone, "h•••@exemple.fr" for an email address.
std::string mask_destination(Channel channel, const std::string& address);

/// Thread-safe. Arguments must outlive the service.
class CustomerService {
public:
    CustomerService(Database& db, const Config& config, Random& random, const Clock& clock);

    /// The page's script opening the link: binds an unbound link to this device (making the
    /// offer `seen`), and returns the offer when this device may see it.
    Result<CustomerAccess> open(const std::string& token, const CustomerContext& who);

    /// Saves decisions (by intervention id); with `confirm`, every item must have one, every
    /// mandatory agreement of the offer must be among `agreements` (ids of accepted agreements,
    /// recorded with the offer's versions of them), and the offer becomes `confirmed` and
    /// read-only. Refused once confirmed or locked.
    Result<Offer> decide(const std::string& token, const CustomerContext& who, const std::map<Id, Decision>& decisions,
                         bool confirm, const std::set<Id>& agreements = {});

    /// A fresh link for the same recipient, sent to the original number or address; older links
    /// of that recipient stop working. At most kAccessLinksPerHour per offer per hour.
    Result<AccessLinkResult> send_access_link(const std::string& token, const CustomerContext& who);

    void on_queued(std::function<void()> hook) { queued_hook_ = std::move(hook); }

private:
    Database& db_;
    const Config& config_;
    Random& random_;
    const Clock& clock_;
    std::function<void()> queued_hook_;
};

}  // namespace relais
