// Sending an offer: the version frozen from the RO, where each message goes, the links and the
// messages queued, all in one transaction; and the same checks for the preview.
#include "offer_service.hpp"

#include "agreements.hpp"
#include "crypto.hpp"
#include "field_checks.hpp"
#include "inbound_sms.hpp"
#include "json_text.hpp"
#include "message_templates.hpp"
#include "offer_json.hpp"
#include "offer_messages.hpp"
#include "offer_state.hpp"
#include "offer_store.hpp"
#include "opening_hours.hpp"
#include "outbox.hpp"
#include "random.hpp"
#include "reminders.hpp"
#include "ro_service.hpp"
#include "send_schedule.hpp"
#include "timezone.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>

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
    s.promised_at = ro.promised_at;
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

std::string channel_language(const Party& party, const Config& config) {
    return party.language.empty() ? config.dealer.language : party.language;
}

// What a send is about to do, checked: the RO, where each message goes, what is frozen.
struct Target {
    const Party* party;
    const ContactPoint* cp;
};
struct Prepared {
    RepairOrder ro;
    std::vector<Target> targets;  // point into `ro`
    OfferSnapshot snapshot;
    std::string language;             // the main party's, else the dealership's
    std::optional<UnixMs> asked_for;  // a scheduled send's time: send_at, or from the promised time
    TemplateTexts texts;              // the templates in force, with the advisor's wording of this send
};

// Checks the request and returns its note as it will be kept: trimmed, line ends as "\n", and
// held to the rules of every other text (no control characters, line separators or bidi
// controls: the note reaches the customer's page and email as it is).
Problems check_request(const SendOfferRequest& request, UnixMs now, std::string& note, MessageEdits& edits) {
    Problems problems;
    if (request.send_at) {
        // A minute of slack: "now" as the advisor's browser saw it may be a little behind.
        if (*request.send_at < now - 60'000) problems.push_back({"send_at", "in_the_past", {}});
        if (*request.send_at > now + kMaxScheduleAheadMs)
            problems.push_back(
                {"send_at", "too_far_ahead", {{"days", std::to_string(kMaxScheduleAheadMs / 86'400'000)}}});
    }
    if (request.send_relative_hours) {
        // Its time is checked once the RO's promised time is read (prepare).
        if (request.send_at) problems.push_back({"send_relative", "send_at_and_relative", {}});
        if (std::abs(*request.send_relative_hours) > kMaxSendRelativeHours)
            problems.push_back(
                {"send_relative.hours",
                 "out_of_range",
                 {{"min", std::to_string(-kMaxSendRelativeHours)}, {"max", std::to_string(kMaxSendRelativeHours)}}});
    }
    if (request.reminders) {
        const ReminderCadence& r = *request.reminders;
        const int max = r.policy == ReminderPolicy::urgent ? kMaxUrgentEveryHours : kMaxCustomEveryHours;
        if (r.every_hours < 0 || r.every_hours > max)
            problems.push_back({"reminders.every_hours", "out_of_range", {{"min", "1"}, {"max", std::to_string(max)}}});
    }
    if (request.contact_point_ids.empty()) problems.push_back({"recipients", "required", {}});
    note = request.note;
    if (request.note.size() > kMaxNote * 4)
        problems.push_back({"note", "too_long", {{"max", std::to_string(kMaxNote)}}});
    else
        check_text_field(note, "note", kMaxNote, true, false, problems);
    // The advisor's wording: the rules of every text here; its placeholders and length are
    // checked as a template's, with the templates in force (prepare).
    edits = request.message;
    auto text = [&](std::optional<std::string>& value, const char* field, std::size_t max, bool multiline) {
        if (!value) return;
        if (value->size() > max * 4)
            problems.push_back({field, "too_long", {{"max", std::to_string(max)}}});
        else
            check_text_field(*value, field, max, multiline, true, problems);
    };
    text(edits.sms, "message.sms", kMaxSmsTemplateChars, true);
    text(edits.email_subject, "message.email_subject", kMaxEmailLineChars, false);
    text(edits.email_body, "message.email_body", kMaxEmailBodyChars, true);
    return problems;
}

}  // namespace

