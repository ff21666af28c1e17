// The SMS codec: GSM 7-bit alphabet and packing, UCS-2, splitting into parts, and the PDUs
// of TS 23.040. Vectors marked "published" are the widely reproduced examples of the
// SMS PDU format (SMS-SUBMIT to +46708251358 and SMS-DELIVER from 27838890001, "hellohello").
#include "gsm_alphabet.hpp"
#include "pdu.hpp"
#include "septets.hpp"
#include "sms_text.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace relais;
using namespace relais::modem;

namespace {

std::vector<std::uint8_t> septets_of(const std::string& ascii) {
    std::vector<std::uint8_t> out;
    for (char c : ascii) out.push_back(gsm_septets(static_cast<unsigned char>(c))->front());
    return out;
}

template <class T>
const T& as(const DecodedPdu& d) {
    REQUIRE(std::holds_alternative<T>(d.tpdu));
    return std::get<T>(d.tpdu);
}

}  // namespace

TEST_CASE("7-bit packing: the published 'hellohello'") {
    const auto packed = pack_septets(septets_of("hellohello"));
    CHECK(to_hex(packed) == "E8329BFD4697D9EC37");
    CHECK(gsm_decode(unpack_septets(packed, 10)) == "hellohello");
}

TEST_CASE("7-bit packing with fill bits round-trips for every offset") {
    const auto septets = septets_of("The quick brown fox 0123456789");
    for (int fill = 0; fill < 7; ++fill) {
        const auto packed = pack_septets(septets, fill);
        CHECK(packed.size() == (static_cast<std::size_t>(fill) + septets.size() * 7 + 7) / 8);
        CHECK(unpack_septets(packed, septets.size(), fill) == septets);
    }
    // 8 septets fill exactly 7 octets.
    CHECK(pack_septets(septets_of("12345678")).size() == 7);
}

TEST_CASE("GSM alphabet: default table, extension table, and what it lacks") {
    CHECK(*gsm_septets(U'@') == std::vector<std::uint8_t>{0x00});
    CHECK(*gsm_septets(U'é') == std::vector<std::uint8_t>{0x05});
    CHECK(*gsm_septets(U'Ç') == std::vector<std::uint8_t>{0x09});
    CHECK(*gsm_septets(U'Δ') == std::vector<std::uint8_t>{0x10});
    CHECK(*gsm_septets(U'à') == std::vector<std::uint8_t>{0x7F});
    CHECK(*gsm_septets(U'€') == std::vector<std::uint8_t>{0x1B, 0x65});
    CHECK(*gsm_septets(U'[') == std::vector<std::uint8_t>{0x1B, 0x3C});
    CHECK(*gsm_septets(U'\\') == std::vector<std::uint8_t>{0x1B, 0x2F});
    for (char32_t c : {U'ç', U'ê', U'â', U'œ', U'`', U'😀'}) CHECK_FALSE(gsm_septets(c).has_value());
    CHECK(gsm_decode(std::vector<std::uint8_t>{0x1B, 0x65, 0x1B, 0x28, 0x1B, 0x29}) == "€{}");
    // An escape before a code the extension table lacks shows the default character.
    CHECK(gsm_decode(std::vector<std::uint8_t>{0x1B, 0x41}) == "A");
}

TEST_CASE("text is never silently changed: accents outside GSM go as UCS-2") {
    for (const char* text : {"prêt", "ça", "pâte", "Votre véhicule est prêt à 18h, ça coûte 45 €"}) {
        auto sms = prepare_sms(text);
        REQUIRE(sms.ok());
        CAPTURE(text);
        CHECK(sms->encoding == SmsEncoding::ucs2);
        CHECK(sms->text == text);
        CHECK_FALSE(sms->transliterated);
    }
    auto gsm = prepare_sms("Votre véhicule est à récupérer, 45 € TTC");
    CHECK(gsm->encoding == SmsEncoding::gsm7);
    CHECK(gsm->units == 41);  // 40 characters, € costs two septets
    CHECK(gsm->characters == 40);
}

TEST_CASE("transliteration is an explicit option") {
    auto sms = prepare_sms("prêt, ça, pâte, œuf « ok » – fin…", Transliteration::to_gsm7);
    REQUIRE(sms.ok());
    CHECK(sms->encoding == SmsEncoding::gsm7);
    CHECK(sms->text == "pret, ca, pate, oeuf \" ok \" - fin...");
    CHECK(sms->transliterated);
    CHECK(transliterate_to_gsm7("à é ñ") == "à é ñ");  // already GSM: unchanged
    CHECK(transliterate_to_gsm7("日本") == "??");
}

