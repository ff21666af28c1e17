#include "money.hpp"

#include <doctest/doctest.h>

using namespace relais;

TEST_CASE("price incl. VAT from excl., rounded to the cent") {
    CHECK(incl_from_excl(14500, 2000) == 17400);
    CHECK(incl_from_excl(1, 2000) == 1);         // 1.2 cents
    CHECK(incl_from_excl(3, 2000) == 4);         // 3.6 cents
    CHECK(incl_from_excl(10000, 550) == 10550);  // 5.5 %
    CHECK(incl_from_excl(8333, 2000) == 10000);  // 9999.6 → 10000
    CHECK(incl_from_excl(0, 2000) == 0);
    CHECK(incl_from_excl(12345, 0) == 12345);
}

TEST_CASE("price excl. VAT from incl.") {
    CHECK(excl_from_incl(17400, 2000) == 14500);
    CHECK(excl_from_incl(10000, 2000) == 8333);
    CHECK(excl_from_incl(10550, 550) == 10000);
}

TEST_CASE("a price pair agrees with its rate to within one cent") {
    CHECK(prices_consistent(14500, 17400, 2000));
    CHECK(prices_consistent(8333, 10000, 2000));
    CHECK(prices_consistent(8333, 9999, 2000));
    CHECK_FALSE(prices_consistent(14500, 17500, 2000));
}
