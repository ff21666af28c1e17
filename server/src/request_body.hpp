#pragma once
// Request bodies as the HTTP applications read them, without I/O: a JSON object checked for
// size, media type and syntax, each failure a stable error code; and the customer page's
// decisions, every field checked for its type so that a wrong one is a 422 naming it, never an
// exception. Fuzzed by tests/fuzz/fuzz_http_request.cpp.

#include "http.hpp"
#include "offer.hpp"
#include "result.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <map>
#include <set>

namespace relais {

/// The body of `req` as a JSON object: {} when empty; 413 body_too_large past `max_bytes`,
/// 415 unsupported_media_type when not application/json, 400 malformed_json (with where) or
/// expected_object.
Result<nlohmann::json> read_json_object(const HttpRequest& req, std::size_t max_bytes);

struct DecisionsBody {
    std::map<Id, Decision> decisions;  // by intervention id
    std::set<Id> agreements;           // ids of the agreements ticked
    bool confirm = false;
};

/// {"decisions": {"<id>": "accept"|"decline"|"contact_me"}, "agreements": [ids], "confirm": bool}.
Result<DecisionsBody> read_decisions(const nlohmann::json& body);

}  // namespace relais
