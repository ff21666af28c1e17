#pragma once
// Who works in the workspace: staff users and their roles, sessions, DMS API keys, as the auth
// service hands them out. Their persistence is auth's own (auth/store/).

#include "clock.hpp"
#include "enum_names.hpp"
#include "ids.hpp"

#include <optional>
#include <string>

namespace relais {

enum class UserRole { advisor, dealer_admin };
template <>
struct EnumNames<UserRole> {
    static constexpr NameTable<UserRole, 2> table{
        {{UserRole::advisor, "advisor"}, {UserRole::dealer_admin, "dealer_admin"}}};
};

struct User {
    Id id = 0;
    std::string username;
    std::string display_name;
    UserRole role = UserRole::advisor;
    std::string password_hash;
    bool must_change_password = false;
    bool active = true;
    std::string language;         // "" = the dealership's
    std::string email_signature;  // appended to the customer emails sent in their name
    UnixMs created_at = 0;
    UnixMs updated_at = 0;
};

struct SessionRecord {
    Id id = 0;
    Id user_id = 0;
    std::string csrf_token;
    UnixMs created_at = 0;
    UnixMs last_seen_at = 0;
    UnixMs expires_at = 0;
};

struct ApiKeyRecord {
    Id id = 0;
    std::string name;
    std::string prefix;  // first characters of the key, to recognise it in a list
    std::optional<Id> created_by;
    UnixMs created_at = 0;
    std::optional<UnixMs> last_used_at;
    std::optional<UnixMs> revoked_at;
};

}  // namespace relais
