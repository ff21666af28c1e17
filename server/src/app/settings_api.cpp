#include "settings_api.hpp"

#include <nlohmann/json.hpp>

namespace relais {
namespace {

using json = nlohmann::json;

// "mail.relay_port" → {"mail", "relay_port"}; "public_base_url" → {"", "public_base_url"}.
std::pair<std::string_view, std::string_view> split_json_name(std::string_view name) {
    const auto dot = name.find('.');
    if (dot == std::string_view::npos) return {{}, name};
    return {name.substr(0, dot), name.substr(dot + 1)};
}

const WorkspaceSetting* setting_named(std::string_view json_name) {
    for (const auto& s : workspace_settings())
        if (!s.json.empty() && s.json == json_name) return &s;
    return nullptr;
}

bool object_named(std::string_view name) {
    for (const auto& s : workspace_settings())
        if (split_json_name(s.json).first == name && !name.empty()) return true;
    return false;
}

json to_json(const std::variant<std::string, std::int64_t, bool>& v) {
    return std::visit([](const auto& x) { return json(x); }, v);
}

// One field of a change: its value if it has the table's type, else its problem.
void read_field(const WorkspaceSetting& s, const json& value, const std::string& field, SettingsBody& out) {
    if (s.secret && value.is_null()) return;  // kept as it is
    switch (s.type) {
        case WorkspaceSetting::Type::integer:
            if (!value.is_number_integer())
                out.problems.push_back({field, "invalid_type", {{"expected", "integer"}}});
            else
                out.changes.push_back({std::string(s.section), std::string(s.key), value.get<std::int64_t>()});
            return;
        case WorkspaceSetting::Type::boolean:
            if (!value.is_boolean())
                out.problems.push_back({field, "invalid_type", {{"expected", "boolean"}}});
            else
                out.changes.push_back({std::string(s.section), std::string(s.key), value.get<bool>()});
            return;
        case WorkspaceSetting::Type::text:
            if (!value.is_string())
                out.problems.push_back({field, "invalid_type", {{"expected", "string"}}});
            else
                out.changes.push_back({std::string(s.section), std::string(s.key), value.get<std::string>()});
            return;
    }
}

}  // namespace

json settings_json(const Config& c, const std::vector<modem::PortInfo>& ports) {
    json out = json::object();
    for (const auto& s : workspace_settings()) {
        if (s.json.empty()) continue;
        const auto [object, name] = split_json_name(s.json);
        json& into = object.empty() ? out : out[std::string(object)];
        const auto value = s.value(c);
        if (s.secret)
            into[std::string(name) + "_set"] = !std::get<std::string>(value).empty();
        else
            into[std::string(name)] = to_json(value);
    }
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
    out["setup_done"] = c.setup_done;
    out["ports"] = std::move(list);
    return out;
}

SettingsBody read_settings_body(const json& body) {
    SettingsBody out;
    for (auto it = body.begin(); it != body.end(); ++it) {
        const std::string& name = it.key();
        if (const WorkspaceSetting* s = setting_named(name)) {
            read_field(*s, *it, name, out);
            continue;
        }
        if (!object_named(name)) {
            out.problems.push_back({name, "unknown_field", {}});
            continue;
        }
        if (!it->is_object()) {
            out.problems.push_back({name, "invalid_type", {{"expected", "object"}}});
            continue;
        }
        for (auto f = it->begin(); f != it->end(); ++f) {
            const std::string field = name + "." + f.key();
            if (const WorkspaceSetting* s = setting_named(field))
                read_field(*s, *f, field, out);
            else
                out.problems.push_back({field, "unknown_field", {}});
        }
    }
    return out;
}

FieldError setting_problem(const ConfigProblem& p) {
    std::string field;
    for (const auto& s : workspace_settings())
        if (s.section == p.section && s.key == p.key && !s.json.empty()) field = std::string(s.json);
    // A key of the file the workspace does not set, made wrong by a setting (public = true
    // without an https:// base URL is the base URL's problem, named as such by config.cpp).
    if (field.empty() && !p.section.empty()) field = p.key.empty() ? p.section : p.section + "." + p.key;
    return {field.empty() ? "settings" : field, "invalid_setting", {{"detail", p.message}}};
}

}  // namespace relais
