#include "auth.hpp"
#include "auth_types.hpp"
#include "certificates.hpp"
#include "config.hpp"
#include "customer_service.hpp"
#include "enum_names.hpp"
#include "offer.hpp"
#include "reminder_policy.hpp"
#include "repair_order.hpp"
#include "test_emails.hpp"
#include "timeline.hpp"

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
    CHECK(parse_enum<E>("no_such_word") == std::nullopt);
    CHECK(parse_enum<E>("") == std::nullopt);
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
    check_names<Actor::Kind>(4);
    check_names<MailTls>(4);
    check_names<Config::Tls::Source>(3);
    check_names<Config::Acme::Challenge>(2);
    check_names<LinkStatus>(5);
    check_names<CertState>(5);
    check_names<TestEmail::State>(3);
    check_names<Principal::Kind>(2);
    check_names<RepairOrderQuery::DateField>(2);
    check_names<RepairOrderQuery::Sort>(4);
    check_names<ReminderPolicy>(4);
}

TEST_CASE("named enums: the words stored, sent and configured before their tables stay the same") {
    CHECK(enum_choices<Actor::Kind>() == "user, api_key, system, customer");   // events.actor_kind
    CHECK(enum_choices<MailTls>() == "none, starttls, opportunistic, tls");    // [mail] tls
    CHECK(enum_choices<Config::Tls::Source>() == "self-signed, files, acme");  // [tls] certificate
    CHECK(enum_choices<Config::Acme::Challenge>() == "http-01, dns-01");       // [acme] challenge
    CHECK(enum_choices<LinkStatus>() == "ok, unknown, other_device, expired, superseded");
    CHECK(enum_choices<CertState>() == "ok, self_signed, requesting, failing, no_public_name");
    CHECK(enum_choices<TestEmail::State>() == "sending, sent, failed");
    CHECK(enum_choices<Principal::Kind>() == "user, api_key");
    CHECK(enum_choices<RepairOrderQuery::DateField>() == "created, promised");            // ?date=, and its error
    CHECK(enum_choices<RepairOrderQuery::Sort>() == "newest, oldest, promised, number");  // ?sort=, and its error
    CHECK(enum_choices<ReminderPolicy>() == "none, gentle, urgent, custom");              // [reminders] policy
    CHECK(parse_enum<Config::Tls::Source>("self_signed") == std::nullopt);                // the key says "self-signed"
    CHECK(parse_enum<Config::Acme::Challenge>("http01") == std::nullopt);
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
