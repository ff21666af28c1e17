#include "pdu.hpp"

#include "civil_time.hpp"
#include "gsm_alphabet.hpp"
#include "septets.hpp"
#include "text.hpp"

#include <span>

namespace relais::modem {
namespace {

Error pdu_error(const char* code, std::string detail) {
    Error e = make_error(ErrorKind::invalid, code, {{"detail", detail}});
    e.detail = std::move(detail);
    return e;
}

class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> data) : data_(data) {}
    bool has(std::size_t n) const { return pos_ + n <= data_.size(); }
    std::uint8_t byte() { return data_[pos_++]; }
    std::span<const std::uint8_t> take(std::size_t n) {
        auto s = data_.subspan(pos_, n);
        pos_ += n;
        return s;
    }
    std::span<const std::uint8_t> rest() const { return data_.subspan(pos_); }
    std::size_t pos() const { return pos_; }

private:
    std::span<const std::uint8_t> data_;
    std::size_t pos_ = 0;
};

int nibble_of(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    switch (c) {
        case '*': return 0xA;
        case '#': return 0xB;
        case 'a':
        case 'A': return 0xC;
        case 'b':
        case 'B': return 0xD;
        case 'c':
        case 'C': return 0xE;
        default: return -1;
    }
}

char char_of(int nibble) {
    static constexpr char chars[] = "0123456789*#abc";
    return nibble < 15 ? chars[nibble] : '\0';
}

std::vector<std::uint8_t> bcd(std::string_view digits) {
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i < digits.size(); i += 2) {
        const int lo = nibble_of(digits[i]);
        const int hi = i + 1 < digits.size() ? nibble_of(digits[i + 1]) : 0xF;
        out.push_back(static_cast<std::uint8_t>(((hi < 0 ? 0xF : hi) << 4) | (lo < 0 ? 0 : lo)));
    }
    return out;
}

std::string digits_of(std::span<const std::uint8_t> octets, std::size_t count) {
    std::string out;
    for (std::size_t i = 0; i < count; ++i) {
        const std::uint8_t o = octets[i / 2];
        const int n = i % 2 ? o >> 4 : o & 0x0F;
        if (n == 0xF) break;
        out += char_of(n);
    }
    return out;
}

std::string phone_digits(const std::string& value) {
    std::string out;
    for (char c : value) {
        if (nibble_of(c) >= 0) out += c;
    }
    return out;
}

// TP-OA / TP-DA / TP-RA: the length counts useful semi-octets.
void write_address(std::vector<std::uint8_t>& w, const Address& a) {
    if (a.alphanumeric) {
        std::vector<std::uint8_t> septets;
        for (char32_t c : utf8_to_utf32(a.value)) {
            auto s = gsm_septets(c);
            if (!s) s = gsm_septets(U'?');
            septets.insert(septets.end(), s->begin(), s->end());
        }
        const auto packed = pack_septets(septets);
        w.push_back(static_cast<std::uint8_t>((septets.size() * 7 + 3) / 4));
        w.push_back(0xD0);  // alphanumeric, GSM 7-bit
        w.insert(w.end(), packed.begin(), packed.end());
        return;
    }
    const std::string digits = phone_digits(a.value);
    w.push_back(static_cast<std::uint8_t>(digits.size()));
    w.push_back(!a.value.empty() && a.value[0] == '+' ? 0x91 : 0x81);
    const auto b = bcd(digits);
    w.insert(w.end(), b.begin(), b.end());
}

Result<Address> read_address(Reader& r) {
    if (!r.has(2)) return pdu_error("pdu_truncated", "address");
    const std::size_t semi_octets = r.byte();
    const std::uint8_t type = r.byte();
    const std::size_t octets = (semi_octets + 1) / 2;
    if (!r.has(octets)) return pdu_error("pdu_truncated", "address digits");
    const auto data = r.take(octets);
    Address a;
    const int ton = (type >> 4) & 0x07;
    if (ton == 5) {
        a.alphanumeric = true;
        a.value = gsm_decode(unpack_septets(data, semi_octets * 4 / 7));
    } else {
        a.value = (ton == 1 ? "+" : "") + digits_of(data, semi_octets);
    }
    return a;
}

// The SMSC part (TS 27.005 §3.1): its length counts octets, the type octet included.
void write_smsc(std::vector<std::uint8_t>& w, const Address& a) {
    const std::string digits = phone_digits(a.value);
    if (digits.empty()) {
        w.push_back(0);
        return;
    }
    const auto b = bcd(digits);
    w.push_back(static_cast<std::uint8_t>(1 + b.size()));
    w.push_back(a.value[0] == '+' ? 0x91 : 0x81);
    w.insert(w.end(), b.begin(), b.end());
}

