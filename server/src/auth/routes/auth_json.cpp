#include "auth_json.hpp"

#include "request_body.hpp"
#include "timezone.hpp"

#include <nlohmann/json.hpp>

namespace relais::auth_json {
namespace {

using Null = ObjectReader::Null;

json opt_time(const std::optional<UnixMs>& v) { return v ? json(format_utc(*v)) : json(nullptr); }

// A password or a user name as typed: text, "" when absent; null is no text (there is nothing
// to clear).
std::string typed(ObjectReader& r, const char* key) { return r.string(key, Null::refused).value_or(""); }

}  // namespace

json principal(const Principal& p) {
    return {{"kind", to_string(p.kind)},
            {"id", p.id},
            {"username", p.name},
            {"display_name", p.display_name},
            {"role", to_string(p.role)},
            {"language", p.language},
            {"must_change_password", p.must_change_password}};
}

json user(const User& u) {
    return {{"id", u.id},
            {"username", u.username},
            {"display_name", u.display_name},
            {"role", to_string(u.role)},
            {"active", u.active},
            {"language", u.language},
            {"email_signature", u.email_signature},
            {"must_change_password", u.must_change_password},
            {"created_at", format_utc(u.created_at)}};
}

json api_key(const ApiKeyRecord& k) {
    return {{"id", k.id},
            {"name", k.name},
            {"prefix", k.prefix},
            {"created_at", format_utc(k.created_at)},
            {"last_used_at", opt_time(k.last_used_at)},
            {"revoked_at", opt_time(k.revoked_at)}};
}

LoginRequest parse_login(const json& body, Problems& problems) {
    ObjectReader r(body, "", problems);
    LoginRequest lr;
    lr.username = typed(r, "username");
    lr.password = typed(r, "password");
    return lr;
}

PasswordChange parse_password_change(const json& body, Problems& problems) {
    ObjectReader r(body, "", problems);
    return {typed(r, "current_password"), typed(r, "new_password")};
}

UserPatch parse_own_settings(const json& body, Problems& problems) {
    UserPatch patch;
    ObjectReader r(body, "", problems);
    patch.language = r.string("language", Null::refused);
    patch.email_signature = r.string("email_signature", Null::refused);
    return patch;
}

NewUser parse_new_user(const json& body, Problems& problems) {
    NewUser u;
    if (!expect_object(body, "", problems)) return u;
    ObjectReader r(body, "", problems, {"id", "active", "must_change_password", "created_at"});
    u.username = r.string("username").value_or("");
    u.display_name = r.string("display_name").value_or("");
    u.role = r.enumeration<UserRole>("role").value_or(UserRole::advisor);
    u.password = r.string("password").value_or("");
    u.language = r.string("language").value_or("");
    u.must_change_password = true;  // the admin chose it: the user picks their own at first sign-in
    return u;
}

UserPatch parse_user_patch(const json& body, Problems& problems) {
    UserPatch p;
    if (!expect_object(body, "", problems)) return p;
    ObjectReader r(body, "", problems, {"id", "username", "must_change_password", "created_at"});
    p.display_name = r.string("display_name");
    p.role = r.enumeration<UserRole>("role");
    p.active = r.boolean("active");
    p.language = r.string("language");
    p.password = r.string("password");
    return p;
}

std::string parse_new_api_key(const json& body, Problems& problems) {
    ObjectReader r(body, "", problems);
    return typed(r, "name");
}

}  // namespace relais::auth_json
