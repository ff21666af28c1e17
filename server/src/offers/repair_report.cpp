#include "repair_report.hpp"

#include "field_checks.hpp"
#include "json_text.hpp"
#include "timezone.hpp"

#include <nlohmann/json.hpp>

#include <set>

namespace relais {

namespace {

using nlohmann::json;

// The outcome an item has unless the advisor says otherwise.
ReportOutcome default_outcome(const OfferItem& item, const Offer& offer, const RepairOrder& ro) {
    if (item.informational()) return ReportOutcome::checked;
    const auto d = offer.decisions.find(item.intervention_id);
    if (d != offer.decisions.end() && d->second == Decision::accept) return ReportOutcome::done;
    if (d != offer.decisions.end() && d->second == Decision::decline) return ReportOutcome::declined;
    // Not answered, or "call me": what the advisor agreed with the customer is their thumb.
    for (const Intervention& i : ro.interventions)
        if (i.id == item.intervention_id && i.authorized == true) return ReportOutcome::done;
    return ReportOutcome::declined;
}

}  // namespace

Result<RepairReport> compose_report(const Offer& offer, const RepairOrder& ro, const ReportRequest& request) {
    RepairReport r;
    r.ro_id = offer.ro_id;
    r.offer_id = offer.id;
    r.offer_version = offer.version;
    r.ro_number = offer.snapshot.ro_number;
    r.vehicle = offer.snapshot.vehicle;
    r.customer_name = offer.snapshot.customer_name;
    r.advisor_name = ro.advisor ? ro.advisor->display_name : offer.snapshot.advisor_name;
    r.dealer_name = offer.snapshot.dealer_name;
    r.currency = offer.snapshot.currency;
    r.language = offer.language;
    for (const OfferItem& i : offer.snapshot.items) {
        ReportItem item;
        item.intervention_id = i.intervention_id;
        item.label = i.label;
        item.mechanic_note = i.mechanic_note;
        item.kind = i.kind;
        item.severity = i.severity;
        item.price_incl = i.price_incl;
        if (auto d = offer.decisions.find(i.intervention_id); d != offer.decisions.end()) item.decision = d->second;
        item.outcome = default_outcome(i, offer, ro);
        r.items.push_back(std::move(item));
    }

    Problems problems;
    std::set<Id> seen;
    for (std::size_t k = 0; k < request.items.size(); ++k) {
        const ReportItemChange& change = request.items[k];
        const std::string field = "items[" + std::to_string(k) + "]";
        ReportItem* item = nullptr;
        for (ReportItem& i : r.items)
            if (i.intervention_id == change.intervention_id) item = &i;
        if (!item) {
            problems.push_back(
                {field + ".intervention_id", "unknown_item", {{"id", std::to_string(change.intervention_id)}}});
            continue;
        }
        if (!seen.insert(change.intervention_id).second) {
            problems.push_back({field + ".intervention_id", "duplicate", {}});
            continue;
        }
        std::string note = change.note;
        if (note.size() > kMaxReportItemNote * 4) {
            problems.push_back({field + ".note", "too_long", {{"max", std::to_string(kMaxReportItemNote)}}});
            continue;
        }
        if (!check_text_field(note, field + ".note", kMaxReportItemNote, false, false, problems)) continue;
        if (item->outcome == ReportOutcome::checked) {
            item->note = note;  // nothing to do or undo: a word on it at most
            continue;
        }
        if (change.done) {
            // What the customer declined in writing is not charged because of a click here: a
            // new offer version asks them.
            if (item->decision == Decision::decline) {
                problems.push_back({field + ".done", "declined_by_customer", {{"label", item->label}}});
                continue;
            }
            item->outcome = ReportOutcome::done;
        } else if (item->outcome == ReportOutcome::done) {
            // The customer paid for it in their mind: they are owed the reason.
            if (note.empty()) {
                problems.push_back({field + ".note", "required", {}});
                continue;
            }
            item->outcome = ReportOutcome::not_done;
        }
        item->note = note;
    }

    for (const ReportItem& i : r.items)
        if (i.outcome == ReportOutcome::done) r.done_total_incl += i.price_incl;
    r.final_total_incl = r.done_total_incl;
    if (request.final_total_incl) {
        if (*request.final_total_incl < 0 || *request.final_total_incl > kMaxReportTotal)
            problems.push_back(
                {"final_total_incl_cents", "out_of_range", {{"min", "0"}, {"max", std::to_string(kMaxReportTotal)}}});
        else
            r.final_total_incl = *request.final_total_incl;
    }
    r.note = request.note;
    if (r.note.size() > kMaxReportNote * 4)
        problems.push_back({"note", "too_long", {{"max", std::to_string(kMaxReportNote)}}});
    else
        check_text_field(r.note, "note", kMaxReportNote, true, false, problems);
    if (!problems.empty()) return validation_error(problems);
    return r;
}

namespace report_json {

namespace {

json item(const ReportItem& i) {
    json j = {{"intervention_id", i.intervention_id},
              {"label", i.label},
              {"mechanic_note", i.mechanic_note},
              {"kind", to_string(i.kind)},
              {"severity", to_string(i.severity)},
              {"price_incl_cents", i.price_incl},
              {"decision", i.decision ? json(to_string(*i.decision)) : json(nullptr)},
              {"outcome", to_string(i.outcome)},
              {"note", i.note}};
    return j;
}

template <typename E>
E enum_or(const json& j, const char* key, E fallback) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return fallback;
    return parse_enum<E>(it->get<std::string>()).value_or(fallback);
}

std::string string_or(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t int_or(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

}  // namespace

json snapshot(const RepairReport& r) {
    json items = json::array();
    for (const ReportItem& i : r.items) items.push_back(item(i));
    return {{"offer_version", r.offer_version},
            {"ro_number", r.ro_number},
            {"vehicle", {{"plate", r.vehicle.plate}, {"make", r.vehicle.make}, {"model", r.vehicle.model}}},
            {"customer_name", r.customer_name},
            {"advisor_name", r.advisor_name},
            {"dealer_name", r.dealer_name},
            {"currency", r.currency},
            {"language", r.language},
            {"items", items},
            {"done_total_incl_cents", r.done_total_incl},
            {"final_total_incl_cents", r.final_total_incl},
            {"note", r.note}};
}

void read_snapshot(const std::string& text, RepairReport& r) {
    const json j = json::parse(text, nullptr, false);
    if (!j.is_object()) return;
    r.offer_version = static_cast<int>(int_or(j, "offer_version"));
    r.ro_number = string_or(j, "ro_number");
    if (const auto v = j.find("vehicle"); v != j.end() && v->is_object()) {
        r.vehicle.plate = string_or(*v, "plate");
        r.vehicle.make = string_or(*v, "make");
        r.vehicle.model = string_or(*v, "model");
    }
    r.customer_name = string_or(j, "customer_name");
    r.advisor_name = string_or(j, "advisor_name");
    r.dealer_name = string_or(j, "dealer_name");
    r.currency = string_or(j, "currency");
    r.language = string_or(j, "language");
    r.items.clear();
    if (const auto items = j.find("items"); items != j.end() && items->is_array()) {
        for (const json& i : *items) {
            if (!i.is_object()) continue;
            ReportItem item;
            item.intervention_id = int_or(i, "intervention_id");
            item.label = string_or(i, "label");
            item.mechanic_note = string_or(i, "mechanic_note");
            item.kind = enum_or(i, "kind", InterventionKind::initial);
            item.severity = enum_or(i, "severity", Severity::orange);
            item.price_incl = int_or(i, "price_incl_cents");
            if (const std::string d = string_or(i, "decision"); !d.empty()) item.decision = parse_enum<Decision>(d);
            item.outcome = enum_or(i, "outcome", ReportOutcome::done);
            item.note = string_or(i, "note");
            r.items.push_back(std::move(item));
        }
    }
    r.done_total_incl = int_or(j, "done_total_incl_cents");
    r.final_total_incl = int_or(j, "final_total_incl_cents");
    r.note = string_or(j, "note");
}

json customer(const RepairReport& r) {
    json items = json::array();
    for (const ReportItem& i : r.items) {
        json j = {{"id", i.intervention_id},
                  {"label", i.label},
                  {"mechanic_note", i.mechanic_note},
                  {"kind", to_string(i.kind)},
                  {"severity", to_string(i.severity)},
                  {"price_incl_cents", i.price_incl},
                  {"outcome", to_string(i.outcome)},
                  {"to_plan", i.to_plan()},
                  {"note", i.note}};
        items.push_back(std::move(j));
    }
    return {{"version", r.version},
            {"sent_at", format_utc(r.created_at)},
            {"advisor_name", r.advisor_name},
            {"dealer_name", r.dealer_name},
            {"currency", r.currency},
            {"items", items},
            {"done_total_incl_cents", r.done_total_incl},
            {"final_total_incl_cents", r.final_total_incl},
            {"final_adjusted", r.final_adjusted()},
            {"note", r.note}};
}

}  // namespace report_json

}  // namespace relais
