#pragma once
// Pure text helpers on UTF-8: validation, length in characters, trimming, and the folding
// used by search (case- and accent-insensitive: "Lefèvre" and "LEFEVRE" both fold to "lefevre").

#include <cstddef>
#include <string>
#include <string_view>

namespace relais {

bool is_valid_utf8(std::string_view s);

/// Code points of valid UTF-8 (invalid sequences become U+FFFD).
std::u32string utf8_to_utf32(std::string_view s);
std::string utf32_to_utf8(std::u32string_view s);
void append_utf8(std::string& out, char32_t code_point);

/// Bytes from outside (a relay's reply, a modem's line, a header, a file name) made safe to
/// store, log and show: valid UTF-8 is kept as it is; every byte that is not part of a valid
/// sequence becomes the four characters `\xHH`; control characters (C0 but tab, DEL, C1),
/// line and paragraph separators and bidi embeddings, overrides and isolates become `\x1B` or
/// `\u202E`. So nothing is lost (the escapes say what came) and the result can be dumped as
/// JSON, written to a log line or shown. With `max_bytes`, cut at a character boundary to at
/// most that many bytes, "…" included.
std::string escape_untrusted(std::string_view bytes, std::size_t max_bytes = 0);

/// `s` cut to at most `max_bytes` bytes without splitting a UTF-8 sequence (invalid bytes are
/// kept as they are: use escape_untrusted first for bytes from outside).
std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes);

/// Whether `s` holds a bidi embedding, override or isolate (U+202A–U+202E, U+2066–U+2069):
/// they reorder how the text around them is shown ("0001 €" shown for "1000 €").
bool has_bidi_controls(std::string_view s);

/// Number of Unicode code points; `s` must be valid UTF-8.
std::size_t utf8_length(std::string_view s);

/// Whether `s` holds control characters. Newlines and tabs count only when
/// `allow_newlines` is false (one-line fields).
bool has_control_chars(std::string_view s, bool allow_newlines);

/// Removes leading and trailing ASCII white space.
std::string_view trim(std::string_view s);

/// Lower case, Latin accents and ligatures removed (é→e, ß→ss, Œ→oe, Ł→l), combining marks
/// dropped, runs of white space folded to one space, trimmed. Letters outside the Latin
/// blocks pass through unchanged.
std::string fold_for_search(std::string_view s);

/// Only the ASCII letters and digits of fold_for_search(s): "AB-123 CD" → "ab123cd".
std::string compact_alnum(std::string_view s);

std::string ascii_lower(std::string_view s);
std::string ascii_upper(std::string_view s);

/// Edit distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace relais