Result<Address> read_smsc(Reader& r) {
    if (!r.has(1)) return pdu_error("pdu_truncated", "SMSC length");
    const std::size_t length = r.byte();
    Address a;
    if (length == 0) return a;
    if (!r.has(length)) return pdu_error("pdu_truncated", "SMSC address");
    const std::uint8_t type = r.byte();
    const auto data = r.take(length - 1);
    a.value = (((type >> 4) & 7) == 1 ? "+" : "") + digits_of(data, data.size() * 2);
    return a;
}

std::uint8_t swapped(int v) { return static_cast<std::uint8_t>(((v % 10) << 4) | ((v / 10) % 10)); }
// A semi-octet that is not a digit reads as 0 (TS 23.040 §9.2.3.11 leaves it to the receiver).
int digit(int nibble) { return nibble <= 9 ? nibble : 0; }
int unswapped(std::uint8_t o) { return digit(o & 0x0F) * 10 + digit(o >> 4); }

void write_timestamp(std::vector<std::uint8_t>& w, const Timestamp& t) {
    w.push_back(swapped(t.year % 100));
    w.push_back(swapped(t.month));
    w.push_back(swapped(t.day));
    w.push_back(swapped(t.hour));
    w.push_back(swapped(t.minute));
    w.push_back(swapped(t.second));
    const int q = t.tz_quarters < 0 ? -t.tz_quarters : t.tz_quarters;
    w.push_back(static_cast<std::uint8_t>(((q % 10) << 4) | ((q / 10) & 0x07) | (t.tz_quarters < 0 ? 0x08 : 0)));
}

Result<Timestamp> read_timestamp(Reader& r) {
    if (!r.has(7)) return pdu_error("pdu_truncated", "time stamp");
    Timestamp t;
    const int yy = unswapped(r.byte());
    t.year = yy >= 80 ? 1900 + yy : 2000 + yy;  // two digits: 1980-2079
    t.month = unswapped(r.byte());
    t.day = unswapped(r.byte());
    t.hour = unswapped(r.byte());
    t.minute = unswapped(r.byte());
    t.second = unswapped(r.byte());
    const std::uint8_t tz = r.byte();
    const int q = (tz & 0x07) * 10 + digit(tz >> 4);
    t.tz_quarters = (tz & 0x08) ? -q : q;
    return t;
}

// TS 23.038 §4: which alphabet a data coding scheme means; nullopt for compressed text.
std::optional<Alphabet> alphabet_of(std::uint8_t dcs) {
    if ((dcs & 0xC0) == 0x00 || (dcs & 0xC0) == 0x40) {  // general data coding (and auto-deletion)
        if (dcs & 0x20) return std::nullopt;             // compressed
        switch ((dcs >> 2) & 0x03) {
            case 1: return Alphabet::eight_bit;
            case 2: return Alphabet::ucs2;
            default: return Alphabet::gsm7;
        }
    }
    if ((dcs & 0xF0) == 0xE0) return Alphabet::ucs2;  // message waiting, UCS-2
    if ((dcs & 0xF0) == 0xF0) return (dcs & 0x04) ? Alphabet::eight_bit : Alphabet::gsm7;
    return Alphabet::gsm7;  // message waiting, reserved groups
}

std::uint8_t dcs_of(Alphabet a) {
    switch (a) {
        case Alphabet::gsm7: return 0x00;
        case Alphabet::eight_bit: return 0x04;
        case Alphabet::ucs2: return 0x08;
    }
    return 0x00;
}

std::vector<std::uint8_t> header_of(const UserData& ud) {
    if (!ud.concat) return {};
    const Concat& c = *ud.concat;
    if (c.reference <= 0xFF) {
        return {0x05,
                0x00,
                0x03,
                static_cast<std::uint8_t>(c.reference),
                static_cast<std::uint8_t>(c.total),
                static_cast<std::uint8_t>(c.sequence)};
    }
    return {0x06,
            0x08,
            0x04,
            static_cast<std::uint8_t>(c.reference >> 8),
            static_cast<std::uint8_t>(c.reference & 0xFF),
            static_cast<std::uint8_t>(c.total),
            static_cast<std::uint8_t>(c.sequence)};
}

