#include "http_head.hpp"

#include <doctest/doctest.h>

using namespace relais;

namespace {

HeadParse parse(std::string_view raw, HeadLimits limits = {}) { return parse_request_head(raw, limits); }

}  // namespace

TEST_CASE("a request head is parsed, its headers lower-cased and repeated list headers joined") {
    const auto p = parse(
        "GET /o/abc?x=1 HTTP/1.1\r\nHost: relais.test\r\nAccept-Language: fr\r\naccept-language: en\r\n"
        "Cookie: a=1\r\nCookie: b=2\r\nConnection: keep-alive\r\n\r\nnext");
    REQUIRE(p.state == HeadParse::State::done);
    CHECK(p.head.method == "GET");
    CHECK(p.head.target == "/o/abc?x=1");
    CHECK(*p.head.header("host") == "relais.test");
    CHECK(*p.head.header("accept-language") == "fr, en");
    CHECK(*p.head.header("cookie") == "a=1; b=2");
    CHECK(p.head.header("connection") == nullptr);  // hop-by-hop: the gate's business
    CHECK(p.head.keep_alive);
    CHECK(p.consumed == std::string_view("GET /o/abc?x=1 HTTP/1.1\r\nHost: relais.test\r\nAccept-Language: fr\r\n"
                                         "accept-language: en\r\nCookie: a=1\r\nCookie: b=2\r\nConnection: "
                                         "keep-alive\r\n\r\n")
                            .size());
    CHECK(parse("GET / HTTP/1.1\r\nHost: x\r\n").state == HeadParse::State::incomplete);
    CHECK(parse("GET / HTTP/1.0\n\n").head.keep_alive == false);  // bare LF accepted
}

