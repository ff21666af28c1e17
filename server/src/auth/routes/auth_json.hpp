#pragma once
// The JSON of sign-in, users and API keys (docs/API.md, "Session", "Users and API keys"): the
// principal, a user, an API key's record, and the bodies that create or change them, each read
// by ObjectReader (request_body.hpp), every problem on its field.

#include "auth.hpp"
#include "result.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string>

namespace relais::auth_json {

using json = nlohmann::json;

json principal(const Principal& p);
json user(const User& u);
json api_key(const ApiKeyRecord& k);

// Each parse_* appends to `problems`; the result is meaningful only when none were added.
/// {"username", "password"}: the credentials of a LoginRequest (the rest is the request's).
LoginRequest parse_login(const json& body, Problems& problems);
struct PasswordChange {
    std::string current_password;
    std::string new_password;
};
/// {"current_password", "new_password"}.
PasswordChange parse_password_change(const json& body, Problems& problems);
/// {"language"}: what users set of their own account.
UserPatch parse_own_settings(const json& body, Problems& problems);
NewUser parse_new_user(const json& body, Problems& problems);
UserPatch parse_user_patch(const json& body, Problems& problems);
/// {"name"}: the new API key's name.
std::string parse_new_api_key(const json& body, Problems& problems);

}  // namespace relais::auth_json
