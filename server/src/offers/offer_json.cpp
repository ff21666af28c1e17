#include "offer_json.hpp"

#include "json_text.hpp"
#include "timezone.hpp"

#include <nlohmann/json.hpp>

namespace relais::offer_json {

namespace {

json opt_time(const std::optional<UnixMs>& v) { return v ? json(format_utc(*v)) : json(nullptr); }
json local_text(const LocalText& t) { return {{"fr", t.fr}, {"en", t.en}}; }

}  // namespace

json item(const OfferItem& i) {
    return {{"intervention_id", i.intervention_id}, {"label", i.label},
            {"mechanic_note", i.mechanic_note},     {"kind", to_string(i.kind)},
            {"severity", to_string(i.severity)},    {"price_excl_cents", i.price_excl},
            {"price_incl_cents", i.price_incl},     {"vat_rate_bp", i.vat_bp}};
}

json agreement(const OfferAgreement& a) {
    return {{"id", a.agreement_id},
            {"version", a.version},
            {"mandatory", a.mandatory},
            {"title", local_text(a.title)},
            {"text", local_text(a.text)}};
}

json snapshot(const OfferSnapshot& s) {
    json items = json::array();
    for (const auto& i : s.items) items.push_back(item(i));
    json agreements = json::array();
    for (const auto& a : s.agreements) agreements.push_back(agreement(a));
    json j = {{"ro_number", s.ro_number},
              {"vehicle",
               {{"plate", s.vehicle.plate},
                {"vin", s.vehicle.vin},
                {"make", s.vehicle.make},
                {"model", s.vehicle.model},
                {"mileage_km", s.vehicle.mileage_km ? json(*s.vehicle.mileage_km) : json(nullptr)}}},
              {"customer_name", s.customer_name},
              {"advisor_name", s.advisor_name},
              {"dealer_name", s.dealer_name},
              {"currency", s.currency},
              {"items", items},
              {"agreements", agreements}};
    // Only when there is one: a snapshot's stored bytes stay those of offers sent before.
    if (s.promised_at) j["promised_at"] = *s.promised_at;
    return j;
}

json edits(const MessageEdits& e) {
    json j = json::object();
    if (e.sms) j["sms"] = *e.sms;
    if (e.email_subject) j["email_subject"] = *e.email_subject;
    if (e.email_body) j["email_body"] = *e.email_body;
    return j;
}

std::string edits_text(const MessageEdits& e) { return e.empty() ? "" : dump_json(edits(e)); }

MessageEdits edits_from(const std::string& text) {
    MessageEdits e;
    if (text.empty()) return e;
    const json j = json::parse(text, nullptr, false);
    if (!j.is_object()) return e;
    auto take = [&](const char* key, std::optional<std::string>& to) {
        const auto it = j.find(key);
        if (it != j.end() && it->is_string()) to = it->get<std::string>();
    };
    take("sms", e.sms);
    take("email_subject", e.email_subject);
    take("email_body", e.email_body);
    return e;
}

OfferSnapshot snapshot_from(const std::string& text) {
    OfferSnapshot s;
    const json j = json::parse(text, nullptr, false);
    if (!j.is_object()) return s;
    // Each part read only when it has its shape: json::value() throws on anything but an object.
    auto object = [](const json& parent, const char* key) -> const json& {
        static const json empty = json::object();
        auto it = parent.find(key);
        return it != parent.end() && it->is_object() ? *it : empty;
    };
    auto array = [](const json& parent, const char* key) -> const json& {
        static const json empty = json::array();
        auto it = parent.find(key);
        return it != parent.end() && it->is_array() ? *it : empty;
    };
    auto text_of = [](const json& o, const char* key, const char* fallback) {
        auto it = o.find(key);
        return it != o.end() && it->is_string() ? it->get<std::string>() : std::string(fallback);
    };
    auto int_of = [](const json& o, const char* key, std::int64_t fallback) {
        auto it = o.find(key);
        return it != o.end() && it->is_number_integer() ? it->get<std::int64_t>() : fallback;
    };
    auto bool_of = [](const json& o, const char* key, bool fallback) {
        auto it = o.find(key);
        return it != o.end() && it->is_boolean() ? it->get<bool>() : fallback;
    };
    s.ro_number = text_of(j, "ro_number", "");
    const json& v = object(j, "vehicle");
    s.vehicle.plate = text_of(v, "plate", "");
    s.vehicle.vin = text_of(v, "vin", "");
    s.vehicle.make = text_of(v, "make", "");
    s.vehicle.model = text_of(v, "model", "");
    if (auto km = v.find("mileage_km"); km != v.end() && km->is_number_integer())
        s.vehicle.mileage_km = km->get<std::int64_t>();
    s.customer_name = text_of(j, "customer_name", "");
    s.advisor_name = text_of(j, "advisor_name", "");
    s.dealer_name = text_of(j, "dealer_name", "");
    s.currency = text_of(j, "currency", "EUR");
    if (auto at = j.find("promised_at"); at != j.end() && at->is_number_integer())
        s.promised_at = at->get<std::int64_t>();
    for (const json& i : array(j, "items")) {
        if (!i.is_object()) continue;
        OfferItem item;
        item.intervention_id = int_of(i, "intervention_id", 0);
        item.label = text_of(i, "label", "");
        item.mechanic_note = text_of(i, "mechanic_note", "");
        item.kind = parse_enum<InterventionKind>(text_of(i, "kind", "initial")).value_or(InterventionKind::initial);
        item.severity = parse_enum<Severity>(text_of(i, "severity", "orange")).value_or(Severity::orange);
        item.price_excl = int_of(i, "price_excl_cents", 0);
        item.price_incl = int_of(i, "price_incl_cents", 0);
        item.vat_bp = static_cast<VatBp>(int_of(i, "vat_rate_bp", 0));
        s.items.push_back(std::move(item));
    }
    for (const json& a : array(j, "agreements")) {
        if (!a.is_object()) continue;
        OfferAgreement agreement;
        agreement.agreement_id = int_of(a, "id", 0);
        agreement.version = static_cast<int>(int_of(a, "version", 1));
        agreement.mandatory = bool_of(a, "mandatory", true);
        const json& heading = object(a, "title");
        const json& wording = object(a, "text");
        agreement.title = {text_of(heading, "fr", ""), text_of(heading, "en", "")};
        agreement.text = {text_of(wording, "fr", ""), text_of(wording, "en", "")};
        s.agreements.push_back(std::move(agreement));
    }
    return s;
}

namespace {
// Why a message failed, {"code", "params"} (outbox.hpp); null when it did not.
json failure_of(const OutboxMessage& m) {
    if (m.failure.empty()) return nullptr;
    json f = json::parse(m.failure, nullptr, false);
    return f.is_object() ? f : json(nullptr);
}
}  // namespace

json reminders(const ReminderPlan& p) {
    return {{"policy", to_string(p.cadence.policy)},
            {"every_hours", cadence_hours(p.cadence)},
            {"paused", p.paused},
            {"sent", p.sent},
            {"max", p.max},
            {"started_at", format_utc(p.started_at)},
            {"next_at", opt_time(p.next_at)},
            {"next_is_no_answer", p.next_at.has_value() && p.sent >= p.max},
            {"ended", p.ended.empty() ? json(nullptr) : json(p.ended)},
            {"no_answer_at", opt_time(p.no_answer_at)}};
}

json message(const OutboxMessage& m) {
    return {{"id", m.id},
            {"recipient_id", m.recipient_id ? json(*m.recipient_id) : json(nullptr)},
            {"purpose", m.purpose},
            {"template", m.template_ref.empty() ? json(nullptr) : json(m.template_ref)},
            {"channel", to_string(m.channel)},
            {"address", m.address},
            {"state", to_string(m.state)},
            {"attempts", m.attempts},
            {"interruptions", m.interruptions},
            {"last_error", m.last_error},
            {"failure", failure_of(m)},
            {"detail", m.detail},
            {"created_at", format_utc(m.created_at)},
            {"next_attempt_at", m.state == OutboxState::pending ? json(format_utc(m.next_attempt_at)) : json(nullptr)},
            {"sent_at", opt_time(m.sent_at)},
            {"delivered_at", opt_time(m.delivered_at)}};
}

json offer(const Offer& o, const PhoneNumbers& phones) {
    const OfferSnapshot& snap = o.snapshot;
    json items = json::array();
    for (const OfferItem& i : snap.items) {
        auto d = o.decisions.find(i.intervention_id);
        json item = offer_json::item(i);
        item["decision"] = d == o.decisions.end() ? json(nullptr) : json(to_string(d->second));
        const auto when = o.decided_at.find(i.intervention_id);
        item["decided_at"] = when == o.decided_at.end() ? json(nullptr) : json(format_utc(when->second));
        item["informational"] = i.informational();
        items.push_back(std::move(item));
    }
    auto shown = [&](Channel c, const std::string& address) {
        return c == Channel::sms ? phones.display(address) : address;
    };
    json recipients = json::array();
    for (const OfferRecipient& r : o.recipients)
        recipients.push_back({{"id", r.id},
                              {"channel", to_string(r.channel)},
                              {"address", r.address},
                              {"address_display", shown(r.channel, r.address)},
                              {"name", r.name},
                              {"party_id", r.party_id ? json(*r.party_id) : json(nullptr)},
                              {"contact_point_id", r.contact_point_id ? json(*r.contact_point_id) : json(nullptr)},
                              {"language", r.language}});
    json agreements = json::array();
    for (const OfferAgreement& a : snap.agreements) {
        json j = offer_json::agreement(a);
        const auto accepted = o.accepted_agreements.find(a.agreement_id);
        j["accepted_at"] = accepted == o.accepted_agreements.end() ? json(nullptr) : json(format_utc(accepted->second));
        agreements.push_back(std::move(j));
    }
    json messages = json::array();
    for (const OutboxMessage& m : o.messages) messages.push_back(message(m));
    return {
        {"id", o.id},
        {"repair_order_id", o.ro_id},
        {"version", o.version},
        {"state", to_string(o.state)},
        {"note", o.note},
        {"language", o.language},
        {"ro_number", snap.ro_number},
        {"dealer_name", snap.dealer_name},
        {"advisor_name", snap.advisor_name},
        {"sender", o.sender_user_id ? json{{"id", *o.sender_user_id}, {"display_name", o.sender_name}} : json(nullptr)},
        {"message", o.edits.empty() ? json(nullptr) : edits(o.edits)},
        {"customer_name", snap.customer_name},
        {"vehicle", {{"plate", snap.vehicle.plate}, {"make", snap.vehicle.make}, {"model", snap.vehicle.model}}},
        {"currency", snap.currency},
        {"total_incl_cents", snap.total_incl()},
        {"items", items},
        {"agreements", agreements},
        {"recipients", recipients},
        {"messages", messages},
        {"created_at", format_utc(o.created_at)},
        {"created_by", o.created_by},
        {"sent_at", opt_time(o.sent_at)},
        {"received_at", opt_time(o.received_at)},
        {"seen_at", opt_time(o.seen_at)},
        {"confirmed_at", opt_time(o.confirmed_at)},
        {"locked_at", opt_time(o.locked_at)},
        {"expires_at", format_utc(o.expires_at)},
        {"send_relative", o.send_relative_hours ? json{{"hours", *o.send_relative_hours}} : json(nullptr)},
        {"reminders", o.reminders ? reminders(*o.reminders) : json(nullptr)}};
}

}  // namespace relais::offer_json
