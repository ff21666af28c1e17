#include "config_keys.hpp"

#include "text.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#ifndef RELAIS_DEFAULT_WEB_ROOT
#define RELAIS_DEFAULT_WEB_ROOT "/usr/share/relais/web"
#endif

namespace relais {
namespace fs = std::filesystem;

std::string resolve_path(const std::string& config_path, const std::string& value) {
    fs::path p(value);
    if (p.is_absolute()) return p.lexically_normal().string();
    fs::path base = fs::absolute(fs::path(config_path)).parent_path();
    return (base / p).lexically_normal().string();
}

namespace {

using T = ConfigKey::Type;
using V = WorkspaceSetting::Value;

const std::string& text(const ConfigValue& v) { return std::get<std::string>(v); }
int integer(const ConfigValue& v) { return static_cast<int>(std::get<std::int64_t>(v)); }
bool boolean(const ConfigValue& v) { return std::get<bool>(v); }

std::string quoted(const std::string& value) { return "\"" + value + "\""; }

std::string listen(const ConfigValue& v, ListenAddress& out, const char* example) {
    auto a = parse_listen_address(text(v));
    if (!a) return std::string("expected an address such as ") + example + ", got " + quoted(text(v));
    out = *a;
    return "";
}

bool valid_base_url(const std::string& url) {
    std::string_view rest;
    if (url.rfind("https://", 0) == 0) {
        rest = std::string_view(url).substr(8);
    } else if (url.rfind("http://", 0) == 0) {
        rest = std::string_view(url).substr(7);
    } else {
        return false;
    }
    if (rest.empty() || rest.front() == '/') return false;
    for (char c : rest) {
        if (c == '?' || c == '#' || c == ' ' || static_cast<unsigned char>(c) < 0x21) return false;
    }
    return true;
}

std::string not_empty_path(const ConfigValue& v, KeyContext& k, std::string& out) {
    if (text(v).empty()) return "must not be empty";
    out = resolve_path(k.path, text(v));
    return "";
}

std::string host_name(const ConfigValue& v, KeyContext& k) {
    std::string name = ascii_lower(text(v));
    const bool ok = !name.empty() && name.size() <= 253 && std::all_of(name.begin(), name.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.';
    });
    if (!ok) return "expected host names such as \"atelier.garage-martin.fr\" (no scheme, no port)";
    k.config.http.host_names.push_back(std::move(name));
    return "";
}

std::string mail_tls(const ConfigValue& v, KeyContext& k) {
    if (auto tls = parse_enum<MailTls>(text(v))) return k.config.mail.tls = *tls, "";
    return "expected one of \"none\", \"starttls\", \"opportunistic\", \"tls\", got " + quoted(text(v));
}

std::string mail_from(const ConfigValue& v, KeyContext& k) {
    const std::string& from = text(v);
    const auto at = from.find('@');
    if (at == std::string::npos || at == 0 || at + 1 >= from.size() || from.find(' ') != std::string::npos)
        return "expected an email address such as \"atelier@garage-martin.fr\", got " + quoted(from);
    k.config.mail.from = from;
    return "";
}

std::string dealer_name(const ConfigValue& v, KeyContext& k) {
    const std::string_view name = trim(text(v));
    if (name.empty() || utf8_length(name) > 80 || has_control_chars(name, false))
        return "expected a name of 1 to 80 characters on one line";
    k.config.dealer.name = std::string(name);
    return "";
}

std::string dealer_timezone(const ConfigValue& v, KeyContext& k) {
    if (k.env.timezone_exists && !k.env.timezone_exists(text(v)))
        return "unknown time zone " + quoted(text(v)) + " (expected an IANA name such as \"Europe/Paris\")";
    k.config.dealer.timezone = text(v);
    return "";
}

std::string dealer_country(const ConfigValue& v, KeyContext& k) {
    const std::string upper = ascii_upper(text(v));
    if (upper.size() != 2 || (k.env.phone_region_supported && !k.env.phone_region_supported(upper)))
        return "expected a two-letter country code such as \"FR\" or \"BE\", got " + quoted(text(v));
    k.config.dealer.country = upper;
    return "";
}

std::string dealer_currency(const ConfigValue& v, KeyContext& k) {
    const std::string upper = ascii_upper(text(v));
    if (upper.size() != 3 || !std::all_of(upper.begin(), upper.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; }))
        return "expected a three-letter ISO 4217 code such as \"EUR\", got " + quoted(text(v));
    k.config.dealer.currency = upper;
    return "";
}

