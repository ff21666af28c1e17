#pragma once
// The repair report (issue 15, DESIGN.md §2 "locked → repair report may be sent"): after the
// work, what the workshop did on the items of the locked offer, what was not done and should be
// planned later (with its severity), and the final amount. Each send is an immutable version,
// frozen here from the offer and the advisor's corrections; the customer's page shows the latest.
// Plain data and pure functions (compose, the JSON codec): the service is reports.hpp.

#include "offer.hpp"
#include "outbox_message.hpp"
#include "repair_order.hpp"
#include "result.hpp"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <vector>

namespace relais {

/// What became of an item of the offer.
enum class ReportOutcome {
    done,      // the work was done (an accepted item, unless the advisor said otherwise)
    not_done,  // accepted, yet not done after all (the advisor's note says why)
    declined,  // the customer declined it (or never agreed to it): not done
    checked,   // a check found in good order, nothing to pay (OfferItem::informational)
};
template <>
struct EnumNames<ReportOutcome> {
    static constexpr NameTable<ReportOutcome, 4> table{{{ReportOutcome::done, "done"},
                                                        {ReportOutcome::not_done, "not_done"},
                                                        {ReportOutcome::declined, "declined"},
                                                        {ReportOutcome::checked, "checked"}}};
};

struct ReportItem {
    Id intervention_id = 0;
    std::string label = {};
    std::string mechanic_note = {};  // as sent in the offer: why the item matters
    InterventionKind kind = InterventionKind::initial;
    Severity severity = Severity::orange;
    Cents price_incl = 0;
    std::optional<Decision> decision = {};  // the customer's answer on the offer
    ReportOutcome outcome = ReportOutcome::done;
    std::string note = {};  // the advisor's, e.g. why an accepted item was not done
    /// Not done, and red or orange: the customer should plan it (the RO list's "to follow up").
    bool to_plan() const {
        return (outcome == ReportOutcome::not_done || outcome == ReportOutcome::declined) &&
               severity != Severity::green;
    }
};

struct RepairReport {
    Id id = 0;
    Id ro_id = 0;
    Id offer_id = 0;
    int version = 1;        // 1, 2… per RO: a correction sent again is a new version
    int offer_version = 1;  // the locked offer's
    std::string ro_number = {};
    Vehicle vehicle = {};
    std::string customer_name = {};
    std::string advisor_name = {};  // the RO's advisor when sent
    std::string dealer_name = {};
    std::string currency = {};
    std::string language = {};           // the recipient's
    std::vector<ReportItem> items = {};  // in the offer's order
    Cents done_total_incl = 0;           // the sum of the done items' prices
    /// What the customer pays: the done items' sum, or the advisor's invoice figure when it
    /// differs (consumables, a part's price at fitting, a goodwill discount).
    Cents final_total_incl = 0;
    std::string note = {};  // the advisor's note to the customer
    UnixMs created_at = 0;
    std::optional<Id> created_by_user_id = {};
    std::string created_by = {};
    std::optional<Id> outbox_id = {};      // the message that carried it
    std::optional<OutboxMessage> message;  // that message as it is now (not in the snapshot)
    bool final_adjusted() const { return final_total_incl != done_total_incl; }
};

/// The advisor's corrections to the report a locked offer gives by default.
struct ReportItemChange {
    Id intervention_id = 0;
    bool done = true;
    std::string note = {};
};
struct ReportRequest {
    std::vector<ReportItemChange> items = {};
    std::optional<Cents> final_total_incl = {};
    std::string note = {};
};

inline constexpr std::size_t kMaxReportNote = 1000;
inline constexpr std::size_t kMaxReportItemNote = 300;
inline constexpr Cents kMaxReportTotal = 99'999'999;  // 999 999,99

/// The report of `offer` (locked) for `ro` as it is now, with `request`'s corrections. By
/// default an accepted item is done, a declined one is not, an item the customer did not answer
/// (or asked to be called about) is done when the advisor's thumb on the RO says so, and a
/// check in good order is `checked`. Refused (validation, every problem named): an item not in
/// the offer or given twice ("items[i].intervention_id"), a declined item marked done
/// ("declined_by_customer"), an accepted item marked not done without a note
/// ("items[i].note" required), a note too long, a final amount out of 0…kMaxReportTotal.
/// Only the snapshot's fields are set (no id, version, time or author).
Result<RepairReport> compose_report(const Offer& offer, const RepairOrder& ro, const ReportRequest& request);

namespace report_json {

using json = nlohmann::json;

/// The frozen report as stored in `repair_reports.snapshot`.
json snapshot(const RepairReport& r);
/// A stored snapshot read back into `r` (its id, version, times and author left as they are);
/// anything unreadable takes its default: reading a report never fails on its snapshot.
void read_snapshot(const std::string& text, RepairReport& r);
/// The report as the customer's page receives it: the items with their outcome, price and why
/// they matter, the amounts, the advisor's note and name, when it was sent. No address, no
/// author's account, no delivery.
json customer(const RepairReport& r);

}  // namespace report_json

}  // namespace relais