// TP-UDL then TP-UD.
void write_user_data(std::vector<std::uint8_t>& w, const UserData& ud) {
    const auto header = header_of(ud);
    if (ud.alphabet == Alphabet::gsm7) {
        const int fill = header.empty() ? 0 : static_cast<int>((7 - (header.size() * 8) % 7) % 7);
        const auto packed = pack_septets(ud.payload, fill);
        w.push_back(
            static_cast<std::uint8_t>((header.size() * 8 + static_cast<std::size_t>(fill)) / 7 + ud.payload.size()));
        w.insert(w.end(), header.begin(), header.end());
        w.insert(w.end(), packed.begin(), packed.end());
    } else {
        w.push_back(static_cast<std::uint8_t>(header.size() + ud.payload.size()));
        w.insert(w.end(), header.begin(), header.end());
        w.insert(w.end(), ud.payload.begin(), ud.payload.end());
    }
}

Result<UserData> read_user_data(Reader& r, std::uint8_t dcs, bool has_header) {
    const auto alphabet = alphabet_of(dcs);
    if (!alphabet) return pdu_error("pdu_unsupported", "compressed text (DCS " + std::to_string(dcs) + ")");
    if (!r.has(1)) return pdu_error("pdu_truncated", "user data length");
    const std::size_t udl = r.byte();
    const std::size_t octets = *alphabet == Alphabet::gsm7 ? (udl * 7 + 7) / 8 : udl;
    if (!r.has(octets)) return pdu_error("pdu_truncated", "user data");
    const auto ud = r.take(octets);
    UserData out;
    out.alphabet = *alphabet;
    std::size_t header_octets = 0;
    if (has_header) {
        if (ud.empty()) return pdu_error("pdu_truncated", "user data header");
        header_octets = 1 + ud[0];
        if (header_octets > ud.size()) return pdu_error("pdu_truncated", "user data header");
        std::size_t i = 1;
        while (i + 1 < header_octets) {
            const std::uint8_t id = ud[i];
            const std::size_t len = ud[i + 1];
            if (i + 2 + len > header_octets) break;
            const auto v = ud.subspan(i + 2, len);
            if (id == 0x00 && len == 3) out.concat = Concat{v[0], v[1], v[2]};
            if (id == 0x08 && len == 4) out.concat = Concat{(v[0] << 8) | v[1], v[2], v[3]};
            i += 2 + len;
        }
    }
    if (*alphabet == Alphabet::gsm7) {
        const std::size_t header_bits = header_octets * 8;
        const std::size_t header_septets = (header_bits + 6) / 7;
        const int fill = static_cast<int>(header_septets * 7 - header_bits);
        const std::size_t count = udl > header_septets ? udl - header_septets : 0;
        out.payload = unpack_septets(ud.subspan(header_octets), count, fill);
    } else {
        out.payload.assign(ud.begin() + static_cast<std::ptrdiff_t>(header_octets), ud.end());
    }
    return out;
}

std::vector<std::uint8_t> encode_tpdu(const SmsSubmit& s) {
    std::vector<std::uint8_t> w;
    std::uint8_t fo = 0x01;
    if (s.validity_minutes) fo |= 0x10;
    if (s.status_report_request) fo |= 0x20;
    if (s.user_data.concat) fo |= 0x40;
    w.push_back(fo);
    w.push_back(static_cast<std::uint8_t>(s.message_reference));
    write_address(w, s.destination);
    w.push_back(static_cast<std::uint8_t>(s.protocol_id));
    w.push_back(dcs_of(s.user_data.alphabet));
    if (s.validity_minutes) w.push_back(encode_validity(*s.validity_minutes));
    write_user_data(w, s.user_data);
    return w;
}

std::vector<std::uint8_t> encode_tpdu(const SmsDeliver& d) {
    std::vector<std::uint8_t> w;
    std::uint8_t fo = 0x00;
    if (!d.more_messages) fo |= 0x04;  // TP-MMS set: no more messages waiting
    if (d.user_data.concat) fo |= 0x40;
    w.push_back(fo);
    write_address(w, d.originator);
    w.push_back(static_cast<std::uint8_t>(d.protocol_id));
    w.push_back(dcs_of(d.user_data.alphabet));
    write_timestamp(w, d.service_centre_time);
    write_user_data(w, d.user_data);
    return w;
}

std::vector<std::uint8_t> encode_tpdu(const SmsStatusReport& s) {
    std::vector<std::uint8_t> w;
    w.push_back(0x06);  // STATUS-REPORT, no more messages
    w.push_back(static_cast<std::uint8_t>(s.message_reference));
    write_address(w, s.recipient);
    write_timestamp(w, s.service_centre_time);
    write_timestamp(w, s.discharge_time);
    w.push_back(s.status);
    return w;
}

}  // namespace

