#include "message_channel.hpp"

#include "text.hpp"

namespace relais {

OutboxFailure channel_missing(Channel kind) {
    switch (kind) {
        case Channel::sms: return {"no_modem", {}, "no modem"};
        case Channel::email: return {"no_mail_transport", {}, "no mail transport"};
    }
    return {"internal_error", {}, "no channel for this message"};
}

OutboxFailure internal_failure(std::string_view what) {
    return {"internal_error", {}, "internal error: " + escape_untrusted(what, 300)};
}

}  // namespace relais
