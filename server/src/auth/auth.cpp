#include "auth.hpp"

#include "auth_store.hpp"
#include "crypto.hpp"
#include "field_checks.hpp"
#include "staff_texts.hpp"
#include "text.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace relais {
namespace {

Error unauthorized(std::string code = "unauthorized") { return make_error(ErrorKind::unauthorized, std::move(code)); }

Error throttled(UnixMs wait_ms) {
    Error e = make_error(ErrorKind::throttled, "too_many_attempts");
    e.retry_after_s = static_cast<int>((wait_ms + 999) / 1000);
    e.params = {{"seconds", std::to_string(e.retry_after_s)}};
    return e;
}

Result<std::string> check_display_name(const std::string& name, const char* field) {
    const std::string v(trim(name));
    if (v.empty()) return validation_error({{field, "required", {}}});
    if (utf8_length(v) > 80) return validation_error({{field, "too_long", {{"max", "80"}}}});
    if (has_control_chars(v, false)) return validation_error({{field, "one_line", {}}});
    return v;
}

}  // namespace

AuthService::AuthService(AuthServiceDeps deps)
    : db_(deps.db),
      hasher_(deps.hasher),
      random_(deps.random),
      clock_(deps.clock),
      log_(std::move(deps.log)),
      timeouts_(deps.timeouts),
      per_user_(deps.clock, ThrottlePolicy{5, 30'000, 15 * 60'000, 60 * 60'000}),
      per_address_(deps.clock, ThrottlePolicy{20, 30'000, 15 * 60'000, 60 * 60'000}),
      per_device_(deps.clock, ThrottlePolicy{10, 5'000, 60'000, 60 * 60'000}) {}

AuthService::~AuthService() = default;

Result<std::string> AuthService::normalize_username(const std::string& username) {
    const std::string v = ascii_lower(trim(username));
    if (v.size() < 2 || v.size() > kMaxUsername) {
        return validation_error({{"username", "username_invalid", {}}});
    }
    for (char c : v) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
            return validation_error({{"username", "username_invalid", {}}});
        }
    }
    return v;
}

const std::string& AuthService::dummy_hash() {
    std::call_once(dummy_once_, [this] { dummy_hash_ = hasher_.hash("relais-dummy-password"); });
    return dummy_hash_;
}

Result<Principal> AuthService::principal_for(const User& user, const SessionRecord* session) {
    Principal p;
    p.kind = Principal::Kind::user;
    p.id = user.id;
    p.name = user.username;
    p.display_name = user.display_name;
    p.role = user.role;
    p.must_change_password = user.must_change_password;
    p.language = user.language;
    if (session) {
        p.session_id = session->id;
        p.csrf_token = session->csrf_token;
    }
    return p;
}

Result<LoginResult> AuthService::login(const LoginRequest& request) {
    const std::string username = ascii_lower(trim(request.username));
    if (username.empty() || request.password.empty()) {
        Problems problems;
        if (username.empty()) problems.push_back({"username", "required", {}});
        if (request.password.empty()) problems.push_back({"password", "required", {}});
        return validation_error(std::move(problems));
    }
    // No account has a longer name (normalize_username): refused before it reaches a log line
    // or a throttle key, so an address cannot fill either with megabytes of names.
    if (username.size() > kMaxUsername)
        return validation_error({{"username", "too_long", {{"max", std::to_string(kMaxUsername)}}}});
    TRY_ASSIGN(auto user, db_.read([&](Connection& c) { return auth_store::find_user_by_name(c, username); }));

    bool known_device = false;
    const std::string device_hash = request.device_token.empty() ? std::string() : sha256(request.device_token);
    if (user && !device_hash.empty()) {
        TRY_ASSIGN(known_device,
                   db_.read([&](Connection& c) { return auth_store::is_known_device(c, device_hash, user->id); }));
    }
    const std::string device_key = "device:" + to_hex(device_hash);
    const std::string user_key = "user:" + username;
    const std::string address_key = "address:" + request.ip;
    if (known_device) {
        if (const UnixMs wait = per_device_.wait_ms(device_key)) return throttled(wait);
    } else {
        const UnixMs wait = std::max(per_user_.wait_ms(user_key), per_address_.wait_ms(address_key));
        if (wait) return throttled(wait);
    }

    bool ok = false;
    if (user && user->active) {
        ok = hasher_.verify(user->password_hash, request.password);
    } else {
        // Same work as a real check, so that timing does not tell which user names exist.
        (void)hasher_.verify(dummy_hash(), request.password);
    }
    if (!ok) {
        if (known_device) {
            per_device_.failure(device_key);
        } else {
            per_user_.failure(user_key);
            per_address_.failure(address_key);
        }
        log_->warn("failed sign-in for \"{}\" from {}", escape_untrusted(username), request.ip);
        return unauthorized("invalid_credentials");
    }
    if (known_device) {
        per_device_.success(device_key);
    } else {
        per_user_.success(user_key);
    }

    const UnixMs now = clock_.now();
    LoginResult out;
    out.session_token = random_token(random_, 32);
    SessionRecord record;
    record.user_id = user->id;
    record.csrf_token = random_token(random_, 32);
    record.created_at = now;
    record.last_seen_at = now;
    record.expires_at = now + timeouts_.absolute_ms;
    if (!known_device) out.device_token = random_token(random_, 32);
    TRY_ASSIGN(Id session_id, db_.write([&](Connection& c) -> Result<Id> {
        TRY(auth_store::purge_expired_sessions(c, now));
        if (!out.device_token.empty()) TRY(auth_store::insert_known_device(c, sha256(out.device_token), user->id, now));
        return auth_store::insert_session(c, sha256(out.session_token), record, request.ip, request.user_agent);
    }));
    record.id = session_id;
    TRY_ASSIGN(out.principal, principal_for(*user, &record));
    out.expires_at = record.expires_at;
    log_->info("\"{}\" signed in from {}", username, request.ip);
    return out;
}

Result<void> AuthService::logout(const std::string& session_token) {
    if (session_token.empty()) return success();
    return db_.write([&](Connection& c) { return auth_store::delete_session(c, sha256(session_token)); });
}

Result<Principal> AuthService::authenticate_session(const std::string& session_token) {
    if (session_token.empty()) return unauthorized();
    const std::string hash = sha256(session_token);
    TRY_ASSIGN(auto session, db_.read([&](Connection& c) { return auth_store::find_session(c, hash); }));
    const UnixMs now = clock_.now();
    if (!session || session->expires_at <= now || now - session->last_seen_at > timeouts_.idle_ms) {
        return unauthorized("session_expired");
    }
    TRY_ASSIGN(auto user, db_.read([&](Connection& c) { return auth_store::find_user(c, session->user_id); }));
    if (!user || !user->active) return unauthorized("session_expired");
    if (now - session->last_seen_at > timeouts_.touch_every_ms) {
        TRY(db_.write([&](Connection& c) { return auth_store::touch_session(c, session->id, now); }));
    }
    return principal_for(*user, &*session);
}

Result<Principal> AuthService::authenticate_api_key(const std::string& key) {
    if (key.empty()) return unauthorized();
    TRY_ASSIGN(auto record, db_.read([&](Connection& c) { return auth_store::find_api_key(c, sha256(key)); }));
    if (!record || record->revoked_at) return unauthorized("invalid_api_key");
    const UnixMs now = clock_.now();
    if (!record->last_used_at || now - *record->last_used_at > 60'000) {
        TRY(db_.write([&](Connection& c) { return auth_store::touch_api_key(c, record->id, now); }));
    }
    Principal p;
    p.kind = Principal::Kind::api_key;
    p.id = record->id;
    p.name = record->name;
    p.display_name = record->name;
    p.role = UserRole::advisor;
    return p;
}

Result<void> AuthService::change_password(const Principal& who, const std::string& current, const std::string& next) {
    if (who.kind != Principal::Kind::user) return make_error(ErrorKind::forbidden, "forbidden");
    TRY_ASSIGN(auto user, db_.read([&](Connection& c) { return auth_store::find_user(c, who.id); }));
    if (!user) return unauthorized();
    if (!hasher_.verify(user->password_hash, current)) {
        return validation_error({{"current_password", "password_wrong", {}}});
    }
    if (auto problem = password_problem(next, user->username))
        return validation_error({{"new_password", *problem, {}}});
    if (next == current) return validation_error({{"new_password", "password_unchanged", {}}});
    user->password_hash = hasher_.hash(next);
    user->must_change_password = false;
    user->updated_at = clock_.now();
    TRY(db_.write([&](Connection& c) -> Result<void> {
        TRY(auth_store::update_user(c, *user));
        return auth_store::delete_user_sessions(c, user->id, who.session_id);
    }));
    log_->info("\"{}\" changed their password", user->username);
    return success();
}

Result<User> AuthService::create_user(const NewUser& input) {
    Problems problems;
    auto username = normalize_username(input.username);
    if (!username) problems.push_back(username.error().fields.front());
    auto display = check_display_name(input.display_name.empty() ? input.username : input.display_name, "display_name");
    if (!display) problems.push_back(display.error().fields.front());
    if (username) {
        if (auto problem = password_problem(input.password, *username)) problems.push_back({"password", *problem, {}});
    }
    if (input.language != "" && input.language != "fr" && input.language != "en") {
        problems.push_back({"language", "invalid_choice", {{"choices", "fr, en, \"\" (the dealership's)"}}});
    }
    if (!problems.empty()) return validation_error(std::move(problems));

    User user;
    user.username = *username;
    user.display_name = *display;
    user.role = input.role;
    user.password_hash = hasher_.hash(input.password);
    user.must_change_password = input.must_change_password;
    user.language = input.language;
    user.created_at = user.updated_at = clock_.now();
    auto id = db_.write([&](Connection& c) { return auth_store::insert_user(c, user); });
    if (!id) {
        if (id.error().kind == ErrorKind::conflict) {
            return validation_error({{"username", "username_taken", {{"value", user.username}}}});
        }
        return std::move(id).error();
    }
    user.id = *id;
    log_->info("user \"{}\" created ({})", user.username, to_string(user.role));
    return user;
}

Result<User> AuthService::update_user(Id id, const UserPatch& patch, const Principal& by) {
    TRY_ASSIGN(auto user, db_.read([&](Connection& c) { return auth_store::find_user(c, id); }));
    if (!user) return not_found_error("user");
    Problems problems;
    if (patch.display_name) {
        auto display = check_display_name(*patch.display_name, "display_name");
        if (display) {
            user->display_name = *display;
        } else {
            problems.push_back(display.error().fields.front());
        }
    }
    // An admin cannot take away their own admin rights or deactivate themselves: the
    // dealership would be left without anyone able to manage users.
    if (patch.role) {
        if (by.kind == Principal::Kind::user && by.id == id && *patch.role != UserRole::dealer_admin) {
            problems.push_back({"role", "cannot_demote_self", {}});
        } else {
            user->role = *patch.role;
        }
    }
    if (patch.active) {
        if (by.kind == Principal::Kind::user && by.id == id && !*patch.active) {
            problems.push_back({"active", "cannot_deactivate_self", {}});
        } else {
            user->active = *patch.active;
        }
    }
    if (patch.language) {
        if (*patch.language != "" && *patch.language != "fr" && *patch.language != "en") {
            problems.push_back({"language", "invalid_choice", {{"choices", "fr, en, \"\" (the dealership's)"}}});
        } else {
            user->language = *patch.language;
        }
    }
    if (patch.email_signature) {
        std::string signature = *patch.email_signature;
        if (check_text_field(signature, "email_signature", kMaxEmailSignature, true, false, problems))
            user->email_signature = signature;
    }
    if (patch.password) {
        if (auto problem = password_problem(*patch.password, user->username)) {
            problems.push_back({"password", *problem, {}});
        } else {
            user->password_hash = hasher_.hash(*patch.password);
            user->must_change_password = by.id != id;
        }
    }
    if (!problems.empty()) return validation_error(std::move(problems));
    user->updated_at = clock_.now();
    TRY(db_.write([&](Connection& c) -> Result<void> {
        TRY(auth_store::update_user(c, *user));
        if (!user->active || patch.password) TRY(auth_store::delete_user_sessions(c, user->id, by.session_id));
        return success();
    }));
    return *user;
}

Result<std::vector<User>> AuthService::list_users() {
    return db_.read([](Connection& c) { return auth_store::list_users(c); });
}

Result<User> AuthService::set_password(const std::string& username, const std::string& password) {
    TRY_ASSIGN(auto name, normalize_username(username));
    TRY_ASSIGN(auto user, db_.read([&](Connection& c) { return auth_store::find_user_by_name(c, name); }));
    if (!user) return not_found_error("user");
    if (auto problem = password_problem(password, user->username))
        return validation_error({{"password", *problem, {}}});
    user->password_hash = hasher_.hash(password);
    user->must_change_password = false;
    user->active = true;
    user->updated_at = clock_.now();
    TRY(db_.write([&](Connection& c) -> Result<void> {
        TRY(auth_store::update_user(c, *user));
        return auth_store::delete_user_sessions(c, user->id, 0);
    }));
    return *user;
}

Result<CreatedApiKey> AuthService::create_api_key(const std::string& name, std::optional<Id> created_by) {
    const std::string n(trim(name));
    if (n.empty()) return validation_error({{"name", "required", {}}});
    if (utf8_length(n) > 60) return validation_error({{"name", "too_long", {{"max", "60"}}}});
    if (has_control_chars(n, false)) return validation_error({{"name", "one_line", {}}});
    CreatedApiKey out;
    out.key = "rk_" + random_token(random_, 32);
    out.record.name = n;
    out.record.prefix = out.key.substr(0, 10);
    out.record.created_by = created_by;
    out.record.created_at = clock_.now();
    auto id = db_.write([&](Connection& c) { return auth_store::insert_api_key(c, sha256(out.key), out.record); });
    if (!id) {
        if (id.error().kind == ErrorKind::conflict) return validation_error({{"name", "name_taken", {{"value", n}}}});
        return std::move(id).error();
    }
    out.record.id = *id;
    log_->info("API key \"{}\" created", n);
    return out;
}

Result<std::vector<ApiKeyRecord>> AuthService::list_api_keys() {
    return db_.read([](Connection& c) { return auth_store::list_api_keys(c); });
}

Result<void> AuthService::revoke_api_key(Id id) {
    TRY_ASSIGN(bool revoked, db_.write([&](Connection& c) { return auth_store::revoke_api_key(c, id, clock_.now()); }));
    if (!revoked) return not_found_error("api_key");
    return success();
}

Result<void> AuthService::revoke_api_key_by_name(const std::string& name) {
    TRY_ASSIGN(auto keys, list_api_keys());
    for (const auto& k : keys) {
        if (fold_for_search(k.name) == fold_for_search(name) && !k.revoked_at) return revoke_api_key(k.id);
    }
    return not_found_error("api_key");
}

Result<std::optional<std::string>> AuthService::bootstrap_admin(const std::string& language) {
    TRY_ASSIGN(auto count, db_.read([](Connection& c) { return auth_store::count_users(c); }));
    if (count > 0) return std::optional<std::string>();
    NewUser admin;
    admin.username = "admin";
    admin.display_name = staff_text("first_admin.display_name", language);
    admin.role = UserRole::dealer_admin;
    admin.password = generate_one_time_password(random_);
    admin.must_change_password = true;
    TRY(create_user(admin));
    return std::optional<std::string>(admin.password);
}

}  // namespace relais