UnixMs Timestamp::to_unix() const {
    return utc_of({year, month, day, hour, minute, second}) - tz_quarters * 15LL * 60 * 1000;
}

Timestamp Timestamp::from_unix(UnixMs t, int tz_quarters) {
    const CivilTime c = civil_from_utc(t + tz_quarters * 15LL * 60 * 1000);
    Timestamp ts;
    ts.year = c.year;
    ts.month = c.month;
    ts.day = c.day;
    ts.hour = c.hour;
    ts.minute = c.minute;
    ts.second = c.second;
    ts.tz_quarters = tz_quarters;
    return ts;
}

std::string text_of(const UserData& ud) {
    switch (ud.alphabet) {
        case Alphabet::gsm7: return gsm_decode(ud.payload);
        case Alphabet::eight_bit: {
            std::string out;
            for (std::uint8_t b : ud.payload) append_utf8(out, static_cast<char32_t>(b));
            return out;
        }
        case Alphabet::ucs2: {
            std::string out;
            for (std::size_t i = 0; i + 1 < ud.payload.size(); i += 2) {
                const std::uint32_t u = (static_cast<std::uint32_t>(ud.payload[i]) << 8) | ud.payload[i + 1];
                if (u >= 0xD800 && u <= 0xDBFF && i + 3 < ud.payload.size()) {
                    const std::uint32_t lo = (static_cast<std::uint32_t>(ud.payload[i + 2]) << 8) | ud.payload[i + 3];
                    if (lo >= 0xDC00 && lo <= 0xDFFF) {
                        append_utf8(out, static_cast<char32_t>(0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)));
                        i += 2;
                        continue;
                    }
                }
                append_utf8(out, (u >= 0xD800 && u <= 0xDFFF) ? U'\uFFFD' : static_cast<char32_t>(u));
            }
            return out;
        }
    }
    return {};
}

std::string_view to_string(DeliveryState s) {
    switch (s) {
        case DeliveryState::delivered: return "delivered";
        case DeliveryState::pending: return "pending";
        case DeliveryState::failed: return "failed";
    }
    return "failed";
}

DeliveryState SmsStatusReport::state() const {
    if (status <= 0x1F) return DeliveryState::delivered;
    if (status <= 0x3F) return DeliveryState::pending;
    return DeliveryState::failed;
}

std::uint8_t encode_validity(int minutes) {
    if (minutes <= 5) return 0;
    if (minutes <= 12 * 60) return static_cast<std::uint8_t>((minutes + 4) / 5 - 1);
    if (minutes <= 24 * 60) return static_cast<std::uint8_t>(143 + (minutes - 12 * 60 + 29) / 30);
    const int days = (minutes + 24 * 60 - 1) / (24 * 60);
    if (days <= 30) return static_cast<std::uint8_t>(166 + days);
    const int weeks = (days + 6) / 7;
    return static_cast<std::uint8_t>(192 + std::min(weeks, 63));
}

int decode_validity(std::uint8_t vp) {
    if (vp <= 143) return (vp + 1) * 5;
    if (vp <= 167) return 12 * 60 + (vp - 143) * 30;
    if (vp <= 196) return (vp - 166) * 24 * 60;
    return (vp - 192) * 7 * 24 * 60;
}

std::string to_hex(const std::vector<std::uint8_t>& bytes) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (std::uint8_t b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 0x0F];
    }
    return out;
}

