// MIME building: base64 (RFC 4648 vectors), quoted-printable, encoded-words, header folding,
// dates and the assembled message. Python's email package checks the same output
// independently in tests/integration/test_mail.py.

#include "mime.hpp"

#include "text.hpp"

#include <doctest/doctest.h>

#include <sstream>
#include <vector>

using namespace relais::mail;

namespace {

std::vector<std::string> lines_of(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < s.size()) {
        std::size_t end = s.find("\r\n", start);
        if (end == std::string::npos) end = s.size();
        out.push_back(s.substr(start, end - start));
        start = end + 2;
    }
    return out;
}

// A quoted-printable decoder written from RFC 2045 §6.7, independent of the encoder.
std::string qp_decode(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '=' && i + 2 < s.size() + 1 && s.compare(i, 3, "=\r\n") == 0) {
            i += 2;
        } else if (s[i] == '=') {
            out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else if (s[i] == '\r') {
            continue;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::string base64_decode(const std::string& s) {
    static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    int bits = 0, value = 0;
    for (char c : s) {
        auto p = alphabet.find(c);
        if (p == std::string::npos) continue;
        value = (value << 6) | static_cast<int>(p);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((value >> bits) & 0xff);
        }
    }
    return out;
}

// Decodes a header value made of "=?utf-8?B?...?=" words separated by folding whitespace.
std::string decode_words(const std::string& value) {
    std::string out;
    std::size_t i = 0;
    while ((i = value.find("=?utf-8?B?", i)) != std::string::npos) {
        std::size_t end = value.find("?=", i + 10);
        std::string word = base64_decode(value.substr(i + 10, end - i - 10));
        CHECK(relais::is_valid_utf8(word));  // each word holds whole characters
        out += word;
        i = end + 2;
    }
    return out;
}

}  // namespace

TEST_CASE("base64: the RFC 4648 test vectors") {
    CHECK(base64_encode("") == "");
    CHECK(base64_encode("f") == "Zg==");
    CHECK(base64_encode("fo") == "Zm8=");
    CHECK(base64_encode("foo") == "Zm9v");
    CHECK(base64_encode("foob") == "Zm9vYg==");
    CHECK(base64_encode("fooba") == "Zm9vYmE=");
    CHECK(base64_encode("foobar") == "Zm9vYmFy");
    std::string body = base64_body(std::string(100, 'a'));
    for (const auto& l : lines_of(body)) CHECK(l.size() <= 76);
    CHECK(base64_decode(body) == std::string(100, 'a'));
}

TEST_CASE("quoted-printable keeps the text exactly and the lines short") {
    CHECK(quoted_printable("prêt") == "pr=C3=AAt");
    CHECK(quoted_printable("a=b") == "a=3Db");
    CHECK(quoted_printable("ligne 1\nligne 2") == "ligne 1\r\nligne 2");
    CHECK(quoted_printable("ligne 1\r\nligne 2") == "ligne 1\r\nligne 2");
    CHECK(quoted_printable("fin  \nsuite\t") == "fin =20\r\nsuite=09");
    CHECK(quoted_printable("From here\n.\n.début") == "=46rom here\r\n=2E\r\n=2Ed=C3=A9but");

    const std::vector<std::string> texts = {
        std::string(300, 'x'),
        "Remplacement des plaquettes de frein avant : 189,90 € TTC. " + std::string(120, '=') + " é",
        std::string(80, ' ') + "\n" + std::string(75, 'a') + "é" + std::string(10, 'b'),
        "🚗 👍 Œuvre « complète » — 1 234,56 €\n\n\nfin",
    };
    for (const auto& t : texts) {
        std::string qp = quoted_printable(t);
        for (const auto& line : lines_of(qp)) {
            CHECK(line.size() <= 76);
            for (unsigned char c : line) CHECK((c >= 0x20 && c < 0x7f));
            CHECK((line.empty() || (line.back() != ' ' && line.back() != '\t')));
        }
        std::string expected;
        for (char c : t) expected += c;
        CHECK(qp_decode(qp) == expected);
    }
}

TEST_CASE("text that is mostly non-Latin goes as base64") {
    CHECK(choose_transfer_encoding("Votre véhicule est prêt.") == TransferEncoding::quoted_printable);
    CHECK(choose_transfer_encoding("🚗🚗🚗🚗 ok") == TransferEncoding::base64);
    CHECK(choose_transfer_encoding("ご予約ありがとうございます") == TransferEncoding::base64);
}

