#include "http.hpp"
#include "messages.hpp"
#include "repair_order.hpp"
#include "request_body.hpp"
#include "responses.hpp"
#include "static_files.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <map>

#include <zlib.h>
#include <nlohmann/json.hpp>

using namespace relais;

TEST_CASE("percent decoding") {
    CHECK(*percent_decode("Lef%C3%A8vre+x%26y", true) == "Lefèvre x&y");
    CHECK(*percent_decode("a+b", false) == "a+b");
    CHECK_FALSE(percent_decode("%4", true).has_value());
    CHECK_FALSE(percent_decode("%zz", true).has_value());
}

TEST_CASE("router: patterns, parameters, 405 versus 404") {
    Router<int> router;
    router.add(Method::get, "/api/v1/repair-orders", 1);
    router.add(Method::post, "/api/v1/repair-orders", 2);
    router.add(Method::get, "/api/v1/repair-orders/{id}/interventions/{iid}", 3);
    auto m = router.match(Method::get, "/api/v1/repair-orders/12/interventions/7");
    REQUIRE(m.entry);
    CHECK(*m.entry == 3);
    CHECK(*m.params.id("id") == 12);
    CHECK(*m.params.id("iid") == 7);
    CHECK(*router.match(Method::head, "/api/v1/repair-orders").entry == 1);
    auto wrong = router.match(Method::del, "/api/v1/repair-orders");
    CHECK_FALSE(wrong.entry);
    CHECK(wrong.allowed.size() == 2);
    auto none = router.match(Method::get, "/api/v1/nothing");
    CHECK_FALSE(none.entry);
    CHECK(none.allowed.empty());
    CHECK(*router.match(Method::get, "/api/v1/repair-orders/").entry == 1);
}

TEST_CASE("path parameters as ids") {
    PathParams p;
    p.add("a", "12");
    p.add("b", "0");
    p.add("c", "-1");
    p.add("d", "1e3");
    p.add("e", "99999999999999999999");
    CHECK(*p.id("a") == 12);
    for (const char* bad : {"b", "c", "d", "e", "missing"}) CHECK_FALSE(p.id(bad).has_value());
}

TEST_CASE("static file paths are checked before the file system") {
    CHECK(safe_relative_path("workspace/assets/app.js"));
    for (const char* bad : {"", "../etc/passwd", "workspace/../x", "workspace//x", "/etc/passwd",
                            "workspace/.git/config", "a b", "x/", "x\\y", "%2e%2e"}) {
        CAPTURE(bad);
        CHECK_FALSE(safe_relative_path(bad));
    }
}

TEST_CASE("static files are re-read when they change") {
    relais::test::TempDir dir;
    std::ofstream(dir.path() + "/a.js") << "one";
    StaticFiles files(dir.path());
    auto first = files.get("a.js");
    REQUIRE(first);
    CHECK((*first)->content == "one");
    CHECK((*first)->content_type == "text/javascript; charset=utf-8");
    std::ofstream(dir.path() + "/a.js") << "two, longer";
    auto second = files.get("a.js");
    CHECK((*second)->content == "two, longer");
    CHECK((*second)->etag != (*first)->etag);
}

TEST_CASE("text assets go gzip-compressed to clients that accept it, with their own tag, others as they are") {
    relais::test::TempDir dir;
    std::string script;
    for (int i = 0; i < 400; ++i) script += "export const line" + std::to_string(i) + " = 'un texte qui se répète';\n";
    std::ofstream(dir.path() + "/app.js") << script;
    std::ofstream(dir.path() + "/tiny.css") << "a{color:red}";
    StaticFiles files(dir.path());
    auto app = files.get("app.js");
    REQUIRE(app);
    REQUIRE_FALSE((*app)->gzip.empty());
    CHECK((*app)->gzip.size() * 5 < script.size());
    // The compressed bytes are the file, once inflated.
    z_stream z{};
    REQUIRE(inflateInit2(&z, 15 + 16) == Z_OK);
    std::string back(script.size() + 16, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>((*app)->gzip.data()));
    z.avail_in = static_cast<uInt>((*app)->gzip.size());
    z.next_out = reinterpret_cast<Bytef*>(back.data());
    z.avail_out = static_cast<uInt>(back.size());
    CHECK(inflate(&z, Z_FINISH) == Z_STREAM_END);
    back.resize(z.total_out);
    inflateEnd(&z);
    CHECK(back == script);
    CHECK((*files.get("tiny.css"))->gzip.empty());  // too small to be worth it

    HttpRequest req;
    req.method = Method::get;
    req.headers = {{"accept-encoding", "gzip, deflate, br"}};
    HttpResponse packed = static_file_response(req, **app);
    CHECK(packed.body == (*app)->gzip);
    REQUIRE(packed.find_header("content-encoding"));
    CHECK(*packed.find_header("content-encoding") == "gzip");
    CHECK(*packed.find_header("vary") == "Accept-Encoding");
    const std::string tag = *packed.find_header("etag");
    CHECK(tag != (*app)->etag);
    req.headers = {{"accept-encoding", "gzip"}, {"if-none-match", tag}};
    CHECK(static_file_response(req, **app).status == 304);

    req.headers = {{"accept-encoding", "gzip;q=0, identity"}};
    HttpResponse plain = static_file_response(req, **app);
    CHECK(plain.body == script);
    CHECK_FALSE(plain.find_header("content-encoding"));
    CHECK(*plain.find_header("etag") == (*app)->etag);
    req.headers = {};
    CHECK(static_file_response(req, **app).body == script);

    const std::string star = "*;q=0.5", zero = "GZIP; q=0.000", weighted = "br;q=1.0, gzip;q=0.8";
    CHECK(accepts_gzip(&star));
    CHECK_FALSE(accepts_gzip(&zero));
    CHECK(accepts_gzip(&weighted));
    CHECK_FALSE(accepts_gzip(nullptr));
}

