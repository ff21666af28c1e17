#pragma once
// SMTP (RFC 5321) without I/O: reply parsing, EHLO capabilities, command texts, dot-stuffing,
// and the outcome of a message per recipient. smtp_client.cpp drives these over a socket;
// the unit tests and the fuzz target drive them directly.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace relais::mail {

struct SmtpReply {
    int code = 0;                    // 220, 250, 354, 421, 550, ...
    std::vector<std::string> lines;  // the text of each line, after "250-" / "250 "
    /// The lines joined by spaces: what people read in an error.
    std::string text() const;
    /// "250 2.0.0 Ok: queued as 4F2A1" (the last line, with its code).
    std::string summary() const;
    bool positive() const { return code >= 200 && code < 400; }
};

/// Assembles replies from the bytes a server sends. Multi-line replies ("250-" lines then a
/// "250 " line) become one SmtpReply. Bare LF is taken as a line end; a line that is not a
/// reply ("three digits then space, hyphen or end") or a continuation with another code is
/// a protocol error, and so is a line past 4 KiB (RFC 5321 allows 512).
class ReplyParser {
public:
    /// Appends every reply completed by `bytes` to `out`. Returns an error description, or
    /// an empty string; after an error the parser must not be fed again.
    std::string feed(std::string_view bytes, std::vector<SmtpReply>& out);
    bool mid_reply() const { return !partial_line_.empty() || current_.code != 0; }

private:
    std::string partial_line_;
    SmtpReply current_;
    bool failed_ = false;
};

/// What the server offered in its EHLO reply.
struct Capabilities {
    bool esmtp = false;  // false after a HELO fallback
    bool starttls = false;
    bool pipelining = false;
    bool eight_bit_mime = false;
    bool smtputf8 = false;
    bool enhanced_status_codes = false;
    std::optional<std::uint64_t> size_limit;  // SIZE n (0 means "no fixed limit")
    std::set<std::string> auth;               // upper case: "PLAIN", "LOGIN", ...
};
Capabilities parse_ehlo(const SmtpReply& reply);

/// The message bytes as they travel after DATA: every line ending in CRLF, a '.' doubled at
/// the start of a line, and the terminating ".\r\n".
std::string dot_stuff(std::string_view message);

/// AUTH PLAIN's initial response (RFC 4616): base64("\0user\0password").
std::string auth_plain_response(std::string_view user, std::string_view password);

/// Whether an address can go between the angle brackets of MAIL FROM / RCPT TO as is: no
/// controls, spaces, brackets or CR/LF (which would inject commands).
bool is_safe_envelope_address(std::string_view address);

enum class DeliveryStatus { delivered, temporary, permanent };
const char* to_string(DeliveryStatus s);

/// 2xx delivered, 4xx temporary, 5xx permanent; anything else (no reply) temporary.
DeliveryStatus status_for_code(int code);

struct RecipientOutcome {
    std::string address;
    DeliveryStatus status = DeliveryStatus::temporary;
    int code = 0;
    std::string text;
};

/// What became of one message. `code` 0 means no reply was involved (connection refused,
/// timeout, certificate refused); `text` then says what happened.
struct MailOutcome {
    DeliveryStatus status = DeliveryStatus::temporary;
    int code = 0;
    std::string text;
    std::vector<RecipientOutcome> recipients;
    std::string tls;  // "TLSv1.3" when the message went over TLS, "" otherwise
    bool delivered() const { return status == DeliveryStatus::delivered; }
};

}  // namespace relais::mail