TEST_CASE("subjects: plain ASCII folds at spaces, anything else becomes encoded-words") {
    CHECK(encode_unstructured("Your quote", 7) == "Your quote");
    std::string long_ascii;
    for (int i = 0; i < 30; ++i) long_ascii += "word" + std::to_string(i) + " ";
    long_ascii.pop_back();
    std::string folded = encode_unstructured(long_ascii, 7);
    auto lines = lines_of("Subject: " + folded);
    CHECK(lines.size() > 1);
    for (const auto& l : lines) CHECK(l.size() <= 78);
    std::string unfolded = folded;
    for (std::size_t p; (p = unfolded.find("\r\n")) != std::string::npos;) unfolded.erase(p, 2);
    CHECK(unfolded == long_ascii);

    const std::string accented =
        "Votre véhicule est prêt — devis n° 42 pour la Peugeot 308 de Mme Zoé Brûlé, total 1 234,56 € 🚗👍";
    std::string encoded = encode_unstructured(accented, 7);
    for (const auto& l : lines_of("Subject: " + encoded)) CHECK(l.size() <= 78);
    for (std::size_t i = 0; (i = encoded.find("=?", i)) != std::string::npos; i += 2) {
        std::size_t end = encoded.find("?=", i + 10);
        CHECK(end + 2 - i <= 75);  // RFC 2047 §2
        i = end;
    }
    CHECK(decode_words(encoded) == accented);
    CHECK(encode_unstructured("a  b", 7).find("=?utf-8?B?") == 0);  // double space survives
    CHECK(encode_unstructured("=?x?= looks encoded", 7).find("=?utf-8?B?") == 0);
}

TEST_CASE("mailboxes: quoted or encoded names") {
    CHECK(format_mailbox({"", "zoe@example.test"}) == "<zoe@example.test>");
    CHECK(format_mailbox({"Garage Dupont", "a@garage.test"}) == "Garage Dupont <a@garage.test>");
    CHECK(format_mailbox({"Dupont, Jean", "j@x.test"}) == "\"Dupont, Jean\" <j@x.test>");
    CHECK(format_mailbox({"Le \"Garage\"", "g@x.test"}) == "\"Le \\\"Garage\\\"\" <g@x.test>");
    std::string accented = format_mailbox({"Hélène Lefèvre", "h@x.test"});
    CHECK(accented.rfind("=?utf-8?B?", 0) == 0);
    CHECK(decode_words(accented) == "Hélène Lefèvre");
}

TEST_CASE("dates in RFC 5322 form with the dealership's offset") {
    CHECK(format_date(0, 0) == "Thu, 1 Jan 1970 00:00:00 +0000");
    CHECK(format_date(1795448729000, 60) == "Mon, 23 Nov 2026 16:45:29 +0100");
    CHECK(format_date(1795448729000, -300) == "Mon, 23 Nov 2026 10:45:29 -0500");
    CHECK(format_date(951782400000, 0) == "Tue, 29 Feb 2000 00:00:00 +0000");
}

TEST_CASE("addresses: domain and SMTPUTF8") {
    CHECK(domain_of("atelier@garage.test") == "garage.test");
    CHECK(domain_of("nodomain").empty());
    CHECK_FALSE(needs_smtputf8("zoe@example.test"));
    CHECK(needs_smtputf8("zoé@exemple.fr"));
}

TEST_CASE("the assembled message: headers, alternative parts, 7-bit lines") {
    MailMessage m;
    m.from = {"Garage Dupont", "atelier@garage.test"};
    m.reply_to = {"Hélène Lefèvre", "helene@garage.test"};
    m.to = {{"Zoé Brûlé", "zoe@example.test"}, {"", "marc@example.test"}};
    m.subject = "Votre devis est prêt";
    m.text = "Bonjour Zoé,\n\n" + std::string(200, 'y') + "\n";
    m.html = "<p>Bonjour Zoé</p>";
    m.message_id = "<abc@garage.test>";
    m.date = 1795448729000;
    m.utc_offset_minutes = 60;
    m.auto_submitted = AutoSubmitted::auto_generated;
    std::string mime = build_mime(m, "=_b1");
    for (const auto& l : lines_of(mime)) {
        CHECK(l.size() <= 78);
        for (unsigned char c : l) CHECK(c < 0x80);
    }
    CHECK(mime.find("From: Garage Dupont <atelier@garage.test>\r\n") == 0);
    CHECK(mime.find("\r\nMessage-ID: <abc@garage.test>\r\n") != std::string::npos);
    CHECK(mime.find("\r\nDate: Mon, 23 Nov 2026 16:45:29 +0100\r\n") != std::string::npos);
    CHECK(mime.find("\r\nMIME-Version: 1.0\r\n") != std::string::npos);
    CHECK(mime.find("\r\nAuto-Submitted: auto-generated\r\n") != std::string::npos);
    CHECK(mime.find("<zoe@example.test>,") != std::string::npos);
    std::size_t plain = mime.find("Content-Type: text/plain; charset=utf-8");
    std::size_t html = mime.find("Content-Type: text/html; charset=utf-8");
    CHECK(plain != std::string::npos);
    CHECK(html > plain);
    CHECK(mime.find("--=_b1\r\n") < plain);
    CHECK(mime.ends_with("\r\n--=_b1--\r\n"));

    m.auto_submitted = AutoSubmitted::no;
    m.html.clear();
    std::string single = build_mime(m, "=_b1");
    CHECK(single.find("Auto-Submitted") == std::string::npos);
    CHECK(single.find("multipart") == std::string::npos);
    CHECK(single.find("Content-Type: text/plain; charset=utf-8") != std::string::npos);
}
