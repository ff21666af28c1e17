#include "customer_service.hpp"

#include "crypto.hpp"
#include "json_text.hpp"
#include "message_templates.hpp"
#include "offer_links.hpp"
#include "offer_messages.hpp"
#include "offer_service.hpp"
#include "offer_state.hpp"
#include "outbox.hpp"
#include "random.hpp"
#include "reports.hpp"
#include "text.hpp"
#include "timeline.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace relais {

using nlohmann::json;

namespace {

const OfferRecipient* recipient_of(const Offer& o, Id id) {
    for (const auto& r : o.recipients)
        if (r.id == id) return &r;
    return nullptr;
}

Actor customer_actor(const OfferRecipient* r) { return Actor{Actor::Kind::customer, 0, r ? r->name : std::string()}; }

// The user agent is cut where a character starts: a cut inside one would not be UTF-8.
json who_json(const CustomerContext& who) {
    return {{"ip", who.ip}, {"user_agent", std::string(utf8_prefix(who.user_agent, 300))}};
}

// A timeline event by the customer, with where they were (DESIGN.md §2: IP and user agent).
Result<void> customer_event(Connection& c, const Offer& offer, const OfferRecipient* recipient,
                            const CustomerContext& who, std::string type, json extra = json::object(), UnixMs at = 0) {
    json data = who_json(who);
    data["offer_id"] = offer.id;
    for (auto it = extra.begin(); it != extra.end(); ++it) data[it.key()] = it.value();
    TRY(timeline::record(c, offer.ro_id, at, customer_actor(recipient), type, data));
    return {};
}

// Whether this device may use the link, and why not.
LinkStatus check(const offer_links::Link& link, const Offer& offer, const std::string& device_hash, UnixMs now) {
    if (offer.state == OfferState::superseded || offer.state == OfferState::cancelled) return LinkStatus::superseded;
    if (link.revoked) return LinkStatus::other_device;
    if (now >= link.expires_at) return LinkStatus::expired;
    if (link.device_hash && *link.device_hash != device_hash) return LinkStatus::other_device;
    return LinkStatus::ok;
}

Result<std::optional<UnixMs>> read_promised_at(Connection& c, Id ro_id) {
    TRY_ASSIGN(auto q, c.prepare("SELECT promised_at FROM repair_orders WHERE id = ?"));
    q.bind(1, ro_id);
    TRY_ASSIGN(bool row, q.step());
    if (!row) return std::optional<UnixMs>();
    return q.optional_int64(0);
}

// The offer as its page shows it: with the vehicle's promised time as it is now and the threads.
Result<CustomerOffer> customer_offer(Connection& c, Offer offer, std::uint64_t generation) {
    TRY_ASSIGN(auto promised, read_promised_at(c, offer.ro_id));
    TRY_ASSIGN(auto threads, questions::of_repair_order(c, offer.ro_id));
    TRY_ASSIGN(auto report, latest_report(c, offer.id));
    return CustomerOffer{std::move(offer), promised, std::move(threads), std::move(report), generation};
}

Error refused(LinkStatus s) {
    switch (s) {
        case LinkStatus::unknown: return not_found_error("link");
        case LinkStatus::superseded: return make_error(ErrorKind::conflict, "link_superseded");
        case LinkStatus::expired: return make_error(ErrorKind::forbidden, "link_expired");
        default: return make_error(ErrorKind::forbidden, "link_other_device");
    }
}

}  // namespace

std::string mask_destination(Channel channel, const std::string& address) {
    static const std::string dots = "\u2022\u2022";  // ••
    if (channel == Channel::sms) return dots + (address.size() >= 2 ? address.substr(address.size() - 2) : address);
    // "p•••@e•••.fr": the first letters and the top-level domain, so the customer recognises
    // their address, and someone holding an old link learns neither the name nor the provider.
    const auto at = address.find('@');
    if (at == std::string::npos || at == 0) return dots + "\u2022";
    const std::string domain = address.substr(at + 1);
    const auto dot = domain.rfind('.');
    const std::string tld = dot == std::string::npos || dot == 0 ? std::string() : domain.substr(dot);
    return address.substr(0, 1) + dots + "\u2022@" + (domain.empty() ? std::string() : domain.substr(0, 1)) + dots +
           "\u2022" + tld;
}

