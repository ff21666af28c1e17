#pragma once
// The sentences the dealership's staff receive from Relais itself (the test email of the mail
// settings, the first admin's name), as data: config/texts/<lang>/staff.txt, embedded at build
// time (text_catalog.hpp for the format). Each text's name and the values the code gives it are
// listed here once: a text may name only those placeholders (the unit tests check both languages
// against this list). Here in core, as the error messages are, for the folders below the
// messaging ones (auth) to reach them.

#include "text_catalog.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace relais {

using StaffTextSpec = TextSpec;

/// Every staff text, in the order of the files.
std::span<const StaffTextSpec> staff_text_specs();

/// The embedded files (fr/staff.txt, en/staff.txt).
std::span<const EmbeddedFile> embedded_staff_texts();

/// The embedded texts, parsed once; an error only if a file is malformed (the tests load them).
const Result<LanguageTexts>& staff_texts();

/// Text `name` in `language` ("en", else French) with `values`. The unit tests render every
/// listed text in both languages with the values the code gives; should one still fail (a name
/// not listed, a text missing, a placeholder without a value), the name is returned, as
/// render_message returns an unknown code: a slip shows, never an empty sentence.
std::string staff_text(std::string_view name, std::string_view language, const TextValues& values = {});

}  // namespace relais
