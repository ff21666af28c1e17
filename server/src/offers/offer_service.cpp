#include "offer_service.hpp"

#include "agreements.hpp"
#include "crypto.hpp"
#include "field_checks.hpp"
#include "inbound_sms.hpp"
#include "json_text.hpp"
#include "offer_json.hpp"
#include "offer_messages.hpp"
#include "offer_state.hpp"
#include "outbox.hpp"
#include "random.hpp"
#include "ro_store.hpp"
#include "text.hpp"
#include "timezone.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <tuple>

namespace relais {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxNote = 1000;

OfferSnapshot freeze(const RepairOrder& ro, const Config& config) {
    OfferSnapshot s;
    s.ro_number = ro.number;
    s.vehicle = ro.vehicle;
    if (const Party* p = ro.main_party()) s.customer_name = p->display_name();
    if (ro.advisor) s.advisor_name = ro.advisor->display_name;
    s.dealer_name = config.dealer.name;
    s.currency = config.dealer.currency;
    std::vector<const Intervention*> shown;
    for (const auto& i : ro.interventions)
        if (i.shown) shown.push_back(&i);
    // Initial interventions first, then the optional ones found during the check (seed 004).
    std::stable_sort(shown.begin(), shown.end(), [](const Intervention* a, const Intervention* b) {
        if (a->kind != b->kind) return a->kind == InterventionKind::initial;
        return a->position < b->position;
    });
    for (const Intervention* i : shown)
        s.items.push_back(
            {i->id, i->label, i->mechanic_note, i->kind, i->severity, i->price_excl, i->price_incl, i->vat_bp});
    return s;
}

Result<std::vector<OfferRecipient>> load_recipients(Connection& conn, Id offer_id) {
    TRY_ASSIGN(auto s, conn.prepare("SELECT id, channel, address, name, party_id, contact_point_id, language "
                                    "FROM offer_recipients WHERE offer_id = ? ORDER BY id"));
    s.bind(1, offer_id);
    std::vector<OfferRecipient> out;
    while (true) {
        TRY_ASSIGN(bool row, s.step());
        if (!row) break;
        out.push_back({s.int64(0), parse_enum<Channel>(s.text(1)).value_or(Channel::sms), s.text(2), s.text(3),
                       s.optional_int64(4), s.optional_int64(5), s.text(6)});
    }
    return out;
}

Result<std::vector<OutboxMessage>> load_messages(Connection& conn, Id offer_id) {
    TRY_ASSIGN(auto s,
               conn.prepare("SELECT id, offer_id, recipient_id, purpose, channel, address, name, subject, "
                            "body, html, state, attempts, next_attempt_at, last_error, detail, message_id, "
                            "created_at, sent_at, delivered_at, interruptions, failure FROM outbox WHERE offer_id = ? "
                            "ORDER BY id"));
    s.bind(1, offer_id);
    std::vector<OutboxMessage> out;
    while (true) {
        TRY_ASSIGN(bool row, s.step());
        if (!row) break;
        OutboxMessage m;
        m.id = s.int64(0);
        m.offer_id = s.optional_int64(1);
        m.recipient_id = s.optional_int64(2);
        m.purpose = s.text(3);
        m.channel = parse_enum<Channel>(s.text(4)).value_or(Channel::sms);
        m.address = s.text(5);
        m.name = s.text(6);
        m.subject = s.text(7);
        m.body = s.text(8);
        m.html = s.text(9);
        m.state = parse_enum<OutboxState>(s.text(10)).value_or(OutboxState::pending);
        m.attempts = static_cast<int>(s.int64(11));
        m.next_attempt_at = s.int64(12);
        m.last_error = s.text(13);
        m.detail = s.text(14);
        m.message_id = s.text(15);
        m.created_at = s.int64(16);
        m.sent_at = s.optional_int64(17);
        m.delivered_at = s.optional_int64(18);
        m.failure = s.text(20);
        m.interruptions = static_cast<int>(s.int64(19));
        out.push_back(std::move(m));
    }
    return out;
}

std::string channel_language(const Party& party, const Config& config) {
    return party.language.empty() ? config.dealer.language : party.language;
}

}  // namespace

