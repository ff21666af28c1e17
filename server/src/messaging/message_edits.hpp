#pragma once
// An advisor's wording of one send of an offer (the send dialog), over the message templates in
// force (message_templates.hpp); the templates stay as they are. Plain data, kept on the offer
// so that a resend says the same.

#include <optional>
#include <string>

namespace relais {

struct MessageEdits {
    std::optional<std::string> sms;            // the offer SMS (with or without SMS replies)
    std::optional<std::string> email_subject;  // the offer email's subject
    std::optional<std::string> email_body;     // its body, whatever the number of items
    bool empty() const { return !sms && !email_subject && !email_body; }
};

}  // namespace relais