TEST_CASE("parts: 160 / 153 septets, 70 / 67 UCS-2 units") {
    CHECK(prepare_sms(std::string(160, 'a'))->parts.size() == 1);
    auto two = prepare_sms(std::string(161, 'a'));
    REQUIRE(two->parts.size() == 2);
    CHECK(two->parts[0].size() == 153);
    CHECK(two->parts[1].size() == 8);
    CHECK(prepare_sms(std::string(459, 'a'))->parts.size() == 3);
    CHECK(prepare_sms(std::string(460, 'a'))->parts.size() == 4);

    std::string e70;
    for (int i = 0; i < 70; ++i) e70 += "ê";
    CHECK(prepare_sms(e70)->parts.size() == 1);
    auto u71 = prepare_sms(e70 + "ê");
    REQUIRE(u71->parts.size() == 2);
    CHECK(u71->parts[0].size() == 67 * 2);
    CHECK(u71->parts[1].size() == 4 * 2);
}

TEST_CASE("parts never split an escape pair or a surrogate pair") {
    auto euro = prepare_sms(std::string(152, 'a') + "€" + std::string(10, 'b'));
    REQUIRE(euro->parts.size() == 2);
    CHECK(euro->parts[0].size() == 152);  // € would straddle the 153rd septet: it moves on
    CHECK(euro->parts[1][0] == 0x1B);
    CHECK(euro->parts[1][1] == 0x65);

    std::string text;
    for (int i = 0; i < 66; ++i) text += "ê";
    text += "😀 à demain";
    auto emoji = prepare_sms(text);
    REQUIRE(emoji->parts.size() == 2);
    CHECK(emoji->parts[0].size() == 66 * 2);
    CHECK(emoji->parts[1][0] == 0xD8);  // the high surrogate starts part 2
    CHECK(emoji->parts[1][1] == 0x3D);
    CHECK(emoji->units == 66 + 2 + 9);
}

TEST_CASE("prepare_sms refuses empty, invalid and absurdly long texts") {
    CHECK(prepare_sms("").error().code == "sms_empty");
    CHECK(prepare_sms("\xC3").error().code == "sms_invalid_utf8");
    CHECK(prepare_sms(std::string(153 * 256, 'a')).error().code == "sms_too_long");
}

TEST_CASE("SMS-SUBMIT: the published example, byte for byte") {
    auto sms = prepare_sms("hellohello");
    SubmitOptions o;
    o.status_report = false;
    o.validity_minutes = 4 * 24 * 60;
    const auto pdus = encode_submit(Address{"+46708251358"}, *sms, o);
    REQUIRE(pdus.size() == 1);
    CHECK(pdus[0].hex == "0011000B916407281553F80000AA0AE8329BFD4697D9EC37");
    CHECK(pdus[0].tpdu_octets == 23);
}

TEST_CASE("SMS-DELIVER: the published example decoded") {
    auto d =
        decode_pdu("07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37", Direction::from_network);
    REQUIRE(d.ok());
    CHECK(d->smsc.value == "+27381000015");
    const auto& deliver = as<SmsDeliver>(*d);
    CHECK(deliver.originator.value == "27838890001");
    CHECK(deliver.service_centre_time == Timestamp{1999, 3, 29, 15, 16, 59, 8});
    CHECK(deliver.service_centre_time.to_unix() == 922713419000LL);  // 13:16:59 UTC
    CHECK(text_of(deliver.user_data) == "hellohello");
    CHECK_FALSE(deliver.more_messages);
}

TEST_CASE("SMS-SUBMIT with status report and concatenation round-trips") {
    std::string text;
    for (int i = 0; i < 40; ++i) text += "Pièce " + std::to_string(i) + " € ";
    auto sms = prepare_sms(text);
    REQUIRE(sms->encoding == SmsEncoding::gsm7);
    SubmitOptions o;
    o.concat_reference = 0x42;
    const auto pdus = encode_submit(Address{"+33612345678"}, *sms, o);
    REQUIRE(pdus.size() == sms->parts.size());
    REQUIRE(pdus.size() > 1);
    std::string joined;
    for (std::size_t i = 0; i < pdus.size(); ++i) {
        auto d = decode_pdu(pdus[i].hex, Direction::to_network);
        REQUIRE(d.ok());
        const auto& s = as<SmsSubmit>(*d);
        CHECK(s.destination.value == "+33612345678");
        CHECK(s.status_report_request);
        CHECK(s.validity_minutes == 3 * 24 * 60);
        REQUIRE(s.user_data.concat);
        CHECK(*s.user_data.concat == Concat{0x42, static_cast<int>(pdus.size()), static_cast<int>(i) + 1});
        joined += text_of(s.user_data);
        CHECK(pdus[i].tpdu_octets * 2 + 2 == static_cast<int>(pdus[i].hex.size()));
    }
    CHECK(joined == text);
    // First part: SRR + VPF relative + UDHI, and 160 septets of user data (7 for the header).
    CHECK(pdus[0].hex.substr(0, 4) == "0071");
}

