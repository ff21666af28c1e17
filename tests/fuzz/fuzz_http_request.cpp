// libFuzzer target for what a client on the internet sends first: the request head as the gate
// parses it (fed whole and in pieces, which must agree), the canonical head it passes on (which
// must parse back to the same request), the Cookie header, the Host check, a chunked body, the
// framing of responses, and the JSON body readers of the applications, every reader of
// ObjectReader among them (a wrongly typed field is a value, never an exception). The first
// byte picks the piece size.

#include "decisions_body.hpp"
#include "http_head.hpp"
#include "offer.hpp"
#include "request_body.hpp"
#include "text.hpp"
#include "timezone.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace relais;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::size_t piece = 1 + data[0] % 29;
    const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
    HeadLimits limits;
    limits.max_head_bytes = 2048;
    limits.max_body_bytes = 4096;

    const HeadParse whole = parse_request_head(bytes, limits);
    // As the gate sees it arrive: a prefix at a time, the verdict settled once it is complete.
    HeadParse grown;
    for (std::size_t n = piece; grown.state == HeadParse::State::incomplete; n += piece) {
        grown = parse_request_head(bytes.substr(0, std::min(n, bytes.size())), limits);
        if (n >= bytes.size()) break;
    }
    check(grown.state == whole.state);
    if (whole.state == HeadParse::State::error) {
        check(whole.error.status >= 400 && whole.error.status <= 505 && !whole.error.code.empty());
        check(is_valid_utf8(whole.error.reason));
        (void)gate_response(whole.error, true);
        return 0;
    }
    if (whole.state != HeadParse::State::done) return 0;
    check(grown.consumed == whole.consumed && grown.head.headers == whole.head.headers);
    const RequestHead& h = whole.head;

    // What the engine receives parses back to the same request, headers all wrapped.
    HeadLimits roomy = limits;
    roomy.max_head_bytes = 1 << 20;
    const std::string inner = internal_head(h, h.content_length);
    const HeadParse back = parse_request_head(inner, roomy);
    if (h.minor_version >= 1) {
        check(back.state == HeadParse::State::done);
        check(back.head.method == h.method && back.head.target == h.target);
        for (const auto& [name, value] : back.head.headers) check(name == "host" || unwrap_header(name).has_value());
    }

    if (const std::string* cookie = h.header("cookie"))
        for (const auto& [name, value] : parse_cookie_header(*cookie)) check(!name.empty());
    HostPolicy hosts;
    hosts.names = {"localhost", "atelier.garage.fr"};
    if (const std::string* host = h.header("host")) (void)hosts.allows(*host);
    for (const auto& [name, value] : h.headers) check(is_valid_utf8(escape_untrusted(value)));

    std::string_view rest = bytes.substr(whole.consumed);
    HttpRequest req;
    req.headers = h.headers;
    if (h.chunked) {
        ChunkedDecoder d(limits.max_body_bytes);
        std::string body;
        if (d.feed(rest, body) != ChunkedDecoder::State::done) return 0;
        req.body = std::move(body);
    } else {
        req.body = std::string(
            rest.substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(h.content_length, rest.size()))));
    }
    req.headers.emplace_back("content-type", "application/json");
    auto object = read_json_object(req, limits.max_body_bytes);
    if (object) {
        check(object->is_object());
        (void)read_decisions(*object);
        // Every reader of the API's bodies on every field: a wrong type is a problem, never an
        // exception.
        static const auto zone = make_fixed_offset_zone(60);
        Problems problems;
        {
            ObjectReader r(*object, "", problems);
            for (auto it = object->begin(); it != object->end(); ++it) {
                const char* key = it.key().c_str();
                (void)r.string(key);
                (void)r.string(key, ObjectReader::Null::refused);
                (void)r.required_string(key);
                (void)r.integer(key);
                (void)r.nullable_integer(key);
                (void)r.boolean(key);
                (void)r.nullable_boolean(key);
                (void)r.nullable_date(key, *zone);
                (void)r.object(key);
                (void)r.array(key);
                (void)r.required_array(key);
                (void)r.enumeration<Decision>(key);
            }
        }
    }

    ResponseFramer framer;
    framer.expect(h.method);
    ResponseFramer::State st;
    std::string_view left = bytes;
    for (int i = 0; i < 16 && !left.empty(); ++i) {
        const std::size_t used = framer.feed(left, st);
        check(used <= left.size());
        if (st == ResponseFramer::State::error || st == ResponseFramer::State::until_close) break;
        left.remove_prefix(used);
        if (st == ResponseFramer::State::complete) framer.expect("GET");
        if (used == 0) break;
    }
    return 0;
}
