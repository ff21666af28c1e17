// What a modem says it can do, parsed from real modems' answers: memories (+CPMS=?), the
// routing ladder (+CNMI=?), the routing in force (+CNMI?), and the vendor (+CGMI).
#include "modem_caps.hpp"
#include "modem_session.hpp"
#include "profiles.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace relais::modem;

namespace {

std::vector<std::string> commands(const std::vector<Cnmi>& ladder) {
    std::vector<std::string> out;
    for (const auto& c : ladder) out.push_back(c.command());
    return out;
}

const std::vector<std::string> whole_ladder = {"AT+CNMI=2,1,0,1,0", "AT+CNMI=1,1,0,1,0", "AT+CNMI=2,1,0,2,0",
                                               "AT+CNMI=1,1,0,2,0", "AT+CNMI=2,1,0,0,0", "AT+CNMI=1,1,0,0,0"};

}  // namespace

TEST_CASE("caps: +CPMS=? of a SIM7600: SM shared by all three, a status report store") {
    const auto m = parse_cpms_test(R"(+CPMS: ("ME","MT","SM","SR"),("ME","MT","SM"),("ME","SM"))");
    REQUIRE(m);
    REQUIRE(m->lists.size() == 3);
    CHECK(m->lists[0] == std::set<std::string>{"ME", "MT", "SM", "SR"});
    CHECK(m->lists[2] == std::set<std::string>{"ME", "SM"});
    CHECK(m->preferred() == "SM");
    CHECK(m->has_status_reports());
}

TEST_CASE("caps: +CPMS=? of a Huawei E3372: SM, and no SR store") {
    const auto m = parse_cpms_test(R"(+CPMS: ("SM","ME"),("SM","ME"),("SM","ME"))");
    REQUIRE(m);
    CHECK(m->preferred() == "SM");
    CHECK_FALSE(m->has_status_reports());
}

TEST_CASE("caps: +CPMS=? without SM everywhere: the first other memory all three share") {
    // ModemManager's test string (src/tests/test-modem-helpers.c): MT is the only one shared.
    const auto mm = parse_cpms_test(R"(+CPMS: ("ME","MT"),("ME","SM","MT"),("SM","MT"))");
    REQUIRE(mm);
    CHECK(mm->preferred() == "MT");
    CHECK_FALSE(mm->has_status_reports());
    const auto me = parse_cpms_test(R"(("ME","SM"),("ME"),("ME","MT"))");  // no prefix
    REQUIRE(me);
    CHECK(me->preferred() == "ME");
    const auto none = parse_cpms_test(R"(+CPMS: ("ME"),("SM"),("SM"))");
    REQUIRE(none);
    CHECK(none->preferred().empty());
    // Only <mem1> can be read from: an "SR" allowed elsewhere is no report store.
    const auto sr_later = parse_cpms_test(R"(+CPMS: ("SM"),("SM","SR"),("SM"))");
    REQUIRE(sr_later);
    CHECK_FALSE(sr_later->has_status_reports());
    // Lower case and spaces, as some firmwares write them.
    const auto loose = parse_cpms_test(R"(+cpms: ( "sm" , "sr" ), ("sm"), ("sm"))");
    REQUIRE(loose);
    CHECK(loose->preferred() == "SM");
    CHECK(loose->has_status_reports());
}

TEST_CASE("caps: +CPMS=? of every emulated profile gives its memory and SR store") {
    struct Expect {
        const char* profile;
        const char* memory;
        bool sr;
    };
    for (const Expect& e : {Expect{"quectel-ec25", "SM", true}, Expect{"simcom-sim7600", "SM", true},
                            Expect{"huawei-e3372", "SM", false}, Expect{"telit-le910c1", "SM", true}}) {
        CAPTURE(e.profile);
        const auto p = relais::bridge::profile_named(e.profile);
        REQUIRE(p);
        const auto m = parse_cpms_test(p->cpms_test);
        REQUIRE(m);
        CHECK(m->preferred() == e.memory);
        CHECK(m->has_status_reports() == e.sr);
    }
}