TEST_CASE("what servers disagree on is refused with a status naming the problem") {
    const auto refused = [](std::string_view raw) { return parse(raw); };
    auto p = refused("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n");
    CHECK(p.state == HeadParse::State::error);
    CHECK(p.error.status == 400);
    CHECK(p.error.reason == "the header content-length is repeated");
    CHECK(
        refused("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n").error.status ==
        400);
    CHECK(refused("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n").error.status == 501);
    CHECK(refused("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n").error.code == "bad_header");
    CHECK(refused("GET / HTTP/1.1\r\nHost : x\r\n\r\n").error.code == "bad_header");
    CHECK(refused("GET / HTTP/1.1\r\nHost: x\rY\r\n\r\n").error.code == "bad_header");
    CHECK(refused("GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n").error.code == "bad_header");
    CHECK(refused("GET / HTTP/1.1\r\n\r\n").error.code == "missing_host");
    CHECK(refused("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").error.code == "repeated_header");
    CHECK(refused("GET / HTTP/2.0\r\nHost: x\r\n\r\n").error.status == 505);
    CHECK(refused("BREW / HTTP/1.1\r\nHost: x\r\n\r\n").error.status == 501);
    CHECK(refused("GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n").error.code == "bad_target");
    CHECK(refused("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1e3\r\n\r\n").error.code == "bad_content_length");
    CHECK(refused("POST / HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n").error.status == 417);
    HeadLimits small;
    small.max_body_bytes = 10;
    CHECK(parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n", small).error.status == 413);
    small.max_head_bytes = 64;
    CHECK(parse("GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(100, 'a') + "\r\n\r\n", small).error.status == 431);
    CHECK(parse("GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(100, 'a'), small).error.status == 431);
    small.max_target_bytes = 8;
    CHECK(parse("GET /123456789 HTTP/1.1\r\nHost: x\r\n\r\n", small).error.status == 414);
}

TEST_CASE("the engine gets a canonical head whose client headers are wrapped") {
    auto p = parse("POST /api/v1/session HTTP/1.0\r\nHost: x\r\nCookie: s=1\r\nContent-Length: 2\r\n\r\n{}");
    REQUIRE(p.state == HeadParse::State::done);
    CHECK(p.head.content_length == 2);
    const std::string head = internal_head(p.head, 2);
    CHECK(head ==
          "POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nConnection: close\r\nx-c-host: "
          "x\r\nx-c-cookie: "
          "s=1\r\n\r\n");
    CHECK(*unwrap_header("X-C-User-Agent") == "user-agent");
    CHECK_FALSE(unwrap_header("content-length").has_value());
}

TEST_CASE("the internal head says keep-alive when the client keeps the connection") {
    // Without the header the engine answers "Connection: Close" and every request would cost a
    // new loopback connection (docs/BENCHMARKS.md, the customer page behind the gate).
    auto p = parse("GET /o/x HTTP/1.1\r\nHost: x\r\n\r\n");
    REQUIRE(p.state == HeadParse::State::done);
    CHECK(p.head.keep_alive);
    CHECK(internal_head(p.head, 0).find("\r\nConnection: keep-alive\r\n") != std::string::npos);
    p = parse("GET /o/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    REQUIRE(p.state == HeadParse::State::done);
    CHECK(internal_head(p.head, 0).find("\r\nConnection: close\r\n") != std::string::npos);
}

TEST_CASE("cookies are parsed leniently: a pair without '=' is skipped, not fatal") {
    const NameValues c = parse_cookie_header("foo; relais_session=abc; =bar; baz=; q=\"v\";bad name=1");
    REQUIRE(c.size() == 3);
    CHECK(c[0] == std::pair<std::string, std::string>{"relais_session", "abc"});
    CHECK(c[1] == std::pair<std::string, std::string>{"baz", ""});
    CHECK(c[2] == std::pair<std::string, std::string>{"q", "v"});
    CHECK(parse_cookie_header("").empty());
}

TEST_CASE("chunked bodies are decoded, in any cut") {
    const std::string body = "4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\nTrailer: x\r\n\r\nGET";
    for (std::size_t cut = 1; cut <= body.size(); ++cut) {
        ChunkedDecoder d(100);
        std::string out;
        ChunkedDecoder::State s = ChunkedDecoder::State::more;
        std::string_view rest;
        for (std::size_t i = 0; i < body.size() && s == ChunkedDecoder::State::more; i += cut) {
            std::string_view piece = std::string_view(body).substr(i, cut);
            s = d.feed(piece, out);
            rest = piece;
        }
        CHECK(s == ChunkedDecoder::State::done);
        CHECK(out == "Wikipedia");
        if (cut >= body.size()) CHECK(rest == "GET");
    }
    ChunkedDecoder big(5);
    std::string out;
    std::string_view in = "6\r\nabcdef\r\n0\r\n\r\n";
    CHECK(big.feed(in, out) == ChunkedDecoder::State::error);
    CHECK(big.error().status == 413);
    ChunkedDecoder bad(100);
    in = "zz\r\n";
    CHECK(bad.feed(in, out) == ChunkedDecoder::State::error);
}

TEST_CASE("the engine's responses are framed: lengths, HEAD, 1xx, 204/304, streams") {
    ResponseFramer f;
    ResponseFramer::State st;
    f.expect("GET");
    const std::string two = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 204 No Content\r\n\r\n";
    std::size_t used = f.feed(two, st);
    CHECK(st == ResponseFramer::State::complete);
    CHECK(used == two.find("HTTP/1.1 204"));
    f.expect("GET");
    CHECK(f.feed(std::string_view(two).substr(used), st) == two.size() - used);
    CHECK(st == ResponseFramer::State::complete);

    f.expect("HEAD");
    const std::string head_answer = "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n";
    CHECK(f.feed(head_answer, st) == head_answer.size());  // no body after a HEAD
    CHECK(st == ResponseFramer::State::complete);

    f.expect("POST");
    const std::string cont = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}";
    CHECK(f.feed(cont, st) == cont.size());
    CHECK(st == ResponseFramer::State::complete);

    f.expect("GET");
    const std::string stream =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\nretry: 3";
    f.feed(stream, st);
    CHECK(st == ResponseFramer::State::until_close);

    ResponseFramer g;
    g.expect("GET");
    const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
    std::size_t total = 0;
    for (char c : head) {
        total += g.feed(std::string_view(&c, 1), st);
        if (st == ResponseFramer::State::complete) break;
    }
    CHECK(st == ResponseFramer::State::complete);
    CHECK(total == head.size());
    ResponseFramer h;
    h.expect("GET");
    h.feed("garbage\r\n\r\n", st);
    CHECK(st == ResponseFramer::State::error);
}

TEST_CASE("Host names: ours, IP literals, nothing else") {
    HostPolicy p;
    p.names = {"localhost", "atelier.garage.fr"};
    CHECK(p.allows("atelier.garage.fr"));
    CHECK(p.allows("ATELIER.garage.fr.:443"));
    CHECK(p.allows("localhost:8080"));
    CHECK(p.allows("192.168.1.10:8080"));
    CHECK(p.allows("[::1]:8080"));
    CHECK(p.allows("[fe80::1]"));
    CHECK_FALSE(p.allows("evil.example"));
    CHECK_FALSE(p.allows("atelier.garage.fr.evil.example"));
    CHECK_FALSE(p.allows("192.168.1.300"));
    CHECK_FALSE(p.allows("[::1]x"));
    CHECK_FALSE(p.allows(""));
    CHECK_FALSE(p.allows("localhost:80a"));
}

TEST_CASE("a Host header is split as the box compares it") {
    const auto split = [](std::string_view h) {
        const auto host = split_host_header(h);
        REQUIRE(host);
        return std::string(host->ipv6 ? "v6 " : "") + host->name + (host->port.empty() ? "" : " port " + host->port);
    };
    CHECK(split("Garage.FR") == "garage.fr");
    CHECK(split("garage.fr.:443") == "garage.fr port 443");
    CHECK(split(" garage.fr:8443 ") == "garage.fr port 8443");
    CHECK(split("192.0.2.7:80") == "192.0.2.7 port 80");
    CHECK(split("[2001:DB8::1]") == "v6 2001:db8::1");
    CHECK(split("[::1]:8080") == "v6 ::1 port 8080");
    for (const char* bad : {"", ".", ":80", "garage.fr:8o", "[::1]x", "[::1", "[garage.fr]", "[::1]:a"}) {
        CAPTURE(bad);
        CHECK_FALSE(split_host_header(bad));
    }
}

TEST_CASE("a refusal written by the gate is a whole response that closes") {
    const std::string json = gate_response({400, "repeated_header", "the header content-length is repeated"}, true);
    CHECK(json.rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0);
    CHECK(json.find("Connection: close\r\n") != std::string::npos);
    const std::string body = json.substr(json.find("\r\n\r\n") + 4);
    CHECK(body == R"({"error":{"code":"repeated_header","message":"the header content-length is repeated"}})");
    CHECK(json.find("Content-Length: " + std::to_string(body.size()) + "\r\n") != std::string::npos);
    CHECK(gate_response({421, "unknown_host", "x \"y\""}, false).find("Misdirected Request: x \"y\".\n") !=
          std::string::npos);
}
