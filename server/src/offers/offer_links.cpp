#include "offer_links.hpp"

#include "crypto.hpp"

namespace relais::offer_links {

Result<std::optional<Link>> find(Connection& c, const std::string& token) {
    TRY_ASSIGN(auto s, c.prepare("SELECT id, offer_id, recipient_id, expires_at, device_hash, revoked_at IS NOT NULL "
                                 "FROM offer_links WHERE token_hash = ?"));
    s.bind_blob(1, sha256(token));
    TRY_ASSIGN(bool found, s.step());
    if (!found) return std::optional<Link>();
    Link r;
    r.id = s.int64(0);
    r.offer_id = s.int64(1);
    r.recipient_id = s.int64(2);
    r.expires_at = s.int64(3);
    if (!s.is_null(4)) r.device_hash = s.blob(4);
    r.revoked = s.int64(5) != 0;
    return std::optional<Link>(r);
}

Result<void> bind(Connection& c, const Link& link, const std::string& device_hash, UnixMs at) {
    TRY_ASSIGN(auto b,
               c.prepare("UPDATE offer_links SET device_hash = ?, bound_at = ? WHERE id = ? AND device_hash IS NULL"));
    b.bind_blob(1, device_hash).bind(2, at).bind(3, link.id);
    TRY(b.run());
    TRY_ASSIGN(auto revoke, c.prepare("UPDATE offer_links SET revoked_at = ? WHERE recipient_id = ? AND id != ? "
                                      "AND revoked_at IS NULL"));
    revoke.bind(1, at).bind(2, link.recipient_id).bind(3, link.id);
    TRY(revoke.run());
    return {};
}

Result<void> record_decisions(Connection& c, Id offer_id, const std::map<Id, Decision>& decisions, UnixMs at) {
    for (const auto& [id, d] : decisions) {
        TRY_ASSIGN(auto u, c.prepare("INSERT INTO offer_decisions (offer_id, intervention_id, decision, decided_at) "
                                     "VALUES (?, ?, ?, ?) ON CONFLICT (offer_id, intervention_id) DO UPDATE SET "
                                     "decision = excluded.decision, decided_at = excluded.decided_at"));
        u.bind(1, offer_id).bind(2, id).bind(3, to_string(d)).bind(4, at);
        TRY(u.run());
    }
    return {};
}

Result<void> record_agreement(Connection& c, Id offer_id, Id agreement_id, int version, UnixMs at) {
    TRY_ASSIGN(auto ins, c.prepare("INSERT INTO offer_agreements (offer_id, agreement_id, version, accepted_at) "
                                   "VALUES (?, ?, ?, ?)"));
    ins.bind(1, offer_id).bind(2, agreement_id).bind(3, version).bind(4, at);
    TRY(ins.run());
    return {};
}

Result<void> extend(Connection& c, Id offer_id, UnixMs until) {
    TRY_ASSIGN(auto u, c.prepare("UPDATE offers SET expires_at = max(expires_at, ?) WHERE id = ?"));
    u.bind(1, until).bind(2, offer_id);
    TRY(u.run());
    return {};
}

}  // namespace relais::offer_links
