#pragma once
// Repair-order use cases: create, read, list/search, change. Each change is checked
// (validation.hpp), written with its timeline event in one transaction, and bumps the RO's
// version; callers may pass the version they last saw (If-Match) so that two advisors
// editing the same RO do not silently overwrite each other.

#include "db.hpp"
#include "phone.hpp"
#include "repair_order.hpp"
#include "ro_replies.hpp"
#include "timeline.hpp"
#include "timezone.hpp"

#include <functional>
#include <map>
#include <optional>
#include <vector>

namespace relais {

template <class T>
struct Changed {
    T item;
    std::int64_t ro_version = 0;
};

/// Whether a change may alter what a customer agreed to (a confirmed offer's item).
enum class AgreedChange { refuse, allow };

/// Called inside the write transaction of every change to an intervention, with the item
/// before and after (`after` null: removed); an error refuses the change. Set by the offers
/// feature, which owns what was agreed; repair orders know nothing of offers.
using AgreementGuard =
    std::function<Result<void>(Connection& conn, Id ro_id, const Intervention& before, const Intervention* after)>;

/// Told of a change of an RO's promised time (nullopt: removed), inside the change's write
/// transaction; an error refuses the change. `changed` returns whether something that waits on
/// the promised time moved, and then `committed` runs once the change is committed. Set by the
/// offers feature (a send scheduled relative to the promised time follows it); repair orders
/// know nothing of offers.
struct PromisedTimeListener {
    std::function<Result<bool>(Connection& conn, Id ro_id, std::optional<UnixMs> promised_at, UnixMs now,
                               const Actor& by)>
        changed = {};
    std::function<void()> committed = {};
};

struct RepairOrderServiceDeps {
    Database& db;
    const PhoneNumbers& phones;  // the dealership's country: numbers checked and stored in E.164
    const Clock& clock;
    const TimeZone& zone;  // the dealership's: dates the advisor types are local
    VatBp default_vat_bp;  // an item's VAT rate when the patch gives none ([dealer] default_vat_rate)
};

/// Thread-safe (the Database serialises writes). The references in `deps` must outlive the service.
class RepairOrderService {
public:
    explicit RepairOrderService(RepairOrderServiceDeps deps);

    Result<RepairOrder> create(const RepairOrderPatch& patch, const Actor& actor);
    /// Creates many ROs in one transaction (a DMS import, demo data), each with the creation
    /// time it had in the source system. All are checked first; one problem rejects all, with
    /// field names prefixed "items[i].".
    struct ImportItem {
        RepairOrderPatch patch;
        UnixMs created_at = 0;
    };
    Result<std::vector<Id>> import(const std::vector<ImportItem>& items, const Actor& actor);

    Result<RepairOrder> get(Id id);
    Result<RepairOrderPage> list(const RepairOrderQuery& query);
    Result<RepairOrder> update(Id id, const RepairOrderPatch& patch, std::optional<std::int64_t> if_version,
                               const Actor& actor);
    Result<std::vector<Event>> timeline(Id id);
    /// What customers sent back on the RO by SMS (the newest 200), newest first.
    Result<std::vector<CustomerReply>> replies(Id id);
    /// Marks the RO's unread replies read by `actor` (a user): one "sms.read" event naming them.
    /// The number marked (0: nothing was unread, and nothing is recorded).
    Result<std::size_t> mark_replies_read(Id id, const Actor& actor);
    /// What came in on the RO (answers, replies, failures) is handled: it leaves the "to handle"
    /// list (RepairOrderQuery::attention), its unread replies are read; "repair_order.handled".
    Result<void> mark_handled(Id id, const Actor& actor);
    /// Deletes an RO nothing was sent from (an RO created by mistake): it becomes cancelled,
    /// read-only, out of the list and search, with its history ("repair_order.deleted").
    /// Refused once an offer exists (cancel it instead), and for a user other than the RO's
    /// advisor unless `any_advisor` (a dealer admin; an RO without advisor is anyone's).
    Result<void> remove(Id id, std::optional<std::int64_t> if_version, const Actor& actor, bool any_advisor);

