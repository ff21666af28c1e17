#pragma once
// JSON to text for what is stored or sent (timeline events, snapshots): never throws. Text
// from outside is made valid UTF-8 where it enters (escape_untrusted); should anything slip
// through, its bad bytes become U+FFFD here instead of an exception on the event loop.

#include <nlohmann/json_fwd.hpp>

#include <string>

namespace relais {

std::string dump_json(const nlohmann::json& j);

}  // namespace relais
