#include "offer_state.hpp"

#include "json_text.hpp"

#include <nlohmann/json.hpp>

#include <array>

namespace relais::offer_state {

using nlohmann::json;

namespace {

// The forward path; side exits are off it (-1). Scheduled is a draft that waits.
int rank(OfferState s) {
    switch (s) {
        case OfferState::draft:
        case OfferState::scheduled: return 0;
        case OfferState::sent: return 1;
        case OfferState::received: return 2;
        case OfferState::seen: return 3;
        case OfferState::confirmed: return 4;
        default: return -1;
    }
}

constexpr std::array<OfferState, 5> kPath = {OfferState::draft, OfferState::sent, OfferState::received,
                                             OfferState::seen, OfferState::confirmed};
constexpr std::array<const char*, 5> kStamp = {"", "sent_at", "received_at", "seen_at", "confirmed_at"};

bool one_of(OfferState s, std::initializer_list<OfferState> states) {
    for (OfferState x : states)
        if (s == x) return true;
    return false;
}

struct Current {
    OfferState state = OfferState::draft;
    std::optional<Id> ro_id;
    std::int64_t version = 0;
};

Result<std::optional<Current>> current(Connection& c, Id offer_id) {
    TRY_ASSIGN(auto q, c.prepare("SELECT state, ro_id, version FROM offers WHERE id = ?"));
    q.bind(1, offer_id);
    TRY_ASSIGN(bool found, q.step());
    if (!found) return std::optional<Current>();
    const auto state = parse_enum<OfferState>(q.text(0));
    if (!state) return internal_error("offer " + std::to_string(offer_id) + " has an unknown state");
    return std::optional<Current>(Current{*state, q.int64(1), q.int64(2)});
}

Result<void> record(Connection& c, const Current& o, Id offer_id, const std::string& type, UnixMs at, const Actor& by,
                    const json& data) {
    json d = data.is_object() ? data : json::object();
    d["offer_id"] = offer_id;
    d["version"] = o.version;
    TRY(timeline::record(c, o.ro_id, at, by, type, d));
    return {};
}

}  // namespace

bool allowed(OfferState from, OfferState to) {
    using S = OfferState;
    switch (to) {
        case S::sent:
        case S::received:
        case S::seen:
        case S::confirmed: return rank(from) >= 0 && rank(from) < rank(to);
        case S::locked: return !one_of(from, {S::locked, S::superseded, S::cancelled});
        case S::failed: return one_of(from, {S::draft, S::scheduled, S::sent});
        case S::superseded:
            return one_of(from, {S::draft, S::scheduled, S::sent, S::received, S::seen, S::confirmed, S::failed});
        case S::cancelled: return one_of(from, {S::draft, S::scheduled});
        case S::expired: return one_of(from, {S::draft, S::sent, S::received, S::seen});
        case S::draft: return one_of(from, {S::failed, S::expired});
        case S::scheduled: return false;  // an offer is created so, never moved there
    }
    return false;
}

Result<std::vector<OfferState>> move(Connection& c, const Move& m, const json& data) {
    std::vector<OfferState> entered;
    TRY_ASSIGN(auto o, current(c, m.offer_id));
    if (!o || !allowed(o->state, m.to)) return entered;

    // The forward steps passed over are entered too, and stamped; a side exit is one step.
    std::string sets = "state = ?";
    std::vector<const char*> stamps;
    if (rank(m.to) > 0) {
        for (int r = rank(o->state) + 1; r <= rank(m.to); ++r) {
            entered.push_back(kPath[static_cast<std::size_t>(r)]);
            stamps.push_back(kStamp[static_cast<std::size_t>(r)]);
        }
    } else {
        entered.push_back(m.to);
        if (m.to == OfferState::locked) stamps.push_back("locked_at");
    }
    for (const char* s : stamps) sets += std::string(", ") + s + " = coalesce(" + s + ", ?)";
    TRY_ASSIGN(auto u, c.prepare("UPDATE offers SET " + sets + " WHERE id = ?"));
    int i = 1;
    u.bind(i++, to_string(m.to));
    for (std::size_t k = 0; k < stamps.size(); ++k) u.bind(i++, m.at);
    u.bind(i, m.offer_id);
    TRY(u.run());

    if (!m.event_type.empty()) {
        TRY(record(c, *o, m.offer_id, m.event_type, m.at, m.by, data));
    } else {
        for (OfferState s : entered)
            TRY(record(c, *o, m.offer_id, "offer." + std::string(to_string(s)), m.at, m.by, data));
    }
    return entered;
}

Result<std::optional<OfferState>> reopen(Connection& c, Id offer_id, UnixMs at, const Actor& by, const json& data) {
    TRY_ASSIGN(auto o, current(c, offer_id));
    if (!o || o->state != OfferState::expired) return std::optional<OfferState>();
    TRY_ASSIGN(auto q, c.prepare("SELECT seen_at IS NOT NULL, received_at IS NOT NULL, sent_at IS NOT NULL FROM "
                                 "offers WHERE id = ?"));
    q.bind(1, offer_id);
    TRY(q.step());
    const OfferState to = q.int64(0)   ? OfferState::seen
                          : q.int64(1) ? OfferState::received
                          : q.int64(2) ? OfferState::sent
                                       : OfferState::draft;
    TRY_ASSIGN(auto u, c.prepare("UPDATE offers SET state = ? WHERE id = ?"));
    u.bind(1, to_string(to)).bind(2, offer_id);
    TRY(u.run());
    json d = data.is_object() ? data : json::object();
    d["state"] = to_string(to);
    TRY(record(c, *o, offer_id, "offer.reopened", at, by, d));
    return std::optional<OfferState>(to);
}

Result<void> on_message_settled(Connection& c, const MessageSettled& m) {
    if (!m.offer_id) return {};
    const Actor relais = appliance_actor();
    if (m.outcome == OutboxState::failed) {
        // The offer fails when none of its messages can still go or has gone.
        TRY_ASSIGN(auto q, c.prepare("SELECT count(*) FROM outbox WHERE offer_id = ? AND state NOT IN ('failed', "
                                     "'quarantined')"));
        q.bind(1, *m.offer_id);
        TRY(q.step());
        if (q.int64(0) > 0) return {};
        // The reason is ours (failure_json), yet read without throwing.
        json reason = json::parse(m.reason, nullptr, false);
        if (reason.is_discarded()) reason = nullptr;
        TRY(move(c, {.offer_id = *m.offer_id, .to = OfferState::failed, .at = m.at, .by = relais},
                 {{"error", m.error}, {"reason", reason}}));
        return {};
    }
    const OfferState to = m.outcome == OutboxState::delivered ? OfferState::received : OfferState::sent;
    TRY(move(c, {.offer_id = *m.offer_id, .to = to, .at = m.at, .by = relais}, {{"channel", to_string(m.channel)}}));
    return {};
}

}  // namespace relais::offer_state
