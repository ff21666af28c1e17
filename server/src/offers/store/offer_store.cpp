#include "offer_store.hpp"

#include "offer_json.hpp"
#include "outbox.hpp"
#include "reminder_store.hpp"

namespace relais {
namespace {

Result<std::vector<OfferRecipient>> load_recipients(Connection& conn, Id offer_id) {
    TRY_ASSIGN(auto s, conn.prepare("SELECT id, channel, address, name, party_id, contact_point_id, language, "
                                    "preferred_name FROM offer_recipients WHERE offer_id = ? ORDER BY id"));
    s.bind(1, offer_id);
    std::vector<OfferRecipient> out;
    while (true) {
        TRY_ASSIGN(bool row, s.step());
        if (!row) break;
        out.push_back({s.int64(0), parse_enum<Channel>(s.text(1)).value_or(Channel::sms), s.text(2), s.text(3),
                       s.optional_int64(4), s.optional_int64(5), s.text(6), s.text(7)});
    }
    return out;
}

}  // namespace

namespace offer_store {

Result<std::optional<Offer>> load(Connection& conn, Id offer_id) {
    Offer o;
    {
        TRY_ASSIGN(auto s, conn.prepare("SELECT o.id, ro_id, version, state, note, o.language, snapshot, o.created_at, "
                                        "created_by, sent_at, received_at, seen_at, confirmed_at, locked_at, "
                                        "expires_at, send_relative_hours, message_edits, sender_user_id, "
                                        "u.display_name FROM offers o LEFT JOIN users u ON u.id = o.sender_user_id "
                                        "WHERE o.id = ?"));
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
        if (const auto h = s.optional_int64(15)) o.send_relative_hours = static_cast<int>(*h);
        o.edits = offer_json::edits_from(s.text(16));
        o.sender_user_id = s.optional_int64(17);
        if (!s.is_null(18)) o.sender_name = s.text(18);
    }
    TRY_ASSIGN(o.recipients, load_recipients(conn, offer_id));
    TRY_ASSIGN(o.messages, outbox_store::for_offer(conn, offer_id));
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
    TRY_ASSIGN(auto plan, reminder_store::load(conn, offer_id));
    if (plan) o.reminders = reminder_store::view(*plan, o.state);
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

}  // namespace relais
