// libFuzzer target for the SMTP reply parser (what a hostile or broken relay can send us).
// The first byte picks a chunk size: feeding the same bytes whole and in chunks must give the
// same replies and the same verdict, every reply must hold a valid code and at least one
// line, and EHLO parsing of whatever comes out must not fail. The reply text, and the error
// the parser gives, are stored and shown: they must be valid UTF-8 whatever the relay sent (a
// French relay answering in Latin-1), and dump as JSON strictly, as a timeline event does.

#include "smtp_protocol.hpp"
#include "text.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

using namespace relais::mail;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::size_t chunk = 1 + data[0] % 17;
    std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);

    ReplyParser whole;
    std::vector<SmtpReply> a;
    const std::string error_whole = whole.feed(bytes, a);

    ReplyParser pieces;
    std::vector<SmtpReply> b;
    std::string error_pieces;
    for (std::size_t i = 0; i < bytes.size() && error_pieces.empty(); i += chunk)
        error_pieces = pieces.feed(bytes.substr(i, chunk), b);

    if (error_whole.empty() != error_pieces.empty()) std::abort();
    if (!relais::is_valid_utf8(error_whole)) std::abort();
    if (a.size() != b.size()) std::abort();
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].code != b[i].code || a[i].lines != b[i].lines) std::abort();
        if (a[i].code < 100 || a[i].code > 599 || a[i].lines.empty()) std::abort();
        (void)parse_ehlo(a[i]);
        const std::string summary = a[i].summary();
        if (!relais::is_valid_utf8(summary)) std::abort();
        (void)nlohmann::json{{"detail", std::to_string(a[i].code) + " " + summary}}
            .dump();  // strict: throws on bad UTF-8
    }
    return 0;
}
