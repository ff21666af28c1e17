#pragma once
// Sending the repair report (issue 15): when the RO's latest offer is locked and the RO is ready
// (or closed), the advisor sends what was done; one message (SMS or email, as the offer went)
// carries a fresh link to the same page, which shows the report read-only. Each send is a new
// version in `repair_reports` (a correction sent again); the page shows the latest. The row, the
// message in the outbox and the `repair_order.report_sent` event are one transaction.

#include "config.hpp"
#include "db.hpp"
#include "offer.hpp"
#include "offer_messages.hpp"
#include "repair_report.hpp"
#include "timeline.hpp"

#include <functional>
#include <optional>
#include <vector>

namespace relais {

class Clock;
class Random;

/// A report as it would go: the report, who it goes to and the message's words (a link of the
/// real length).
struct ReportPreview {
    RepairReport report;
    OfferRecipient recipient;
    OfferMessageText message;
};

struct ReportServiceDeps {
    Database& db;
    const Config& config;  // the links' base URL, the dealership's name and language
    Random& random;        // the links' tokens
    const Clock& clock;
};

/// Thread-safe. Everything in `deps` must outlive the service.
class ReportService {
public:
    explicit ReportService(ReportServiceDeps deps);

    /// What send() would send, with the same checks; writes nothing. Refused (409): the RO has
    /// no offer (`report_no_offer`), its latest offer is not locked (`report_offer_not_locked`,
    /// with its state), the RO is not ready or closed (`report_ro_not_ready`, with its status),
    /// every recipient of the offer opted out (`report_no_recipient`); 422 as compose_report.
    Result<ReportPreview> preview(Id ro_id, const ReportRequest& request);
    /// Freezes the next version, queues its message to the offer's recipient (the one who opened
    /// the offer, else the first who may still be written to) and records the event.
    Result<RepairReport> send(Id ro_id, const ReportRequest& request, const Actor& actor);
    /// The RO's reports, newest first, each with its message as it is now. 404 for no RO.
    Result<std::vector<RepairReport>> for_repair_order(Id ro_id);

    /// Called after every commit that queued a message (the outbox wakes). Set once, before use.
    void on_queued(std::function<void()> hook) { queued_hook_ = std::move(hook); }

private:
    Database& db_;
    const Config& config_;
    Random& random_;
    const Clock& clock_;
    std::function<void()> queued_hook_;
};

/// The latest report sent on `offer_id`, in the caller's transaction (the customer's page reads
/// it with the offer); nullopt when none was.
Result<std::optional<RepairReport>> latest_report(Connection& conn, Id offer_id);

}  // namespace relais
