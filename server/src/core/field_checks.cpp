#include "field_checks.hpp"

#include "text.hpp"

namespace relais {

bool check_text_field(std::string& value, const std::string& field, std::size_t max, bool multiline, bool required,
                      Problems& problems) {
    value = std::string(trim(value));
    if (multiline) {
        // Browsers send CRLF from a textarea, a DMS may send CR: store one kind of line end.
        std::string lf;
        lf.reserve(value.size());
        for (std::size_t i = 0; i < value.size(); ++i) {
            if (value[i] == '\r') {
                lf += '\n';
                if (i + 1 < value.size() && value[i + 1] == '\n') ++i;
            } else {
                lf += value[i];
            }
        }
        value = std::move(lf);
    }
    if (has_control_chars(value, multiline)) {
        problems.push_back({field, multiline ? "control_characters" : "one_line", {}});
        return false;
    }
    // An override turns "1000 €" into "0001 €" on screen, and a name into another one.
    if (has_bidi_controls(value)) {
        problems.push_back({field, "bidi_control", {}});
        return false;
    }
    if (required && value.empty()) {
        problems.push_back({field, "required", {}});
        return false;
    }
    if (utf8_length(value) > max) {
        problems.push_back({field, "too_long", {{"max", std::to_string(max)}}});
        return false;
    }
    return true;
}

void set_text(std::string& target, const std::optional<std::string>& value, const std::string& field, std::size_t max,
              bool multiline, bool required, Problems& problems) {
    if (!value) return;
    std::string v = *value;
    if (check_text_field(v, field, max, multiline, required, problems)) target = std::move(v);
}

}  // namespace relais