std::string offer_link(const Config& config, const std::string& token) {
    std::string base = config.http.public_base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + "/o/" + token;
}

namespace offer_store {

Result<std::optional<Offer>> load(Connection& conn, Id offer_id) {
    Offer o;
    {
        TRY_ASSIGN(auto s, conn.prepare("SELECT id, ro_id, version, state, note, language, snapshot, created_at, "
                                        "created_by, sent_at, received_at, seen_at, confirmed_at, locked_at, "
                                        "expires_at FROM offers WHERE id = ?"));
        s.bind(1, offer_id);
        TRY_ASSIGN(bool found, s.step());
        if (!found) return std::optional<Offer>();
        o.id = s.int64(0);
        o.ro_id = s.int64(1);
        o.version = static_cast<int>(s.int64(2));
        o.state = parse_enum<OfferState>(s.text(3)).value_or(OfferState::draft);
        o.note = s.text(4);
        o.language = s.text(5);
        o.snapshot = offer_json::snapshot_from(s.text(6));
        o.created_at = s.int64(7);
        o.created_by = s.text(8);
        o.sent_at = s.optional_int64(9);
        o.received_at = s.optional_int64(10);
        o.seen_at = s.optional_int64(11);
        o.confirmed_at = s.optional_int64(12);
        o.locked_at = s.optional_int64(13);
        o.expires_at = s.int64(14);
    }
    TRY_ASSIGN(o.recipients, load_recipients(conn, offer_id));
    TRY_ASSIGN(o.messages, load_messages(conn, offer_id));
    TRY_ASSIGN(auto d, conn.prepare("SELECT intervention_id, decision, decided_at FROM offer_decisions WHERE "
                                    "offer_id = ?"));
    d.bind(1, offer_id);
    while (true) {
        TRY_ASSIGN(bool row, d.step());
        if (!row) break;
        if (auto dec = parse_enum<Decision>(d.text(1))) {
            o.decisions[d.int64(0)] = *dec;
            o.decided_at[d.int64(0)] = d.int64(2);
        }
    }
    TRY_ASSIGN(auto a, conn.prepare("SELECT agreement_id, accepted_at FROM offer_agreements WHERE offer_id = ?"));
    a.bind(1, offer_id);
    while (true) {
        TRY_ASSIGN(bool row, a.step());
        if (!row) break;
        o.accepted_agreements[a.int64(0)] = a.int64(1);
    }
    return std::optional<Offer>(std::move(o));
}

Result<std::vector<Id>> ids_for_repair_order(Connection& conn, Id ro_id) {
    TRY_ASSIGN(auto s, conn.prepare("SELECT id FROM offers WHERE ro_id = ? ORDER BY version DESC"));
    s.bind(1, ro_id);
    std::vector<Id> out;
    while (true) {
        TRY_ASSIGN(bool row, s.step());
        if (!row) break;
        out.push_back(s.int64(0));
    }
    return out;
}

}  // namespace offer_store

OfferService::OfferService(Database& db, const Config& config, Random& random, const Clock& clock)
    : db_(db), config_(config), random_(random), clock_(clock) {}

