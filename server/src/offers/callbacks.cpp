#include "callbacks.hpp"

#include "field_checks.hpp"
#include "offer_store.hpp"
#include "ro_service.hpp"

#include <nlohmann/json.hpp>

#include <map>

namespace relais {
namespace {

using nlohmann::json;

// Each contact_me answer of a confirmed offer that is its RO's live version (a newer version
// supersedes it), on an RO not deleted, with the advisor's outcome when there is one.
constexpr const char* kSelect =
    "SELECT d.offer_id, d.intervention_id, d.decided_at, cb.outcome, cb.note, cb.at, cb.by_name, cb.attempts "
    "FROM offer_decisions d JOIN offers o ON o.id = d.offer_id JOIN repair_orders r ON r.id = o.ro_id "
    "LEFT JOIN offer_callbacks cb ON cb.offer_id = d.offer_id AND cb.intervention_id = d.intervention_id "
    "WHERE d.decision = 'contact_me' AND o.confirmed_at IS NOT NULL AND o.state IN ('confirmed', 'locked') "
    "AND r.deleted_at IS NULL ";

struct Row {
    Id offer_id = 0;
    Id intervention_id = 0;
    UnixMs decided_at = 0;
    std::optional<CallbackOutcome> outcome;
    std::string note;
    std::optional<UnixMs> at;
    std::string by_name;
    int attempts = 0;
};

Result<std::vector<Row>> read_rows(Statement& q) {
    std::vector<Row> out;
    while (true) {
        TRY_ASSIGN(const bool more, q.step());
        if (!more) break;
        Row r;
        r.offer_id = q.int64(0);
        r.intervention_id = q.int64(1);
        r.decided_at = q.int64(2);
        if (!q.is_null(3)) r.outcome = parse_enum<CallbackOutcome>(q.text(3));
        r.note = q.is_null(4) ? "" : q.text(4);
        r.at = q.optional_int64(5);
        r.by_name = q.is_null(6) ? "" : q.text(6);
        r.attempts = static_cast<int>(q.optional_int64(7).value_or(0));
        out.push_back(std::move(r));
    }
    q.reset();
    return out;
}

// What a list shows of an offer and its RO, read once per offer.
struct Context {
    Offer offer;
    std::optional<RepairOrder> ro;
};

Result<const Context*> context_of(Connection& c, std::map<Id, Context>& cache, Id offer_id) {
    if (auto it = cache.find(offer_id); it != cache.end()) return &it->second;
    TRY_ASSIGN(auto offer, offer_store::load(c, offer_id));
    if (!offer) return internal_error("callback of a missing offer");
    TRY_ASSIGN(auto ro, RepairOrderService::read(c, offer->ro_id));
    auto [it, _] = cache.emplace(offer_id, Context{std::move(*offer), std::move(ro)});
    return &it->second;
}

Callback make_callback(const Row& r, const Context& ctx) {
    const Offer& o = ctx.offer;
    Callback cb;
    cb.offer_id = o.id;
    cb.offer_version = o.version;
    cb.intervention_id = r.intervention_id;
    cb.ro_id = o.ro_id;
    cb.ro_number = o.snapshot.ro_number;
    cb.vehicle = o.snapshot.vehicle;
    cb.customer_name = o.snapshot.customer_name;
    auto add_phone = [&](const std::string& e164, const char* source) {
        for (const auto& p : cb.phones)
            if (p.e164 == e164) return;
        cb.phones.push_back({e164, source});
    };
    for (const OfferRecipient& rcp : o.recipients)
        if (rcp.channel == Channel::sms) add_phone(rcp.address, "sms_recipient");
    if (ctx.ro) {
        if (const Party* main = ctx.ro->main_party()) {
            for (const ContactPoint& cp : main->contact_points)
                if (cp.kind == ContactKind::phone) add_phone(cp.value, "contact_point");
        }
        cb.advisor = ctx.ro->advisor;
    }
    for (const OfferItem& item : o.snapshot.items) {
        if (item.intervention_id != r.intervention_id) continue;
        cb.label = item.label;
        cb.severity = item.severity;
        cb.price_incl = item.price_incl;
    }
    cb.asked_at = r.decided_at;
    cb.outcome = r.outcome;
    cb.attempts = r.attempts;
    cb.note = r.note;
    cb.last_at = r.at;
    cb.last_by = r.by_name;
    return cb;
}

Result<std::optional<Callback>> load_one(Connection& c, Id offer_id, Id intervention_id) {
    TRY_ASSIGN(auto q, c.prepare(std::string(kSelect) + "AND d.offer_id = ? AND d.intervention_id = ?"));
    q.bind(1, offer_id).bind(2, intervention_id);
    TRY_ASSIGN(auto rows, read_rows(q));
    if (rows.empty()) return std::optional<Callback>();
    std::map<Id, Context> cache;
    TRY_ASSIGN(const Context* ctx, context_of(c, cache, offer_id));
    return std::optional<Callback>(make_callback(rows.front(), *ctx));
}

}  // namespace

Result<std::vector<Callback>> CallbackService::list(CallbackFilter filter, std::optional<Id> advisor_id) {
    return db_.read([&](Connection& c) -> Result<std::vector<Callback>> {
        std::string sql = kSelect;
        if (filter == CallbackFilter::open) sql += "AND (cb.outcome IS NULL OR cb.outcome <> 'done') ";
        if (advisor_id) sql += "AND r.advisor_id = ? ";
        sql += "ORDER BY d.decided_at, d.offer_id, d.intervention_id";
        TRY_ASSIGN(auto q, c.prepare(sql));
        if (advisor_id) q.bind(1, *advisor_id);
        TRY_ASSIGN(auto rows, read_rows(q));
        std::map<Id, Context> cache;
        std::vector<Callback> out;
        for (const Row& r : rows) {
            TRY_ASSIGN(const Context* ctx, context_of(c, cache, r.offer_id));
            out.push_back(make_callback(r, *ctx));
        }
        return out;
    });
}

Result<Callback> CallbackService::record(Id offer_id, Id intervention_id, const std::string& outcome, std::string note,
                                         const Actor& actor) {
    Problems problems;
    const auto parsed = parse_enum<CallbackOutcome>(outcome);
    if (!parsed)
        problems.push_back({"outcome",
                            outcome.empty() ? "required" : "invalid_choice",
                            {{"choices", enum_choices<CallbackOutcome>()}}});
    if (note.size() > kMaxCallbackNote * 4)
        problems.push_back({"note", "too_long", {{"max", std::to_string(kMaxCallbackNote)}}});
    else
        check_text_field(note, "note", kMaxCallbackNote, true, false, problems);
    if (!problems.empty()) return validation_error(problems);
    const UnixMs now = clock_.now();
    return db_.write([&](Connection& c) -> Result<Callback> {
        TRY_ASSIGN(auto before, load_one(c, offer_id, intervention_id));
        if (!before) return not_found_error("callback");
        const int attempts = before->attempts + (*parsed == CallbackOutcome::not_reached ? 1 : 0);
        TRY_ASSIGN(auto q, c.prepare("INSERT OR REPLACE INTO offer_callbacks (offer_id, intervention_id, outcome, "
                                     "note, at, by_user_id, by_name, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
        q.bind(1, offer_id).bind(2, intervention_id).bind(3, to_string(*parsed)).bind(4, note).bind(5, now);
        q.bind(6, actor.kind == Actor::Kind::user ? std::optional<Id>(actor.id) : std::nullopt);
        q.bind(7, actor.name).bind(8, attempts);
        TRY(q.run());
        json data = {{"offer_id", offer_id},
                     {"version", before->offer_version},
                     {"intervention_id", intervention_id},
                     {"label", before->label},
                     {"attempts", attempts}};
        if (!note.empty()) data["note"] = note;
        TRY(timeline::record(c, before->ro_id, now, actor,
                             *parsed == CallbackOutcome::done ? "callback.done" : "callback.not_reached", data));
        TRY_ASSIGN(auto after, load_one(c, offer_id, intervention_id));
        if (!after) return internal_error("callback vanished");
        return *after;
    });
}

}  // namespace relais
