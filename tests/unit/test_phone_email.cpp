#include "email_address.hpp"
#include "phone.hpp"

#include <doctest/doctest.h>

using namespace relais;

TEST_CASE("French numbers typed by advisors are stored in E.164") {
    auto phones = make_phone_numbers("FR");
    for (const char* input : {"06 12 34 56 78", "0612345678", "06.12.34.56.78", "06-12-34-56-78", "+33 6 12 34 56 78",
                              "+33612345678", "0033 6 12 34 56 78", "+33 (0)6 12 34 56 78"}) {
        CAPTURE(input);
        auto r = phones->normalize(input);
        REQUIRE(r.ok());
        CHECK(*r == "+33612345678");
    }
    CHECK(*phones->normalize("01 23 45 67 89") == "+33123456789");
    CHECK(*phones->normalize("+32 470 12 34 56") == "+32470123456");  // a Belgian customer
}

TEST_CASE("invalid phone numbers are refused with the reason") {
    auto phones = make_phone_numbers("FR");
    CHECK(phones->normalize("06 12").error().code == "phone_too_short");
    CHECK(phones->normalize("06 12 34 56 78 90 12 34").error().code == "phone_too_long");
    CHECK(phones->normalize("bonjour").error().code == "phone_not_a_number");
    CHECK(phones->normalize("+999 123 456 789").error().code == "phone_invalid_country");
    CHECK(phones->normalize("00 00 00 00 00").error().code == "phone_invalid");
}

TEST_CASE("the region decides how a national number is read") {
    auto be = make_phone_numbers("BE");
    CHECK(*be->normalize("0470 12 34 56") == "+32470123456");
}

TEST_CASE("phone display and SMS capability") {
    auto phones = make_phone_numbers("FR");
    CHECK(phones->display("+33612345678") == "06 12 34 56 78");
    CHECK(phones->display("+32470123456") == "+32 470 12 34 56");
    CHECK(phones->can_receive_sms("+33612345678"));
    CHECK_FALSE(phones->can_receive_sms("+33123456789"));  // a landline
}

TEST_CASE("supported phone regions") {
    CHECK(phone_region_supported("FR"));
    CHECK(phone_region_supported("CH"));
    CHECK_FALSE(phone_region_supported("XX"));
}

TEST_CASE("email addresses: accepted and normalised") {
    CHECK(*normalize_email(" Helene.Lefevre@Exemple.FR ") == "Helene.Lefevre@exemple.fr");
    CHECK(*normalize_email("a+tag@sub.garage-martin.fr") == "a+tag@sub.garage-martin.fr");
    CHECK(*normalize_email("hélène@exemple.fr") == "hélène@exemple.fr");
}

TEST_CASE("email addresses: refused with a reason") {
    const auto reason = [](const char* input) {
        auto r = normalize_email(input);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "email_invalid");
        return r.error().params.front().second;
    };
    CHECK(reason("helene.exemple.fr") == "missing_at");
    CHECK(reason("helene@exemple") == "domain");
    CHECK(reason("helene@-exemple.fr") == "domain");
    CHECK(reason("hel ene@exemple.fr") == "spaces");
    CHECK(reason(".helene@exemple.fr") == "local_part");
    CHECK(reason("hel..ene@exemple.fr") == "local_part");
    CHECK(reason("helene@@exemple.fr") == "local_part");
    CHECK(reason((std::string(250, 'a') + "@exemple.fr").c_str()) == "too_long");
}
