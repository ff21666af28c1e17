#include "settings_api.hpp"

#include <nlohmann/json.hpp>

namespace relais {
namespace {

using json = nlohmann::json;

struct Field {
    const char* section;
    const char* key;
    enum class Type { text, port, secret } type;
};

// The body's fields, by section ("" for public_base_url, which stands alone).
constexpr Field kFields[] = {
    {"dealer", "name", Field::Type::text},     {"dealer", "language", Field::Type::text},
    {"dealer", "timezone", Field::Type::text}, {"modem", "device", Field::Type::text},
    {"modem", "pin", Field::Type::secret},     {"mail", "relay_host", Field::Type::text},
    {"mail", "relay_port", Field::Type::port}, {"mail", "tls", Field::Type::text},
    {"mail", "username", Field::Type::text},   {"mail", "password", Field::Type::secret},
    {"mail", "from", Field::Type::text},
};

bool known(std::string_view section, std::string_view key) {
    for (const auto& f : kFields)
        if (section == f.section && key == f.key) return true;
    return false;
}

}  // namespace

json settings_json(const Config& c, const std::vector<modem::PortInfo>& ports) {
    json list = json::array();
    for (const auto& p : ports) {
        json port = {{"path", p.path}, {"description", p.description}};
        if (p.usb_vid >= 0) {
            port["usb_id"] = [&] {
                char id[16];
                std::snprintf(id, sizeof id, "%04x:%04x", p.usb_vid & 0xffff, p.usb_pid & 0xffff);
                return std::string(id);
            }();
            port["known_modem"] = modem::known_modem(p.usb_vid, p.usb_pid);
        }
        list.push_back(std::move(port));
    }
    return {{"dealer", {{"name", c.dealer.name}, {"language", c.dealer.language}, {"timezone", c.dealer.timezone}}},
            {"public_base_url", c.http.public_base_url},
            {"modem", {{"device", c.modem.device}, {"pin_set", !c.modem.pin.empty()}}},
            {"mail",
             {{"relay_host", c.mail.relay_host},
              {"relay_port", c.mail.relay_port},
              {"tls", to_string(c.mail.tls)},
              {"username", c.mail.username},
              {"password_set", !c.mail.password.empty()},
              {"from", c.mail.from}}},
            {"setup_done", c.setup_done},
            {"ports", std::move(list)}};
}

SettingsBody read_settings_body(const json& body) {
    SettingsBody out;
    for (auto it = body.begin(); it != body.end(); ++it) {
        const std::string& name = it.key();
        if (name == "public_base_url") {
            if (!it->is_string())
                out.problems.push_back({name, "expected_string", {}});
            else
                out.changes.push_back({"http", "public_base_url", it->get<std::string>()});
            continue;
        }
        if (name != "dealer" && name != "modem" && name != "mail") {
            out.problems.push_back({name, "unknown_field", {}});
            continue;
        }
        if (!it->is_object()) {
            out.problems.push_back({name, "expected_object", {}});
            continue;
        }
        for (auto f = it->begin(); f != it->end(); ++f) {
            const std::string field = name + "." + f.key();
            if (!known(name, f.key())) {
                out.problems.push_back({field, "unknown_field", {}});
                continue;
            }
            Field::Type type = Field::Type::text;
            for (const auto& k : kFields)
                if (name == k.section && f.key() == k.key) type = k.type;
            if (type == Field::Type::secret && f->is_null()) continue;  // kept as it is
            if (type == Field::Type::port) {
                if (!f->is_number_integer())
                    out.problems.push_back({field, "expected_integer", {}});
                else
                    out.changes.push_back({name, f.key(), f->get<std::int64_t>()});
                continue;
            }
            if (!f->is_string()) {
                out.problems.push_back({field, "expected_string", {}});
                continue;
            }
            out.changes.push_back({name, f.key(), f->get<std::string>()});
        }
    }
    return out;
}

FieldError setting_problem(const ConfigProblem& p) {
    // "[mail] relay_port" → "mail.relay_port"
    std::string field = p.key;
    if (field.size() > 2 && field.front() == '[') {
        const auto close = field.find("] ");
        if (close != std::string::npos) {
            const std::string section = field.substr(1, close - 1), key = field.substr(close + 2);
            field = section == "http" ? key : section + "." + key;
        }
    }
    return {field.empty() ? "settings" : field, "invalid_setting", {{"detail", p.message}}};
}

}  // namespace relais