TEST_CASE("UCS-2 with an emoji round-trips through SUBMIT and DELIVER") {
    const std::string text = "Bonjour Hélène, votre Clio est prête 🚗 — à tout à l'heure ! ça roule ?";
    auto sms = prepare_sms(text);
    REQUIRE(sms->encoding == SmsEncoding::ucs2);
    REQUIRE(sms->parts.size() == 2);  // more than 70 UTF-16 units
    std::string joined;
    for (const auto& pdu : encode_submit(Address{"0612345678"}, *sms, {})) {
        auto submit = decode_pdu(pdu.hex, Direction::to_network);
        REQUIRE(submit.ok());
        CHECK(as<SmsSubmit>(*submit).destination.value == "0612345678");
        CHECK(as<SmsSubmit>(*submit).dcs == 0x08);
        joined += text_of(as<SmsSubmit>(*submit).user_data);
    }
    CHECK(joined == text);

    const Timestamp sent{2026, 11, 23, 17, 45, 3, 4};
    joined.clear();
    for (const auto& pdu : encode_deliver(Address{"+33612345678"}, *sms, sent, 7, Address{"+33609001390"})) {
        auto deliver = decode_pdu(pdu.hex, Direction::from_network);
        REQUIRE(deliver.ok());
        CHECK(deliver->smsc.value == "+33609001390");
        CHECK(as<SmsDeliver>(*deliver).originator.value == "+33612345678");
        CHECK(as<SmsDeliver>(*deliver).service_centre_time == sent);
        joined += text_of(as<SmsDeliver>(*deliver).user_data);
    }
    CHECK(joined == text);
}

TEST_CASE("alphanumeric senders") {
    auto sms = prepare_sms("Code 1234");
    const auto pdus = encode_deliver(Address{"Garage", true}, *sms, Timestamp{2026, 1, 2, 3, 4, 5, -20}, 0, {});
    auto d = decode_pdu(pdus[0].hex, Direction::from_network);
    REQUIRE(d.ok());
    const auto& deliver = as<SmsDeliver>(*d);
    CHECK(deliver.originator.alphanumeric);
    CHECK(deliver.originator.value == "Garage");
    CHECK(deliver.service_centre_time.tz_quarters == -20);
    CHECK(d->smsc.value.empty());
}

TEST_CASE("16-bit concatenation references and 8-bit data decode") {
    SmsDeliver d;
    d.originator = Address{"+33612345678"};
    d.user_data.alphabet = Alphabet::gsm7;
    d.user_data.concat = Concat{0x1234, 3, 2};
    d.user_data.payload = septets_of("part two");
    auto back = decode_pdu(encode_pdu(d).hex, Direction::from_network);
    REQUIRE(back.ok());
    CHECK(*as<SmsDeliver>(*back).user_data.concat == Concat{0x1234, 3, 2});
    CHECK(text_of(as<SmsDeliver>(*back).user_data) == "part two");  // fill bits after a 7-octet header

    SmsDeliver data;
    data.originator = Address{"+33612345678"};
    data.user_data.alphabet = Alphabet::eight_bit;
    data.user_data.payload = {0x48, 0xE9};
    auto eight = decode_pdu(encode_pdu(data).hex, Direction::from_network);
    CHECK(as<SmsDeliver>(*eight).dcs == 0x04);
    CHECK(text_of(as<SmsDeliver>(*eight).user_data) == "Hé");
}

