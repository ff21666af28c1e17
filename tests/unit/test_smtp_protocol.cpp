// SMTP without I/O: replies, EHLO capabilities, dot-stuffing, AUTH PLAIN, envelope safety;
// plus the maildir and the email layout, which are small.

#include "email_layout.hpp"
#include "maildir.hpp"
#include "smtp_protocol.hpp"

#include "clock.hpp"

#include <doctest/doctest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

using namespace relais::mail;

namespace {

std::vector<SmtpReply> parse_all(const std::string& bytes, std::string* error = nullptr) {
    ReplyParser p;
    std::vector<SmtpReply> out;
    std::string e = p.feed(bytes, out);
    if (error) *error = e;
    return out;
}

struct FixedClock final : relais::Clock {
    relais::UnixMs now() const override { return 1795448729123; }
};

}  // namespace

TEST_CASE("replies: single, multi-line, split anywhere") {
    auto r = parse_all("220 relay.test ESMTP Postfix\r\n");
    REQUIRE(r.size() == 1);
    CHECK(r[0].code == 220);
    CHECK(r[0].text() == "relay.test ESMTP Postfix");

    const std::string ehlo = "250-relay.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 AUTH PLAIN LOGIN\r\n";
    r = parse_all(ehlo);
    REQUIRE(r.size() == 1);
    CHECK(r[0].lines.size() == 4);
    CHECK(r[0].summary() == "250 AUTH PLAIN LOGIN");

    // Byte by byte gives the same replies.
    ReplyParser p;
    std::vector<SmtpReply> got;
    for (char c : ehlo + "354 go ahead\n") CHECK(p.feed(std::string(1, c), got).empty());
    REQUIRE(got.size() == 2);
    CHECK(got[0].lines == r[0].lines);
    CHECK(got[1].code == 354);  // a bare LF ends a line too
    CHECK_FALSE(p.mid_reply());

    r = parse_all("250\r\n");
    REQUIRE(r.size() == 1);
    CHECK(r[0].lines == std::vector<std::string>{""});
}

TEST_CASE("replies: what is not SMTP is an error") {
    std::string error;
    parse_all("HTTP/1.1 400 Bad Request\r\n", &error);
    CHECK(error.find("not an SMTP reply") != std::string::npos);
    parse_all("250-a\r\n251 b\r\n", &error);
    CHECK(error.find("changed") != std::string::npos);
    parse_all("250 " + std::string(5000, 'x'), &error);
    CHECK(error.find("4096") != std::string::npos);
    parse_all("650 nope\r\n", &error);
    CHECK_FALSE(error.empty());
    parse_all("25\r\n", &error);
    CHECK_FALSE(error.empty());
}

TEST_CASE("EHLO capabilities") {
    auto r = parse_all(
        "250-smtp.example.com Hello\r\n250-SIZE 35882577\r\n250-8BITMIME\r\n250-STARTTLS\r\n"
        "250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n250-SMTPUTF8\r\n250-AUTH LOGIN plain XOAUTH2\r\n"
        "250 AUTH=NTLM\r\n");
    Capabilities c = parse_ehlo(r.at(0));
    CHECK(c.esmtp);
    CHECK(c.starttls);
    CHECK(c.pipelining);
    CHECK(c.eight_bit_mime);
    CHECK(c.smtputf8);
    CHECK(c.enhanced_status_codes);
    REQUIRE(c.size_limit);
    CHECK(*c.size_limit == 35882577);
    CHECK(c.auth == std::set<std::string>{"LOGIN", "PLAIN", "XOAUTH2", "NTLM"});

    Capabilities bare = parse_ehlo(parse_all("250-relay\r\n250 SIZE\r\n").at(0));
    REQUIRE(bare.size_limit);
    CHECK(*bare.size_limit == 0);
    CHECK_FALSE(bare.starttls);
    CHECK(bare.auth.empty());
}

TEST_CASE("dot-stuffing") {
    CHECK(dot_stuff("a\r\n.b\r\n..c\r\n.\r\n") == "a\r\n..b\r\n...c\r\n..\r\n.\r\n");
    CHECK(dot_stuff(".start") == "..start\r\n.\r\n");
    CHECK(dot_stuff("no final newline") == "no final newline\r\n.\r\n");
    CHECK(dot_stuff("lf only\n.dot\n") == "lf only\r\n..dot\r\n.\r\n");
    CHECK(dot_stuff("lone\rcr") == "lone\r\ncr\r\n.\r\n");
    CHECK(dot_stuff("") == ".\r\n");
    CHECK(dot_stuff("x.\r\n") == "x.\r\n.\r\n");  // only at the start of a line
}

