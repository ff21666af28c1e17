#pragma once
// Request bodies as the HTTP applications read them, without I/O: a JSON object checked for
// size, media type and syntax, each failure a stable error code. Fuzzed by
// tests/fuzz/fuzz_http_request.cpp.

#include "http.hpp"
#include "result.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstddef>

namespace relais {

/// The body of `req` as a JSON object: {} when empty; 413 body_too_large past `max_bytes`,
/// 415 unsupported_media_type when not application/json, 400 malformed_json (with where) or
/// expected_object.
Result<nlohmann::json> read_json_object(const HttpRequest& req, std::size_t max_bytes);

}  // namespace relais
