#include "send_schedule.hpp"

#include "offer_service.hpp"
#include "offer_store.hpp"
#include "opening_hours.hpp"
#include "outbox.hpp"
#include "reminders.hpp"
#include "timezone.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

namespace relais {

using nlohmann::json;

namespace {

constexpr UnixMs kHourMs = 3'600'000;

// "2026-12-07 14:00" in the dealership's zone: what the advisor typed the promised time in.
std::string local_minute(const TimeZone& zone, UnixMs t) {
    const CivilTime c = zone.to_local(t);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d", c.year, c.month, c.day, c.hour, c.minute);
    return buf;
}

// Whether none of the offer's messages was tried: each still pending, never claimed.
bool none_tried(const Offer& o) {
    return !o.messages.empty() && std::all_of(o.messages.begin(), o.messages.end(), [](const OutboxMessage& m) {
        return m.state == OutboxState::pending && m.attempts == 0;
    });
}

Result<void> move_send(Connection& c, const Config& config, const TimeZone& zone, const Offer& o, UnixMs leaves_at,
                       std::optional<UnixMs> promised_at, UnixMs now) {
    TRY_ASSIGN(const int messages, outbox_store::reschedule(c, o.id, leaves_at));
    if (messages == 0) return internal_error("offer " + std::to_string(o.id) + ": no message to move");
    // The link's 30 days start when it leaves, as at the send.
    TRY_ASSIGN(auto e, c.prepare("UPDATE offers SET expires_at = ? WHERE id = ?"));
    e.bind(1, leaves_at + kLinkValidityMs).bind(2, o.id);
    TRY(e.run());
    TRY_ASSIGN(auto l, c.prepare("UPDATE offer_links SET expires_at = ? WHERE offer_id = ? AND revoked_at IS NULL"));
    l.bind(1, leaves_at + kLinkValidityMs).bind(2, o.id);
    TRY(l.run());
    return move_reminders_start(c, config, zone, o.id, leaves_at, promised_at, now);
}

}  // namespace

std::optional<UnixMs> relative_send_time(std::optional<UnixMs> promised_at, int hours, UnixMs now, UnixMs max_ahead,
                                         const TimeZone& zone, Problems& problems) {
    if (!promised_at) {
        problems.push_back({"send_relative", "no_promised_time", {}});
        return std::nullopt;
    }
    const UnixMs asked = *promised_at + hours * kHourMs;
    // A minute of slack, as for send_at: "now" as the advisor's browser saw it may be behind.
    if (asked < now - 60'000) {
        problems.push_back({"send_relative", "relative_in_the_past", {{"value", local_minute(zone, asked)}}});
        return std::nullopt;
    }
    if (asked > now + max_ahead) {
        problems.push_back(
            {"send_relative",
             "relative_too_far_ahead",
             {{"value", local_minute(zone, asked)}, {"days", std::to_string(max_ahead / (24 * kHourMs))}}});
        return std::nullopt;
    }
    return asked;
}

Result<bool> follow_promised_time(Connection& c, const Config& config, const TimeZone& zone, Id ro_id,
                                  std::optional<UnixMs> promised_at, UnixMs now, const Actor& by) {
    TRY_ASSIGN(const auto ids, offer_store::ids_for_repair_order(c, ro_id));
    bool moved = false;
    for (const Id id : ids) {
        TRY_ASSIGN(const auto o, offer_store::load(c, id));
        if (!o) continue;
        // An offer that left: its gentle reminders (before, at, after the promised time) follow.
        if (o->state == OfferState::sent || o->state == OfferState::received || o->state == OfferState::seen) {
            TRY_ASSIGN(const bool replanned, replan_reminders(c, config, zone, o->id, promised_at, now));
            moved = moved || replanned;
            continue;
        }
        if (o->state != OfferState::scheduled || !o->send_relative_hours || !none_tried(*o)) continue;
        UnixMs due = o->messages.front().next_attempt_at;
        for (const OutboxMessage& m : o->messages) due = std::min(due, m.next_attempt_at);
        json data = {{"offer_id", o->id}, {"version", o->version}, {"hours", *o->send_relative_hours}};
        if (!promised_at) {
            // Nothing to follow: the send keeps its time, and says so.
            data["send_at"] = format_utc(due);
            data["promised_at"] = nullptr;
            TRY(timeline::record(c, ro_id, now, by, "offer.rescheduled", data));
            continue;
        }
        const UnixMs asked = *promised_at + *o->send_relative_hours * kHourMs;
        // Past already: it goes now, or at the next opening.
        const UnixMs leaves_at = next_opening(config.hours.opening, zone, std::max(asked, now));
        if (leaves_at == due) continue;
        TRY(move_send(c, config, zone, *o, leaves_at, promised_at, now));
        data["send_at"] = format_utc(leaves_at);
        if (leaves_at != asked) data["asked_for"] = format_utc(asked);
        data["previous_send_at"] = format_utc(due);
        data["promised_at"] = format_utc(*promised_at);
        if (asked < now) data["late"] = true;
        TRY(timeline::record(c, ro_id, now, by, "offer.rescheduled", data));
        moved = true;
    }
    return moved;
}

PromisedTimeListener OfferService::promised_time_listener() {
    return {.changed =
                [this](Connection& c, Id ro_id, std::optional<UnixMs> promised_at, UnixMs now, const Actor& by) {
                    return follow_promised_time(c, config_, zone_, ro_id, promised_at, now, by);
                },
            .committed =
                [this] {
                    if (queued_hook_) queued_hook_();
                }};
}

}  // namespace relais
