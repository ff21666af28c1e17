#pragma once
// SMS TPDUs in PDU mode (3GPP TS 23.040 §9.2; TS 27.005 for the SMSC prefix): SMS-SUBMIT
// (phone → network), SMS-DELIVER and SMS-STATUS-REPORT (network → phone), each encoded and
// decoded, so the driver and the emulated modem share one codec. Pure functions.

#include "clock.hpp"
#include "result.hpp"
#include "sms_text.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace relais::modem {

/// A phone number ("+33612345678" international, "0612345678" otherwise) or an
/// alphanumeric sender ("Orange").
struct Address {
    std::string value;
    bool alphanumeric = false;
    bool operator==(const Address&) const = default;
};

/// Service-centre time stamps: local time with the offset in quarters of an hour.
struct Timestamp {
    int year = 2000, month = 1, day = 1, hour = 0, minute = 0, second = 0;
    int tz_quarters = 0;
    UnixMs to_unix() const;
    static Timestamp from_unix(UnixMs t, int tz_quarters);
    bool operator==(const Timestamp&) const = default;
};

struct Concat {
    int reference = 0;  // 0-255 (8-bit IE) or 0-65535 (16-bit IE)
    int total = 1;
    int sequence = 1;
    bool operator==(const Concat&) const = default;
};

enum class Alphabet { gsm7, eight_bit, ucs2 };

struct UserData {
    Alphabet alphabet = Alphabet::gsm7;
    std::optional<Concat> concat;
    /// Septets (gsm7), UTF-16BE octets (ucs2) or octets (eight_bit), without the header.
    std::vector<std::uint8_t> payload;
};

/// The text of user data as UTF-8; 8-bit data as Latin-1 (how phones show it).
std::string text_of(const UserData& ud);

struct SmsSubmit {
    int message_reference = 0;  // 0: the modem assigns it
    Address destination;
    bool status_report_request = true;
    std::optional<int> validity_minutes;  // relative validity; nullopt: none
    int protocol_id = 0;
    std::uint8_t dcs = 0;
    UserData user_data;
};

struct SmsDeliver {
    Address originator;
    int protocol_id = 0;
    std::uint8_t dcs = 0;
    Timestamp service_centre_time;
    bool more_messages = false;
    UserData user_data;
};

enum class DeliveryState { delivered, pending, failed };
std::string_view to_string(DeliveryState s);

struct SmsStatusReport {
    int message_reference = 0;
    Address recipient;
    Timestamp service_centre_time;
    Timestamp discharge_time;
    std::uint8_t status = 0;  // TS 23.040 §9.2.3.15
    /// 0x00-0x1F completed; 0x20-0x3F the centre is still trying; anything else failed.
    DeliveryState state() const;
};

using Tpdu = std::variant<SmsSubmit, SmsDeliver, SmsStatusReport>;

struct EncodedPdu {
    std::string hex;      // with the SMSC address first ("00": the SIM's default)
    int tpdu_octets = 0;  // what AT+CMGS=<length> wants: the octets after the SMSC part
};

/// `smsc` empty: "00", the SIM's service centre.
EncodedPdu encode_pdu(const Tpdu& tpdu, const Address& smsc = {});

/// Which way a PDU travels decides how its message type is read (TS 23.040 §9.2.3.1).
enum class Direction { to_network, from_network };

struct DecodedPdu {
    Address smsc;
    Tpdu tpdu;
};

/// Errors: "pdu_hex" (not hex), "pdu_truncated", "pdu_unsupported" (e.g. compressed text,
/// a SUBMIT-REPORT), each with a "detail" parameter. `tpdu_octets`, when the modem announced
/// it (+CMGR, +CMT, +CDS), tells a PDU that comes without the SMSC part from one with it.
Result<DecodedPdu> decode_pdu(std::string_view hex, Direction direction, std::optional<int> tpdu_octets = std::nullopt);

struct SubmitOptions {
    bool status_report = true;
    std::optional<int> validity_minutes = 3 * 24 * 60;
    int concat_reference = 0;  // shared by the parts of one text (8-bit, 0-255)
};

/// One SMS-SUBMIT per part of `text` to `to`, with the concatenation header when several.
std::vector<EncodedPdu> encode_submit(const Address& to, const SmsText& text, const SubmitOptions& options);

/// One SMS-DELIVER per part (the emulated modem's inbound messages).
std::vector<EncodedPdu> encode_deliver(const Address& from, const SmsText& text, const Timestamp& sent,
                                       int concat_reference, const Address& smsc);

/// Relative validity period octet (TS 23.040 §9.2.3.12.1) and back, in minutes.
std::uint8_t encode_validity(int minutes);
int decode_validity(std::uint8_t vp);

std::string to_hex(const std::vector<std::uint8_t>& bytes);
std::optional<std::vector<std::uint8_t>> from_hex(std::string_view hex);

}  // namespace relais::modem
