#include "timeline.hpp"

#include "json_text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace relais {

namespace timeline {

const std::vector<std::string_view>& event_types() {
    // One per line, quoted: tests/e2e/texts.test.mjs reads them from here (clang-format packs a
    // list this long in columns otherwise).
    // clang-format off
    static const std::vector<std::string_view> types = {
        // event types begin
        "repair_order.created",
        "repair_order.updated",
        "repair_order.deleted",
        "repair_order.handled",
        "repair_order.report_sent",
        "party.added",
        "party.updated",
        "party.removed",
        "contact_point.added",
        "contact_point.updated",
        "contact_point.removed",
        "intervention.added",
        "intervention.updated",
        "intervention.removed",
        "interventions.authorized_from_answers",
        "offer.queued",
        "offer.scheduled",
        "offer.rescheduled",
        "offer.sent",
        "offer.received",
        "offer.seen",
        "offer.confirmed",
        "offer.locked",
        "offer.failed",
        "offer.cancelled",
        "offer.resent",
        "offer.expired",
        "offer.superseded",
        "offer.reopened",
        "offer.reminded",
        "offer.reminders_changed",
        "offer.no_answer",
        "callback.done",
        "callback.not_reached",
        "item.question_asked",
        "item.question_answered",
        "item.answers_queued",
        "message.sent",
        "message.delivered",
        "message.failed",
        "message.quarantined",
        "link.bound",
        "link.access_link_sent",
        "link.access_link_refused",
        "sms.received",
        "sms.read",
        "contact.opted_out",
        "agreement.created",
        "agreement.updated",
        // event types end
    };
    // clang-format on
    return types;
}

Result<Id> append(Connection& conn, const Event& e) {
    const auto& types = event_types();
    if (std::find(types.begin(), types.end(), e.type) == types.end())
        return internal_error("an event of an unknown type: " + e.type);
    TRY_ASSIGN(auto s, conn.prepare("INSERT INTO events (ro_id, at, actor_kind, actor_id, actor_name, type, data) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?)"));
    s.bind(1, e.ro_id).bind(2, e.at).bind(3, to_string(e.actor.kind));
    if (e.actor.id) {
        s.bind(4, e.actor.id);
    } else {
        s.bind_null(4);
    }
    s.bind(5, e.actor.name).bind(6, e.type).bind(7, e.data);
    TRY(s.run());
    if (e.ro_id) conn.mark_changed(*e.ro_id);
    const Id id = conn.last_insert_id();
    conn.note_appended(id);
    return id;
}

Result<Id> record(Connection& conn, std::optional<Id> ro_id, UnixMs at, const Actor& by, std::string_view type,
                  const nlohmann::json& data) {
    Event e;
    e.ro_id = ro_id;
    e.at = at;
    e.actor = by;
    e.type = std::string(type);
    e.data = dump_json(data);
    return append(conn, e);
}

Result<std::vector<Event>> for_repair_order(Connection& conn, Id ro_id) {
    TRY_ASSIGN(auto s, conn.prepare("SELECT id, ro_id, at, actor_kind, actor_id, actor_name, type, data FROM events "
                                    "WHERE ro_id = ? ORDER BY id"));
    s.bind(1, ro_id);
    std::vector<Event> out;
    for (;;) {
        TRY_ASSIGN(bool row, s.step());
        if (!row) break;
        Event e;
        e.id = s.int64(0);
        e.ro_id = s.optional_int64(1);
        e.at = s.int64(2);
        e.actor.kind = parse_enum<Actor::Kind>(s.text(3)).value_or(Actor::Kind::system);
        e.actor.id = s.optional_int64(4).value_or(0);
        e.actor.name = s.text(5);
        e.type = s.text(6);
        e.data = s.text(7);
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace timeline
}  // namespace relais
