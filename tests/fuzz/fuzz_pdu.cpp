// libFuzzer target: the PDU decoder must never crash, hang or read out of bounds on what a
// modem or the network sends. Input: hex text as a modem would give it (the seed corpus holds
// the published vectors of tests/unit/test_sms_codec.cpp).
#include "pdu.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace relais::modem;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string hex(reinterpret_cast<const char*>(data), size);
    for (Direction d : {Direction::from_network, Direction::to_network}) {
        auto decoded = decode_pdu(hex, d);
        if (decoded) {
            // Whatever decodes must also render and re-encode without trouble.
            if (auto* deliver = std::get_if<SmsDeliver>(&decoded->tpdu)) {
                (void)text_of(deliver->user_data);
                (void)encode_pdu(*deliver, decoded->smsc);
            } else if (auto* submit = std::get_if<SmsSubmit>(&decoded->tpdu)) {
                (void)text_of(submit->user_data);
                (void)encode_pdu(*submit, decoded->smsc);
            } else if (auto* report = std::get_if<SmsStatusReport>(&decoded->tpdu)) {
                (void)report->state();
                (void)report->discharge_time.to_unix();
            }
        }
        // The announced length may be anything a modem says.
        (void)decode_pdu(hex, d, static_cast<int>(size / 2));
    }
    return 0;
}
