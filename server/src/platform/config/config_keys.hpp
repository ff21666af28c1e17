#pragma once
// The keys of the configuration file, each declared once: its section and name, its type, its
// default as docs/CONFIG.md writes it, its check, where it goes in Config, and whether the
// workspace may set it. Reading the file (config.cpp), the unknown-key problems and their
// suggestions, workspace_settings() and the test that docs/CONFIG.md lists every key all read
// this table. No TOML here: config.cpp hands each value over once its type is checked.

#include "config.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace relais {

/// A value from the file, of its key's type: text (text, names, file), integer, boolean,
/// percentage (a number).
using ConfigValue = std::variant<std::string, std::int64_t, bool, double>;

/// What a key's check may use. Keys are read in the table's order, so `config` holds the keys
/// before this one (the dealer's country before its phone number).
struct KeyContext {
    Config& config;
    const std::string& path;  // the configuration file: relative paths are relative to its folder
    const ConfigEnvironment& env;
};

struct ConfigKey {
    enum class Type {
        text,
        integer,  // between min and max
        boolean,
        percentage,  // an integer or a decimal number
        names,       // a list of strings, each checked on its own
        file,        // a path to an existing file; "" is none
    };
    std::string_view section, key;  // [mail] relay_port
    Type type;
    std::string_view fallback;  // the default, as the "default" column of docs/CONFIG.md writes it
    std::int64_t min = 0, max = 0;
    std::string_view file_is = {};  // Type::file: what the file holds, for "no such file" problems
    // Checks a value of the key's type (an absolute path for Type::file, one entry for
    // Type::names) and stores it in context.config: "" when done, else the problem, and Config
    // keeps its default.
    std::string (*apply)(const ConfigValue& value, KeyContext& context) = nullptr;
    // Set for the keys the workspace may set (workspace_settings()): how the API names it
    // (empty: not in the settings' JSON), whether it is shown only as set or not, its value.
    std::string_view json = {};
    bool secret = false;
    WorkspaceSetting::Value (*workspace_value)(const Config&) = nullptr;
};

/// Every key, in the order they are read.
const std::vector<ConfigKey>& config_keys();
/// [modem] (config_keys_modem.cpp), read in its place, before [mail].
std::vector<ConfigKey> modem_keys();
/// [hours] and [reminders] (config_keys_hours.cpp), read after the others.
std::vector<ConfigKey> hours_and_reminder_keys();

/// Where the web pages are when [http] web_root is not set: the build's choice.
const char* default_web_root();

/// `value` relative to the folder of the configuration file `config_path`, or absolute.
std::string resolve_path(const std::string& config_path, const std::string& value);

}  // namespace relais
