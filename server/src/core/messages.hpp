#pragma once
// Sentences for people, in French or English, from the stable codes that errors carry.
// The domain never writes a sentence; the HTTP layer renders them in the reader's language.

#include "result.hpp"

#include <string>
#include <string_view>

namespace relais {

/// "fr" or "en" (anything else reads as "en").
std::string render_message(std::string_view code, const Params& params, std::string_view lang);

/// `one` or `other` by the language's plural rule, as the workspace's Intl.PluralRules has it:
/// French uses the singular for 0 and 1 ("0 intervention", "1 intervention"), English for 1 only.
std::string_view plural(std::string_view lang, long long n, std::string_view one, std::string_view other);

/// The language to answer in: the user's own choice, else the first of fr/en in
/// Accept-Language, else the dealership's.
std::string choose_language(std::string_view user_choice, const std::string* accept_language,
                            std::string_view dealer_language);

}  // namespace relais
