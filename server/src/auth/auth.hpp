#pragma once
// Who is calling: staff users with passwords and sessions (browsers), and API keys (a DMS).
// Sessions live in the database (they survive a restart); tokens are 256-bit random values
// stored as hashes. Failed logins are throttled per (user, unknown browser) and per address,
// while browsers where the user signed in before keep a throttle of their own.

#include "auth_types.hpp"
#include "clock.hpp"
#include "db.hpp"
#include "enum_names.hpp"
#include "password.hpp"
#include "random.hpp"
#include "throttle.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace spdlog {
class logger;
}

namespace relais {

struct Principal {
    enum class Kind { user, api_key };
    Kind kind = Kind::user;
    Id id = 0;
    std::string name;  // username or API key name
    std::string display_name;
    UserRole role = UserRole::advisor;
    bool must_change_password = false;
    std::string language;
    Id session_id = 0;
    std::string csrf_token;
    bool is_admin() const { return kind == Kind::user && role == UserRole::dealer_admin; }
};
/// As /api/v1/session sends it (the user's "kind").
template <>
struct EnumNames<Principal::Kind> {
    static constexpr NameTable<Principal::Kind, 2> table{
        {{Principal::Kind::user, "user"}, {Principal::Kind::api_key, "api_key"}}};
};

struct LoginRequest {
    std::string username;
    std::string password;
    std::string ip;
    std::string user_agent;
    std::string device_token;  // the browser's known-device cookie, if any
};

struct LoginResult {
    std::string session_token;
    std::string device_token;  // non-empty when the browser should store a new one
    Principal principal;
    UnixMs expires_at = 0;
};

struct NewUser {
    std::string username;
    std::string display_name;
    UserRole role = UserRole::advisor;
    std::string password;
    bool must_change_password = false;
    std::string language;
};

struct UserPatch {
    std::optional<std::string> display_name;
    std::optional<UserRole> role;
    std::optional<bool> active;
    std::optional<std::string> language;
    std::optional<std::string> password;         // an admin's reset: the user must change it
    std::optional<std::string> email_signature;  // the user's own, at most kMaxEmailSignature characters
};

inline constexpr std::size_t kMaxEmailSignature = 500;

struct CreatedApiKey {
    ApiKeyRecord record;
    std::string key;  // shown once, never stored
};

struct SessionTimeouts {
    UnixMs idle_ms = 12 * 3600'000LL;  // a workday and a half without activity
    UnixMs absolute_ms = 7 * 24 * 3600'000LL;
    UnixMs touch_every_ms = 5 * 60'000;  // writes last_seen at most this often
};

/// The longest user name an account may have.
inline constexpr std::size_t kMaxUsername = 40;

struct AuthServiceDeps {
    Database& db;
    PasswordHasher& hasher;  // Argon2id in the appliance, a fast fake in tests
    Random& random;          // session tokens, CSRF tokens, API keys, one-time passwords
    const Clock& clock;
    std::shared_ptr<spdlog::logger> log;
    SessionTimeouts timeouts = {};
};

/// Thread-safe. Everything in `deps` must outlive the service.
class AuthService {
public:
    explicit AuthService(AuthServiceDeps deps);
    ~AuthService();

    Result<LoginResult> login(const LoginRequest& request);
    Result<void> logout(const std::string& session_token);
    /// The principal of a session cookie; unauthorized if unknown or expired.
    Result<Principal> authenticate_session(const std::string& session_token);
    /// The principal of an `Authorization: Bearer` API key.
    Result<Principal> authenticate_api_key(const std::string& key);
    Result<void> change_password(const Principal& who, const std::string& current, const std::string& next);

    Result<User> create_user(const NewUser& user);
    Result<User> update_user(Id id, const UserPatch& patch, const Principal& by);
    Result<std::vector<User>> list_users();
    Result<User> set_password(const std::string& username, const std::string& password);

    Result<CreatedApiKey> create_api_key(const std::string& name, std::optional<Id> created_by);
    Result<std::vector<ApiKeyRecord>> list_api_keys();
    Result<void> revoke_api_key(Id id);
    Result<void> revoke_api_key_by_name(const std::string& name);

    /// At the first start (no users at all) creates "admin" (dealer_admin) with a one-time
    /// password that must be changed at first sign-in, and returns that password.
    Result<std::optional<std::string>> bootstrap_admin(const std::string& language);

    static Result<std::string> normalize_username(const std::string& username);

private:
    Result<Principal> principal_for(const User& user, const SessionRecord* session);
    const std::string& dummy_hash();

    Database& db_;
    PasswordHasher& hasher_;
    Random& random_;
    const Clock& clock_;
    std::shared_ptr<spdlog::logger> log_;
    SessionTimeouts timeouts_;
    Throttle per_user_;     // "user name" from browsers it was never used in
    Throttle per_address_;  // one address trying many names
    Throttle per_device_;   // a browser where the user signed in before
    std::once_flag dummy_once_;
    std::string dummy_hash_;
};

}  // namespace relais
