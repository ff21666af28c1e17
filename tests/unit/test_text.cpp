#include "search.hpp"
#include "text.hpp"

#include <doctest/doctest.h>

using namespace relais;

TEST_CASE("fold_for_search removes case and Latin accents") {
    CHECK(fold_for_search("Lefèvre") == "lefevre");
    CHECK(fold_for_search("LEFÈVRE") == "lefevre");
    CHECK(fold_for_search("Hélène Ça Œuvre Straße Łódź Ørsted") == "helene ca oeuvre strasse lodz orsted");
    CHECK(fold_for_search("  Jean \t  Dupont  ") == "jean dupont");
    // Decomposed input (e + combining acute) folds like the composed form.
    CHECK(fold_for_search("Le\xCC\x81on") == "leon");
    CHECK(fold_for_search("Ștefan Țurcanu") == "stefan turcanu");
    // Other scripts pass through unchanged.
    CHECK(fold_for_search("Москва") == "Москва");
}

TEST_CASE("compact_alnum keeps ASCII letters and digits") {
    CHECK(compact_alnum("AB-123-CD") == "ab123cd");
    CHECK(compact_alnum("ab 123 cd") == "ab123cd");
    CHECK(compact_alnum("+33 6 12") == "33612");
}

TEST_CASE("UTF-8 validation and length") {
    CHECK(is_valid_utf8("prêt ça 🚗"));
    CHECK_FALSE(is_valid_utf8("\xC3"));          // truncated
    CHECK_FALSE(is_valid_utf8("\xC0\xAF"));      // overlong
    CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));  // surrogate
    CHECK(utf8_length("prêt") == 4);
    CHECK(utf8_length("🚗") == 1);
}

TEST_CASE("control characters: one-line versus multi-line fields") {
    CHECK(has_control_chars("a\nb", false));
    CHECK_FALSE(has_control_chars("a\nb\tc", true));
    CHECK(has_control_chars("a\x01z", true));
    CHECK(has_control_chars("a\xC2\x85z", true));  // NEL
    CHECK_FALSE(has_control_chars("Hélène", false));
}

TEST_CASE("edit distance for suggestions") {
    CHECK(edit_distance("lan_lisen", "lan_listen") == 1);
    CHECK(edit_distance("", "abc") == 3);
    CHECK(edit_distance("same", "same") == 0);
}

TEST_CASE("search query: long words match anywhere, short ones as word starts") {
    const SearchQuery q = parse_search_query("Lefèvre ab 308 Zé -");
    CHECK(q.substring_match == "\"lefevre\" AND \"308\"");
    CHECK(q.prefix_match == "\"ab\"* AND \"ze\"*");
    CHECK(parse_search_query("   ").empty());
    CHECK(parse_search_query("- /").empty());
}

TEST_CASE("search query: a phone number typed with separators becomes one word") {
    CHECK(parse_search_query("06 12 34 56 78").substring_match == "\"0612345678\"");
    CHECK(parse_search_query("06.12.34.56.78").substring_match == "\"0612345678\"");
    CHECK(parse_search_query("+33 6 12 34 56 78").substring_match == "\"+33612345678\"");
    // A plate with spaces is not a phone number.
    CHECK(parse_search_query("AB 123 CD").prefix_match == "\"ab\"* AND \"cd\"*");
}

TEST_CASE("search query: quotes cannot break out of the FTS phrase") {
    const SearchQuery q = parse_search_query("a\"b\" OR c");
    CHECK(q.substring_match == "\"a\"\"b\"\"\"");
    CHECK(q.prefix_match == "\"or\"* AND \"c\"*");
}

TEST_CASE("search document holds every searchable form") {
    RepairOrder ro;
    ro.number = "OR-2026-00042";
    ro.vehicle.plate = "AB-123-CD";
    ro.vehicle.vin = "VF3ABCDEFGH123456";
    Party p;
    p.first_name = "Hélène";
    p.last_name = "Lefèvre";
    p.company_name = "Taxis Étoile";
    ContactPoint phone;
    phone.kind = ContactKind::phone;
    phone.value = "+33612345678";
    p.contact_points.push_back(phone);
    ro.parties.push_back(p);
    const std::string doc = search_document(ro);
    for (const char* part : {"or-2026-00042", "ab-123-cd", "ab123cd", "vf3abcdefgh123456", "helene lefevre",
                             "lefevre helene", "taxis etoile", "+33612345678", "0612345678"}) {
        CAPTURE(part);
        CHECK(doc.find(part) != std::string::npos);
    }
}

TEST_CASE("bytes from outside: valid UTF-8 kept, the rest escaped, nothing lost") {
    CHECK(escape_untrusted("250 2.0.0 Message accepté") == "250 2.0.0 Message accepté");
    // Latin-1 "é" is one byte that is not UTF-8.
    CHECK(escape_untrusted("accept\xe9 (file 7)") == "accept\\xE9 (file 7)");
    CHECK(escape_untrusted("a\x1b[31mb\x7f") == "a\\x1B[31mb\\x7F");
    CHECK(escape_untrusted("a\nb\tc") == "a\\x0Ab\tc");
    CHECK(escape_untrusted("prix \u202e0001") == "prix \\u202E0001");
    CHECK(escape_untrusted("\xc2\x85|\u2028") == "\\u0085|\\u2028");
    // A truncated sequence and a lone continuation byte, byte by byte.
    CHECK(escape_untrusted("\xe2\x82") == "\\xE2\\x82");
    CHECK(escape_untrusted("\x80z") == "\\x80z");
    for (std::string s : {"accept\xe9", "\xff\xfe", "a\xc3", "ok"}) CHECK(is_valid_utf8(escape_untrusted(s)));
    // Escaping what was escaped changes nothing: safe to apply at every layer.
    CHECK(escape_untrusted(escape_untrusted("x\xe9\x1b")) == escape_untrusted("x\xe9\x1b"));
}

TEST_CASE("bytes from outside: cut at a character boundary, with an ellipsis") {
    const std::string cut = escape_untrusted("éééééééééé", 9);
    CHECK(cut == "ééé\u2026");
    CHECK(cut.size() <= 9);
    CHECK(is_valid_utf8(escape_untrusted(std::string(500, 'x') + "\xe9", 100)));
    CHECK(utf8_prefix("M" + std::string("é"), 2) == "M");
    CHECK(utf8_prefix("Mé", 3) == "Mé");
    CHECK(utf8_prefix("abc", 10) == "abc");
}

TEST_CASE("bidi controls are found") {
    CHECK(has_bidi_controls("a\u202eb"));
    CHECK(has_bidi_controls("\u2066x\u2069"));
    CHECK_FALSE(has_bidi_controls("Lefèvre \u200f"));  // a mark, not an override
}