TEST_CASE("AUTH PLAIN response (RFC 4616 example)") {
    CHECK(auth_plain_response("tim", "tanstaaftanstaaf") == "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
}

TEST_CASE("envelope addresses that could inject commands are refused") {
    CHECK(is_safe_envelope_address("zoe@example.test"));
    CHECK(is_safe_envelope_address("zoé@exemple.fr"));
    CHECK_FALSE(is_safe_envelope_address("zoe@example.test>\r\nRCPT TO:<x@y"));
    CHECK_FALSE(is_safe_envelope_address("a b@example.test"));
    CHECK_FALSE(is_safe_envelope_address("noat"));
    CHECK_FALSE(is_safe_envelope_address(""));
}

TEST_CASE("reply codes to outcomes") {
    CHECK(status_for_code(250) == DeliveryStatus::delivered);
    CHECK(status_for_code(421) == DeliveryStatus::temporary);
    CHECK(status_for_code(450) == DeliveryStatus::temporary);
    CHECK(status_for_code(550) == DeliveryStatus::permanent);
    CHECK(status_for_code(554) == DeliveryStatus::permanent);
    CHECK(status_for_code(0) == DeliveryStatus::temporary);
}

TEST_CASE("maildir: tmp then new, whole files, the envelope kept") {
    namespace fs = std::filesystem;
    fs::path root = fs::temp_directory_path() / ("relais-maildir-" + std::to_string(::getpid()));
    fs::remove_all(root);
    FixedClock clock;
    MaildirTransport t(root.string(), clock, {});
    std::optional<MailOutcome> got;
    t.send({"atelier@garage.test", {"zoe@example.test", "marc@example.test"}}, "Subject: x\r\n\r\nbody\r\n",
           [&](MailOutcome o) { got = std::move(o); });
    REQUIRE(got);
    CHECK(got->delivered());
    CHECK(got->recipients.size() == 2);
    CHECK(fs::is_empty(root / "tmp"));
    CHECK(fs::is_directory(root / "cur"));
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(root / "new")) files.push_back(e.path());
    REQUIRE(files.size() == 1);
    CHECK(files[0].filename().string().rfind("1795448729.M123000P", 0) == 0);
    std::ifstream in(files[0], std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    CHECK(content.str() ==
          "Return-Path: <atelier@garage.test>\nDelivered-To: zoe@example.test\nDelivered-To: marc@example.test\n"
          "Subject: x\n\nbody\n");
    CHECK(got->text == "written to " + files[0].string());

    // A second message gets another name.
    t.send({"a@garage.test", {"b@example.test"}}, "x", [&](MailOutcome o) { got = std::move(o); });
    CHECK(std::distance(fs::directory_iterator(root / "new"), fs::directory_iterator()) == 2);

    // A root that cannot be a directory: temporary, and nothing half-written anywhere.
    fs::path blocked = root / "blocked";
    std::ofstream(blocked) << "a file";
    MaildirTransport bad(blocked.string(), clock, {});
    bad.send({"a@garage.test", {"b@example.test"}}, "x", [&](MailOutcome o) { got = std::move(o); });
    CHECK(got->status == DeliveryStatus::temporary);
    CHECK(got->text.find("cannot create") != std::string::npos);
    fs::remove_all(root);
}

TEST_CASE("email layout: escaped values, a button only for web links, the link in the text part") {
    EmailBrand brand{"Garage <Dupont> & Fils", "#ffd700", {"12 rue des Lilas, 69003 Lyon"}};
    EmailContent c;
    c.heading = "Votre devis";
    c.paragraphs = {"Bonjour Zoé,\nvoici <b>le devis</b>."};
    c.button_label = "Voir le devis";
    c.button_url = "https://relais.garage.test/o/abc?x=1&y=2";
    c.link_intro = "Sinon :";
    RenderedEmail r = render_email(brand, c);
    CHECK(r.html.find("Garage &lt;Dupont&gt; &amp; Fils") != std::string::npos);
    CHECK(r.html.find("<b>le devis</b>") == std::string::npos);
    CHECK(r.html.find("Bonjour Zoé,<br>voici &lt;b&gt;le devis&lt;/b&gt;.") != std::string::npos);
    CHECK(r.html.find("href=\"https://relais.garage.test/o/abc?x=1&amp;y=2\"") != std::string::npos);
    CHECK(r.html.find("background-color:#ffd700") != std::string::npos);
    CHECK(r.html.find("color:#111111") != std::string::npos);  // dark text on gold
    CHECK(r.html.find("<style") == std::string::npos);
    CHECK(r.html.find("<script") == std::string::npos);
    CHECK(r.text.find("https://relais.garage.test/o/abc?x=1&y=2") != std::string::npos);
    CHECK(r.text.find("Bonjour Zoé,\nvoici <b>le devis</b>.") != std::string::npos);
    CHECK(r.text.find("12 rue des Lilas") != std::string::npos);

    c.button_url = "javascript:alert(1)";
    RenderedEmail unsafe = render_email(brand, c);
    CHECK(unsafe.html.find("javascript:") == std::string::npos);
    CHECK(unsafe.text.find("javascript:") == std::string::npos);

    CHECK(text_color_on("#1f4e79") == "#ffffff");
    CHECK(text_color_on("#ffffff") == "#111111");
    CHECK(text_color_on("not a colour") == "#ffffff");
}
