// Customers' SMS: matched to the latest offer sent to the number, and STOP as an opt-out.

#include "support.hpp"

#include "inbound_sms.hpp"
#include "virtual_modem.hpp"

#include <doctest/doctest.h>

using namespace relais;
using namespace relais::test;

TEST_CASE("only a message that is exactly STOP is an opt-out") {
    CHECK(is_stop_request("STOP"));
    CHECK(is_stop_request("stop"));
    CHECK(is_stop_request("  Stop \n"));
    CHECK_FALSE(is_stop_request("stop the work please"));
    CHECK_FALSE(is_stop_request("STOP!"));
    CHECK_FALSE(is_stop_request("arrêt"));
    CHECK_FALSE(is_stop_request(""));
}

TEST_CASE("a STOP from a number no offer went to is still recorded and acknowledged once") {
    World w;
    Config config;
    config.dealer.name = "Garage Demo";
    std::vector<std::string> told;  // what the opt-out listener heard (the repair orders' side)
    const OptOutListener listener = [&](Connection&, const std::string& number) -> Result<void> {
        told.push_back(number);
        return {};
    };
    auto handle = [&](const std::string& text) {
        return w.db->write([&](Connection& c) -> Result<InboundOutcome> {
            InboundSmsRecord r;
            r.sender = "+33699999999";
            r.text = text;
            r.received_at = w.clock.now();
            TRY_ASSIGN(r.id, sms_store::insert_inbound(c, r));
            return handle_inbound_sms(c, config, r, w.clock.now(), {.on_opt_out = listener, .on_settled = {}});
        });
    };
    auto reply = handle("Bonjour, c'est d'accord");
    REQUIRE(reply.ok());
    CHECK_FALSE(reply->ro_id.has_value());
    CHECK_FALSE(reply->queued);
    auto first = handle("STOP");
    REQUIRE(first.ok());
    CHECK(first->opted_out);
    CHECK(first->queued);
    auto second = handle("stop");
    REQUIRE(second.ok());
    CHECK_FALSE(second->opted_out);
    CHECK_FALSE(second->queued);
    // Told once, the first time, with the number.
    CHECK(told == std::vector<std::string>{"+33699999999"});
    auto stopped = w.db->read([](Connection& c) { return is_opted_out(c, "+33699999999"); });
    CHECK(*stopped);
    auto acks = w.db->read([](Connection& c) -> Result<std::int64_t> {
        TRY_ASSIGN(auto s, c.prepare("SELECT count(*) FROM outbox WHERE purpose = 'stop_ack'"));
        TRY(s.step());
        return s.int64(0);
    });
    CHECK(*acks == 1);
}

TEST_CASE("a data directory too deep for the emulated modem's socket is a clear error") {
    auto vm = VirtualModem::start("/bin/false", "/tmp/" + std::string(120, 'd'));
    REQUIRE_FALSE(vm.ok());
    CHECK(vm.error().detail.find("at most 107") != std::string::npos);
}

TEST_CASE("an SMS can be sent to a number, not to a sender name") {
    CHECK(can_receive_sms("+33612345678"));
    CHECK(can_receive_sms("0612345678"));
    CHECK(can_receive_sms("36180"));  // a short code
    CHECK_FALSE(can_receive_sms("Orange"));
    CHECK_FALSE(can_receive_sms("a"));
    CHECK_FALSE(can_receive_sms("+"));
    CHECK_FALSE(can_receive_sms("+3361234567890123"));
}