    Result<Changed<Party>> add_party(Id ro_id, const PartyPatch& patch, std::optional<std::int64_t> if_version,
                                     const Actor& actor);
    Result<Changed<Party>> update_party(Id ro_id, Id party_id, const PartyPatch& patch,
                                        std::optional<std::int64_t> if_version, const Actor& actor);
    Result<std::int64_t> remove_party(Id ro_id, Id party_id, std::optional<std::int64_t> if_version,
                                      const Actor& actor);

    Result<Changed<ContactPoint>> add_contact_point(Id ro_id, Id party_id, const ContactPointPatch& patch,
                                                    std::optional<std::int64_t> if_version, const Actor& actor);
    Result<Changed<ContactPoint>> update_contact_point(Id ro_id, Id party_id, Id cp_id, const ContactPointPatch& patch,
                                                       std::optional<std::int64_t> if_version, const Actor& actor);
    Result<std::int64_t> remove_contact_point(Id ro_id, Id party_id, Id cp_id, std::optional<std::int64_t> if_version,
                                              const Actor& actor);

    Result<Changed<Intervention>> add_intervention(Id ro_id, const InterventionPatch& patch,
                                                   std::optional<std::int64_t> if_version, const Actor& actor);
    /// A change that alters what the customer agreed to is refused by the agreement guard
    /// unless `agreed` is `allow`.
    Result<Changed<Intervention>> update_intervention(Id ro_id, Id item_id, const InterventionPatch& patch,
                                                      std::optional<std::int64_t> if_version, const Actor& actor,
                                                      AgreedChange agreed = AgreedChange::refuse);
    Result<std::int64_t> remove_intervention(Id ro_id, Id item_id, std::optional<std::int64_t> if_version,
                                             const Actor& actor, AgreedChange agreed = AgreedChange::refuse);

    /// For the features above repair orders, in the caller's transaction (repair orders' store
    /// is private to them, repair_orders/store/): the RO as it is, nullopt when there is none.
    static Result<std::optional<RepairOrder>> read(Connection& conn, Id id);
    /// What authorize() changed: an intervention's label and its authorisation now.
    struct Authorized {
        std::string label;
        bool authorized = false;
    };
    /// Sets the interventions' authorisation as `wanted` says (intervention id → authorised),
    /// in the caller's transaction, then the RO's list columns and its version once if anything
    /// changed. Returns what changed, in `wanted`'s order (items already so are left alone;
    /// ids not on the RO are ignored); records no event: the caller says why it changed.
    static Result<std::vector<Authorized>> authorize(Connection& conn, Id ro_id, const std::map<Id, bool>& wanted,
                                                     UnixMs now);
    /// Rewrites every RO's search document made by an older search_document() (at start);
    /// how many.
    static Result<int> refresh_search_documents(Connection& conn);

    /// Set once, before the service is shared between threads.
    void set_agreement_guard(AgreementGuard guard) { agreement_guard_ = std::move(guard); }
    /// Set once, before the service is shared between threads (or after they stopped, to unset).
    void set_promised_time_listener(PromisedTimeListener listener) { promised_listener_ = std::move(listener); }

private:
    Database& db_;
    const PhoneNumbers& phones_;
    const Clock& clock_;
    const TimeZone& zone_;
    VatBp default_vat_bp_;
    AgreementGuard agreement_guard_;
    PromisedTimeListener promised_listener_;
};

/// Moves `moved_id` to 1-based `position` (clamped) and renumbers every item 1..n.
void reposition(std::vector<Intervention>& items, Id moved_id, int position);

/// A number (E.164) that answered STOP: its phone contact points on every repair order show it
/// opted out (messaging's inbound_sms tells, in its transaction: OptOutListener).
Result<void> mark_number_opted_out(Connection& conn, const std::string& number);

}  // namespace relais