TEST_CASE("caps: unreadable +CPMS=? answers are nullopt") {
    for (const char* bad : {"", "+CPMS:", "+CPMS: garbage", R"(+CPMS: ("SM","ME")", R"(+CPMS: ("SM")),("SM"))",
                            R"(+CPMS: ("SM"),("SM),("SM"))", "+CPMS: 0,30,0,30,0,30", R"(+CPMS: (),("SM"),("SM"))"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_cpms_test(bad));
    }
}

TEST_CASE("caps: the +CNMI ladder from a full answer: ds 1, then 2, then 0, mode 2 before 1") {
    const auto ladder = cnmi_ladder(std::string_view("+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)"));
    CHECK(commands(ladder) == whole_ladder);
    REQUIRE_FALSE(ladder.empty());
    CHECK(ladder.front() == Cnmi{2, 1, 0, 1, 0});
}

TEST_CASE("caps: the +CNMI ladder keeps only what the modem advertises") {
    // No <ds>=1: reports are never asked for whole.
    CHECK(commands(cnmi_ladder(std::string_view("+CNMI: (0-2),(0-3),(0,2),(0,2),(0,1)"))) ==
          std::vector<std::string>{"AT+CNMI=2,1,0,2,0", "AT+CNMI=1,1,0,2,0", "AT+CNMI=2,1,0,0,0", "AT+CNMI=1,1,0,0,0"});
    // No <mode>=2.
    CHECK(commands(cnmi_ladder(std::string_view("+CNMI: (0,1),(0-3),(0,2),(0-2),(0,1)"))) ==
          std::vector<std::string>{"AT+CNMI=1,1,0,1,0", "AT+CNMI=1,1,0,2,0", "AT+CNMI=1,1,0,0,0"});
    // Only <ds> 0 and 2, listed, not as a range; <mode> up to 3 (a Telit's) changes nothing.
    CHECK(commands(cnmi_ladder(std::string_view("+CNMI: (0-3),(0-3),(0,2),(0,2),(0,1)"))) ==
          std::vector<std::string>{"AT+CNMI=2,1,0,2,0", "AT+CNMI=1,1,0,2,0", "AT+CNMI=2,1,0,0,0", "AT+CNMI=1,1,0,0,0"});
    // <bm>=0 not offered: the first value it offers.
    CHECK(cnmi_ladder(std::string_view("+CNMI: (0-2),(0-3),(2),(0-2),(0,1)")).front().command() == "AT+CNMI=2,1,2,1,0");
}

TEST_CASE("caps: no answer, an unreadable one, or one that rules everything out") {
    CHECK(commands(cnmi_ladder(std::nullopt)) == whole_ladder);
    CHECK(commands(cnmi_ladder(std::string_view("+CNMI: what?"))) == whole_ladder);
    CHECK(commands(cnmi_ladder(std::string_view("+CNMI: (0-2),(0-x),(0,2),(0-2),(0,1)"))) == whole_ladder);
    // <mt>=1 not offered: not believed; the fallback is mode 2 with each <ds>.
    const std::vector<std::string> fallback = {"AT+CNMI=2,1,0,1,0", "AT+CNMI=2,1,0,2,0", "AT+CNMI=2,1,0,0,0"};
    CHECK(commands(cnmi_ladder(std::string_view("+CNMI: (0-2),(0,2,3),(0),(0-2),(0)"))) == fallback);
    CHECK(commands(cnmi_ladder(std::string_view("+CNMI: (3),(0-3),(0),(0-2),(0)"))) == fallback);
}

