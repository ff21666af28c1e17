#pragma once
// Sentences for people, in French or English, from the stable codes that errors carry.
// The domain never writes a sentence; the HTTP layer renders them in the reader's language.

#include "result.hpp"

#include <string>
#include <string_view>

namespace relais {

/// "fr" or "en" (anything else reads as "en").
std::string render_message(std::string_view code, const Params& params, std::string_view lang);

/// The language to answer in: the user's own choice, else the first of fr/en in
/// Accept-Language, else the dealership's.
std::string choose_language(std::string_view user_choice, const std::string* accept_language,
                            std::string_view dealer_language);

}  // namespace relais