CustomerService::CustomerService(CustomerServiceDeps deps)
    : db_(deps.db),
      config_(deps.config),
      random_(deps.random),
      clock_(deps.clock),
      // 20 wrong links an hour from one address are typos and stale bookmarks; past that, a
      // minute's wait that doubles up to 15 minutes.
      guesses_(deps.clock, ThrottlePolicy{20, 60'000, 15 * 60'000, 60 * 60'000}) {}

Result<void> CustomerService::check_guessing(const CustomerContext& who) {
    if (const UnixMs wait = guesses_.wait_ms("ip:" + who.ip)) {
        ++throttled_;
        Error e = make_error(ErrorKind::throttled, "too_many_unknown_links");
        e.retry_after_s = static_cast<int>((wait + 999) / 1000);
        return e;
    }
    return {};
}

void CustomerService::note_unknown(const CustomerContext& who) {
    ++unknown_;
    guesses_.failure("ip:" + who.ip);
}

Result<void> CustomerService::require_known(const std::string& token, const CustomerContext& who) {
    auto known = db_.read([&](Connection& c) -> Result<bool> {
        TRY_ASSIGN(auto link, offer_links::find(c, token));
        return link.has_value();
    });
    if (!known) return std::move(known).error();
    if (!*known) {
        note_unknown(who);
        return refused(LinkStatus::unknown);
    }
    return {};
}

Result<CustomerAccess> CustomerService::open(const std::string& token, const CustomerContext& who) {
    const UnixMs now = clock_.now();
    TRY(check_guessing(who));
    CustomerAccess access;
    access.device_id = who.device_id.empty() ? random_token(random_, 24) : who.device_id;
    const std::string device_hash = sha256(access.device_id);
    // The common case, a bound device coming back to an offer it has seen, only reads: many
    // customers at once then share the reader connections instead of queueing on the writer.
    // An unknown token (a guess, a mistyped link) is answered from a reader too: guessing never
    // queues behind the writer that the customers' answers need.
    {
        auto fast = db_.read([&](Connection& c) -> Result<bool> {
            TRY_ASSIGN(const std::uint64_t generation, db_.generation(c));
            TRY_ASSIGN(auto link, offer_links::find(c, token));
            if (!link) {
                access.status = LinkStatus::unknown;
                return true;
            }
            if (who.device_id.empty() || !link->device_hash || *link->device_hash != device_hash) return false;
            std::shared_ptr<const CustomerOffer> seen = offers_.find(link->offer_id, generation);
            if (!seen) {
                TRY_ASSIGN(auto offer, load_offer(c, link->offer_id));
                if (!offer) return false;
                TRY_ASSIGN(auto view, customer_offer(c, std::move(*offer), generation));
                seen = std::make_shared<const CustomerOffer>(std::move(view));
                offers_.put(link->offer_id, generation, seen);
            }
            const Offer& offer = seen->offer;
            if (offer.seen_at == std::nullopt) return false;
            if (check(*link, offer, device_hash, now) != LinkStatus::ok) return false;
            const OfferRecipient* recipient = recipient_of(offer, link->recipient_id);
            access.language = recipient ? recipient->language : offer.language;
            access.channel = recipient ? recipient->channel : Channel::sms;
            access.status = LinkStatus::ok;
            access.offer = std::move(seen);
            return true;
        });
        if (!fast) return std::move(fast).error();
        if (*fast) {
            if (access.status == LinkStatus::unknown) note_unknown(who);
            return access;
        }
    }
    auto r = db_.write([&](Connection& c) -> Result<void> {
        TRY_ASSIGN(auto link, offer_links::find(c, token));
        if (!link) return {};
        TRY_ASSIGN(auto offer, load_offer(c, link->offer_id));
        if (!offer) return {};
        const OfferRecipient* recipient = recipient_of(*offer, link->recipient_id);
        access.language = recipient ? recipient->language : offer->language;
        access.channel = recipient ? recipient->channel : Channel::sms;
        access.masked_destination = recipient ? mask_destination(recipient->channel, recipient->address) : "";
        access.status = check(*link, *offer, device_hash, now);
        if (access.status != LinkStatus::ok) return {};
        if (!link->device_hash) {
            // The first device to open the link keeps it (seed 002), and the offer is this
            // device's from now on: the recipient's other links stop working. Not before: a
            // fresh link asked for from anywhere signs nobody out until it is opened, and it
            // went to the customer's own number or address.
            TRY(offer_links::bind(c, *link, device_hash, now));
            TRY(customer_event(c, *offer, recipient, who, "link.bound", json::object(), now));
        }
        TRY(offer_state::move(
            c, {.offer_id = offer->id, .to = OfferState::seen, .at = now, .by = customer_actor(recipient)},
            who_json(who)));
        TRY_ASSIGN(auto fresh, load_offer(c, offer->id));
        TRY_ASSIGN(auto view, customer_offer(c, std::move(*fresh), 0));
        access.offer = std::make_shared<const CustomerOffer>(std::move(view));
        return {};
    });
    if (!r) return std::move(r).error();
    return access;
}

std::optional<UnixMs> CustomerService::promised_at(Id ro_id) {
    auto r = db_.read([&](Connection& c) { return read_promised_at(c, ro_id); });
    return r ? *r : std::nullopt;
}

std::vector<ItemQuestion> CustomerService::threads(Id ro_id) {
    auto r = db_.read([&](Connection& c) { return questions::of_repair_order(c, ro_id); });
    return r ? std::move(*r) : std::vector<ItemQuestion>();
}

Result<Offer> CustomerService::decide(const std::string& token, const CustomerContext& who,
                                      const std::map<Id, Decision>& decisions, bool confirm,
                                      const std::set<Id>& agreements) {
    const UnixMs now = clock_.now();
    TRY(check_guessing(who));
    TRY(require_known(token, who));
    auto r = db_.write([&](Connection& c) -> Result<Id> {
        TRY_ASSIGN(auto link, offer_links::find(c, token));
        if (!link) return refused(LinkStatus::unknown);
        TRY_ASSIGN(auto offer, load_offer(c, link->offer_id));
        if (!offer) return refused(LinkStatus::unknown);
        LinkStatus status = check(*link, *offer, who.device_id.empty() ? "" : sha256(who.device_id), now);
        if (!link->device_hash) status = LinkStatus::other_device;  // opened first, answered after
        if (status != LinkStatus::ok) return refused(status);
        if (offer->state == OfferState::confirmed || offer->state == OfferState::locked)
            return make_error(ErrorKind::conflict, "offer_read_only",
                              {{"state", std::string(to_string(offer->state))}});

        Problems problems;
        std::map<Id, Decision> merged = offer->decisions;
        for (const auto& [id, d] : decisions) {
            bool known = false;
            for (const auto& item : offer->snapshot.items) known |= item.intervention_id == id;
            if (!known)
                problems.push_back({"decisions." + std::to_string(id), "unknown_item", {}});
            else
                merged[id] = d;
        }
        for (Id id : agreements)
            if (std::none_of(offer->snapshot.agreements.begin(), offer->snapshot.agreements.end(),
                             [&](const OfferAgreement& a) { return a.agreement_id == id; }))
                problems.push_back({"agreements." + std::to_string(id), "unknown_agreement", {}});
        if (confirm) {
            for (const auto& item : offer->snapshot.items)
                if (!merged.contains(item.intervention_id) && !item.informational())
                    problems.push_back({"decisions." + std::to_string(item.intervention_id), "decision_required", {}});
            for (const auto& a : offer->snapshot.agreements)
                if (a.mandatory && !agreements.contains(a.agreement_id))
                    problems.push_back({"agreements." + std::to_string(a.agreement_id), "agreement_required", {}});
        }
        if (!problems.empty()) return validation_error(problems);

        TRY(offer_links::record_decisions(c, offer->id, decisions, now));
        // Each answer shows on the advisor's page as it is given (the timeline gets the
        // confirmation only, not every change of mind).
        if (!decisions.empty()) c.mark_changed(offer->ro_id);
        if (confirm) {
            json answers = json::object();
            for (const auto& item : offer->snapshot.items)
                if (auto d = merged.find(item.intervention_id); d != merged.end())
                    answers[std::to_string(item.intervention_id)] = to_string(d->second);
            // Each agreement accepted, with the version the customer read.
            json accepted = json::array();
            for (const auto& a : offer->snapshot.agreements) {
                if (!agreements.contains(a.agreement_id)) continue;
                TRY(offer_links::record_agreement(c, offer->id, a.agreement_id, a.version, now));
                accepted.push_back({{"id", a.agreement_id},
                                    {"version", a.version},
                                    {"mandatory", a.mandatory},
                                    {"title", a.title.in(offer->language)}});
            }
            json data = who_json(who);
            data["decisions"] = answers;
            data["agreements"] = accepted;
            TRY(offer_state::move(c,
                                  {.offer_id = offer->id,
                                   .to = OfferState::confirmed,
                                   .at = now,
                                   .by = customer_actor(recipient_of(*offer, link->recipient_id)),
                                   .event_type = "offer.confirmed"},
                                  data));
        }
        return offer->id;
    });
    if (!r) return std::move(r).error();
    auto o = db_.read([&](Connection& c) { return load_offer(c, *r); });
    if (!o) return std::move(o).error();
    return std::move(**o);
}

Result<CustomerOffer> CustomerService::ask(const std::string& token, const CustomerContext& who, Id intervention_id,
                                           std::string text) {
    const UnixMs now = clock_.now();
    TRY(check_guessing(who));
    Problems problems;
    if (!questions::check_text(text, "text", problems)) return validation_error(problems);
    TRY(require_known(token, who));
    auto r = db_.write([&](Connection& c) -> Result<CustomerOffer> {
        TRY_ASSIGN(auto link, offer_links::find(c, token));
        if (!link) return refused(LinkStatus::unknown);
        TRY_ASSIGN(auto offer, load_offer(c, link->offer_id));
        if (!offer) return refused(LinkStatus::unknown);
        LinkStatus status = check(*link, *offer, who.device_id.empty() ? "" : sha256(who.device_id), now);
        if (!link->device_hash) status = LinkStatus::other_device;  // opened first, asked after
        if (status != LinkStatus::ok) return refused(status);
        TRY(questions::ask(c, *offer, recipient_of(*offer, link->recipient_id), intervention_id, text, now,
                           who_json(who)));
        return customer_offer(c, std::move(*offer), 0);
    });
    return r;
}

namespace {

// How many fresh links were sent, counting from `since`, for one of the limits.
Result<std::int64_t> access_links_since(Connection& c, const char* where, const std::string& key, Id id, UnixMs since) {
    const std::string sql =
        std::string("SELECT count(*) FROM access_link_requests WHERE ") + where + " AND at > ? AND outcome = 'sent'";
    TRY_ASSIGN(auto q, c.prepare(sql));
    if (key.empty())
        q.bind(1, id);
    else
        q.bind(1, key);
    q.bind(2, since);
    TRY(q.step());
    return q.int64(0);
}

}  // namespace

Result<AccessLinkResult> CustomerService::send_access_link(const std::string& token, const CustomerContext& who) {
    const UnixMs now = clock_.now();
    TRY(check_guessing(who));
    TRY(require_known(token, who));
    AccessLinkResult result;
    bool unknown = false;
    // A refusal by a limit is recorded (and the transaction committed) before it is returned.
    std::optional<Error> limited;
    auto r = db_.write([&](Connection& c) -> Result<void> {
        TRY_ASSIGN(auto link, offer_links::find(c, token));
        if (!link) {
            unknown = true;
            return refused(LinkStatus::unknown);
        }
        TRY_ASSIGN(auto offer, load_offer(c, link->offer_id));
        if (!offer) return refused(LinkStatus::unknown);
        if (offer->state == OfferState::superseded || offer->state == OfferState::cancelled)
            return refused(LinkStatus::superseded);
        const OfferRecipient* recipient = recipient_of(*offer, link->recipient_id);
        if (!recipient) return refused(LinkStatus::unknown);

        // The limits, tightest first; a refusal names the one that was reached.
        constexpr UnixMs hour = 3'600'000, day = 24 * hour;
        struct Limit {
            const char* name;
            const char* where;
            std::string key;
            Id id;
            UnixMs window;
            int max;
        };
        const Limit limits[] = {
            {"link", "link_id = ?", "", link->id, day, kAccessLinksPerLinkPerDay},
            {"recipient_hour", "recipient_id = ?", "", recipient->id, hour, kAccessLinksPerHour},
            {"recipient_day", "recipient_id = ?", "", recipient->id, day, kAccessLinksPerRecipientPerDay},
            {"address", "ip = ?", who.ip, 0, day, kAccessLinksPerAddressPerDay},
        };
        for (const Limit& l : limits) {
            TRY_ASSIGN(auto n, access_links_since(c, l.where, l.key, l.id, now - l.window));
            if (n < l.max) continue;
            // On the timeline once an hour per recipient, not at every refused click.
            TRY_ASSIGN(auto seen, c.prepare("SELECT count(*) FROM access_link_requests WHERE recipient_id = ? AND "
                                            "outcome = 'refused' AND at > ?"));
            seen.bind(1, recipient->id).bind(2, now - hour);
            TRY(seen.step());
            if (seen.int64(0) == 0) {
                TRY_ASSIGN(auto ins, c.prepare("INSERT INTO access_link_requests (link_id, recipient_id, ip, at, "
                                               "outcome) VALUES (?, ?, ?, ?, 'refused')"));
                ins.bind(1, link->id).bind(2, recipient->id).bind(3, who.ip).bind(4, now);
                TRY(ins.run());
                TRY(customer_event(c, *offer, recipient, who, "link.access_link_refused",
                                   {{"limit", l.name}, {"max", l.max}}, now));
            }
            Error e = make_error(ErrorKind::throttled, "too_many_access_links", {{"limit", l.name}});
            e.retry_after_s = static_cast<int>(l.window / 1000);
            limited = std::move(e);
            return {};
        }

        TRY_ASSIGN(auto req, c.prepare("INSERT INTO access_link_requests (link_id, recipient_id, ip, at, outcome) "
                                       "VALUES (?, ?, ?, ?, 'sent')"));
        req.bind(1, link->id).bind(2, recipient->id).bind(3, who.ip).bind(4, now);
        TRY(req.run());
        // The customer is still interested: the offer lives as long as the new link, and one
        // that had expired takes up where it stopped.
        TRY(offer_links::extend(c, offer->id, now + kLinkValidityMs));
        TRY(offer_state::reopen(c, offer->id, now, customer_actor(recipient), who_json(who)));

        Offer localized = *offer;
        localized.language = recipient->language;
        TRY_ASSIGN(const TemplateTexts texts, TemplateTexts::load(c));
        TRY(queue_linked_message(c, random_, config_,
                                 {.offer = *offer,
                                  .recipient = *recipient,
                                  .purpose = "access_link",
                                  .now = now,
                                  .link_expires_at = now + kLinkValidityMs,
                                  .due_at = std::nullopt},
                                 [&](const std::string& url) {
                                     return recipient->channel == Channel::sms
                                                ? access_link_sms(config_, texts, localized, addressee(*recipient), url)
                                                : access_link_email(config_, texts, localized, addressee(*recipient),
                                                                    url);
                                 }));

        TRY(customer_event(c, *offer, recipient, who, "link.access_link_sent",
                           {{"channel", to_string(recipient->channel)}, {"address", recipient->address}}, now));
        result.masked_destination = mask_destination(recipient->channel, recipient->address);
        result.channel = recipient->channel;
        return {};
    });
    if (unknown) note_unknown(who);
    if (!r) return std::move(r).error();
    if (limited) return std::move(*limited);
    if (queued_hook_) queued_hook_();
    return result;
}

}  // namespace relais
