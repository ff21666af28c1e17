#include "auth_types.hpp"
#include "enum_names.hpp"
#include "offer.hpp"
#include "repair_order.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace relais;

namespace {

// Every value has one word, every word one value, and each goes there and back.
template <NamedEnum E>
void check_names(std::size_t values) {
    const auto& table = EnumNames<E>::table;
    CHECK(table.size() == values);
    std::set<int> seen_values;
    std::set<std::string_view> seen_words;
    for (const auto& [value, word] : table) {
        CHECK(seen_values.insert(static_cast<int>(value)).second);
        CHECK(seen_words.insert(word).second);
        CHECK(to_string(value) == word);
        REQUIRE(parse_enum<E>(word).has_value());
        CHECK(*parse_enum<E>(word) == value);
    }
}

}  // namespace

TEST_CASE("each named enum has one word per value, both ways") {
    check_names<RoStatus>(kRoStatusCount);
    check_names<PartyRole>(4);
    check_names<PartyKind>(2);
    check_names<ContactKind>(2);
    check_names<ContactUsage>(2);
    check_names<InterventionKind>(2);
    check_names<Severity>(3);
    check_names<UserRole>(2);
    check_names<OfferState>(11);
    check_names<Channel>(2);
    check_names<Decision>(3);
    check_names<OutboxState>(6);
}

TEST_CASE("named enums: exact lower-case words only, and the choices listed in table order") {
    CHECK(parse_enum<Severity>("Red") == std::nullopt);
    CHECK(parse_enum<Severity>(" red") == std::nullopt);
    CHECK(parse_enum<OfferState>("") == std::nullopt);
    CHECK(enum_choices<Severity>() == "red, orange, green");
    CHECK(enum_choices<UserRole>() == "advisor, dealer_admin");
    CHECK(to_string(OfferState::superseded) == "superseded");  // the word, not the position
    CHECK(to_string(static_cast<Severity>(42)) == "?");
}
