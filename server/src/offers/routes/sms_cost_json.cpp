#include "sms_cost_json.hpp"

#include <nlohmann/json.hpp>

namespace relais {

nlohmann::json sms_cost_json(const modem::SmsCost& c) {
    return {{"encoding", modem::to_string(c.encoding)},
            {"characters", c.characters},
            {"units", c.units},
            {"parts", c.parts},
            {"transliterated", c.transliterated},
            {"text", c.text}};
}

}  // namespace relais