TEST_CASE("caps: +CNMI? read form") {
    CHECK(parse_cnmi_read("+CNMI: 2,1,0,1,0") == Cnmi{2, 1, 0, 1, 0});
    CHECK(parse_cnmi_read("+CNMI: 2,0,0,0,0") == Cnmi{2, 0, 0, 0, 0});  // a Telit after a missed +CNMA
    CHECK(parse_cnmi_read(" +CNMI: 1,2,0,2,1 ") == Cnmi{1, 2, 0, 2, 1});
    CHECK(parse_cnmi_read("1,1,0,2") == Cnmi{1, 1, 0, 2, 0});  // four fields, no prefix
    CHECK_FALSE(parse_cnmi_read("+CNMI: 2,1"));
    CHECK_FALSE(parse_cnmi_read("+CNMI: 2,x,0,1,0"));
    CHECK_FALSE(parse_cnmi_read(""));
    CHECK(Cnmi{1, 1, 0, 2, 0}.command() == "AT+CNMI=1,1,0,2,0");
}

TEST_CASE("caps: the vendor from each profile's +CGMI, and from others") {
    CHECK(vendor_of(relais::bridge::profile_named("quectel-ec25")->manufacturer) == Vendor::quectel);
    CHECK(vendor_of(relais::bridge::profile_named("simcom-sim7600")->manufacturer) == Vendor::simcom);
    CHECK(vendor_of(relais::bridge::profile_named("huawei-e3372")->manufacturer) == Vendor::huawei);
    CHECK(vendor_of(relais::bridge::profile_named("telit-le910c1")->manufacturer) == Vendor::telit);
    CHECK(vendor_of(relais::bridge::profile_named("generic")->manufacturer) == Vendor::other);
    CHECK(vendor_of("Quectel") == Vendor::quectel);
    CHECK(vendor_of("SIMCOM INCORPORATED") == Vendor::simcom);
    CHECK(vendor_of("huawei") == Vendor::huawei);
    CHECK(vendor_of("Telit") == Vendor::telit);
    CHECK(vendor_of("QUECTEL") == Vendor::quectel);
    CHECK(vendor_of("SIMCOM_Ltd") == Vendor::simcom);
    CHECK(vendor_of("Fake Modems") == Vendor::other);
    CHECK(vendor_of("") == Vendor::other);
}

TEST_CASE("send errors: the five classes, by 27.005, 24.011, 23.040 and the vendor") {
    // The issue's injected codes first.
    CHECK(classify_cms_error(38) == SendError::temporary);   // network out of order
    CHECK(classify_cms_error(42) == SendError::temporary);   // congestion
    CHECK(classify_cms_error(304) == SendError::permanent);  // invalid PDU parameter
    CHECK(classify_cms_error(500) == SendError::unknown);
    CHECK(classify_cms_error(512, Vendor::quectel) == SendError::sim_or_network);  // Quectel: SIM not ready
    CHECK(classify_cms_error(512, Vendor::huawei) == SendError::unknown);          // others: their own meaning
    // The SIM and the service.
    for (int code : {310, 311, 312, 313, 315, 316, 317, 318, 330, 331}) {
        CAPTURE(code);
        CHECK(classify_cms_error(code) == SendError::sim_or_network);
    }
    // Storage full.
    CHECK(classify_cms_error(322) == SendError::storage_full);
    CHECK(classify_cms_error(211) == SendError::storage_full);
    CHECK(classify_cms_error(531, Vendor::quectel) == SendError::storage_full);
    CHECK(classify_cms_error(531) == SendError::unknown);
    // Numbers that will never take an SMS, and requests that are wrong.
    for (int code : {1, 8, 10, 21, 29, 50, 96, 127, 128, 176, 305, 321}) {
        CAPTURE(code);
        CHECK(classify_cms_error(code) == SendError::permanent);
    }
    // Any other RP-cause is the network's state; the rest is not known.
    CHECK(classify_cms_error(41) == SendError::temporary);
    CHECK(classify_cms_error(47) == SendError::temporary);
    CHECK(classify_cms_error(332) == SendError::temporary);
    CHECK(classify_cms_error(513) == SendError::unknown);
    CHECK(classify_cms_error(999) == SendError::unknown);
    CHECK(to_string(SendError::sim_or_network) == "sim_or_network");
}
