#pragma once
// The configuration file (TOML): what it may hold, its defaults, and its checking.
// Every problem names file, line and key; unknown keys are problems too, so a typo never
// silently falls back to a default. docs/CONFIG.md documents each key.

#include "enum_names.hpp"
#include "opening_hours.hpp"
#include "reminder_policy.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace relais {

struct ListenAddress {
    std::string host;  // IPv4 or IPv6 literal
    std::uint16_t port = 0;
    std::string to_string() const;
};

enum class MailTls { none, starttls, opportunistic, tls };
/// As [mail] tls says it.
template <>
struct EnumNames<MailTls> {
    static constexpr NameTable<MailTls, 4> table{{{MailTls::none, "none"},
                                                  {MailTls::starttls, "starttls"},
                                                  {MailTls::opportunistic, "opportunistic"},
                                                  {MailTls::tls, "tls"}}};
};

struct Config {
    std::string source_path;    // the file it was read from
    std::string settings_path;  // <data_dir>/settings.toml: the workspace's settings, read over it
    bool setup_done = false;    // the first-boot setup was finished or skipped ([setup] done)

    struct Http {
        ListenAddress lan{"127.0.0.1", 8080};
        ListenAddress public_listen{"127.0.0.1", 8081};
        // The start of every link sent to customers; defaults to http://<public_listen>. Split
        // once, where it is set (set_public_base_url, checked at load): its origin as browsers
        // write it ("https://garage.fr:8443": scheme, host in lower case, a port other than the
        // scheme's), and its host ("garage.fr": lower case, without a final dot; an IPv6
        // address without its brackets), the name customers reach the box by.
        std::string public_base_url;
        std::string public_origin;
        std::string public_host;
        std::string web_root;  // absolute after loading
        int threads = 2;       // per listener
        // Names the box answers to besides its IP addresses, localhost, its host name and the
        // host of public_base_url (a Host header naming anything else is refused: DNS rebinding).
        std::vector<std::string> host_names;
        // Open connections at once; the limits are lowered to fit the file descriptors the
        // process may open (commands.cpp). Per address: one client cannot take them all.
        int lan_max_connections = 256;
        int lan_max_per_address = 64;
        int public_max_connections = 1024;
        int public_max_per_address = 32;
    } http;

    // HTTPS (docs/CONFIG.md, "HTTPS"). The checkout's defaults: none, plain HTTP on loopback.
    struct Tls {
        bool public_ = false;  // the customer pages over HTTPS on public_listen
        bool lan = false;      // the workspace over HTTPS on lan_listen
        enum class Source { self_signed, files, acme } certificate = Source::self_signed;
        std::string cert_file, key_file;          // Source::files; absolute after loading
        std::string lan_cert_file, lan_key_file;  // the lan's own; empty: the public one
        // Plain HTTP (port 80): redirects to https://, ACME HTTP-01 challenges. Unset: none.
        std::optional<ListenAddress> redirect_listen;
    } tls;

    struct Acme {
        std::string directory = "https://acme-v02.api.letsencrypt.org/directory";
        std::string email;  // empty: [mail] from
        enum class Challenge { http01, dns01 } challenge = Challenge::http01;
        std::string dns_provider;  // lego's name for the DNS host ("ovh", "gandiv5", "exec", ...)
        std::string dns_env_file;  // its settings, KEY=VALUE lines (secrets: 0600)
        std::string dns_resolver;  // "host:port" to check the TXT record with; "": the system's
        std::string ca_file;       // the CA's root, when it is not a public one (tests: Pebble)
        std::string client = "/usr/bin/lego";
    } acme;

    struct Storage {
        std::string data_dir;  // absolute after loading
    } storage;

    // `relais backup` (backup.hpp): where its files go, and how many of them stay there.
    struct Backup {
        std::string dir;  // absolute after loading; <data_dir>/backups/daily by default
        int keep = 14;
    } backup;

    struct Modem {
        std::string device = "virtual";
        int baud = 115200;
        bool rtscts = false;  // hardware flow control (RTS/CTS) on real serial lines
        std::string pin;
        /// With device = "virtual": the modem firmware-bridge behaves like (its --profile).
        std::string emulated_profile = "generic";
        /// Seconds a message that may have left (no answer after its data, a reset) waits for
        /// its status report or the modem's next reference before it is sent again.
        int unknown_send_wait_s = 180;
    } modem;

    struct Mail {
        std::string relay_host;  // empty: write to the maildir under data_dir
        int relay_port = 587;
        MailTls tls = MailTls::starttls;
        std::string username;
        std::string password;
        std::string from = "relais@localhost";
        std::string ca_file;  // absolute after loading; empty: the system's CA store
        bool auth_without_tls = false;
    } mail;

    struct Dealer {
        std::string name = "Garage";
        std::string timezone = "Europe/Paris";
        std::string language = "fr";  // fr | en
        std::string country = "FR";   // ISO 3166 region for phone numbers
        std::string currency = "EUR";
        int default_vat_rate_bp = 2000;       // basis points: 2000 = 20 %
        std::string brand_color = "#1f4e79";  // emails and customer pages
        std::string phone;                    // E.164 after loading; "" when none: shown to customers
        std::string phone_display;            // the same number as the dealership's country writes it
    } dealer;

    // When the dealership is open: reminders and scheduled sends wait for the next opening.
    struct Hours {
        OpeningHours opening = OpeningHours::defaults();
    } hours;

