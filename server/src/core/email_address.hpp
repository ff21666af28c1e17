#pragma once
// Email addresses as a dealership enters them: checked for the shape mail relays accept
// (RFC 5321 limits, dot-atom local part, a domain with a dot), domain lower-cased.

#include "result.hpp"

#include <string>
#include <string_view>

namespace relais {

/// The normalised address, or an error with code "email_invalid" and a "reason" param
/// ("missing_at", "local_part", "domain", "too_long", "spaces").
Result<std::string> normalize_email(std::string_view input);

}  // namespace relais
