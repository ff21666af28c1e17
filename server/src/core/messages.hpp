#pragma once
// Sentences for people, in French or English, from the stable codes that errors carry.
// The domain never writes a sentence; the HTTP layer renders them in the reader's language.
// The sentences are a table, code -> text per language, kept as data in
// config/texts/<lang>/errors.txt and embedded at build time (text_catalog.hpp).

#include "result.hpp"
#include "text_catalog.hpp"

#include <string>
#include <string_view>

namespace relais {

/// The embedded files (fr/errors.txt, en/errors.txt).
std::span<const EmbeddedFile> embedded_error_texts();

/// The table, parsed once; an error only if a file is malformed (the tests load it).
const Result<LanguageTexts>& error_texts();

/// The sentence for `code` (or `code.<what>`, `code.<reason>` when the table has one) with its
/// `<%name>` placeholders filled from `params`; `expected` and `role` values are words of the
/// table (`type.string`, `role.owner`). "fr" or "en" (anything else reads as "en"); an unknown
/// code is returned as it is.
std::string render_message(std::string_view code, const Params& params, std::string_view lang);

/// `one` or `other` by the language's plural rule, as the workspace's Intl.PluralRules has it:
/// French uses the singular for 0 and 1 ("0 intervention", "1 intervention"), English for 1 only.
std::string_view plural(std::string_view lang, long long n, std::string_view one, std::string_view other);

/// The language to answer in: the user's own choice, else the first of fr/en in
/// Accept-Language, else the dealership's.
std::string choose_language(std::string_view user_choice, const std::string* accept_language,
                            std::string_view dealer_language);

}  // namespace relais
