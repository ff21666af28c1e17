#pragma once
// The JSON of agreements in the API (docs/API.md, "Agreements"): an agreement with its current
// version (and its older ones), and the body that creates or changes one, read by
// ObjectReader (request_body.hpp), every problem on its field.

#include "agreements.hpp"
#include "result.hpp"

#include <nlohmann/json_fwd.hpp>

namespace relais::agreement_json {

using json = nlohmann::json;

/// An agreement with its current version (and `versions`, newest first, when known).
json agreement(const Agreement& a);
/// {"title": {"fr", "en"}, "text": {"fr", "en"}, "mandatory", "active"}; appends to `problems`.
AgreementPatch parse_agreement(const json& body, Problems& problems);

}  // namespace relais::agreement_json
