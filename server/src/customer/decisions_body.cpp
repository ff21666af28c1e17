#include "decisions_body.hpp"

#include "text.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>

namespace relais {

using nlohmann::json;

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
                    problems.push_back({field, "invalid_choice", {{"choices", enum_choices<Decision>()}}});
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
