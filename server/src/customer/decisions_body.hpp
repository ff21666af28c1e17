#pragma once
// The customer page's answers as its script posts them, without I/O: every field checked for
// its type, so that a wrong one is a 422 naming it, never an exception. Fuzzed by
// tests/fuzz/fuzz_http_request.cpp.

#include "offer.hpp"
#include "result.hpp"

#include <nlohmann/json_fwd.hpp>

#include <map>
#include <set>

namespace relais {

struct DecisionsBody {
    std::map<Id, Decision> decisions;  // by intervention id
    std::set<Id> agreements;           // ids of the agreements ticked
    bool confirm = false;
};

/// {"decisions": {"<id>": "accept"|"decline"|"contact_me"}, "agreements": [ids], "confirm": bool}.
Result<DecisionsBody> read_decisions(const nlohmann::json& body);

}  // namespace relais