    // Reminders to customers who have not answered an offer (issue 15).
    struct Reminders {
        ReminderPolicy policy = ReminderPolicy::gentle;
        int urgent_every_hours = 2;   // ReminderPolicy::urgent
        int custom_every_hours = 24;  // ReminderPolicy::custom
        bool sms_replies = false;     // offer SMS say the customer may answer OUI, NON or APPELEZ-MOI
    } reminders;

    struct Log {
        std::string level = "info";
    } log;
};

/// "acme", "self-signed", "files": as [tls] certificate says it.
template <>
struct EnumNames<Config::Tls::Source> {
    static constexpr NameTable<Config::Tls::Source, 3> table{{{Config::Tls::Source::self_signed, "self-signed"},
                                                              {Config::Tls::Source::files, "files"},
                                                              {Config::Tls::Source::acme, "acme"}}};
};
/// As [acme] challenge says it.
template <>
struct EnumNames<Config::Acme::Challenge> {
    static constexpr NameTable<Config::Acme::Challenge, 2> table{
        {{Config::Acme::Challenge::http01, "http-01"}, {Config::Acme::Challenge::dns01, "dns-01"}}};
};

struct ConfigProblem {
    std::string file;
    int line = 0;         // 0 when the problem is about the file as a whole
    std::string section;  // "mail"; "" when the problem is about the file as a whole
    std::string key;      // "tls"; "" when it is about the section as a whole
    std::string message;
    std::string to_string() const;  // "config/relais.toml:12: [mail] tls: expected ..."
};

/// Sets `http.public_base_url` to `url` (trailing slashes dropped) with its origin and host,
/// when it is an absolute http:// or https:// URL: a host name, IPv4 address or [IPv6]
/// address, an optional port (1-65535), an optional path; no user, query or fragment, no space
/// or control character. False, and nothing changed, otherwise.
bool set_public_base_url(Config::Http& http, std::string_view url);

/// One key the workspace may set (the first-boot setup, Administration → Settings): the only
/// keys <data_dir>/settings.toml may hold, and the fields of /api/v1/admin/settings
/// (settings_api.cpp), both read from this one table.
struct WorkspaceSetting {
    std::string_view section, key;  // in the TOML: [mail] relay_port
    // In the API's JSON: "mail.relay_port" (an object's member), "public_base_url"; empty for a
    // key the settings' JSON does not carry ([setup] done has a route of its own).
    std::string_view json;
    enum class Type { text, integer, boolean } type;
    // Shown only as set or not ("<name>_set"); in a change, absent or null keeps it.
    bool secret;
    using Value = std::variant<std::string, std::int64_t, bool>;
    Value (*value)(const Config&);
};
/// The keys of config_keys() (config_keys.hpp) that the workspace may set, in that order.
const std::vector<WorkspaceSetting>& workspace_settings();

/// What configuration checks may ask of the machine; tests replace it.
struct ConfigEnvironment {
    std::function<bool(std::string_view)> timezone_exists;
    std::function<bool(std::string_view)> phone_region_supported;
    /// A phone number typed in `region`: {E.164, national display form}, or nullopt if it is not
    /// a valid number. Unset: numbers are not checked beyond their characters.
    struct Phone {
        std::string e164, display;
    };
    std::function<std::optional<Phone>(std::string_view number, std::string_view region)> read_phone;
    static ConfigEnvironment system();
};

struct ConfigLoad {
    std::optional<Config> config;  // set only when there are no problems
    std::vector<ConfigProblem> problems;
};

/// Parses TOML text; `path` names the file in problems and anchors relative paths
/// (they are relative to the folder of the file, whatever the working directory).
ConfigLoad parse_config(std::string_view text, const std::string& path, const ConfigEnvironment& env);
/// <data_dir>/settings.toml: the settings the workspace made, read over the configuration file.
std::string settings_file_path(const std::string& data_dir);
/// The file, with <data_dir>/settings.toml (what the workspace set) read over it when there is
/// one (one that is there but cannot be read is a problem). `settings_path` is set either way.
ConfigLoad load_config_file(const std::string& path, const ConfigEnvironment& env);
/// `text` with `settings` read over it: only the keys the workspace may set (dealer name,
/// language and time zone; public_base_url; the modem's device and PIN; the mail relay; setup
/// done). A problem in the settings names their file.
ConfigLoad parse_config_with_settings(std::string_view text, const std::string& path, std::string_view settings,
                                      const std::string& settings_path, const ConfigEnvironment& env);

struct SettingChange {
    std::string section, key;  // "dealer", "name"
    std::variant<std::string, std::int64_t, bool> value;
};
/// Adds `changes` to <data_dir>/settings.toml (`current`'s data_dir; its source_path is read
/// again) after checking the whole (configuration file and settings) as a start would: on
/// problems nothing is written (settings.toml that no longer reads as TOML is not written over
/// either). Written 0600 under a temporary name, fsynced, renamed. The new configuration on
/// success; it takes effect when relais restarts. Any thread, one save at a time (each reads the
/// file, adds to it and writes it back whole): the caller, who owns the file, serialises them.
ConfigLoad save_settings(const Config& current, const std::vector<SettingChange>& changes,
                         const ConfigEnvironment& env);

std::optional<ListenAddress> parse_listen_address(std::string_view text);

}  // namespace relais