namespace {

// What a send is about to do, checked: the RO, where each message goes, what is frozen.
struct Target {
    const Party* party;
    const ContactPoint* cp;
};
struct Prepared {
    RepairOrder ro;
    std::vector<Target> targets;  // point into `ro`
    OfferSnapshot snapshot;
    std::string language;  // the main party's, else the dealership's
};

// Checks the request and returns its note as it will be kept: trimmed, line ends as "\n", and
// held to the rules of every other text (no control characters, line separators or bidi
// controls: the note reaches the customer's page and email as it is).
Problems check_request(const SendOfferRequest& request, UnixMs now, std::string& note) {
    Problems problems;
    if (request.send_at) {
        // A minute of slack: "now" as the advisor's browser saw it may be a little behind.
        if (*request.send_at < now - 60'000) problems.push_back({"send_at", "in_the_past", {}});
        if (*request.send_at > now + kMaxScheduleAheadMs)
            problems.push_back(
                {"send_at", "too_far_ahead", {{"days", std::to_string(kMaxScheduleAheadMs / 86'400'000)}}});
    }
    if (request.contact_point_ids.empty()) problems.push_back({"recipients", "required", {}});
    note = request.note;
    if (request.note.size() > kMaxNote * 4)
        problems.push_back({"note", "too_long", {{"max", std::to_string(kMaxNote)}}});
    else
        check_text_field(note, "note", kMaxNote, true, false, problems);
    return problems;
}

Result<std::unique_ptr<Prepared>> prepare(Connection& c, const Config& config, Id ro_id,
                                          const SendOfferRequest& request) {
    TRY_ASSIGN(auto loaded, ro_store::load(c, ro_id));
    if (!loaded) return not_found_error("repair_order");
    auto p = std::make_unique<Prepared>();
    p->ro = std::move(*loaded);
    const RepairOrder& ro = p->ro;
    // Where each recipient is: its party and contact point, refused when opted out.
    Problems bad;
    for (std::size_t i = 0; i < request.contact_point_ids.size(); ++i) {
        const std::string field = "recipients[" + std::to_string(i) + "]";
        const Id want = request.contact_point_ids[i];
        const Party* party = nullptr;
        const ContactPoint* cp = nullptr;
        for (const auto& pt : ro.parties)
            for (const auto& k : pt.contact_points)
                if (k.id == want) {
                    party = &pt;
                    cp = &k;
                }
        bool stopped = false;  // the number or address said STOP
        if (cp) {
            TRY_ASSIGN(stopped, is_opted_out(c, cp->value));
        }
        if (!cp) {
            bad.push_back({field, "unknown_contact_point", {{"id", std::to_string(want)}}});
        } else if (cp->opted_out || party->opted_out || stopped) {
            bad.push_back({field, "opted_out", {}});
        } else if (std::any_of(p->targets.begin(), p->targets.end(),
                               [&](const Target& t) { return t.cp->id == want; })) {
            bad.push_back({field, "duplicate", {}});
        } else {
            p->targets.push_back({party, cp});
        }
    }
    p->snapshot = freeze(ro, config);
    TRY_ASSIGN(p->snapshot.agreements, agreement_store::current(c));
    if (p->snapshot.items.empty()) bad.push_back({"interventions", "nothing_to_offer", {}});
    if (!bad.empty()) return validation_error(bad);
    const Party* main = ro.main_party();
    p->language = main ? channel_language(*main, config) : config.dealer.language;
    return p;
}

Result<OfferMessageText> message_for(const Config& config, Offer offer, const Target& t, const std::string& link) {
    offer.language = channel_language(*t.party, config);
    return t.cp->kind == ContactKind::phone ? offer_sms(config, offer, link)
                                            : offer_email(config, offer, t.party->display_name(), link);
}

}  // namespace

Result<OfferPreview> OfferService::preview(Id ro_id, const SendOfferRequest& request) {
    std::string note;
    if (Problems problems = check_request(request, clock_.now(), note); !problems.empty())
        return validation_error(problems);
    return db_.read([&](Connection& c) -> Result<OfferPreview> {
        TRY_ASSIGN(auto p, prepare(c, config_, ro_id, request));
        OfferPreview out;
        out.offer.ro_id = ro_id;
        out.offer.note = note;
        out.offer.language = p->language;
        out.offer.snapshot = p->snapshot;
        // A link of the real length, so that the SMS's cost is the real one.
        const std::string link = offer_link(config_, std::string(32, 'x'));
        for (const Target& t : p->targets) {
            OfferRecipient r;
            r.channel = t.cp->kind == ContactKind::phone ? Channel::sms : Channel::email;
            r.address = t.cp->value;
            r.name = t.party->display_name();
            r.party_id = t.party->id;
            r.contact_point_id = t.cp->id;
            r.language = channel_language(*t.party, config_);
            TRY_ASSIGN(auto text, message_for(config_, out.offer, t, link));
            out.messages.push_back({r, std::move(text)});
        }
        return out;
    });
}

Result<Offer> OfferService::send(Id ro_id, const SendOfferRequest& request, const Actor& actor) {
    const UnixMs now = clock_.now();
    std::string note;
    if (Problems problems = check_request(request, now, note); !problems.empty()) return validation_error(problems);

    auto result = db_.write([&](Connection& c) -> Result<Id> {
        TRY_ASSIGN(auto prepared, prepare(c, config_, ro_id, request));
        const std::vector<Target>& targets = prepared->targets;
        const OfferSnapshot& snapshot = prepared->snapshot;

        // The current version: a seen or confirmed one is replaced only when the advisor said so;
        // a locked one is closed.
        TRY_ASSIGN(auto ids, offer_store::ids_for_repair_order(c, ro_id));
        int version = 1;
        if (!ids.empty()) {
            TRY_ASSIGN(auto latest, offer_store::load(c, ids.front()));
            version = latest->version + 1;
            if (latest->state == OfferState::locked)
                return make_error(ErrorKind::conflict, "offer_locked", {{"offer", std::to_string(latest->id)}});
            if ((latest->state == OfferState::seen || latest->state == OfferState::confirmed) && !request.replace_seen)
                return make_error(
                    ErrorKind::conflict, "confirmation_required",
                    {{"offer", std::to_string(latest->id)}, {"state", std::string(to_string(latest->state))}});
        }
        for (Id old : ids) {
            TRY(offer_state::move(c, {.offer_id = old, .to = OfferState::superseded, .at = now, .by = actor},
                                  {{"by_version", version}}));
            TRY_ASSIGN(auto l,
                       c.prepare("UPDATE offer_links SET revoked_at = coalesce(revoked_at, ?) WHERE offer_id = ?"));
            l.bind(1, now).bind(2, old);
            TRY(l.run());
            TRY_ASSIGN(auto q, c.prepare("UPDATE outbox SET state = 'failed', last_error = 'superseded', failure = "
                                         "'{\"code\":\"superseded\",\"params\":{}}' WHERE "
                                         "offer_id = ? AND state = 'pending'"));
            q.bind(1, old);
            TRY(q.run());
        }

        // A scheduled offer waits; its link's 30 days start when it leaves.
        const bool scheduled = request.send_at && *request.send_at > now;
        const UnixMs leaves_at = scheduled ? *request.send_at : now;

        const std::string& language = prepared->language;
        Offer offer;
        offer.ro_id = ro_id;
        offer.version = version;
        offer.note = note;
        offer.language = language;
        offer.snapshot = snapshot;
        TRY_ASSIGN(auto ins, c.prepare("INSERT INTO offers (ro_id, version, state, note, language, snapshot, "
                                       "created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        ins.bind(1, ro_id)
            .bind(2, version)
            .bind(3, scheduled ? "scheduled" : "draft")
            .bind(4, offer.note)
            .bind(5, language)
            .bind(6, dump_json(offer_json::snapshot(snapshot)))
            .bind(7, now)
            .bind(8, actor.name)
            .bind(9, leaves_at + kLinkValidityMs);
        TRY(ins.run());
        offer.id = c.last_insert_id();

        json sent_to = json::array();
        for (const Target& t : targets) {
            const Channel channel = t.cp->kind == ContactKind::phone ? Channel::sms : Channel::email;
            const std::string name = t.party->display_name();
            const std::string lang = channel_language(*t.party, config_);
            TRY_ASSIGN(auto r, c.prepare("INSERT INTO offer_recipients (offer_id, channel, address, name, party_id, "
                                         "contact_point_id, language) VALUES (?, ?, ?, ?, ?, ?, ?)"));
            r.bind(1, offer.id).bind(2, to_string(channel)).bind(3, t.cp->value).bind(4, name).bind(5, t.party->id);
            r.bind(6, t.cp->id).bind(7, lang);
            TRY(r.run());
            const Id recipient_id = c.last_insert_id();

            const std::string token = random_token(random_, 24);  // 192 bits
            TRY_ASSIGN(auto l, c.prepare("INSERT INTO offer_links (offer_id, recipient_id, token_hash, created_at, "
                                         "expires_at) VALUES (?, ?, ?, ?, ?)"));
            l.bind(1, offer.id).bind(2, recipient_id).bind_blob(3, sha256(token)).bind(4, now);
            l.bind(5, leaves_at + kLinkValidityMs);
            TRY(l.run());

            TRY_ASSIGN(OfferMessageText text, message_for(config_, offer, t, offer_link(config_, token)));
            OutboxMessage m;
            m.offer_id = offer.id;
            m.recipient_id = recipient_id;
            m.purpose = "offer";
            m.channel = channel;
            m.address = t.cp->value;
            m.name = name;
            m.subject = text.subject;
            m.body = text.text;
            m.html = text.html;
            TRY(outbox_store::enqueue(c, ro_id, m, now, leaves_at));
            sent_to.push_back({{"channel", to_string(channel)}, {"address", t.cp->value}, {"name", name}});
        }

        json data = {{"offer_id", offer.id},
                     {"version", version},
                     {"recipients", sent_to},
                     {"items", snapshot.items.size()},
                     {"total_incl_cents", snapshot.total_incl()}};
        if (scheduled) data["send_at"] = format_utc(leaves_at);
        TRY(timeline::record(c, ro_id, now, actor, scheduled ? "offer.scheduled" : "offer.queued", data));
        return offer.id;
    });
    if (!result) return std::move(result).error();
    if (queued_hook_) queued_hook_();
    return get(*result);
}

Result<Offer> OfferService::get(Id offer_id) {
    auto o = db_.read([&](Connection& c) { return offer_store::load(c, offer_id); });
    if (!o) return std::move(o).error();
    if (!*o) return not_found_error("offer");
    return std::move(**o);
}

Result<std::vector<Offer>> OfferService::for_repair_order(Id ro_id) {
    return db_.read([&](Connection& c) -> Result<std::vector<Offer>> {
        TRY_ASSIGN(auto ids, offer_store::ids_for_repair_order(c, ro_id));
        std::vector<Offer> out;
        for (Id id : ids) {
            TRY_ASSIGN(auto o, offer_store::load(c, id));
            if (o) out.push_back(std::move(*o));
        }
        return out;
    });
}

Result<int> OfferService::apply_answers(Id offer_id, const Actor& actor, Answers answers) {
    const UnixMs now = clock_.now();
    return db_.write([&](Connection& c) -> Result<int> {
        TRY_ASSIGN(auto o, offer_store::load(c, offer_id));
        if (!o) return not_found_error("offer");
        const bool confirmed = o->confirmed_at.has_value();
        if (!confirmed && answers == Answers::confirmed_only)
            return make_error(ErrorKind::conflict, "answers_not_confirmed",
                              {{"offer", std::to_string(o->id)}, {"state", std::string(to_string(o->state))}});
        TRY_ASSIGN(auto ro, ro_store::load(c, o->ro_id));
        if (!ro) return not_found_error("repair_order");
        int changed = 0;
        json changes = json::object();
        for (const auto& [item_id, decision] : o->decisions) {
            if (decision == Decision::contact_me) continue;
            const bool want = decision == Decision::accept;
            for (const Intervention& it : ro->interventions) {
                if (it.id != item_id || it.authorized == want) continue;
                TRY_ASSIGN(auto u, c.prepare("UPDATE interventions SET authorized = ?, updated_at = ? WHERE id = ?"));
                u.bind(1, want).bind(2, now).bind(3, it.id);
                TRY(u.run());
                changes[it.label] = want;
                ++changed;
            }
        }
        if (changed == 0) return 0;
        TRY(ro_store::refresh_derived(c, o->ro_id, now, ro_store::BumpVersion::yes));
        TRY(timeline::record(
            c, o->ro_id, now, actor, "interventions.authorized_from_answers",
            json{{"offer_id", offer_id}, {"version", o->version}, {"confirmed", confirmed}, {"changes", changes}}));
        return changed;
    });
}

Result<void> OfferService::check_agreed_change(Connection& c, Id ro_id, const Intervention& before,
                                               const Intervention* after) {
    TRY_ASSIGN(auto ids, offer_store::ids_for_repair_order(c, ro_id));
    if (ids.empty()) return success();
    TRY_ASSIGN(auto latest, offer_store::load(c, ids.front()));
    if (!latest || !latest->confirmed_at ||
        (latest->state != OfferState::confirmed && latest->state != OfferState::locked))
        return success();
    const auto agreed = std::find_if(latest->snapshot.items.begin(), latest->snapshot.items.end(),
                                     [&](const OfferItem& i) { return i.intervention_id == before.id; });
    if (agreed == latest->snapshot.items.end()) return success();
    const auto terms = [](const Intervention& i) { return std::tuple(i.label, i.price_incl, i.shown); };
    // A change back to what was agreed, or one that leaves the agreed terms as they are, is free.
    if (after &&
        (terms(*after) == terms(before) || terms(*after) == std::tuple(agreed->label, agreed->price_incl, true)))
        return success();
    return make_error(ErrorKind::conflict, "agreed_by_customer",
                      {{"offer", std::to_string(latest->id)},
                       {"version", std::to_string(latest->version)},
                       {"state", std::string(to_string(latest->state))},
                       {"intervention", std::to_string(before.id)},
                       {"label", agreed->label},
                       {"price_incl_cents", std::to_string(agreed->price_incl)}});
}

Result<Offer> OfferService::lock(Id offer_id, const Actor& actor) {
    const UnixMs now = clock_.now();
    auto r = db_.write([&](Connection& c) -> Result<Id> {
        TRY_ASSIGN(auto o, offer_store::load(c, offer_id));
        if (!o) return not_found_error("offer");
        if (o->state == OfferState::locked) return o->id;
        if (o->state == OfferState::superseded || o->state == OfferState::cancelled)
            return make_error(ErrorKind::conflict, "offer_closed", {{"state", std::string(to_string(o->state))}});
        TRY(offer_state::move(c, {.offer_id = offer_id, .to = OfferState::locked, .at = now, .by = actor},
                              json::object()));
        return o->id;
    });
    if (!r) return std::move(r).error();
    return get(offer_id);
}

}  // namespace relais

namespace relais {
namespace {

// Drops what is still waiting to go for an offer (the messages of a cancelled offer, the
// retries of an expired one).
Result<void> withdraw(Connection& c, Id offer_id, const char* why) {
    TRY_ASSIGN(
        auto q,
        c.prepare("UPDATE outbox SET state = 'failed', last_error = ?, failure = ? WHERE offer_id = ? AND state = "
                  "'pending'"));
    q.bind(1, why).bind(2, failure_json(why)).bind(3, offer_id);
    return q.run();
}

Result<void> offer_event(Connection& c, const Offer& o, const Actor& actor, const char* type, UnixMs now,
                         json extra = json::object()) {
    extra["offer_id"] = o.id;
    extra["version"] = o.version;
    TRY(timeline::record(c, o.ro_id, now, actor, type, extra));
    return success();
}

}  // namespace

Result<Offer> OfferService::cancel(Id offer_id, const Actor& actor) {
    const UnixMs now = clock_.now();
    auto r = db_.write([&](Connection& c) -> Result<void> {
        TRY_ASSIGN(auto o, offer_store::load(c, offer_id));
        if (!o) return not_found_error("offer");
        if (o->state == OfferState::cancelled) return success();
        bool gone = false;  // a message already left: too late to take it back
        for (const OutboxMessage& m : o->messages) gone |= m.purpose == "offer" && m.state != OutboxState::pending;
        if ((o->state != OfferState::scheduled && o->state != OfferState::draft) || gone)
            return make_error(ErrorKind::conflict, "offer_not_cancellable",
                              {{"state", std::string(to_string(o->state))}});
        TRY(offer_state::move(c, {.offer_id = offer_id, .to = OfferState::cancelled, .at = now, .by = actor},
                              json::object()));
        TRY(withdraw(c, offer_id, "cancelled"));
        TRY_ASSIGN(auto l, c.prepare("UPDATE offer_links SET revoked_at = coalesce(revoked_at, ?) WHERE offer_id = ?"));
        l.bind(1, now).bind(2, offer_id);
        return l.run();
    });
    if (!r) return std::move(r).error();
    return get(offer_id);
}

Result<Offer> OfferService::resend(Id offer_id, const Actor& actor) {
    const UnixMs now = clock_.now();
    auto r = db_.write([&](Connection& c) -> Result<void> {
        TRY_ASSIGN(auto o, offer_store::load(c, offer_id));
        if (!o) return not_found_error("offer");
        const OfferState s = o->state;
        if (s != OfferState::sent && s != OfferState::received && s != OfferState::seen && s != OfferState::failed &&
            s != OfferState::expired)
            return make_error(ErrorKind::conflict, "offer_not_resendable", {{"state", std::string(to_string(s))}});
        // Only the latest version can be sent again: an older one was replaced for a reason.
        TRY_ASSIGN(auto ids, offer_store::ids_for_repair_order(c, o->ro_id));
        if (!ids.empty() && ids.front() != offer_id)
            return make_error(ErrorKind::conflict, "offer_not_resendable", {{"state", "superseded"}});

        json sent_to = json::array();
        for (const OfferRecipient& rcp : o->recipients) {
            // Opted out since (a STOP, or the advisor's tick): not sent again.
            TRY_ASSIGN(auto q, c.prepare("SELECT (SELECT count(*) FROM opt_outs WHERE address = ?) + "
                                         "(SELECT count(*) FROM contact_points WHERE id = ? AND opted_out = 1)"));
            q.bind(1, rcp.address);
            if (rcp.contact_point_id)
                q.bind(2, *rcp.contact_point_id);
            else
                q.bind_null(2);
            TRY(q.step());
            if (q.int64(0) > 0) continue;

            const std::string token = random_token(random_, 24);
            TRY_ASSIGN(auto l, c.prepare("INSERT INTO offer_links (offer_id, recipient_id, token_hash, created_at, "
                                         "expires_at) VALUES (?, ?, ?, ?, ?)"));
            l.bind(1, offer_id).bind(2, rcp.id).bind_blob(3, sha256(token)).bind(4, now).bind(5, now + kLinkValidityMs);
            TRY(l.run());
            Offer as_seen = *o;
            as_seen.language = rcp.language;
            const std::string link = offer_link(config_, token);
            TRY_ASSIGN(OfferMessageText text, rcp.channel == Channel::sms
                                                  ? offer_sms(config_, as_seen, link)
                                                  : offer_email(config_, as_seen, rcp.name, link));
            OutboxMessage m;
            m.offer_id = offer_id;
            m.recipient_id = rcp.id;
            m.purpose = "offer";
            m.channel = rcp.channel;
            m.address = rcp.address;
            m.name = rcp.name;
            m.subject = text.subject;
            m.body = text.text;
            m.html = text.html;
            TRY(outbox_store::enqueue(c, o->ro_id, m, now));
            sent_to.push_back({{"channel", to_string(rcp.channel)}, {"address", rcp.address}, {"name", rcp.name}});
        }
        if (sent_to.empty()) return make_error(ErrorKind::conflict, "no_recipient_left");
        TRY_ASSIGN(auto u, c.prepare("UPDATE offers SET expires_at = ? WHERE id = ?"));
        u.bind(1, now + kLinkValidityMs).bind(2, offer_id);
        TRY(u.run());
        // A failed or expired offer starts over; one still open keeps its progress.
        const json data = {{"recipients", sent_to}};
        if (offer_state::allowed(s, OfferState::draft)) {
            TRY(offer_state::move(
                c,
                {.offer_id = offer_id, .to = OfferState::draft, .at = now, .by = actor, .event_type = "offer.resent"},
                data));
            return success();
        }
        return offer_event(c, *o, actor, "offer.resent", now, data);
    });
    if (!r) return std::move(r).error();
    if (queued_hook_) queued_hook_();
    return get(offer_id);
}

Result<int> OfferService::expire_due() {
    const UnixMs now = clock_.now();
    return db_.write([&](Connection& c) -> Result<int> {
        TRY_ASSIGN(auto q, c.prepare("SELECT id FROM offers WHERE expires_at <= ? AND state IN ('draft', 'sent', "
                                     "'received', 'seen')"));
        q.bind(1, now);
        std::vector<Id> due;
        while (true) {
            TRY_ASSIGN(bool row, q.step());
            if (!row) break;
            due.push_back(q.int64(0));
        }
        for (Id id : due) {
            TRY(offer_state::move(c, {.offer_id = id, .to = OfferState::expired, .at = now, .by = appliance_actor()},
                                  json::object()));
            TRY(withdraw(c, id, "expired"));  // its links stay: they lead to "send me a new link"
        }
        return static_cast<int>(due.size());
    });
}

}  // namespace relais