std::optional<std::vector<std::uint8_t>> from_hex(std::string_view hex) {
    if (hex.size() % 2) return std::nullopt;
    std::vector<std::uint8_t> out;
    out.reserve(hex.size() / 2);
    const auto value = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int hi = value(hex[i]);
        const int lo = value(hex[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
    }
    return out;
}

EncodedPdu encode_pdu(const Tpdu& tpdu, const Address& smsc) {
    std::vector<std::uint8_t> w;
    write_smsc(w, smsc);
    const std::size_t smsc_octets = w.size();
    const auto t = std::visit([](const auto& p) { return encode_tpdu(p); }, tpdu);
    w.insert(w.end(), t.begin(), t.end());
    return EncodedPdu{to_hex(w), static_cast<int>(w.size() - smsc_octets)};
}

Result<DecodedPdu> decode_pdu(std::string_view hex, Direction direction, std::optional<int> tpdu_octets) {
    auto bytes = from_hex(hex);
    if (!bytes) return pdu_error("pdu_hex", "not an even number of hexadecimal digits");
    Reader r(*bytes);
    DecodedPdu out;
    if (!tpdu_octets || static_cast<std::size_t>(*tpdu_octets) != bytes->size()) {
        TRY_ASSIGN(out.smsc, read_smsc(r));
    }
    if (!r.has(1)) return pdu_error("pdu_truncated", "first octet");
    const std::uint8_t fo = r.byte();
    const int mti = fo & 0x03;
    const bool udhi = fo & 0x40;
    if (direction == Direction::to_network && mti == 1) {
        SmsSubmit s;
        s.status_report_request = fo & 0x20;
        if (!r.has(1)) return pdu_error("pdu_truncated", "message reference");
        s.message_reference = r.byte();
        TRY_ASSIGN(s.destination, read_address(r));
        if (!r.has(2)) return pdu_error("pdu_truncated", "protocol and coding");
        s.protocol_id = r.byte();
        s.dcs = r.byte();
        const int vpf = (fo >> 3) & 0x03;
        if (vpf == 2) {
            if (!r.has(1)) return pdu_error("pdu_truncated", "validity");
            s.validity_minutes = decode_validity(r.byte());
        } else if (vpf != 0) {
            if (!r.has(7)) return pdu_error("pdu_truncated", "validity");
            r.take(7);  // absolute or enhanced validity: kept by the network, not needed here
        }
        TRY_ASSIGN(s.user_data, read_user_data(r, s.dcs, udhi));
        out.tpdu = std::move(s);
        return out;
    }
    if (direction == Direction::from_network && mti == 0) {
        SmsDeliver d;
        d.more_messages = !(fo & 0x04);
        TRY_ASSIGN(d.originator, read_address(r));
        if (!r.has(2)) return pdu_error("pdu_truncated", "protocol and coding");
        d.protocol_id = r.byte();
        d.dcs = r.byte();
        TRY_ASSIGN(d.service_centre_time, read_timestamp(r));
        TRY_ASSIGN(d.user_data, read_user_data(r, d.dcs, udhi));
        out.tpdu = std::move(d);
        return out;
    }
    if (direction == Direction::from_network && mti == 2) {
        SmsStatusReport s;
        if (!r.has(1)) return pdu_error("pdu_truncated", "message reference");
        s.message_reference = r.byte();
        TRY_ASSIGN(s.recipient, read_address(r));
        TRY_ASSIGN(s.service_centre_time, read_timestamp(r));
        TRY_ASSIGN(s.discharge_time, read_timestamp(r));
        if (!r.has(1)) return pdu_error("pdu_truncated", "status");
        s.status = r.byte();
        out.tpdu = std::move(s);
        return out;
    }
    return pdu_error("pdu_unsupported", "message type " + std::to_string(mti));
}

std::vector<EncodedPdu> encode_submit(const Address& to, const SmsText& text, const SubmitOptions& options) {
    std::vector<EncodedPdu> out;
    for (std::size_t i = 0; i < text.parts.size(); ++i) {
        SmsSubmit s;
        s.destination = to;
        s.status_report_request = options.status_report;
        s.validity_minutes = options.validity_minutes;
        s.user_data.alphabet = text.encoding == SmsEncoding::gsm7 ? Alphabet::gsm7 : Alphabet::ucs2;
        s.user_data.payload = text.parts[i];
        if (text.parts.size() > 1) {
            s.user_data.concat =
                Concat{options.concat_reference & 0xFF, static_cast<int>(text.parts.size()), static_cast<int>(i) + 1};
        }
        out.push_back(encode_pdu(s));
    }
    return out;
}

std::vector<EncodedPdu> encode_deliver(const Address& from, const SmsText& text, const Timestamp& sent,
                                       int concat_reference, const Address& smsc) {
    std::vector<EncodedPdu> out;
    for (std::size_t i = 0; i < text.parts.size(); ++i) {
        SmsDeliver d;
        d.originator = from;
        d.service_centre_time = sent;
        d.user_data.alphabet = text.encoding == SmsEncoding::gsm7 ? Alphabet::gsm7 : Alphabet::ucs2;
        d.user_data.payload = text.parts[i];
        if (text.parts.size() > 1) {
            d.user_data.concat =
                Concat{concat_reference & 0xFF, static_cast<int>(text.parts.size()), static_cast<int>(i) + 1};
        }
        out.push_back(encode_pdu(d, smsc));
    }
    return out;
}

}  // namespace relais::modem
