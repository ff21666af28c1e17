#include "inbound_sms.hpp"

#include "customer_texts.hpp"
#include "json_text.hpp"
#include "message_templates.hpp"
#include "outbox.hpp"
#include "text.hpp"
#include "timeline.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace relais {

using nlohmann::json;

bool is_stop_request(std::string_view text) { return ascii_upper(std::string(trim(text))) == "STOP"; }

bool can_receive_sms(std::string_view address) {
    if (!address.empty() && address.front() == '+') address.remove_prefix(1);
    return address.size() >= 3 && address.size() <= 15 &&
           std::all_of(address.begin(), address.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<bool> is_opted_out(Connection& conn, const std::string& address) {
    TRY_ASSIGN(auto s, conn.prepare("SELECT 1 FROM opt_outs WHERE address = ?"));
    s.bind(1, address);
    return s.step();
}

Result<InboundOutcome> handle_inbound_sms(Connection& c, const Config& config, const InboundSmsRecord& sms, UnixMs now,
                                          const InboundListeners& listeners) {
    InboundOutcome out;
    std::optional<Id> party_id, contact_point_id;
    Id recipient_id = 0;
    std::string name;  // the recipient's name when the offer went
    // The latest offer sent to this number, whatever its state: a customer answers the
    // message they have.
    {
        TRY_ASSIGN(auto s,
                   c.prepare("SELECT o.id, o.ro_id, r.party_id, r.contact_point_id, r.name, r.id FROM offer_recipients "
                             "r JOIN offers o ON o.id = r.offer_id WHERE r.channel = 'sms' AND r.address = ? "
                             "ORDER BY o.created_at DESC, o.id DESC LIMIT 1"));
        s.bind(1, sms.sender);
        TRY_ASSIGN(bool found, s.step());
        if (found) {
            out.offer_id = s.int64(0);
            out.ro_id = s.int64(1);
            party_id = s.optional_int64(2);
            contact_point_id = s.optional_int64(3);
            name = s.text(4);
            recipient_id = s.int64(5);
        }
    }
    if (out.ro_id) {
        TRY_ASSIGN(auto u, c.prepare("UPDATE sms_inbound SET ro_id = ?, offer_id = ? WHERE id = ?"));
        u.bind(1, *out.ro_id).bind(2, *out.offer_id).bind(3, sms.id);
        TRY(u.run());
        // Who wrote: the party and number it was sent to, so that the workspace names them
        // as it does elsewhere (the number alone says nothing to an advisor).
        const Actor sender{Actor::Kind::customer, 0, name.empty() ? sms.sender : name};
        TRY(timeline::record(c, out.ro_id, now, sender, "sms.received",
                             json{{"from", sms.sender},
                                  {"text", sms.text},
                                  {"offer_id", *out.offer_id},
                                  {"inbound_id", sms.id},
                                  {"party_id", party_id ? json(*party_id) : json(nullptr)},
                                  {"contact_point_id", contact_point_id ? json(*contact_point_id) : json(nullptr)},
                                  {"complete", sms.complete}}));
    }
    // A STOP from a name ("Orange", a bank's sender id) is not a customer opting out, and a
    // name cannot be answered: it is on the timeline above when it matched an offer, no more.
    if (!can_receive_sms(sms.sender)) return out;
    if (!is_stop_request(sms.text)) {
        if (!out.ro_id || !listeners.on_reply) return out;
        TRY_ASSIGN(out.applied, listeners.on_reply(c,
                                                   InboundReply{.inbound_id = sms.id,
                                                                .offer_id = *out.offer_id,
                                                                .ro_id = *out.ro_id,
                                                                .recipient_id = recipient_id,
                                                                .party_id = party_id,
                                                                .contact_point_id = contact_point_id,
                                                                .from = sms.sender,
                                                                .text = sms.text,
                                                                .complete = sms.complete},
                                                   now));
        if (out.applied) {
            // Answered: the confirmation it made is what the advisor is shown to handle; the
            // reply itself needs no reading (it is in the confirmation's event).
            TRY_ASSIGN(auto u, c.prepare("UPDATE sms_inbound SET read_at = ? WHERE id = ?"));
            u.bind(1, now).bind(2, sms.id);
            TRY(u.run());
            out.queued = true;
        }
        return out;
    }

    TRY_ASSIGN(bool already, is_opted_out(c, sms.sender));
    if (already) return out;  // acknowledged the first time only
    TRY_ASSIGN(auto ins, c.prepare("INSERT INTO opt_outs (address, channel, at, source) VALUES (?, 'sms', ?, 'STOP')"));
    ins.bind(1, sms.sender).bind(2, now);
    TRY(ins.run());
    if (listeners.on_opt_out) TRY(listeners.on_opt_out(c, sms.sender));
    // Messages still waiting for this number never go.
    TRY(outbox_store::fail_pending_to(c, Channel::sms, sms.sender, "opted_out", "opted out (STOP)", now,
                                      listeners.on_settled));
    out.opted_out = true;
    if (out.ro_id) {
        TRY(timeline::record(c, out.ro_id, now, Actor{Actor::Kind::customer, 0, sms.sender}, "contact.opted_out",
                             json{{"address", sms.sender}, {"channel", "sms"}, {"by", "STOP"}}));
    }

    TRY_ASSIGN(const TemplateTexts texts, TemplateTexts::load(c));
    TRY_ASSIGN(const std::string ack,
               texts.text("stop_ack_sms", config.dealer.language, {{"dealer_name", config.dealer.name}}));
    // Not tied to the offer: its delivery says nothing about the offer's progress.
    OutboxMessage m;
    m.purpose = "stop_ack";
    m.channel = Channel::sms;
    m.address = sms.sender;
    m.body = ack;
    m.template_ref = texts.ref("stop_ack_sms", config.dealer.language);
    TRY(outbox_store::enqueue(c, out.ro_id, m, now));
    out.queued = true;
    return out;
}

}  // namespace relais
