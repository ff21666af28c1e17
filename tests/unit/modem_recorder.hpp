#pragma once
// Records what a modem session reports (statuses, send outcomes, inbound SMS, delivery
// reports), for the unit tests against the fake modem and the integration tests against
// firmware-bridge. `keep` is what on_inbound answers (false: the message stays on the modem).

#include "modem_session.hpp"

#include <vector>

namespace relais::test {

struct ModemRecorder : modem::ModemEvents {
    std::vector<modem::ModemStatus> statuses;
    std::vector<modem::SendOutcome> sent;
    std::vector<modem::InboundSms> inbound;
    std::vector<modem::DeliveryReport> reports;
    bool keep = true;

    void on_status(const modem::ModemStatus& s) override { statuses.push_back(s); }
    void on_sent(const modem::SendOutcome& o) override { sent.push_back(o); }
    bool on_inbound(const modem::InboundSms& m) override {
        inbound.push_back(m);
        return keep;
    }
    void on_delivery(const modem::DeliveryReport& d) override { reports.push_back(d); }
};

}  // namespace relais::test
