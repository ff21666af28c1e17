#include "reports.hpp"

#include "clock.hpp"
#include "json_text.hpp"
#include "message_templates.hpp"
#include "offer_service.hpp"
#include "offer_store.hpp"
#include "outbox.hpp"
#include "ro_service.hpp"

#include <nlohmann/json.hpp>

namespace relais {

using nlohmann::json;

namespace {

// What a report is about to be, checked: the RO, its locked offer, the recipient, the texts.
struct Prepared {
    RepairOrder ro;
    Offer offer;  // localized to the recipient
    RepairReport report;
    OfferRecipient recipient;
    TemplateTexts texts;
};

// The recipient a report goes to: the one whose link opened the offer (the person who answered),
// else the first; never one who may no longer be written to.
Result<std::optional<OfferRecipient>> choose_recipient(Connection& c, const RepairOrder& ro, const Offer& offer) {
    TRY_ASSIGN(auto q, c.prepare("SELECT recipient_id FROM offer_links WHERE offer_id = ? AND bound_at IS NOT NULL "
                                 "ORDER BY bound_at DESC, id DESC"));
    q.bind(1, offer.id);
    std::vector<Id> opened;
    while (true) {
        TRY_ASSIGN(const bool row, q.step());
        if (!row) break;
        opened.push_back(q.int64(0));
    }
    std::vector<const OfferRecipient*> order;
    for (Id id : opened)
        for (const OfferRecipient& r : offer.recipients)
            if (r.id == id) order.push_back(&r);
    for (const OfferRecipient& r : offer.recipients) order.push_back(&r);
    for (const OfferRecipient* r : order) {
        TRY_ASSIGN(const bool stopped, recipient_opted_out(c, ro, r->contact_point_id, r->address));
        if (!stopped) return std::optional<OfferRecipient>(*r);
    }
    return std::optional<OfferRecipient>();
}

Result<std::unique_ptr<Prepared>> prepare(Connection& c, Id ro_id, const ReportRequest& request) {
    TRY_ASSIGN(auto ro, RepairOrderService::read(c, ro_id));
    if (!ro) return not_found_error("repair_order");
    TRY_ASSIGN(auto ids, offer_store::ids_for_repair_order(c, ro_id));
    if (ids.empty()) return make_error(ErrorKind::conflict, "report_no_offer");
    TRY_ASSIGN(auto offer, offer_store::load(c, ids.front()));
    if (!offer) return internal_error("the latest offer vanished");
    // DESIGN.md §2: locked, then the report. A confirmed offer is not enough: locking says the
    // work was agreed and started, and nothing more can be asked of the customer on it.
    if (offer->state != OfferState::locked)
        return make_error(ErrorKind::conflict, "report_offer_not_locked",
                          {{"state", std::string(to_string(offer->state))}});
    // Ready, or closed (handed back, the report came later or is corrected): the work is over.
    const RoStatus status = ro->deleted_at ? RoStatus::cancelled : ro->status;
    if (status != RoStatus::ready && status != RoStatus::closed)
        return make_error(ErrorKind::conflict, "report_ro_not_ready", {{"state", std::string(to_string(status))}});
    TRY_ASSIGN(auto recipient, choose_recipient(c, *ro, *offer));
    TRY_ASSIGN(auto report, compose_report(*offer, *ro, request));
    if (!recipient) return make_error(ErrorKind::conflict, "report_no_recipient");
    auto p = std::make_unique<Prepared>();
    p->ro = std::move(*ro);
    p->offer = std::move(*offer);
    p->offer.language = recipient->language;
    TRY_ASSIGN(p->offer.signature, signer_signature(c, p->offer.sender_user_id, p->ro));
    p->report = std::move(report);
    p->report.language = recipient->language;
    p->recipient = std::move(*recipient);
    TRY_ASSIGN(p->texts, TemplateTexts::load(c));
    return p;
}

Result<OfferMessageText> message_of(const Config& config, const Prepared& p, const std::string& link) {
    return p.recipient.channel == Channel::sms
               ? report_sms(config, p.texts, p.offer, p.report, addressee(p.recipient), link)
               : report_email(config, p.texts, p.offer, p.report, addressee(p.recipient), link);
}

constexpr const char* kSelect =
    "SELECT id, ro_id, offer_id, version, snapshot, final_total_incl_cents, created_at, created_by_user_id, "
    "created_by_name, outbox_id FROM repair_reports ";

Result<std::vector<RepairReport>> read_reports(Connection& c, Statement& q) {
    std::vector<RepairReport> out;
    while (true) {
        TRY_ASSIGN(const bool row, q.step());
        if (!row) break;
        RepairReport r;
        report_json::read_snapshot(q.text(4), r);
        r.id = q.int64(0);
        r.ro_id = q.int64(1);
        r.offer_id = q.int64(2);
        r.version = static_cast<int>(q.int64(3));
        r.final_total_incl = q.int64(5);
        r.created_at = q.int64(6);
        r.created_by_user_id = q.optional_int64(7);
        r.created_by = q.text(8);
        r.outbox_id = q.optional_int64(9);
        out.push_back(std::move(r));
    }
    q.reset();
    // Each one's message as it is now: its delivery state.
    std::map<Id, std::vector<OutboxMessage>> messages;
    for (RepairReport& r : out) {
        if (!r.outbox_id) continue;
        if (!messages.contains(r.offer_id)) {
            TRY_ASSIGN(messages[r.offer_id], outbox_store::for_offer(c, r.offer_id));
        }
        for (const OutboxMessage& m : messages[r.offer_id])
            if (m.id == *r.outbox_id) r.message = m;
    }
    return out;
}

}  // namespace

ReportService::ReportService(ReportServiceDeps deps)
    : db_(deps.db), config_(deps.config), random_(deps.random), clock_(deps.clock) {}

Result<ReportPreview> ReportService::preview(Id ro_id, const ReportRequest& request) {
    return db_.read([&](Connection& c) -> Result<ReportPreview> {
        TRY_ASSIGN(auto p, prepare(c, ro_id, request));
        ReportPreview out;
        out.report = p->report;
        out.report.created_at = clock_.now();
        out.recipient = p->recipient;
        // A link of the real length, so that the SMS's cost is the real one.
        TRY_ASSIGN(out.message, message_of(config_, *p, offer_link(config_, std::string(kLinkTokenChars, 'x'))));
        return out;
    });
}

Result<RepairReport> ReportService::send(Id ro_id, const ReportRequest& request, const Actor& actor) {
    const UnixMs now = clock_.now();
    auto result = db_.write([&](Connection& c) -> Result<Id> {
        TRY_ASSIGN(auto p, prepare(c, ro_id, request));
        RepairReport& report = p->report;
        TRY_ASSIGN(auto v, c.prepare("SELECT coalesce(max(version), 0) + 1 FROM repair_reports WHERE ro_id = ?"));
        v.bind(1, ro_id);
        TRY(v.step());
        report.version = static_cast<int>(v.int64(0));
        report.created_at = now;
        TRY_ASSIGN(auto ins, c.prepare("INSERT INTO repair_reports (ro_id, offer_id, version, snapshot, "
                                       "final_total_incl_cents, created_at, created_by_user_id, created_by_name) "
                                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
        ins.bind(1, ro_id).bind(2, p->offer.id).bind(3, report.version);
        ins.bind(4, dump_json(report_json::snapshot(report))).bind(5, report.final_total_incl).bind(6, now);
        ins.bind(7, actor.kind == Actor::Kind::user ? std::optional<Id>(actor.id) : std::nullopt);
        ins.bind(8, actor.name);
        TRY(ins.run());
        const Id report_id = c.last_insert_id();
        // A fresh link to the same page, valid 30 days from now like every link; the customer's
        // earlier links keep working until it is opened on a device.
        TRY_ASSIGN(const Id outbox_id,
                   queue_linked_message(c, random_, config_,
                                        {.offer = p->offer,
                                         .recipient = p->recipient,
                                         .purpose = "report",
                                         .now = now,
                                         .link_expires_at = now + kLinkValidityMs,
                                         .due_at = std::nullopt},
                                        [&](const std::string& url) { return message_of(config_, *p, url); }));
        TRY_ASSIGN(auto u, c.prepare("UPDATE repair_reports SET outbox_id = ? WHERE id = ?"));
        u.bind(1, outbox_id).bind(2, report_id);
        TRY(u.run());
        int done = 0, not_done = 0, to_plan = 0;
        for (const ReportItem& i : report.items) {
            done += i.outcome == ReportOutcome::done ? 1 : 0;
            not_done += i.outcome == ReportOutcome::not_done ? 1 : 0;
            to_plan += i.to_plan() ? 1 : 0;
        }
        json data = {{"report_id", report_id},
                     {"version", report.version},
                     {"offer_id", p->offer.id},
                     {"offer_version", p->offer.version},
                     {"channel", to_string(p->recipient.channel)},
                     {"address", p->recipient.address},
                     {"name", p->recipient.name},
                     {"done", done},
                     {"not_done", not_done},
                     {"to_plan", to_plan},
                     {"final_total_incl_cents", report.final_total_incl},
                     {"final_adjusted", report.final_adjusted()}};
        TRY(timeline::record(c, ro_id, now, actor, "repair_order.report_sent", data));
        return report_id;
    });
    if (!result) return std::move(result).error();
    if (queued_hook_) queued_hook_();
    auto reports = for_repair_order(ro_id);
    if (!reports) return std::move(reports).error();
    for (RepairReport& r : *reports)
        if (r.id == *result) return std::move(r);
    return internal_error("the report just sent vanished");
}

Result<std::vector<RepairReport>> ReportService::for_repair_order(Id ro_id) {
    return db_.read([&](Connection& c) -> Result<std::vector<RepairReport>> {
        TRY_ASSIGN(auto ro, RepairOrderService::read(c, ro_id));
        if (!ro) return not_found_error("repair_order");
        TRY_ASSIGN(auto q, c.prepare(std::string(kSelect) + "WHERE ro_id = ? ORDER BY version DESC"));
        q.bind(1, ro_id);
        return read_reports(c, q);
    });
}

Result<std::optional<RepairReport>> latest_report(Connection& c, Id offer_id) {
    TRY_ASSIGN(auto q, c.prepare(std::string(kSelect) + "WHERE offer_id = ? ORDER BY version DESC LIMIT 1"));
    q.bind(1, offer_id);
    TRY_ASSIGN(auto reports, read_reports(c, q));
    if (reports.empty()) return std::optional<RepairReport>();
    reports.front().message.reset();  // the customer's page has no use for it
    return std::optional<RepairReport>(std::move(reports.front()));
}

}  // namespace relais
