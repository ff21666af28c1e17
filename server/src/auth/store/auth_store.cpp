#include "auth_store.hpp"

#include "text.hpp"

namespace relais::auth_store {
namespace {

constexpr const char* user_columns =
    "id, username, display_name, role, password_hash, must_change_password, active, language, created_at, updated_at, "
    "email_signature";

User read_user(const Statement& s) {
    User u;
    u.id = s.int64(0);
    u.username = s.text(1);
    u.display_name = s.text(2);
    u.role = parse_enum<UserRole>(s.text(3)).value_or(UserRole::advisor);
    u.password_hash = s.text(4);
    u.must_change_password = s.int64(5) != 0;
    u.active = s.int64(6) != 0;
    u.language = s.text(7);
    u.email_signature = s.text(10);
    u.created_at = s.int64(8);
    u.updated_at = s.int64(9);
    return u;
}

constexpr const char* key_columns = "id, name, prefix, created_by, created_at, last_used_at, revoked_at";

ApiKeyRecord read_key(const Statement& s) {
    ApiKeyRecord k;
    k.id = s.int64(0);
    k.name = s.text(1);
    k.prefix = s.text(2);
    k.created_by = s.optional_int64(3);
    k.created_at = s.int64(4);
    k.last_used_at = s.optional_int64(5);
    k.revoked_at = s.optional_int64(6);
    return k;
}

}  // namespace

Result<std::optional<User>> find_user(Connection& conn, Id id) {
    TRY_ASSIGN(auto s, conn.prepare(std::string("SELECT ") + user_columns + " FROM users WHERE id = ?"));
    s.bind(1, id);
    TRY_ASSIGN(bool row, s.step());
    if (!row) return std::optional<User>();
    return std::optional<User>(read_user(s));
}

Result<std::optional<User>> find_user_by_name(Connection& conn, const std::string& username) {
    TRY_ASSIGN(auto s, conn.prepare(std::string("SELECT ") + user_columns + " FROM users WHERE username = ?"));
    s.bind(1, username);
    TRY_ASSIGN(bool row, s.step());
    if (!row) return std::optional<User>();
    return std::optional<User>(read_user(s));
}

Result<std::vector<User>> list_users(Connection& conn) {
    TRY_ASSIGN(auto s, conn.prepare(std::string("SELECT ") + user_columns +
                                    " FROM users ORDER BY active DESC, display_name COLLATE NOCASE"));
    std::vector<User> out;
    for (;;) {
        TRY_ASSIGN(bool row, s.step());
        if (!row) break;
        out.push_back(read_user(s));
    }
    return out;
}

Result<std::int64_t> count_users(Connection& conn) {
    TRY_ASSIGN(auto s, conn.prepare("SELECT count(*) FROM users"));
    TRY_ASSIGN(bool row, s.step());
    return row ? s.int64(0) : 0;
}

Result<Id> insert_user(Connection& conn, const User& u) {
    TRY_ASSIGN(auto s,
               conn.prepare("INSERT INTO users (username, display_name, role, password_hash, must_change_password, "
                            "active, language, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    s.bind(1, u.username).bind(2, u.display_name).bind(3, to_string(u.role)).bind(4, u.password_hash);
    s.bind(5, u.must_change_password).bind(6, u.active).bind(7, u.language).bind(8, u.created_at).bind(9, u.updated_at);
    TRY(s.run());
    return conn.last_insert_id();
}

Result<void> update_user(Connection& conn, const User& u) {
    TRY_ASSIGN(auto s,
               conn.prepare("UPDATE users SET display_name = ?, role = ?, password_hash = ?, "
                            "must_change_password = ?, active = ?, language = ?, updated_at = ?, email_signature = ? "
                            "WHERE id = ?"));
    s.bind(1, u.display_name).bind(2, to_string(u.role)).bind(3, u.password_hash).bind(4, u.must_change_password);
    s.bind(5, u.active).bind(6, u.language).bind(7, u.updated_at).bind(8, u.email_signature).bind(9, u.id);
    return s.run();
}

Result<Id> insert_session(Connection& conn, const std::string& token_hash, const SessionRecord& r,
                          const std::string& ip, const std::string& user_agent) {
    TRY_ASSIGN(auto s, conn.prepare("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, "
                                    "expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    s.bind_blob(1, token_hash).bind(2, r.user_id).bind(3, r.csrf_token).bind(4, r.created_at).bind(5, r.last_seen_at);
    s.bind(6, r.expires_at).bind(7, ip).bind(8, utf8_prefix(user_agent, 300));
    TRY(s.run());
    return conn.last_insert_id();
}

Result<std::optional<SessionRecord>> find_session(Connection& conn, const std::string& token_hash) {
    TRY_ASSIGN(auto s,
               conn.prepare("SELECT id, user_id, csrf_token, created_at, last_seen_at, expires_at FROM sessions "
                            "WHERE token_hash = ?"));
    s.bind_blob(1, token_hash);
    TRY_ASSIGN(bool row, s.step());
    if (!row) return std::optional<SessionRecord>();
    return std::optional<SessionRecord>(
        SessionRecord{s.int64(0), s.int64(1), s.text(2), s.int64(3), s.int64(4), s.int64(5)});
}

Result<void> touch_session(Connection& conn, Id session_id, UnixMs now) {
    TRY_ASSIGN(auto s, conn.prepare("UPDATE sessions SET last_seen_at = ? WHERE id = ?"));
    s.bind(1, now).bind(2, session_id);
    return s.run();
}

Result<void> delete_session(Connection& conn, const std::string& token_hash) {
    TRY_ASSIGN(auto s, conn.prepare("DELETE FROM sessions WHERE token_hash = ?"));
    s.bind_blob(1, token_hash);
    return s.run();
}

Result<void> delete_user_sessions(Connection& conn, Id user_id, Id keep_session_id) {
    TRY_ASSIGN(auto s, conn.prepare("DELETE FROM sessions WHERE user_id = ? AND id != ?"));
    s.bind(1, user_id).bind(2, keep_session_id);
    return s.run();
}

Result<void> purge_expired_sessions(Connection& conn, UnixMs now) {
    TRY_ASSIGN(auto s, conn.prepare("DELETE FROM sessions WHERE expires_at <= ?"));
    s.bind(1, now);
    return s.run();
}

Result<void> insert_known_device(Connection& conn, const std::string& token_hash, Id user_id, UnixMs now) {
    TRY_ASSIGN(auto s,
               conn.prepare("INSERT OR IGNORE INTO known_devices (token_hash, user_id, created_at) VALUES (?, ?, ?)"));
    s.bind_blob(1, token_hash).bind(2, user_id).bind(3, now);
    return s.run();
}

Result<bool> is_known_device(Connection& conn, const std::string& token_hash, Id user_id) {
    TRY_ASSIGN(auto s, conn.prepare("SELECT 1 FROM known_devices WHERE token_hash = ? AND user_id = ?"));
    s.bind_blob(1, token_hash).bind(2, user_id);
    return s.step();
}

Result<Id> insert_api_key(Connection& conn, const std::string& key_hash, const ApiKeyRecord& k) {
    TRY_ASSIGN(auto s, conn.prepare("INSERT INTO api_keys (name, key_hash, prefix, created_by, created_at) "
                                    "VALUES (?, ?, ?, ?, ?)"));
    s.bind(1, k.name).bind_blob(2, key_hash).bind(3, k.prefix).bind(4, k.created_by).bind(5, k.created_at);
    TRY(s.run());
    return conn.last_insert_id();
}

Result<std::optional<ApiKeyRecord>> find_api_key(Connection& conn, const std::string& key_hash) {
    TRY_ASSIGN(auto s, conn.prepare(std::string("SELECT ") + key_columns + " FROM api_keys WHERE key_hash = ?"));
    s.bind_blob(1, key_hash);
    TRY_ASSIGN(bool row, s.step());
    if (!row) return std::optional<ApiKeyRecord>();
    return std::optional<ApiKeyRecord>(read_key(s));
}

Result<std::vector<ApiKeyRecord>> list_api_keys(Connection& conn) {
    TRY_ASSIGN(auto s, conn.prepare(std::string("SELECT ") + key_columns + " FROM api_keys ORDER BY created_at, id"));
    std::vector<ApiKeyRecord> out;
    for (;;) {
        TRY_ASSIGN(bool row, s.step());
        if (!row) break;
        out.push_back(read_key(s));
    }
    return out;
}

Result<bool> revoke_api_key(Connection& conn, Id id, UnixMs now) {
    TRY_ASSIGN(auto s, conn.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"));
    s.bind(1, now).bind(2, id);
    TRY(s.run());
    return conn.changes() > 0;
}

Result<void> touch_api_key(Connection& conn, Id id, UnixMs now) {
    TRY_ASSIGN(auto s, conn.prepare("UPDATE api_keys SET last_used_at = ? WHERE id = ?"));
    s.bind(1, now).bind(2, id);
    return s.run();
}

}  // namespace relais::auth_store
