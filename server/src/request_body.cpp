#include "request_body.hpp"

#include "text.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>

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

Result<DecisionsBody> read_decisions(const json& body) {
    DecisionsBody out;
    Problems problems;
    for (auto it = body.begin(); it != body.end(); ++it) {
        const std::string& key = it.key();
        if (key == "decisions") {
            if (!it->is_object()) {
                problems.push_back({"decisions", "invalid_type", {{"expected", "object"}}});
                continue;
            }
            for (auto d = it->begin(); d != it->end(); ++d) {
                const std::string field = "decisions." + escape_untrusted(d.key(), 40);
                char* end = nullptr;
                const long long id = std::strtoll(d.key().c_str(), &end, 10);
                const auto decision =
                    d->is_string() ? parse_enum<Decision>(d->get_ref<const std::string&>()) : std::nullopt;
                if (d.key().empty() || !end || *end != '\0' || id <= 0)
                    problems.push_back({field, "unknown_item", {}});
                else if (!decision)
                    problems.push_back({field, "invalid_choice", {{"choices", "accept, decline, contact_me"}}});
                else
                    out.decisions[id] = *decision;
            }
        } else if (key == "agreements") {
            if (!it->is_array()) {
                problems.push_back({"agreements", "invalid_type", {{"expected", "array"}}});
                continue;
            }
            for (std::size_t i = 0; i < it->size(); ++i) {
                const json& a = (*it)[i];
                if (a.is_number_integer() && a.get<std::int64_t>() > 0)
                    out.agreements.insert(a.get<Id>());
                else
                    problems.push_back(
                        {"agreements[" + std::to_string(i) + "]", "invalid_type", {{"expected", "agreement id"}}});
            }
        } else if (key == "confirm") {
            if (it->is_boolean())
                out.confirm = it->get<bool>();
            else
                problems.push_back({"confirm", "invalid_type", {{"expected", "boolean"}}});
        } else {
            problems.push_back({escape_untrusted(key, 40), "unknown_field", {}});
        }
    }
    if (!problems.empty()) return validation_error(problems);
    return out;
}

}  // namespace relais