TEST_CASE("status reports: reference, recipient, times, and the three outcomes") {
    SmsStatusReport r;
    r.message_reference = 0xA7;
    r.recipient = Address{"+33612345678"};
    r.service_centre_time = Timestamp{2026, 11, 23, 10, 0, 0, 4};
    r.discharge_time = Timestamp{2026, 11, 23, 10, 0, 7, 4};
    r.status = 0x00;
    auto back = decode_pdu(encode_pdu(r).hex, Direction::from_network);
    REQUIRE(back.ok());
    const auto& s = as<SmsStatusReport>(*back);
    CHECK(s.message_reference == 0xA7);
    CHECK(s.recipient.value == "+33612345678");
    CHECK(s.discharge_time == r.discharge_time);
    CHECK(s.state() == DeliveryState::delivered);
    r.status = 0x30;
    CHECK(r.state() == DeliveryState::pending);
    for (std::uint8_t st : {0x41, 0x47, 0x60, 0x65}) {
        r.status = st;
        CHECK(r.state() == DeliveryState::failed);
    }
}

TEST_CASE("broken PDUs are refused with a reason") {
    CHECK(decode_pdu("0011Z0", Direction::to_network).error().code == "pdu_hex");
    CHECK(decode_pdu("001", Direction::to_network).error().code == "pdu_hex");
    CHECK(decode_pdu("0011000B9164", Direction::to_network).error().code == "pdu_truncated");
    CHECK(decode_pdu("0011000B916407281553F80000AA0AE8329B", Direction::to_network).error().code == "pdu_truncated");
    // Compressed text (DCS 0x20) is not something we can show.
    CHECK(decode_pdu("0011000B916407281553F80020AA0AE8329BFD4697D9EC37", Direction::to_network).error().code ==
          "pdu_unsupported");
    // A SUBMIT-REPORT arriving from the network is not expected.
    CHECK(decode_pdu("0001", Direction::from_network).error().code == "pdu_unsupported");
}

TEST_CASE("validity periods") {
    CHECK(encode_validity(4 * 24 * 60) == 0xAA);
    CHECK(encode_validity(3 * 24 * 60) == 0xA9);
    CHECK(encode_validity(60) == 11);
    CHECK(encode_validity(24 * 60) == 167);
    CHECK(encode_validity(5 * 7 * 24 * 60) == 197);
    for (int m : {5, 60, 12 * 60, 13 * 60, 24 * 60, 3 * 24 * 60, 30 * 24 * 60, 10 * 7 * 24 * 60}) {
        CAPTURE(m);
        CHECK(decode_validity(encode_validity(m)) >= m);
    }
}

TEST_CASE("time stamps to and from Unix time") {
    const Timestamp t{2026, 3, 29, 2, 30, 0, 8};  // +02:00
    CHECK(Timestamp::from_unix(t.to_unix(), 8) == t);
    CHECK(Timestamp::from_unix(t.to_unix(), 0).hour == 0);
    CHECK(Timestamp::from_unix(0, 0) == Timestamp{1970, 1, 1, 0, 0, 0, 0});
}

// ---- published vectors from other projects' test suites and real captures ------------------

TEST_CASE("published: 7-bit packing (python-gsmmodem test/test_gsmmodem... TestGsm7)") {
    const auto pack = [](const char* text) { return to_hex(pack_septets(prepare_sms(text)->parts[0])); };
    CHECK(pack("Hello World!") == "C8329BFD065DDF72363904");
    CHECK(pack("[{abc}]~") == "1BDE0615168F37A98D6FD303");
    CHECK(pack("a[]{}€") == "E10D6FE3DBA036A94D19");
    CHECK(pack("{åΦΓΛΩΠΨΣΘ€}") == "1BD44332A1542C174C6653DEA400");
}

TEST_CASE("published: DELIVER with a negative time zone (ofono unit/test-sms.c, simple deliver)") {
    auto d = decode_pdu("07911326040000F0040B911346610089F60000208062917314480CC8F71D14969741F977FD07",
                        Direction::from_network);
    REQUIRE(d.ok());
    const auto& m = as<SmsDeliver>(*d);
    CHECK(d->smsc.value == "+31624000000");
    CHECK(m.originator.value == "+31641600986");
    CHECK(m.service_centre_time == Timestamp{2002, 8, 26, 19, 37, 41, -4});
    CHECK(text_of(m.user_data) == "How are you?");
}

