#pragma once
// The sentences customers receive (offer SMS and email, a fresh link, the STOP answer), as data:
// config/texts/<lang>/customer.txt, embedded at build time (text_catalog.hpp for the format).
// Each text's name and the values the code gives it are listed here once: a text may name only
// those placeholders (the unit tests check both languages against this list), which is what the
// template editor of issue 15 will check at save time.

#include "text_catalog.hpp"

#include <span>
#include <string_view>
#include <vector>

namespace relais {

using CustomerTextSpec = TextSpec;

/// Every customer text, in the order of the files.
std::span<const CustomerTextSpec> customer_text_specs();

/// The embedded files (fr/customer.txt, en/customer.txt).
std::span<const EmbeddedFile> embedded_customer_texts();

/// The embedded texts, parsed once; an error only if a file is malformed (the tests load them).
const Result<LanguageTexts>& customer_texts();

/// Text `name` in `language` ("en", else French) with `values`. A name not in the list above, a
/// text missing from the language or a placeholder without a value is an error.
Result<std::string> customer_text(std::string_view name, std::string_view language, const TextValues& values);

/// `base` + ".one" or ".other" by the language's plural rule for `n` (messages.hpp's `plural`).
std::string plural_text_name(std::string_view base, std::string_view language, long long n);

}  // namespace relais
