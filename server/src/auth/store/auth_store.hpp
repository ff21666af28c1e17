#pragma once
// Persistence of staff users, their sessions and known browsers, and DMS API keys.
// Tokens and keys are stored only as SHA-256 hashes. Private to auth (auth/store/): the other
// folders go through AuthService (auth.hpp).

#include "auth_types.hpp"
#include "db.hpp"

#include <optional>
#include <string>
#include <vector>

namespace relais {

namespace auth_store {

Result<std::optional<User>> find_user(Connection& conn, Id id);
Result<std::optional<User>> find_user_by_name(Connection& conn, const std::string& username);
Result<std::vector<User>> list_users(Connection& conn);
Result<std::int64_t> count_users(Connection& conn);
Result<Id> insert_user(Connection& conn, const User& user);
Result<void> update_user(Connection& conn, const User& user);

Result<Id> insert_session(Connection& conn, const std::string& token_hash, const SessionRecord& s,
                          const std::string& ip, const std::string& user_agent);
Result<std::optional<SessionRecord>> find_session(Connection& conn, const std::string& token_hash);
Result<void> touch_session(Connection& conn, Id session_id, UnixMs now);
Result<void> delete_session(Connection& conn, const std::string& token_hash);
/// All sessions of a user but `keep_session_id` (after a password change).
Result<void> delete_user_sessions(Connection& conn, Id user_id, Id keep_session_id);
Result<void> purge_expired_sessions(Connection& conn, UnixMs now);

Result<void> insert_known_device(Connection& conn, const std::string& token_hash, Id user_id, UnixMs now);
Result<bool> is_known_device(Connection& conn, const std::string& token_hash, Id user_id);

Result<Id> insert_api_key(Connection& conn, const std::string& key_hash, const ApiKeyRecord& key);
Result<std::optional<ApiKeyRecord>> find_api_key(Connection& conn, const std::string& key_hash);
Result<std::vector<ApiKeyRecord>> list_api_keys(Connection& conn);
Result<bool> revoke_api_key(Connection& conn, Id id, UnixMs now);
Result<void> touch_api_key(Connection& conn, Id id, UnixMs now);

}  // namespace auth_store
}  // namespace relais