TEST_CASE("published: two 7-bit parts whose fill bit is set (ModemManager test-sms-part-3gpp.c, multipart)") {
    auto p1 = decode_pdu(
        "07912160130320F5440B916171056429F5000021405291650569A00500034C0201A9E8F41C949E83C2207B599E07B1DFEE33885E9ED341"
        "E4"
        "F23C7D7697C920FA1B54C697E5E3F4BC0C6AD7D9F434081E96D341E3303C2C4EB3D3F4BC0B94A483E6E8779D4D06CDD1EF3BA80E0785E7"
        "A0"
        "B7BB0C6A97E7F3F0B9CC02B9DF7450780EA2DFDF2C50780EA2A3CBA0BA9B5C96B3F369F71954768FDFE4B4FB0C9297E1F2F2BCECA6CF4"
        "1",
        Direction::from_network);
    auto p2 = decode_pdu(
        "07912160130320F6440B916171056429F5000021405291651569320500034C0202E9E8301D44479741F0B09C3E0785E56590BCCC0ED3CB"
        "6410"
        "FD0D7ABBCBA0B0FB4D4797E52E10",
        Direction::from_network);
    REQUIRE(p1.ok());
    REQUIRE(p2.ok());
    CHECK(*as<SmsDeliver>(*p1).user_data.concat == Concat{0x4C, 2, 1});
    CHECK(*as<SmsDeliver>(*p2).user_data.concat == Concat{0x4C, 2, 2});
    CHECK(text_of(as<SmsDeliver>(*p1).user_data) ==
          "This is a very long test designed to exercise multi part capability. It should show up as one message, not "
          "as two, as the underlying encoding represents ");
    CHECK(text_of(as<SmsDeliver>(*p2).user_data) == "that the parts are related to one another. ");
    CHECK(as<SmsDeliver>(*p1).service_centre_time.tz_quarters == -16);
}

TEST_CASE("published: 16-bit concatenation reference, no fill bits (smslib IncomingTextSmsTestData.java)") {
    auto p2 = decode_pdu(
        "0791449737019037640C9144774931843800009020117185630025060804B9DB0202A0303C2CA783CCF2771B444797416F79FA9C7687D9"
        "A0B7"
        "BB1C02",
        Direction::from_network);
    REQUIRE(p2.ok());
    CHECK(*as<SmsDeliver>(*p2).user_data.concat == Concat{0xB9DB, 2, 2});
    CHECK(text_of(as<SmsDeliver>(*p2).user_data) == " apart from the original one!");
    CHECK(as<SmsDeliver>(*p2).originator.value == "+447794134883");
}

TEST_CASE("published: UCS-2 with surrogate pairs (asterisk-chan-dongle issue 8) and symbols (Android GsmSmsTest)") {
    auto emoji = decode_pdu("07913306092041F0040B913306991364F60008619091516061800AD83DDE03D83DDE0E0020",
                            Direction::from_network);
    REQUIRE(emoji.ok());
    CHECK(text_of(as<SmsDeliver>(*emoji).user_data) == "😃😎 ");
    CHECK(as<SmsDeliver>(*emoji).originator.value == "+33609931466");
    auto symbols = decode_pdu("07912160130300F4040B914151245584F600087010807121352B10212200A900AE00680065006C006C006F",
                              Direction::from_network);
    REQUIRE(symbols.ok());
    CHECK(text_of(as<SmsDeliver>(*symbols).user_data) == "™©®hello");
    CHECK(as<SmsDeliver>(*symbols).service_centre_time.tz_quarters == -32);
}

TEST_CASE("published: alphanumeric senders (ModemManager test_pdu2, ofono alnum sender, node-pdu issue 2)") {
    auto cyr = decode_pdu("07919730071111F10414D04937BD2C7797E9D3E614000811309291024061080442043504410442",
                          Direction::from_network);
    REQUIRE(cyr.ok());
    CHECK(as<SmsDeliver>(*cyr).originator == Address{"InternetSMS", true});
    CHECK(text_of(as<SmsDeliver>(*cyr).user_data) == "тест");
    auto sipgate =
        decode_pdu("0791447758100650040DD0F334FC1CA6970100008080312170224008D4F29CDE0EA7D9", Direction::from_network);
    REQUIRE(sipgate.ok());
    CHECK(as<SmsDeliver>(*sipgate).originator == Address{"sipgate", true});
    CHECK(text_of(as<SmsDeliver>(*sipgate).user_data) == "Testmail");
    // DCS C8: a message-waiting group whose text is 7-bit, not UCS-2.
    auto vivo = decode_pdu(
        "07915510100102910407D1D6A4F50900C8715091415320291FD6F7B80CA297DBA018C8FDB68751F314A85D76CF"
        "C3E7721BE59EA700",
        Direction::from_network);
    REQUIRE(vivo.ok());
    CHECK(as<SmsDeliver>(*vivo).originator.value == "VIVO");
    CHECK(text_of(as<SmsDeliver>(*vivo).user_data) == "Voce tem 1 nova(s) mensagem(ns)");
}

