#pragma once
// The JSON of the workspace's settings (GET and PATCH /api/v1/admin/settings, docs/API.md): what
// the first-boot setup and Administration → Settings show and change. The values are checked by
// config.cpp as a start would (save_settings); here only the body's shape. Both sides read the
// one table of what the workspace may set (config.hpp's workspace_settings()).

#include "config.hpp"
#include "result.hpp"
#include "serial_port.hpp"

#include <nlohmann/json_fwd.hpp>

#include <vector>

namespace relais {

/// The settings as they apply now, the secrets only as "set or not", and the serial ports seen.
nlohmann::json settings_json(const Config& config, const std::vector<modem::PortInfo>& ports);

struct SettingsBody {
    std::vector<SettingChange> changes;
    Problems problems;  // fields of the wrong type, unknown fields
};

/// {"dealer": {"name", "language", "timezone"}, "public_base_url", "modem": {"device", "pin"},
///  "mail": {"relay_host", "relay_port", "tls", "username", "password", "from"}}, each optional;
/// a password or PIN absent or null is kept as it is.
SettingsBody read_settings_body(const nlohmann::json& body);

/// A problem of save_settings as a field error named as the body names it: [mail] relay_port →
/// "mail.relay_port", [http] public_base_url → "public_base_url"; the message is config.cpp's.
FieldError setting_problem(const ConfigProblem& problem);

}  // namespace relais
