#pragma once
// An email as Relais composes it, before MIME: people's names and addresses, the subject and
// both bodies as UTF-8 text. mime.hpp turns it into RFC 5322 bytes; a MailTransport sends them.

#include "clock.hpp"

#include <string>
#include <vector>

namespace relais::mail {

struct Mailbox {
    std::string name;     // display name, UTF-8, may be empty
    std::string address;  // addr-spec: local@domain
};

enum class AutoSubmitted { no, auto_generated };

struct MailMessage {
    Mailbox from;
    Mailbox reply_to;  // empty address: no Reply-To
    std::vector<Mailbox> to;
    std::string subject;
    std::string text;  // the text/plain part: readable on its own
    std::string html;  // the text/html part; empty: a single text/plain part
    AutoSubmitted auto_submitted = AutoSubmitted::no;
    std::string message_id;      // "<unique@domain>"
    UnixMs date = 0;             // when it was composed
    int utc_offset_minutes = 0;  // of the dealership's zone at `date`
};

/// What SMTP needs besides the bytes: the bounce address and the recipients.
struct Envelope {
    std::string mail_from;
    std::vector<std::string> rcpt_to;
};

}  // namespace relais::mail