TEST_CASE("published: user data longer than its length says is cut at the length (python-gsmmodem issue 102)") {
    auto d = decode_pdu("07910661929909F2040B910681835045F50008912021811065230456DE590D0039", Direction::from_network);
    REQUIRE(d.ok());
    CHECK(text_of(as<SmsDeliver>(*d).user_data) == "回复");
}

TEST_CASE("published: the extension table (Android GsmSmsTest, extended character table)") {
    auto d = decode_pdu(
        "07914151551512F2040B916105551511F100006080615131728A44D4F29C0E2AE3E96537B94C068DD16179784C2FCB41F4B0985D06B958"
        "AD"
        "D00FB0E94536AF974974DA6D281BA00E95E26D509B946FC3DBF87A25D56A04",
        Direction::from_network);
    REQUIRE(d.ok());
    const std::string text = "Test extended character table .,-!?@~_\\/&\"';^|:()<{}>[]=%*+#";
    CHECK(text_of(as<SmsDeliver>(*d).user_data) == text);
    CHECK(prepare_sms(text)->units == 68);
}

TEST_CASE("published: SMS-SUBMIT vectors decode (python-gsmmodem test_pdu.py, FrontlineSMS CServiceTest)") {
    auto local = decode_pdu("04A12143F5310D0AA110624521430000A91BD4F29C0E6A97E7F3F0B9AC03B1DFE3301BE4AEB7C565F91C",
                            Direction::to_network);
    REQUIRE(local.ok());
    const auto& s = as<SmsSubmit>(*local);
    CHECK(local->smsc.value == "12345");
    CHECK(s.message_reference == 13);
    CHECK(s.destination.value == "0126541234");
    CHECK(s.status_report_request);
    CHECK(s.validity_minutes == 3 * 24 * 60);
    CHECK(text_of(s.user_data) == "Test message: local numbers");
    auto coucou = decode_pdu("0031000AA160480173770000FF06E3777DFCAE03", Direction::to_network);
    REQUIRE(coucou.ok());
    CHECK(as<SmsSubmit>(*coucou).destination.value == "0684103777");
    CHECK(text_of(as<SmsSubmit>(*coucou).user_data) == "coucou");
    CHECK(as<SmsSubmit>(*coucou).validity_minutes == 63 * 7 * 24 * 60);
}

TEST_CASE("published: status reports delivered, pending, failed, with and without the SMSC part") {
    // python-gsmmodem / FrontlineSMS: delivered.
    auto ok = decode_pdu("0006D60B911326880736F4111011719551401110117195714000", Direction::from_network);
    REQUIRE(ok.ok());
    CHECK(as<SmsStatusReport>(*ok).message_reference == 214);
    CHECK(as<SmsStatusReport>(*ok).recipient.value == "+31628870634");
    CHECK(as<SmsStatusReport>(*ok).state() == DeliveryState::delivered);
    // ModemManager mm-modem-helpers.c (+CDS: 24): status 0x30, the centre is still trying.
    auto pending =
        decode_pdu("07914356060013F10659098136395339F6219011707193802190117071938030", Direction::from_network, 24);
    REQUIRE(pending.ok());
    CHECK(as<SmsStatusReport>(*pending).message_reference == 89);
    CHECK(as<SmsStatusReport>(*pending).recipient.value == "639335936");
    CHECK(as<SmsStatusReport>(*pending).state() == DeliveryState::pending);
    // FrontlineSMS testConstruction3: permanent failure 0x40, and a time-zone octet that is not BCD.
    auto failed =
        decode_pdu("0791527422050000060911818967454365878967F5112112213012E11121122130122140", Direction::from_network);
    REQUIRE(failed.ok());
    CHECK(as<SmsStatusReport>(*failed).status == 0x40);
    CHECK(as<SmsStatusReport>(*failed).state() == DeliveryState::failed);
    CHECK(as<SmsStatusReport>(*failed).recipient.value == "98765434567898765");
    // ofono test_sr_assembly: no SMSC part; the announced TPDU length tells.
    auto bare = decode_pdu("06040D91945152991136F00160124130340A0160124130940A00", Direction::from_network, 26);
    REQUIRE(bare.ok());
    CHECK(bare->smsc.value.empty());
    CHECK(as<SmsStatusReport>(*bare).message_reference == 4);
    CHECK(as<SmsStatusReport>(*bare).recipient.value == "+4915259911630");
}
