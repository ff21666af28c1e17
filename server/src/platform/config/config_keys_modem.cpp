// [modem]: the modem's device, line, SIM PIN, the emulated modem's profile, and how long a send
// of unknown fate waits for proof (issue 16). Apart from config_keys.cpp for its length; read in
// the place of the section, before [mail].

#include "config_keys.hpp"

#include <algorithm>
#include <set>

namespace relais {
namespace {

// Names of their own: the unity build may compile this file with config_keys.cpp.
const std::string& modem_text(const ConfigValue& v) { return std::get<std::string>(v); }
int modem_int(const ConfigValue& v) { return static_cast<int>(std::get<std::int64_t>(v)); }
std::string modem_quoted(const std::string& value) { return "\"" + value + "\""; }

std::string modem_device(const ConfigValue& v, KeyContext& k) {
    const std::string& device = modem_text(v);
    if (device != "virtual" && (device.empty() || device.front() != '/'))
        return "expected \"virtual\" (the emulated modem) or a serial device path such as \"/dev/ttyUSB2\", got " +
               modem_quoted(device);
    k.config.modem.device = device;
    return "";
}

std::string modem_pin(const ConfigValue& v, KeyContext& k) {
    const std::string& pin = modem_text(v);
    const bool digits = std::all_of(pin.begin(), pin.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    if (!pin.empty() && (!digits || pin.size() < 4 || pin.size() > 8))
        return "expected 4 to 8 digits, or \"\" when the SIM has no PIN";
    k.config.modem.pin = pin;
    return "";
}

std::string modem_emulated_profile(const ConfigValue& v, KeyContext& k) {
    // firmware-bridge's profiles (tests/unit/test_config.cpp checks this list against its own).
    static const std::set<std::string> profiles = {"generic", "quectel-ec25", "simcom-sim7600", "huawei-e3372",
                                                   "telit-le910c1"};
    if (!profiles.count(modem_text(v)))
        return "expected one of \"generic\", \"quectel-ec25\", \"simcom-sim7600\", \"huawei-e3372\", "
               "\"telit-le910c1\", got " +
               modem_quoted(modem_text(v));
    k.config.modem.emulated_profile = modem_text(v);
    return "";
}

}  // namespace

std::vector<ConfigKey> modem_keys() {
    using T = ConfigKey::Type;
    using V = WorkspaceSetting::Value;
    return {
        {.section = "modem",
         .key = "device",
         .type = T::text,
         .fallback = "`\"virtual\"`",
         .apply = modem_device,
         .json = "modem.device",
         .workspace_value = [](const Config& c) { return V(c.modem.device); }},
        {.section = "modem",
         .key = "baud",
         .type = T::integer,
         .fallback = "`115200`",
         .min = 300,
         .max = 4000000,
         .apply = [](const ConfigValue& v, KeyContext& k) -> std::string {
             static const std::set<int> rates = {9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600};
             if (!rates.count(modem_int(v)))
                 return "expected one of 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600, got " +
                        std::to_string(modem_int(v));
             return k.config.modem.baud = modem_int(v), "";
         }},
        {.section = "modem",
         .key = "rtscts",
         .type = T::boolean,
         .fallback = "`false`",
         .apply = [](const ConfigValue& v,
                     KeyContext& k) { return k.config.modem.rtscts = std::get<bool>(v), std::string(); }},
        {.section = "modem",
         .key = "pin",
         .type = T::text,
         .fallback = "`\"\"`",
         .apply = modem_pin,
         .json = "modem.pin",
         .secret = true,
         .workspace_value = [](const Config& c) { return V(c.modem.pin); }},
        {.section = "modem",
         .key = "emulated_profile",
         .type = T::text,
         .fallback = "`\"generic\"`",
         .apply = modem_emulated_profile},
        {.section = "modem",
         .key = "unknown_send_wait",
         .type = T::integer,
         .fallback = "`180`",
         .min = 5,
         .max = 3600,
         .apply = [](const ConfigValue& v,
                     KeyContext& k) { return k.config.modem.unknown_send_wait_s = modem_int(v), std::string(); }},
    };
}

}  // namespace relais
