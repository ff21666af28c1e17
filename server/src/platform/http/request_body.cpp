#include "request_body.hpp"

#include "text.hpp"

#include <nlohmann/json.hpp>

namespace relais {

using nlohmann::json;

Result<json> read_json_object(const HttpRequest& req, std::size_t max_bytes) {
    if (req.body.size() > max_bytes) {
        Error e = make_error(ErrorKind::too_large, "body_too_large", {{"max", std::to_string(max_bytes)}});
        return e;
    }
    if (trim(req.body).empty()) return json::object();
    const std::string* type = req.header("content-type");
    if (!type || ascii_lower(*type).rfind("application/json", 0) != 0)
        return make_error(ErrorKind::unsupported_media_type, "unsupported_media_type");
    json body;
    try {
        body = json::parse(req.body);
    } catch (const json::parse_error& e) {
        // Where it went wrong, in nlohmann's words after its prefix.
        const std::string what = e.what();
        const auto colon = what.rfind(':');
        return make_error(
            ErrorKind::invalid, "malformed_json",
            {{"detail", "byte " + std::to_string(e.byte) + ": " +
                            escape_untrusted(colon == std::string::npos ? what : what.substr(colon + 2), 200)}});
    }
    if (!body.is_object()) return make_error(ErrorKind::invalid, "expected_object");
    return body;
}

}  // namespace relais
