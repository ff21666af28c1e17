#include "reminders.hpp"

#include "message_templates.hpp"
#include "offer_messages.hpp"
#include "offer_service.hpp"
#include "offer_store.hpp"
#include "opening_hours.hpp"
#include "reminder_store.hpp"
#include "ro_service.hpp"
#include "timezone.hpp"

#include <nlohmann/json.hpp>

namespace relais {

using nlohmann::json;

namespace {

// A plan handled per pass of run_due; more due than this run in the next pass, at once.
constexpr int kPerPass = 100;
// An offer whose messages have not left yet (the modem was down) is looked at again so much later.
constexpr UnixMs kNotYetLeft = 10 * 60'000;
// A plan whose reminder could not be handled (an error) is looked at again so much later.
constexpr UnixMs kAfterFailure = 10 * 60'000;

bool waiting_for_customer(OfferState s) {
    return s == OfferState::sent || s == OfferState::received || s == OfferState::seen;
}

ReminderPlanState plan_state(const reminder_store::Row& r, std::optional<UnixMs> promised_at) {
    return {.cadence = {r.policy, r.every_hours},
            .started_at = r.started_at,
            .anchor_at = r.anchor_at,
            .promised_at = promised_at,
            .sent = r.sent};
}

// Queues reminder `number` to every recipient still reachable, in the caller's transaction.
// Returns how many were queued and records the event.
Result<int> queue_reminder(Connection& c, Random& random, const Config& config, const Offer& offer,
                           const RepairOrder& ro, int number, UnixMs now, const Actor& by) {
    // In the name of the colleague chosen at send, else of the RO's advisor as of now.
    const std::string advisor = offer.sender_user_id ? offer.sender_name : ro.advisor ? ro.advisor->display_name : "";
    const ReminderWords words{.number = number, .advisor_name = advisor};
    TRY_ASSIGN(const TemplateTexts texts, TemplateTexts::load(c));
    TRY_ASSIGN(const std::string signature, signer_signature(c, offer.sender_user_id, ro));
    json sent_to = json::array();
    for (const OfferRecipient& rcp : offer.recipients) {
        TRY_ASSIGN(const bool stopped, recipient_opted_out(c, ro, rcp.contact_point_id, rcp.address));
        if (stopped) continue;
        Offer as_seen = offer;
        as_seen.language = rcp.language;
        as_seen.signature = signature;
        TRY(queue_linked_message(c, random, config,
                                 {.offer = offer,
                                  .recipient = rcp,
                                  .purpose = "reminder",
                                  .now = now,
                                  .link_expires_at = offer.expires_at,
                                  .due_at = std::nullopt},
                                 [&](const std::string& url) {
                                     return rcp.channel == Channel::sms
                                                ? reminder_sms(config, texts, as_seen, addressee(rcp), words, url)
                                                : reminder_email(config, texts, as_seen, addressee(rcp), words, url);
                                 }));
        sent_to.push_back({{"channel", to_string(rcp.channel)}, {"address", rcp.address}, {"name", rcp.name}});
    }
    if (sent_to.empty()) return 0;
    TRY(timeline::record(c, offer.ro_id, now, by, "offer.reminded",
                         {{"offer_id", offer.id},
                          {"version", offer.version},
                          {"number", number},
                          {"recipients", sent_to},
                          {"automatic", by.kind == Actor::Kind::system}}));
    return static_cast<int>(sent_to.size());
}

Result<void> end_plan(Connection& c, reminder_store::Row& r, std::string why, UnixMs now) {
    r.ended = std::move(why);
    r.next_at.reset();
    r.updated_at = now;
    return reminder_store::save(c, r);
}

}  // namespace

ReminderService::ReminderService(ReminderServiceDeps deps) : d_(deps) {}

Result<void> start_reminders(Connection& c, const Config& config, const TimeZone& zone, Id offer_id,
                             const ReminderCadence& cadence, UnixMs started_at, std::optional<UnixMs> promised_at,
                             UnixMs now) {
    reminder_store::Row r;
    r.offer_id = offer_id;
    r.policy = cadence.policy;
    r.every_hours = cadence.every_hours;
    r.started_at = started_at;
    r.anchor_at = started_at;
    r.next_at = next_reminder_at(plan_state(r, promised_at), config.hours.opening, zone);
    r.updated_at = now;
    return reminder_store::save(c, r);
}

Result<void> move_reminders_start(Connection& c, const Config& config, const TimeZone& zone, Id offer_id,
                                  UnixMs started_at, std::optional<UnixMs> promised_at, UnixMs now) {
    TRY_ASSIGN(auto r, reminder_store::load(c, offer_id));
    if (!r || r->sent > 0 || !r->ended.empty()) return success();
    r->started_at = started_at;
    r->anchor_at = started_at;
    r->next_at = r->paused ? std::nullopt : next_reminder_at(plan_state(*r, promised_at), config.hours.opening, zone);
    r->updated_at = now;
    return reminder_store::save(c, *r);
}

Result<bool> replan_reminders(Connection& c, const Config& config, const TimeZone& zone, Id offer_id,
                              std::optional<UnixMs> promised_at, UnixMs now) {
    TRY_ASSIGN(auto r, reminder_store::load(c, offer_id));
    if (!r || r->policy != ReminderPolicy::gentle || r->paused || !r->ended.empty() || r->sent >= kMaxReminders)
        return false;
    const auto next = next_reminder_at(plan_state(*r, promised_at), config.hours.opening, zone);
    if (next == r->next_at) return false;
    r->next_at = next;
    r->updated_at = now;
    TRY(reminder_store::save(c, *r));
    return true;
}

Result<void> restart_reminders(Connection& c, const Config& config, const TimeZone& zone, Id offer_id,
                               std::optional<UnixMs> promised_at, UnixMs now) {
    TRY_ASSIGN(auto r, reminder_store::load(c, offer_id));
    if (!r) return success();
    r->started_at = now;
    r->anchor_at = now;
    r->sent = 0;
    r->ended.clear();
    r->no_answer_at.reset();
    r->next_at = r->paused ? std::nullopt : next_reminder_at(plan_state(*r, promised_at), config.hours.opening, zone);
    r->updated_at = now;
    return reminder_store::save(c, *r);
}

Result<bool> ReminderService::run_one(Id offer_id, UnixMs now) {
    bool queued = false;
    TRY(d_.db.write([&](Connection& c) -> Result<void> {
        TRY_ASSIGN(auto r, reminder_store::load(c, offer_id));
        if (!r || !r->next_at || *r->next_at > now) return success();  // changed since it was found due
        TRY_ASSIGN(auto offer, offer_store::load(c, offer_id));
        if (!offer) return end_plan(c, *r, "gone", now);
        if (offer->state == OfferState::draft || offer->state == OfferState::scheduled) {
            // Its messages have not left (the modem or the relay is down): not reminded of yet.
            r->next_at = now + kNotYetLeft;
            r->updated_at = now;
            return reminder_store::save(c, *r);
        }
        if (!waiting_for_customer(offer->state)) return end_plan(c, *r, std::string(to_string(offer->state)), now);
        if (r->paused) {
            r->next_at.reset();
            return reminder_store::save(c, *r);
        }
        TRY_ASSIGN(auto ro, RepairOrderService::read(c, offer->ro_id));
        if (!ro) return end_plan(c, *r, "gone", now);
        if (r->sent >= kMaxReminders) {
            // The fifth went unanswered: the advisor calls.
            r->no_answer_at = now;
            TRY(timeline::record(c, offer->ro_id, now, appliance_actor(), "offer.no_answer",
                                 {{"offer_id", offer->id}, {"version", offer->version}, {"reminders", r->sent}}));
            return end_plan(c, *r, "no_answer", now);
        }
        const OpeningHours& hours = d_.config.hours.opening;
        // The promised time may have moved since this was planned: plan again from the RO as it is.
        const auto due = next_reminder_at(plan_state(*r, ro->promised_at), hours, d_.zone);
        if (!due) {  // the policy is `none` now: nothing automatic until the advisor changes it
            r->next_at.reset();
            r->updated_at = now;
            return reminder_store::save(c, *r);
        }
        if (*due > now + 60'000 || !is_open(hours, d_.zone, now)) {
            r->next_at = std::max(*due, next_opening(hours, d_.zone, now));
            r->updated_at = now;
            return reminder_store::save(c, *r);
        }
        TRY_ASSIGN(const int n,
                   queue_reminder(c, d_.random, d_.config, *offer, *ro, r->sent + 1, now, appliance_actor()));
        if (n == 0) return end_plan(c, *r, "opted_out", now);
        queued = true;
        r->sent += 1;
        r->anchor_at = now;
        r->next_at = next_reminder_at(plan_state(*r, ro->promised_at), hours, d_.zone);
        r->updated_at = now;
        return reminder_store::save(c, *r);
    }));
    return queued;
}

Result<std::optional<UnixMs>> ReminderService::run_due() {
    const UnixMs now = d_.clock.now();
    TRY_ASSIGN(const auto due, d_.db.read([&](Connection& c) { return reminder_store::due(c, now, kPerPass); }));
    bool queued = false;
    std::optional<Error> first_error;
    for (const Id id : due) {
        auto r = run_one(id, now);
        if (!r) {
            // One plan that cannot be handled does not hold up the others: it is looked at again
            // later, and the error is the job's (logged, recorded on it, retried with backoff).
            if (!first_error) first_error = std::move(r).error();
            (void)d_.db.write([&](Connection& c) -> Result<void> {
                TRY_ASSIGN(auto plan, reminder_store::load(c, id));
                if (!plan) return success();
                plan->next_at = now + kAfterFailure;
                plan->updated_at = now;
                return reminder_store::save(c, *plan);
            });
            continue;
        }
        queued = queued || *r;
    }
    if (queued && queued_hook_) queued_hook_();
    if (first_error) return std::move(*first_error);
    if (static_cast<int>(due.size()) == kPerPass) return std::optional<UnixMs>(now);
    return next_due();
}

Result<std::optional<UnixMs>> ReminderService::next_due() {
    return d_.db.read([](Connection& c) { return reminder_store::earliest(c); });
}

Result<std::optional<ReminderPlan>> ReminderService::plan(Id offer_id) {
    return d_.db.read([&](Connection& c) -> Result<std::optional<ReminderPlan>> {
        TRY_ASSIGN(auto r, reminder_store::load(c, offer_id));
        if (!r) return std::optional<ReminderPlan>();
        TRY_ASSIGN(auto offer, offer_store::load(c, offer_id));
        return std::optional<ReminderPlan>(
            reminder_store::view(*r, offer ? std::optional(offer->state) : std::nullopt));
    });
}

Result<ReminderPlan> ReminderService::change(Id offer_id, const ReminderChange& change, const Actor& actor) {
    const UnixMs now = d_.clock.now();
    auto result = d_.db.write([&](Connection& c) -> Result<ReminderPlan> {
        TRY_ASSIGN(auto r, reminder_store::load(c, offer_id));
        TRY_ASSIGN(auto offer, offer_store::load(c, offer_id));
        if (!r || !offer) return not_found_error("offer");
        const ReminderPlan before = reminder_store::view(*r, offer->state);
        if (!before.ended.empty()) return make_error(ErrorKind::conflict, "reminders_ended", {{"state", before.ended}});
        json data = {{"offer_id", offer->id}, {"version", offer->version}};
        if (change.cadence) {
            r->policy = change.cadence->policy;
            r->every_hours = change.cadence->every_hours;
            r->anchor_at = now;  // the next one is a period from the change
            data["policy"] = to_string(r->policy);
            if (r->every_hours > 0) data["every_hours"] = r->every_hours;
        }
        if (change.paused) {
            if (!*change.paused && r->paused) r->anchor_at = now;  // resumed: counts from now
            r->paused = *change.paused;
            data["paused"] = r->paused;
        }
        TRY_ASSIGN(auto ro, RepairOrderService::read(c, offer->ro_id));
        const std::optional<UnixMs> promised = ro ? ro->promised_at : std::nullopt;
        r->next_at =
            r->paused ? std::nullopt : next_reminder_at(plan_state(*r, promised), d_.config.hours.opening, d_.zone);
        r->updated_at = now;
        TRY(reminder_store::save(c, *r));
        TRY(timeline::record(c, offer->ro_id, now, actor, "offer.reminders_changed", data));
        return reminder_store::view(*r, offer->state);
    });
    if (result && changed_hook_) changed_hook_();
    return result;
}

Result<ReminderPlan> ReminderService::send_now(Id offer_id, const Actor& actor) {
    const UnixMs now = d_.clock.now();
    auto result = d_.db.write([&](Connection& c) -> Result<ReminderPlan> {
        TRY_ASSIGN(auto r, reminder_store::load(c, offer_id));
        TRY_ASSIGN(auto offer, offer_store::load(c, offer_id));
        if (!offer) return not_found_error("offer");
        if (!waiting_for_customer(offer->state))
            return make_error(ErrorKind::conflict, "offer_not_waiting",
                              {{"state", std::string(to_string(offer->state))}});
        TRY_ASSIGN(auto ro, RepairOrderService::read(c, offer->ro_id));
        if (!ro) return not_found_error("repair_order");
        if (!r) {
            // An offer sent before plans existed: it gets one, without automatic reminders.
            reminder_store::Row fresh;
            fresh.offer_id = offer_id;
            fresh.policy = ReminderPolicy::none;
            fresh.started_at = offer->sent_at.value_or(offer->created_at);
            fresh.anchor_at = now;
            r = fresh;
        }
        TRY_ASSIGN(const int n, queue_reminder(c, d_.random, d_.config, *offer, *ro, r->sent + 1, now, actor));
        if (n == 0) return make_error(ErrorKind::conflict, "no_recipient_left");
        r->sent += 1;
        r->anchor_at = now;
        r->ended.clear();
        r->no_answer_at.reset();
        r->next_at = r->paused ? std::nullopt
                               : next_reminder_at(plan_state(*r, ro->promised_at), d_.config.hours.opening, d_.zone);
        r->updated_at = now;
        TRY(reminder_store::save(c, *r));
        return reminder_store::view(*r, offer->state);
    });
    if (result) {
        if (queued_hook_) queued_hook_();
        if (changed_hook_) changed_hook_();
    }
    return result;
}

}  // namespace relais