std::string dealer_phone(const ConfigValue& v, KeyContext& k) {
    const std::string_view typed = trim(text(v));
    if (typed.empty()) {
        k.config.dealer.phone.clear();  // "" says: no number shown to customers
        return "";
    }
    const bool plausible = typed.size() <= 30 && std::all_of(typed.begin(), typed.end(), [](char ch) {
                               return (ch >= '0' && ch <= '9') || ch == ' ' || ch == '+' || ch == '.' || ch == '-' ||
                                      ch == '(' || ch == ')';
                           });
    std::optional<ConfigEnvironment::Phone> phone;
    if (plausible)
        phone = k.env.read_phone ? k.env.read_phone(typed, k.config.dealer.country)
                                 : std::optional(ConfigEnvironment::Phone{std::string(typed), std::string(typed)});
    if (!phone)
        return "expected the dealership's phone number such as \"01 23 45 67 89\" or \"+33 1 23 45 67 89\", got " +
               quoted(text(v));
    k.config.dealer.phone = phone->e164;
    k.config.dealer.phone_display = phone->display;
    return "";
}

std::string dealer_brand_color(const ConfigValue& v, KeyContext& k) {
    const std::string& colour = text(v);
    const bool hex = colour.size() == 7 && colour[0] == '#' &&
                     std::all_of(colour.begin() + 1, colour.end(),
                                 [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)) != 0; });
    if (!hex) return "expected a colour as \"#rrggbb\" such as \"#1f4e79\", got " + quoted(colour);
    k.config.dealer.brand_color = ascii_lower(colour);
    return "";
}

std::string tls_certificate(const ConfigValue& v, KeyContext& k) {
    if (auto source = parse_enum<Config::Tls::Source>(text(v))) return k.config.tls.certificate = *source, "";
    return "expected \"acme\", \"self-signed\" or \"files\", got " + quoted(text(v));
}

std::string acme_challenge(const ConfigValue& v, KeyContext& k) {
    if (auto challenge = parse_enum<Config::Acme::Challenge>(text(v))) return k.config.acme.challenge = *challenge, "";
    return "expected \"http-01\" (port 80 forwarded to the box) or \"dns-01\" (through the DNS host), got " +
           quoted(text(v));
}

std::string acme_dns_provider(const ConfigValue& v, KeyContext& k) {
    const std::string& name = text(v);
    const bool ok = !name.empty() && name.size() <= 40 && std::all_of(name.begin(), name.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.';
    });
    if (!ok) return "expected the name of one of lego's DNS providers, such as \"ovh\" or \"exec\" (lego dnshelp)";
    k.config.acme.dns_provider = name;
    return "";
}

std::string log_level(const ConfigValue& v, KeyContext& k) {
    static const std::set<std::string> levels = {"trace", "debug", "info", "warn", "error"};
    if (!levels.count(text(v)))
        return "expected one of \"trace\", \"debug\", \"info\", \"warn\", \"error\", got " + quoted(text(v));
    k.config.log.level = text(v);
    return "";
}

