#include "offer_service.hpp"

#include "crypto.hpp"
#include "message_templates.hpp"
#include "offer_messages.hpp"
#include "offer_state.hpp"
#include "offer_store.hpp"
#include "outbox.hpp"
#include "random.hpp"
#include "reminders.hpp"
#include "ro_service.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <tuple>

namespace relais {

using nlohmann::json;

OfferService::OfferService(OfferServiceDeps deps)
    : db_(deps.db), config_(deps.config), random_(deps.random), clock_(deps.clock), zone_(deps.zone) {}

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
        std::map<Id, bool> wanted;
        for (const auto& [item_id, decision] : o->decisions)
            if (decision != Decision::contact_me) wanted[item_id] = decision == Decision::accept;
        // The interventions are repair orders': they change through its service, in this transaction.
        TRY_ASSIGN(auto authorized, RepairOrderService::authorize(c, o->ro_id, wanted, now));
        if (authorized.empty()) return 0;
        json changes = json::object();
        for (const auto& a : authorized) changes[a.label] = a.authorized;
        const int changed = static_cast<int>(authorized.size());
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

namespace {

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
        TRY(outbox_store::withdraw(c, offer_id, "cancelled"));
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

        TRY_ASSIGN(auto ro, RepairOrderService::read(c, o->ro_id));
        if (!ro) return not_found_error("repair_order");
        // The same wording as the first send: the templates in force, the advisor's edits over them.
        TRY_ASSIGN(TemplateTexts texts, TemplateTexts::load(c));
        apply_edits(texts, o->edits);
        TRY_ASSIGN(o->signature, signer_signature(c, o->sender_user_id, *ro));
        json sent_to = json::array();
        for (const OfferRecipient& rcp : o->recipients) {
            // Opted out since (a STOP, or the advisor's tick on the contact point or the party):
            // not sent again.
            TRY_ASSIGN(bool stopped, recipient_opted_out(c, *ro, rcp.contact_point_id, rcp.address));
            if (stopped) continue;

            Offer as_seen = *o;
            as_seen.language = rcp.language;
            TRY(queue_linked_message(c, random_, config_,
                                     {.offer = *o,
                                      .recipient = rcp,
                                      .purpose = "offer",
                                      .now = now,
                                      .link_expires_at = now + kLinkValidityMs,
                                      .due_at = std::nullopt},
                                     [&](const std::string& url) {
                                         return rcp.channel == Channel::sms
                                                    ? offer_sms(config_, texts, as_seen, addressee(rcp), url)
                                                    : offer_email(config_, texts, as_seen, addressee(rcp), url);
                                     }));
            sent_to.push_back({{"channel", to_string(rcp.channel)}, {"address", rcp.address}, {"name", rcp.name}});
        }
        if (sent_to.empty()) return make_error(ErrorKind::conflict, "no_recipient_left");
        TRY_ASSIGN(auto u, c.prepare("UPDATE offers SET expires_at = ? WHERE id = ?"));
        u.bind(1, now + kLinkValidityMs).bind(2, offer_id);
        TRY(u.run());
        TRY(restart_reminders(c, config_, zone_, offer_id, ro->promised_at, now));
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
            TRY(outbox_store::withdraw(c, id, "expired"));  // its links stay: they lead to "send me a new link"
        }
        return static_cast<int>(due.size());
    });
}

Result<std::optional<Offer>> load_offer(Connection& conn, Id offer_id) { return offer_store::load(conn, offer_id); }

}  // namespace relais
