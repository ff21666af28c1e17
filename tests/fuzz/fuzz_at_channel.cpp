// libFuzzer target: the AT line parser and channel must cope with any bytes a modem (or line
// noise) sends, in any split, with commands in flight: no crash, no hang, no unbounded growth.
// Every line that comes out (final results, intermediate lines, unsolicited codes) is stored,
// logged or shown somewhere: it must be valid UTF-8 whatever the modem sent.
#include "at_channel.hpp"
#include "text.hpp"

#include <cstdlib>

#include <cstddef>
#include <cstdint>
#include <string>

using namespace relais::modem;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    int urcs = 0;
    int results = 0;
    const auto valid = [](const std::string& s) {
        if (!relais::is_valid_utf8(s)) std::abort();
    };
    AtChannel channel([&](const Urc& u) {
        ++urcs;
        valid(u.line);
        if (u.pdu) valid(*u.pdu);
    });
    Millis now = 0;
    const auto submit = [&](const char* cmd, const char* prefix, bool with_data) {
        AtCommand c;
        c.command = cmd;
        c.prefix = prefix;
        if (with_data) c.data = std::string("0011000B916407281553F80000AA0AE8329BFD4697D9EC37");
        c.timeout = 1000;
        c.on_done = [&](const AtResult& r) {
            ++results;
            (void)r.value("+CMGS:");
            valid(r.final_line);
            for (const auto& line : r.lines) valid(line);
        };
        channel.submit(std::move(c), now);
    };
    submit("AT+CMGS=23", "+CMGS:", true);
    submit("AT+CREG?", "+CREG:", false);
    submit("AT+CMGL=4", "", false);
    // The first byte chooses how the rest is cut into reads.
    const std::size_t chunk = size ? (data[0] % 17) + 1 : 1;
    for (std::size_t i = size ? 1 : 0; i < size; i += chunk) {
        const std::size_t n = std::min(chunk, size - i);
        channel.feed(std::string_view(reinterpret_cast<const char*>(data + i), n), now);
        now += 100;
        channel.tick(now);
        (void)channel.take_output();
    }
    now += 10000;
    channel.tick(now);
    channel.fail_all(AtResult::Status::cancelled);
    return 0;
}