// In each section, the keys in the order the suggestions for a misspelt key try them.
std::vector<ConfigKey> general_keys() {
    std::vector<ConfigKey> all = {
        // [http]
        {.section = "http",
         .key = "lan_listen",
         .type = T::text,
         .fallback = "`\"127.0.0.1:8080\"`",
         .apply = [](const ConfigValue& v,
                     KeyContext& k) { return listen(v, k.config.http.lan, "\"0.0.0.0:8080\" or \"[::]:8080\""); }},
        {.section = "http",
         .key = "public_listen",
         .type = T::text,
         .fallback = "`\"127.0.0.1:8081\"`",
         .apply =
             [](const ConfigValue& v, KeyContext& k) {
                 return listen(v, k.config.http.public_listen, "\"0.0.0.0:8443\" or \"[::]:8443\"");
             }},
        {.section = "http",
         .key = "public_base_url",
         .type = T::text,
         .fallback = "`http://` + `public_listen`",
         .apply = [](const ConfigValue& v, KeyContext& k) -> std::string {
             if (set_public_base_url(k.config.http, text(v))) return "";
             return "expected an absolute http:// or https:// URL such as \"https://relais.garage-martin.fr\": a host "
                    "name (letters, digits, '-' and '.'; an international name in its xn-- form) or an IP address, "
                    "then an optional port and path, no query or fragment";
         },
         .json = "public_base_url",
         .workspace_value = [](const Config& c) { return V(c.http.public_base_url); }},
        {.section = "http",
         .key = "web_root",
         .type = T::text,
         .fallback = "`/usr/share/relais/web` (the source `web/` in a build tree)",
         .apply =
             [](const ConfigValue& v, KeyContext& k) {
                 k.config.http.web_root = resolve_path(k.path, text(v));
                 return std::string();
             }},
        {.section = "http",
         .key = "threads",
         .type = T::integer,
         .fallback = "`2`",
         .min = 1,
         .max = 16,
         .apply = [](const ConfigValue& v,
                     KeyContext& k) { return k.config.http.threads = integer(v), std::string(); }},
        {.section = "http", .key = "host_names", .type = T::names, .fallback = "`[]`", .apply = host_name},
        {.section = "http",
         .key = "lan_max_connections",
         .type = T::integer,
         .fallback = "`256`",
         .min = 8,
         .max = 65536,
         .apply = [](const ConfigValue& v,
                     KeyContext& k) { return k.config.http.lan_max_connections = integer(v), std::string(); }},
        {.section = "http",
         .key = "lan_max_per_address",
         .type = T::integer,
         .fallback = "`64`",
         .min = 1,
         .max = 65536,
         .apply = [](const ConfigValue& v,
                     KeyContext& k) { return k.config.http.lan_max_per_address = integer(v), std::string(); }},
        {.section = "http",
         .key = "public_max_connections",
         .type = T::integer,
         .fallback = "`1024`",
         .min = 8,
         .max = 65536,
         .apply = [](const ConfigValue& v,
                     KeyContext& k) { return k.config.http.public_max_connections = integer(v), std::string(); }},
        {.section = "http",
         .key = "public_max_per_address",
         .type = T::integer,
         .fallback = "`32`",
         .min = 1,
         .max = 65536,
         .apply = [](const ConfigValue& v,
                     KeyContext& k) { return k.config.http.public_max_per_address = integer(v), std::string(); }},
        // [storage]
        {.section = "storage",
         .key = "data_dir",
         .type = T::text,
         .fallback = "`\"/var/lib/relais\"`",
         .apply = [](const ConfigValue& v, KeyContext& k) { return not_empty_path(v, k, k.config.storage.data_dir); }},
        // [backup]
        {.section = "backup",
         .key = "dir",
         .type = T::text,
         .fallback = "`<data_dir>/backups/daily`",
         .apply =
             [](const ConfigValue& v, KeyContext& k) {
                 std::string problem = not_empty_path(v, k, k.config.backup.dir);
                 while (k.config.backup.dir.size() > 1 && k.config.backup.dir.back() == '/')
                     k.config.backup.dir.pop_back();
                 return problem;
             }},
        {.section = "backup",
         .key = "keep",
         .type = T::integer,
         .fallback = "`14`",
         .min = 1,
         .max = 1000,
         .apply = [](const ConfigValue& v, KeyContext& k) { return k.config.backup.keep = integer(v), std::string(); }},
        // [mail]
        {.section = "mail",
         .key = "relay_host",
         .type = T::text,
         .fallback = "`\"\"`",
         .apply = [](const ConfigValue& v,
                     KeyContext& k) { return k.config.mail.relay_host = std::string(trim(text(v))), std::string(); },
         .json = "mail.relay_host",
         .workspace_value = [](const Config& c) { return V(c.mail.relay_host); }},
        {.section = "mail",
         .key = "relay_port",
         .type = T::integer,
         .fallback = "`587`",
         .min = 1,
         .max = 65535,
         .apply = [](const ConfigValue& v,
                     KeyContext& k) { return k.config.mail.relay_port = integer(v), std::string(); },
         .json = "mail.relay_port",
         .workspace_value = [](const Config& c) { return V(std::int64_t{c.mail.relay_port}); }},
        {.section = "mail",
         .key = "tls",
         .type = T::text,
         .fallback = "`\"starttls\"`",
         .apply = mail_tls,
         .json = "mail.tls",
         .workspace_value = [](const Config& c) { return V(std::string(to_string(c.mail.tls))); }},
        {.section = "mail",
         .key = "username",
         .type = T::text,
         .fallback = "`\"\"`",
         .apply = [](const ConfigValue& v, KeyContext& k) { return k.config.mail.username = text(v), std::string(); },
         .json = "mail.username",
         .workspace_value = [](const Config& c) { return V(c.mail.username); }},
        {.section = "mail",
         .key = "password",
         .type = T::text,
         .fallback = "`\"\"`",
         .apply = [](const ConfigValue& v, KeyContext& k) { return k.config.mail.password = text(v), std::string(); },
         .json = "mail.password",
         .secret = true,
         .workspace_value = [](const Config& c) { return V(c.mail.password); }},
        {.section = "mail",
         .key = "from",
         .type = T::text,
         .fallback = "`\"relais@localhost\"`",
         .apply = mail_from,
         .json = "mail.from",
         .workspace_value = [](const Config& c) { return V(c.mail.from); }},
        {.section = "mail",
         .key = "ca_file",
         .type = T::file,
         .fallback = "`\"\"`",
         .file_is = "a PEM file with the CA or the relay's certificate",
         .apply = [](const ConfigValue& v, KeyContext& k) { return k.config.mail.ca_file = text(v), std::string(); }},
        {.section = "mail",
         .key = "auth_without_tls",
         .type = T::boolean,
         .fallback = "`false`",
         .apply = [](const ConfigValue& v,
                     KeyContext& k) { return k.config.mail.auth_without_tls = boolean(v), std::string(); }},
        // [dealer]: the country before the phone number read in it.
        {.section = "dealer",
         .key = "name",
         .type = T::text,
         .fallback = "`\"Garage\"`",
         .apply = dealer_name,
         .json = "dealer.name",
         .workspace_value = [](const Config& c) { return V(c.dealer.name); }},
        {.section = "dealer",
         .key = "timezone",
         .type = T::text,
         .fallback = "`\"Europe/Paris\"`",
         .apply = dealer_timezone,
         .json = "dealer.timezone",
         .workspace_value = [](const Config& c) { return V(c.dealer.timezone); }},
        {.section = "dealer",
         .key = "language",
         .type = T::text,
         .fallback = "`\"fr\"`",
         .apply = [](const ConfigValue& v, KeyContext& k) -> std::string {
             if (text(v) != "fr" && text(v) != "en") return "expected \"fr\" or \"en\", got " + quoted(text(v));
             return k.config.dealer.language = text(v), "";
         },
         .json = "dealer.language",
         .workspace_value = [](const Config& c) { return V(c.dealer.language); }},
        {.section = "dealer", .key = "country", .type = T::text, .fallback = "`\"FR\"`", .apply = dealer_country},
        {.section = "dealer", .key = "currency", .type = T::text, .fallback = "`\"EUR\"`", .apply = dealer_currency},
        {.section = "dealer",
         .key = "default_vat_rate",
         .type = T::percentage,
         .fallback = "`20`",
         .apply = [](const ConfigValue& v, KeyContext& k) -> std::string {
             const double rate = std::get<double>(v);
             if (rate < 0 || rate > 100) return "expected a percentage between 0 and 100";
             return k.config.dealer.default_vat_rate_bp = static_cast<int>(rate * 100 + 0.5), "";
         }},
        {.section = "dealer",
         .key = "brand_color",
         .type = T::text,
         .fallback = "`\"#1f4e79\"`",
         .apply = dealer_brand_color},
        {.section = "dealer", .key = "phone", .type = T::text, .fallback = "`\"\"`", .apply = dealer_phone},
        // [tls]
        {.section = "tls",
         .key = "public",
         .type = T::boolean,
         .fallback = "`false`",
         .apply = [](const ConfigValue& v, KeyContext& k) { return k.config.tls.public_ = boolean(v), std::string(); }},
        {.section = "tls",
         .key = "lan",
         .type = T::boolean,
         .fallback = "`false`",
         .apply = [](const ConfigValue& v, KeyContext& k) { return k.config.tls.lan = boolean(v), std::string(); }},
        {.section = "tls",
         .key = "certificate",
         .type = T::text,
         .fallback = "`\"self-signed\"`",
         .apply = tls_certificate},
        {.section = "tls",
         .key = "cert_file",
         .type = T::file,
         .fallback = "`\"\"`",
         .file_is = "a PEM certificate chain",
         .apply = [](const ConfigValue& v, KeyContext& k) { return k.config.tls.cert_file = text(v), std::string(); }},
        {.section = "tls",
         .key = "key_file",
         .type = T::file,
         .fallback = "`\"\"`",
         .file_is = "a PEM private key",
         .apply = [](const ConfigValue& v, KeyContext& k) { return k.config.tls.key_file = text(v), std::string(); }},
        {.section = "tls",
         .key = "lan_cert_file",
         .type = T::file,
         .fallback = "`\"\"`",
         .file_is = "a PEM certificate chain",
         .apply = [](const ConfigValue& v,
                     KeyContext& k) { return k.config.tls.lan_cert_file = text(v), std::string(); }},
        {.section = "tls",
         .key = "lan_key_file",
         .type = T::file,
         .fallback = "`\"\"`",
         .file_is = "a PEM private key",
         .apply = [](const ConfigValue& v,
                     KeyContext& k) { return k.config.tls.lan_key_file = text(v), std::string(); }},
        {.section = "tls",
         .key = "redirect_listen",
         .type = T::text,
         .fallback = "`\"\"`",
         .apply = [](const ConfigValue& v, KeyContext& k) -> std::string {
             if (text(v).empty()) return "";
             ListenAddress a;
             std::string problem = listen(v, a, "\"0.0.0.0:80\" or \"[::]:80\"");
             if (problem.empty()) k.config.tls.redirect_listen = a;
             return problem;
         }},
        // [acme]
        {.section = "acme",
         .key = "directory",
         .type = T::text,
         .fallback = "`\"https://acme-v02.api.letsencrypt.org/directory\"`",
         .apply = [](const ConfigValue& v, KeyContext& k) -> std::string {
             if (!valid_base_url(text(v)))
                 return "expected the CA's directory URL, such as \"https://acme-v02.api.letsencrypt.org/directory\"";
             return k.config.acme.directory = text(v), "";
         }},
        {.section = "acme",
         .key = "email",
         .type = T::text,
         .fallback = "`[mail] from`",
         .apply = [](const ConfigValue& v, KeyContext& k) -> std::string {
             if (text(v).empty()) return "";
             if (text(v).find('@') == std::string::npos || text(v).find(' ') != std::string::npos)
                 return "expected an email address such as \"it@garage-martin.fr\", got " + quoted(text(v));
             return k.config.acme.email = text(v), "";
         }},
        {.section = "acme", .key = "challenge", .type = T::text, .fallback = "`\"http-01\"`", .apply = acme_challenge},
        {.section = "acme", .key = "dns_provider", .type = T::text, .fallback = "`\"\"`", .apply = acme_dns_provider},
        {.section = "acme",
         .key = "dns_env_file",
         .type = T::file,
         .fallback = "`\"\"`",
         .file_is = "the DNS provider's settings, KEY=VALUE lines",
         .apply = [](const ConfigValue& v,
                     KeyContext& k) { return k.config.acme.dns_env_file = text(v), std::string(); }},
        {.section = "acme",
         .key = "dns_resolver",
         .type = T::text,
         .fallback = "`\"\"`",
         .apply = [](const ConfigValue& v,
                     KeyContext& k) { return k.config.acme.dns_resolver = text(v), std::string(); }},
        {.section = "acme",
         .key = "ca_file",
         .type = T::file,
         .fallback = "`\"\"`",
         .file_is = "the ACME CA's root certificate (PEM)",
         .apply = [](const ConfigValue& v, KeyContext& k) { return k.config.acme.ca_file = text(v), std::string(); }},
        {.section = "acme",
         .key = "client",
         .type = T::text,
         .fallback = "`\"/usr/bin/lego\"`",
         .apply = [](const ConfigValue& v,
                     KeyContext& k) { return k.config.acme.client = resolve_path(k.path, text(v)), std::string(); }},
        // [setup]: written by the workspace only; it has a route of its own, not a settings field.
        {.section = "setup",
         .key = "done",
         .type = T::boolean,
         .fallback = "`false`",
         .apply = [](const ConfigValue& v, KeyContext& k) { return k.config.setup_done = boolean(v), std::string(); },
         .workspace_value = [](const Config& c) { return V(c.setup_done); }},
        // [log]
        {.section = "log", .key = "level", .type = T::text, .fallback = "`\"info\"`", .apply = log_level},
    };
    // [modem] (config_keys_modem.cpp), read in its place: before [mail].
    const auto modem = modem_keys();
    all.insert(std::find_if(all.begin(), all.end(), [](const ConfigKey& k) { return k.section == "mail"; }),
               modem.begin(), modem.end());
    return all;
}

}  // namespace

const std::vector<ConfigKey>& config_keys() {
    static const std::vector<ConfigKey> all = [] {
        std::vector<ConfigKey> keys = general_keys();
        for (const ConfigKey& k : hours_and_reminder_keys()) keys.push_back(k);
        return keys;
    }();
    return all;
}

const std::vector<WorkspaceSetting>& workspace_settings() {
    static const std::vector<WorkspaceSetting> all = [] {
        std::vector<WorkspaceSetting> out;
        for (const ConfigKey& k : config_keys()) {
            if (!k.workspace_value) continue;
            const auto type = k.type == T::integer   ? WorkspaceSetting::Type::integer
                              : k.type == T::boolean ? WorkspaceSetting::Type::boolean
                                                     : WorkspaceSetting::Type::text;
            out.push_back({k.section, k.key, k.json, type, k.secret, k.workspace_value});
        }
        return out;
    }();
    return all;
}

/// The default web root, where the build says it is (a compile definition of this folder).
const char* default_web_root() { return RELAIS_DEFAULT_WEB_ROOT; }

}  // namespace relais
