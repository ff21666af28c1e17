#include "json_text.hpp"

#include <nlohmann/json.hpp>

namespace relais {

std::string dump_json(const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace relais