TEST_CASE("messages: language choice and parameters") {
    CHECK(choose_language("en", nullptr, "fr") == "en");
    const std::string al = "de-DE,de;q=0.9,en;q=0.8,fr;q=0.7";
    CHECK(choose_language("", &al, "fr") == "en");
    const std::string none = "de,it";
    CHECK(choose_language("", &none, "fr") == "fr");
    CHECK(render_message("too_long", {{"max", "32"}}, "en") == "At most 32 characters.");
    CHECK(render_message("role_taken", {{"role", "leasing_company"}}, "fr") ==
          "Un autre interlocuteur est déjà société de leasing de cet ordre de réparation.");
    CHECK(render_message("not_found", {{"what", "party"}}, "en") == "This party does not exist on this repair order.");
    CHECK(render_message("no_such_code", {}, "fr") == "no_such_code");
    // French typography: no line break before the colon or the unit.
    CHECK(render_message("too_many_attempts", {{"seconds", "30"}}, "fr") ==
          "Trop d'essais manqués\u00a0: réessayez dans 30\u00a0s.");
}

TEST_CASE("ObjectReader: one code per mistake, each in words in French and English") {
    const auto zone = make_fixed_offset_zone(60);
    const nlohmann::json body = {{"s", 1},        {"i", "1"},      {"b", 1},
                                 {"nb", 1},       {"o", 1},        {"a", 1},
                                 {"e", "purple"}, {"d", "demain"}, {"null_s", nullptr},
                                 {"ok", "text"},  {"extra", 1},    {"cleared", nullptr}};
    Problems problems;
    {
        ObjectReader r(body, "x.", problems);
        CHECK_FALSE(r.string("s"));
        CHECK_FALSE(r.integer("i"));
        CHECK_FALSE(r.boolean("b"));
        CHECK_FALSE(r.nullable_boolean("nb"));
        CHECK_FALSE(r.object("o"));
        CHECK_FALSE(r.array("a"));
        CHECK_FALSE(r.enumeration<Severity>("e"));
        CHECK_FALSE(r.nullable_date("d", *zone));
        CHECK_FALSE(r.string("null_s", ObjectReader::Null::refused));
        CHECK_FALSE(r.required_string("absent"));
        CHECK_FALSE(r.required_array("absent_list"));
        CHECK(r.required_string("ok") == "text");
        CHECK(r.string("cleared") == "");  // null clears a text
        CHECK_FALSE(r.integer("not_there"));
        CHECK(problems.size() == 11);  // the unknown field comes when the reader ends
    }
    std::map<std::string, std::string> codes;
    for (const auto& p : problems) codes[p.field] = p.code;
    CHECK(codes == std::map<std::string, std::string>{{"x.s", "invalid_type"},
                                                      {"x.i", "invalid_type"},
                                                      {"x.b", "invalid_type"},
                                                      {"x.nb", "invalid_type"},
                                                      {"x.o", "invalid_type"},
                                                      {"x.a", "invalid_type"},
                                                      {"x.e", "invalid_choice"},
                                                      {"x.d", "invalid_date"},
                                                      {"x.null_s", "invalid_type"},
                                                      {"x.absent", "required"},
                                                      {"x.absent_list", "required"},
                                                      {"x.extra", "unknown_field"}});
    // A code without words would reach the reader as the code itself; a type without words as
    // the English name of the type in a French sentence.
    for (const auto& p : problems) {
        CAPTURE(p.field);
        for (const char* lang : {"fr", "en"}) {
            const std::string words = render_message(p.code, p.params, lang);
            CHECK(words != p.code);
            CHECK(words.find('{') == std::string::npos);
            if (std::string_view(lang) != "fr") continue;
            for (const auto& [name, value] : p.params)
                if (name == "expected") CHECK(words.find(value) == std::string::npos);
        }
    }
    CHECK(render_message("invalid_type", {{"expected", "contact_point_id"}}, "fr") ==
          "Attendu\u00a0: l'identifiant d'un contact de l'OR.");
}