Result<bool> recipient_opted_out(Connection& c, const RepairOrder& ro, std::optional<Id> contact_point_id,
                                 const std::string& address) {
    for (const auto& party : ro.parties)
        for (const auto& cp : party.contact_points)
            if (contact_point_id && cp.id == *contact_point_id && (cp.opted_out || party.opted_out)) return true;
    return is_opted_out(c, address);
}

namespace {}  // namespace

Result<std::string> signer_signature(Connection& c, std::optional<Id> sender, const RepairOrder& ro) {
    const std::optional<Id> who = sender ? sender : ro.advisor ? std::optional<Id>(ro.advisor->id) : std::nullopt;
    if (!who) return std::string();
    TRY_ASSIGN(auto q, c.prepare("SELECT email_signature FROM users WHERE id = ?"));
    q.bind(1, *who);
    TRY_ASSIGN(const bool found, q.step());
    return found ? q.text(0) : std::string();
}

namespace {

// The colleague a send goes out in the name of: an active user, by display name.
Result<std::optional<std::string>> active_user_name(Connection& c, Id user_id) {
    TRY_ASSIGN(auto q, c.prepare("SELECT display_name FROM users WHERE id = ? AND active = 1"));
    q.bind(1, user_id);
    TRY_ASSIGN(const bool found, q.step());
    if (!found) return std::optional<std::string>();
    return std::optional<std::string>(q.text(0));
}

Result<std::unique_ptr<Prepared>> prepare(Connection& c, const Config& config, const TimeZone& zone, Id ro_id,
                                          const SendOfferRequest& request, const MessageEdits& edits, UnixMs now) {
    TRY_ASSIGN(auto loaded, RepairOrderService::read(c, ro_id));
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
        bool stopped = false;
        if (cp) {
            TRY_ASSIGN(stopped, recipient_opted_out(c, ro, cp->id, cp->value));
        }
        if (!cp) {
            bad.push_back({field, "unknown_contact_point", {{"id", std::to_string(want)}}});
        } else if (stopped) {
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
    p->asked_for = request.send_at;
    if (request.send_relative_hours)
        p->asked_for =
            relative_send_time(ro.promised_at, *request.send_relative_hours, now, kMaxScheduleAheadMs, zone, bad);
    if (request.sender_id) {
        TRY_ASSIGN(const auto sender, active_user_name(c, *request.sender_id));
        if (!sender)
            bad.push_back({"sender_id", "unknown_user", {{"value", std::to_string(*request.sender_id)}}});
        else
            p->snapshot.advisor_name = *sender;  // the name the customer reads
    }
    const Party* main = ro.main_party();
    p->language = main ? channel_language(*main, config) : config.dealer.language;
    TRY_ASSIGN(p->texts, TemplateTexts::load(c));
    for (FieldError& f : check_edits(p->texts, edits, p->language)) bad.push_back(std::move(f));
    apply_edits(p->texts, edits);
    if (!bad.empty()) return validation_error(bad);
    return p;
}

Result<OfferMessageText> message_for(const Config& config, const TemplateTexts& texts, Offer offer, const Target& t,
                                     const std::string& link) {
    offer.language = channel_language(*t.party, config);
    const Addressee to{t.party->display_name(), t.party->preferred_name};
    return t.cp->kind == ContactKind::phone ? offer_sms(config, texts, offer, to, link)
                                            : offer_email(config, texts, offer, to, link);
}

}  // namespace

ReminderCadence default_reminders(const Config& config) {
    const ReminderPolicy policy = config.reminders.policy;
    const int every = policy == ReminderPolicy::urgent   ? config.reminders.urgent_every_hours
                      : policy == ReminderPolicy::custom ? config.reminders.custom_every_hours
                                                         : 0;
    return {policy, every};
}

std::string offer_link(const Config& config, const std::string& token) {
    std::string base = config.http.public_base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + "/o/" + token;
}

Result<Id> queue_linked_message(Connection& c, Random& random, const Config& config, const LinkedMessage& message,
                                const std::function<Result<OfferMessageText>(const std::string& url)>& render) {
    const std::string token = random_token(random, kLinkTokenBytes);
    TRY_ASSIGN(auto l, c.prepare("INSERT INTO offer_links (offer_id, recipient_id, token_hash, created_at, "
                                 "expires_at) VALUES (?, ?, ?, ?, ?)"));
    l.bind(1, message.offer.id).bind(2, message.recipient.id).bind_blob(3, sha256(token)).bind(4, message.now);
    l.bind(5, message.link_expires_at);
    TRY(l.run());
    TRY_ASSIGN(const OfferMessageText text, render(offer_link(config, token)));
    OutboxMessage m;
    m.offer_id = message.offer.id;
    m.recipient_id = message.recipient.id;
    m.purpose = message.purpose;
    m.channel = message.recipient.channel;
    m.address = message.recipient.address;
    m.name = message.recipient.name;
    m.subject = text.subject;
    m.body = text.text;
    m.html = text.html;
    m.template_ref = text.template_ref;
    return outbox_store::enqueue(c, message.offer.ro_id, m, message.now, message.due_at);
}

Result<OfferPreview> OfferService::preview(Id ro_id, const SendOfferRequest& request) {
    std::string note;
    const UnixMs now = clock_.now();
    MessageEdits edits;
    if (Problems problems = check_request(request, now, note, edits); !problems.empty())
        return validation_error(problems);
    return db_.read([&](Connection& c) -> Result<OfferPreview> {
        TRY_ASSIGN(auto p, prepare(c, config_, zone_, ro_id, request, edits, now));
        const TemplateTexts& texts = p->texts;
        OfferPreview out;
        if (p->asked_for && *p->asked_for > now) {
            out.asked_for = p->asked_for;
            out.send_at = next_opening(config_.hours.opening, zone_, *p->asked_for);
        }
        out.offer.ro_id = ro_id;
        out.offer.note = note;
        out.offer.language = p->language;
        out.offer.snapshot = p->snapshot;
        TRY_ASSIGN(out.offer.signature, signer_signature(c, request.sender_id, p->ro));
        // A link of the real length, so that the SMS's cost is the real one.
        const std::string link = offer_link(config_, std::string(kLinkTokenChars, 'x'));
        for (const Target& t : p->targets) {
            OfferRecipient r;
            r.channel = t.cp->kind == ContactKind::phone ? Channel::sms : Channel::email;
            r.address = t.cp->value;
            r.name = t.party->display_name();
            r.party_id = t.party->id;
            r.contact_point_id = t.cp->id;
            r.language = channel_language(*t.party, config_);
            TRY_ASSIGN(auto text, message_for(config_, texts, out.offer, t, link));
            out.messages.push_back({r, std::move(text)});
        }
        return out;
    });
}

Result<Offer> OfferService::send(Id ro_id, const SendOfferRequest& request, const Actor& actor) {
    const UnixMs now = clock_.now();
    std::string note;
    MessageEdits edits;
    if (Problems problems = check_request(request, now, note, edits); !problems.empty())
        return validation_error(problems);

    auto result = db_.write([&](Connection& c) -> Result<Id> {
        TRY_ASSIGN(auto prepared, prepare(c, config_, zone_, ro_id, request, edits, now));
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
            TRY(outbox_store::withdraw(c, old, "superseded"));
        }

        // A scheduled offer waits; its link's 30 days start when it leaves. A time outside the
        // opening hours moves to the next opening (the customer may want to call back).
        // Relative to the promised time, it follows it until it leaves (send_schedule.hpp).
        const std::optional<UnixMs> asked_for = prepared->asked_for;
        const bool scheduled = asked_for && *asked_for > now;
        const UnixMs leaves_at = scheduled ? next_opening(config_.hours.opening, zone_, *asked_for) : now;
        const bool relative = scheduled && request.send_relative_hours.has_value();
        const std::int64_t relative_hours = request.send_relative_hours.value_or(0);

        const std::string& language = prepared->language;
        Offer offer;
        offer.ro_id = ro_id;
        offer.version = version;
        offer.note = note;
        offer.language = language;
        offer.snapshot = snapshot;
        TRY_ASSIGN(offer.signature, signer_signature(c, request.sender_id, prepared->ro));
        TRY_ASSIGN(auto ins, c.prepare("INSERT INTO offers (ro_id, version, state, note, language, snapshot, "
                                       "created_at, created_by, expires_at, send_relative_hours, message_edits, "
                                       "sender_user_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        ins.bind(1, ro_id)
            .bind(2, version)
            .bind(3, to_string(scheduled ? OfferState::scheduled : OfferState::draft))
            .bind(4, offer.note)
            .bind(5, language)
            .bind(6, dump_json(offer_json::snapshot(snapshot)))
            .bind(7, now)
            .bind(8, actor.name)
            .bind(9, leaves_at + kLinkValidityMs)
            .bind(10, relative ? std::optional<std::int64_t>(relative_hours) : std::nullopt)
            .bind(11, offer_json::edits_text(edits))
            .bind(12, request.sender_id);
        TRY(ins.run());
        offer.id = c.last_insert_id();

        const TemplateTexts& texts = prepared->texts;
        json sent_to = json::array();
        for (const Target& t : targets) {
            const Channel channel = t.cp->kind == ContactKind::phone ? Channel::sms : Channel::email;
            const std::string name = t.party->display_name();
            const std::string lang = channel_language(*t.party, config_);
            TRY_ASSIGN(auto r,
                       c.prepare("INSERT INTO offer_recipients (offer_id, channel, address, name, party_id, "
                                 "contact_point_id, language, preferred_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
            r.bind(1, offer.id).bind(2, to_string(channel)).bind(3, t.cp->value).bind(4, name).bind(5, t.party->id);
            r.bind(6, t.cp->id).bind(7, lang).bind(8, t.party->preferred_name);
            TRY(r.run());
            const Id recipient_id = c.last_insert_id();

            const OfferRecipient recipient{recipient_id, channel,  t.cp->value, name,
                                           t.party->id,  t.cp->id, lang,        t.party->preferred_name};
            TRY(queue_linked_message(
                c, random_, config_,
                {.offer = offer,
                 .recipient = recipient,
                 .purpose = "offer",
                 .now = now,
                 .link_expires_at = leaves_at + kLinkValidityMs,
                 .due_at = leaves_at},
                [&](const std::string& url) { return message_for(config_, texts, offer, t, url); }));
            sent_to.push_back({{"channel", to_string(channel)}, {"address", t.cp->value}, {"name", name}});
        }

        const ReminderCadence reminders = request.reminders.value_or(default_reminders(config_));
        TRY(start_reminders(c, config_, zone_, offer.id, reminders, leaves_at, prepared->ro.promised_at, now));

        json data = {{"offer_id", offer.id},
                     {"version", version},
                     {"recipients", sent_to},
                     {"items", snapshot.items.size()},
                     {"total_incl_cents", snapshot.total_incl()}};
        if (scheduled) data["send_at"] = format_utc(leaves_at);
        if (scheduled && leaves_at != *asked_for) data["asked_for"] = format_utc(*asked_for);
        if (relative) {
            data["send_relative"] = {{"hours", relative_hours}};
            data["promised_at"] = format_utc(*prepared->ro.promised_at);
        }
        data["reminders"] = to_string(reminders.policy);
        TRY(timeline::record(c, ro_id, now, actor, scheduled ? "offer.scheduled" : "offer.queued", data));
        return offer.id;
    });
    if (!result) return std::move(result).error();
    if (queued_hook_) queued_hook_();
    return get(*result);
}

}  // namespace relais
