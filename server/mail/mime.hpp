#pragma once
// RFC 5322 + MIME (RFC 2045-2047) for the messages Relais sends: multipart/alternative with a
// text part and an HTML part, UTF-8 carried as quoted-printable or base64, encoded-words for
// accented subjects and names, headers folded at 78 columns. The output is 7-bit ASCII with
// CRLF line ends (unless an address itself is non-ASCII, which needs SMTPUTF8), so any relay
// takes it as is and no mail client garbles it.

#include "mail_message.hpp"

#include <string>
#include <string_view>

namespace relais::mail {

enum class TransferEncoding { quoted_printable, base64 };

std::string base64_encode(std::string_view bytes);
/// Base64 in lines of 76 characters, each ended by CRLF.
std::string base64_body(std::string_view bytes);

/// Quoted-printable (RFC 2045 §6.7) of UTF-8 text whose lines end in "\n" or "\r\n": hard line
/// breaks become CRLF, lines are cut with soft breaks at 76 columns (never inside "=XX"), space
/// and tab before a line end are encoded, and so are "From " and a lone "." at the start of a
/// line, so the text survives mbox files and careless relays.
std::string quoted_printable(std::string_view text);

/// Quoted-printable for mostly-Latin text, base64 when most bytes would need escaping.
TransferEncoding choose_transfer_encoding(std::string_view text);

/// An unstructured value (a subject) as it goes after "Name: ": unchanged when it is plain
/// ASCII that folds well, otherwise RFC 2047 "B" encoded-words that each hold whole UTF-8
/// characters. `name_length` is the length of the header name, to size the first line.
std::string encode_unstructured(std::string_view text, std::size_t name_length);

/// `"Name" <address>` (quoted or encoded as needed), or `<address>` with no name.
std::string format_mailbox(const Mailbox& mailbox);

/// RFC 5322 date-time: "Mon, 23 Nov 2026 16:25:01 +0100".
std::string format_date(UnixMs instant, int utc_offset_minutes);

/// The domain part of an address (after the last '@'), or "" when there is none.
std::string_view domain_of(std::string_view address);
/// True when the address has non-ASCII characters, so the relay must offer SMTPUTF8.
bool needs_smtputf8(std::string_view address);

/// The whole message, headers and body, CRLF line ends. `boundary` must not occur in the
/// encoded bodies; boundaries starting with "=_" never do (QP escapes '=', base64 has no '_').
std::string build_mime(const MailMessage& message, std::string_view boundary);

}  // namespace relais::mail
