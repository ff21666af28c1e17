#include "config.hpp"

#include "atomic_file.hpp"
#include "text.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#ifndef RELAIS_DEFAULT_WEB_ROOT
#define RELAIS_DEFAULT_WEB_ROOT "/usr/share/relais/web"
#endif

namespace relais {
namespace fs = std::filesystem;

std::string ListenAddress::to_string() const {
    if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
    return host + ":" + std::to_string(port);
}

std::string to_string(MailTls tls) {
    switch (tls) {
        case MailTls::none: return "none";
        case MailTls::starttls: return "starttls";
        case MailTls::opportunistic: return "opportunistic";
        case MailTls::tls: return "tls";
    }
    return "none";
}

std::string to_string(Config::Tls::Source source) {
    switch (source) {
        case Config::Tls::Source::acme: return "acme";
        case Config::Tls::Source::self_signed: return "self-signed";
        case Config::Tls::Source::files: return "files";
    }
    return "self-signed";
}

std::string ConfigProblem::to_string() const {
    std::string out = file;
    if (line > 0) out += ":" + std::to_string(line);
    out += ": ";
    if (!section.empty()) out += "[" + section + "]" + (key.empty() ? "" : " " + key) + ": ";
    out += message;
    return out;
}

std::optional<ListenAddress> parse_listen_address(std::string_view text) {
    std::string host;
    std::string_view port_text;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return std::nullopt;
        host = std::string(text.substr(1, close - 1));
        port_text = text.substr(close + 2);
        in6_addr a6{};
        if (inet_pton(AF_INET6, host.c_str(), &a6) != 1) return std::nullopt;
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        host = std::string(text.substr(0, colon));
        port_text = text.substr(colon + 1);
        if (host == "localhost") host = "127.0.0.1";
        in_addr a4{};
        if (inet_pton(AF_INET, host.c_str(), &a4) != 1) return std::nullopt;
    }
    if (port_text.empty() || port_text.size() > 5) return std::nullopt;
    unsigned port = 0;
    for (char c : port_text) {
        if (c < '0' || c > '9') return std::nullopt;
        port = port * 10 + static_cast<unsigned>(c - '0');
    }
    if (port > 65535) return std::nullopt;
    return ListenAddress{host, static_cast<std::uint16_t>(port)};
}

namespace {

bool reg_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

}  // namespace

bool set_public_base_url(Config::Http& http, std::string_view url) {
    while (!url.empty() && url.back() == '/') url.remove_suffix(1);
    std::string_view scheme;
    if (url.rfind("https://", 0) == 0)
        scheme = "https";
    else if (url.rfind("http://", 0) == 0)
        scheme = "http";
    else
        return false;
    const std::string_view rest = url.substr(scheme.size() + 3);
    for (const char c : rest)
        if (c == '?' || c == '#' || c == '@' || c == '\\' || static_cast<unsigned char>(c) <= 0x20 ||
            static_cast<unsigned char>(c) == 0x7f)
            return false;
    const std::string_view authority = rest.substr(0, rest.find('/'));
    std::string host;
    std::optional<std::string_view> port;
    std::string_view origin_host;  // as written, brackets kept
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return false;
        host = ascii_lower(authority.substr(1, close - 1));
        in6_addr a6{};
        if (inet_pton(AF_INET6, host.c_str(), &a6) != 1) return false;
        origin_host = authority.substr(0, close + 1);
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty() && after.front() != ':') return false;
        if (!after.empty()) port = after.substr(1);
    } else {
        const auto colon = authority.find(':');
        origin_host = authority.substr(0, colon);
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
        host = ascii_lower(origin_host);
        if (host.empty() || host.front() == '.' || host.find("..") != std::string::npos ||
            !std::all_of(host.begin(), host.end(), reg_name_char))
            return false;
        if (host.back() == '.') host.pop_back();  // "garage.fr." is the same name
        if (host.empty() || host.size() > 253) return false;
    }
    unsigned port_number = 0;
    if (port) {
        if (port->empty() || port->size() > 5) return false;
        for (const char c : *port) {
            if (c < '0' || c > '9') return false;
            port_number = port_number * 10 + static_cast<unsigned>(c - '0');
        }
        if (port_number == 0 || port_number > 65535) return false;
    }
    const bool default_port =
        !port || (scheme == "https" && port_number == 443) || (scheme == "http" && port_number == 80);
    http.public_base_url = std::string(url);
    // As a browser writes it in an Origin header: the name as written (a final dot is part of
    // it), in lower case, the port only when it is not the scheme's.
    http.public_origin = std::string(scheme) + "://" + ascii_lower(origin_host) +
                         (default_port ? std::string() : ":" + std::to_string(port_number));
    http.public_host = std::move(host);
    return true;
}

const std::vector<WorkspaceSetting>& workspace_settings() {
    using T = WorkspaceSetting::Type;
    using V = std::variant<std::string, std::int64_t, bool>;
    static const std::vector<WorkspaceSetting> all = {
        {"dealer", "name", "dealer.name", T::text, false, [](const Config& c) { return V(c.dealer.name); }},
        {"dealer", "language", "dealer.language", T::text, false, [](const Config& c) { return V(c.dealer.language); }},
        {"dealer", "timezone", "dealer.timezone", T::text, false, [](const Config& c) { return V(c.dealer.timezone); }},
        {"http", "public_base_url", "public_base_url", T::text, false,
         [](const Config& c) { return V(c.http.public_base_url); }},
        {"modem", "device", "modem.device", T::text, false, [](const Config& c) { return V(c.modem.device); }},
        {"modem", "pin", "modem.pin", T::text, true, [](const Config& c) { return V(c.modem.pin); }},
        {"mail", "relay_host", "mail.relay_host", T::text, false, [](const Config& c) { return V(c.mail.relay_host); }},
        {"mail", "relay_port", "mail.relay_port", T::integer, false,
         [](const Config& c) { return V(std::int64_t{c.mail.relay_port}); }},
        {"mail", "tls", "mail.tls", T::text, false, [](const Config& c) { return V(to_string(c.mail.tls)); }},
        {"mail", "username", "mail.username", T::text, false, [](const Config& c) { return V(c.mail.username); }},
        {"mail", "password", "mail.password", T::text, true, [](const Config& c) { return V(c.mail.password); }},
        {"mail", "from", "mail.from", T::text, false, [](const Config& c) { return V(c.mail.from); }},
        {"setup", "done", "", T::boolean, false, [](const Config& c) { return V(c.setup_done); }},
    };
    return all;
}

ConfigEnvironment ConfigEnvironment::system() {
    ConfigEnvironment env;
    env.timezone_exists = [](std::string_view name) {
        if (name.empty() || name.find("..") != std::string_view::npos || name.front() == '/') return false;
        std::error_code ec;
        return fs::is_regular_file(fs::path("/usr/share/zoneinfo") / std::string(name), ec);
    };
    return env;  // phone_region_supported is filled in by the caller that links libphonenumber
}

namespace {

const std::map<std::string, std::vector<std::string>>& schema() {
    static const std::map<std::string, std::vector<std::string>> s = {
        {"backup", {"dir", "keep"}},
        {"http",
         {"lan_listen", "public_listen", "public_base_url", "web_root", "threads", "host_names", "lan_max_connections",
          "lan_max_per_address", "public_max_connections", "public_max_per_address"}},
        {"storage", {"data_dir"}},
        {"modem", {"device", "baud", "rtscts", "pin"}},
        {"mail", {"relay_host", "relay_port", "tls", "username", "password", "from", "ca_file", "auth_without_tls"}},
        {"dealer", {"name", "timezone", "language", "country", "currency", "default_vat_rate", "brand_color", "phone"}},
        {"log", {"level"}},
        {"setup", {"done"}},
        {"tls",
         {"public", "lan", "certificate", "cert_file", "key_file", "lan_cert_file", "lan_key_file", "redirect_listen"}},
        {"acme",
         {"directory", "email", "challenge", "dns_provider", "dns_env_file", "dns_resolver", "ca_file", "client"}},
    };
    return s;
}

std::string suggestion(std::string_view word, const std::vector<std::string>& candidates) {
    std::string best;
    std::size_t best_d = 3;
    for (const auto& c : candidates) {
        const std::size_t d = edit_distance(word, c);
        if (d < best_d) best_d = d, best = c;
    }
    return best;
}

const char* type_name(const toml::node& n) {
    switch (n.type()) {
        case toml::node_type::string: return "a string";
        case toml::node_type::integer: return "an integer";
        case toml::node_type::floating_point: return "a number";
        case toml::node_type::boolean: return "true or false";
        case toml::node_type::table: return "a table";
        case toml::node_type::array: return "an array";
        default: return "a date or time";
    }
}

std::string resolve_path(const std::string& config_path, const std::string& value);

class Reader {
public:
    Reader(std::string file, const ConfigEnvironment& env) : file_(std::move(file)), env_(env) {}

    std::vector<ConfigProblem> problems;

    void problem(const toml::node* n, std::string section, std::string key, std::string message) {
        const int line = n ? static_cast<int>(n->source().begin.line) : 0;
        // A value from <data_dir>/settings.toml names that file.
        const std::string file = n && n->source().path ? std::string(*n->source().path) : file_;
        problems.push_back({file, line, std::move(section), std::move(key), std::move(message)});
    }

    // Reads [section] key into out if present; returns the node when it had the right type.
    const toml::node* get(const toml::table& root, const char* section, const char* key) {
        const toml::table* t = root[section].as_table();
        if (!t) return nullptr;
        return t->get(key);
    }

    bool string(const toml::table& root, const char* section, const char* key, std::string& out) {
        const toml::node* n = get(root, section, key);
        if (!n) return false;
        if (!n->is_string()) {
            problem(n, section, key, std::string("expected a string, got ") + type_name(*n));
            return false;
        }
        out = n->as_string()->get();
        return true;
    }

    bool integer(const toml::table& root, const char* section, const char* key, long long min, long long max,
                 int& out) {
        const toml::node* n = get(root, section, key);
        if (!n) return false;
        if (!n->is_integer()) {
            problem(n, section, key, std::string("expected an integer, got ") + type_name(*n));
            return false;
        }
        const long long v = n->as_integer()->get();
        if (v < min || v > max) {
            problem(n, section, key,
                    "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                        std::to_string(v));
            return false;
        }
        out = static_cast<int>(v);
        return true;
    }

    bool boolean(const toml::table& root, const char* section, const char* key, bool& out) {
        const toml::node* n = get(root, section, key);
        if (!n) return false;
        if (!n->is_boolean()) {
            problem(n, section, key, std::string("expected true or false, got ") + type_name(*n));
            return false;
        }
        out = n->as_boolean()->get();
        return true;
    }

    // A path that must name an existing file (relative to the config file's folder).
    bool existing_file(const toml::table& root, const char* section, const char* key, const std::string& config_path,
                       const char* what, std::string& out) {
        std::string value;
        if (!string(root, section, key, value) || value.empty()) return false;
        out = resolve_path(config_path, value);
        std::error_code ec;
        if (!fs::is_regular_file(out, ec)) {
            problem(get(root, section, key), section, key, "no such file: " + out + " (expected " + what + ")");
            return false;
        }
        return true;
    }

private:
    std::string file_;
    const ConfigEnvironment& env_;
};

std::string resolve_path(const std::string& config_path, const std::string& value) {
    fs::path p(value);
    if (p.is_absolute()) return p.lexically_normal().string();
    fs::path base = fs::absolute(fs::path(config_path)).parent_path();
    return (base / p).lexically_normal().string();
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

// [tls] and [acme]: after [http] and [mail] (their defaults and checks use both).
void parse_tls(Reader& r, const toml::table& root, const std::string& path, Config& c) {
    r.boolean(root, "tls", "public", c.tls.public_);
    r.boolean(root, "tls", "lan", c.tls.lan);
    std::string text_value;
    if (r.string(root, "tls", "certificate", text_value)) {
        if (text_value == "acme") {
            c.tls.certificate = Config::Tls::Source::acme;
        } else if (text_value == "self-signed") {
            c.tls.certificate = Config::Tls::Source::self_signed;
        } else if (text_value == "files") {
            c.tls.certificate = Config::Tls::Source::files;
        } else {
            r.problem(r.get(root, "tls", "certificate"), "tls", "certificate",
                      "expected \"acme\", \"self-signed\" or \"files\", got \"" + text_value + "\"");
        }
    }
    r.existing_file(root, "tls", "cert_file", path, "a PEM certificate chain", c.tls.cert_file);
    r.existing_file(root, "tls", "key_file", path, "a PEM private key", c.tls.key_file);
    if (c.tls.certificate == Config::Tls::Source::files && (c.tls.cert_file.empty() || c.tls.key_file.empty()))
        r.problem(r.get(root, "tls", "certificate"), "tls", "certificate",
                  "is \"files\": cert_file and key_file must both name files");
    const bool lan_cert =
        r.existing_file(root, "tls", "lan_cert_file", path, "a PEM certificate chain", c.tls.lan_cert_file);
    const bool lan_key = r.existing_file(root, "tls", "lan_key_file", path, "a PEM private key", c.tls.lan_key_file);
    if (lan_cert != lan_key)
        r.problem(r.get(root, "tls", lan_cert ? "lan_cert_file" : "lan_key_file"), "tls", "lan_cert_file",
                  "lan_cert_file and lan_key_file go together");
    if (r.string(root, "tls", "redirect_listen", text_value) && !text_value.empty()) {
        if (auto a = parse_listen_address(text_value)) {
            c.tls.redirect_listen = *a;
        } else {
            r.problem(r.get(root, "tls", "redirect_listen"), "tls", "redirect_listen",
                      "expected an address such as \"0.0.0.0:80\" or \"[::]:80\", got \"" + text_value + "\"");
        }
    }
    // A base URL refused already is not also said to lack https:// (the default it fell back to).
    const bool base_url_refused = std::any_of(r.problems.begin(), r.problems.end(), [](const ConfigProblem& p) {
        return p.section == "http" && p.key == "public_base_url";
    });
    if (c.tls.public_ && !base_url_refused && c.http.public_base_url.rfind("https://", 0) != 0)
        r.problem(r.get(root, "http", "public_base_url"), "http", "public_base_url",
                  "must start with https:// when [tls] public = true (it is the start of customers' links)");
    // [acme]
    r.string(root, "acme", "directory", c.acme.directory);
    if (!valid_base_url(c.acme.directory))
        r.problem(r.get(root, "acme", "directory"), "acme", "directory",
                  "expected the CA's directory URL, such as \"https://acme-v02.api.letsencrypt.org/directory\"");
    c.acme.email = c.mail.from;
    if (r.string(root, "acme", "email", text_value) && !text_value.empty()) {
        if (text_value.find('@') == std::string::npos || text_value.find(' ') != std::string::npos)
            r.problem(r.get(root, "acme", "email"), "acme", "email",
                      "expected an email address such as \"it@garage-martin.fr\", got \"" + text_value + "\"");
        else
            c.acme.email = text_value;
    }
    if (r.string(root, "acme", "challenge", text_value)) {
        if (text_value == "http-01")
            c.acme.challenge = Config::Acme::Challenge::http01;
        else if (text_value == "dns-01")
            c.acme.challenge = Config::Acme::Challenge::dns01;
        else
            r.problem(r.get(root, "acme", "challenge"), "acme", "challenge",
                      "expected \"http-01\" (port 80 forwarded to the box) or \"dns-01\" (through the DNS host), "
                      "got \"" +
                          text_value + "\"");
    }
    if (r.string(root, "acme", "dns_provider", text_value)) {
        const bool ok = !text_value.empty() && text_value.size() <= 40 &&
                        std::all_of(text_value.begin(), text_value.end(), [](char ch) {
                            return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.';
                        });
        if (ok)
            c.acme.dns_provider = text_value;
        else
            r.problem(r.get(root, "acme", "dns_provider"), "acme", "dns_provider",
                      "expected the name of one of lego's DNS providers, such as \"ovh\" or \"exec\" (lego dnshelp)");
    }
    r.existing_file(root, "acme", "dns_env_file", path, "the DNS provider's settings, KEY=VALUE lines",
                    c.acme.dns_env_file);
    if (r.string(root, "acme", "dns_resolver", text_value)) c.acme.dns_resolver = text_value;
    r.existing_file(root, "acme", "ca_file", path, "the ACME CA's root certificate (PEM)", c.acme.ca_file);
    if (r.string(root, "acme", "client", text_value)) c.acme.client = resolve_path(path, text_value);

    if (c.tls.certificate == Config::Tls::Source::acme) {
        if (c.acme.challenge == Config::Acme::Challenge::http01 && !c.tls.redirect_listen)
            r.problem(r.get(root, "tls", "certificate"), "tls", "certificate",
                      "is \"acme\" with the http-01 challenge: set [tls] redirect_listen (port 80, forwarded to the "
                      "box), or use [acme] challenge = \"dns-01\"");
        if (c.acme.challenge == Config::Acme::Challenge::dns01 && c.acme.dns_provider.empty())
            r.problem(r.get(root, "acme", "challenge"), "acme", "challenge",
                      "is \"dns-01\": set [acme] dns_provider (and dns_env_file with its credentials)");
    }
}

}  // namespace

namespace {

// Whether a settings.toml key is one the workspace sets (workspace_settings()).
bool workspace_key(std::string_view section, std::string_view key) {
    const auto& all = workspace_settings();
    return std::any_of(all.begin(), all.end(),
                       [&](const WorkspaceSetting& s) { return s.section == section && s.key == key; });
}

bool workspace_section(std::string_view section) {
    const auto& all = workspace_settings();
    return std::any_of(all.begin(), all.end(), [&](const WorkspaceSetting& s) { return s.section == section; });
}

std::optional<toml::table> parse_toml(std::string_view text, const std::string& path, ConfigLoad& result) {
    try {
        return toml::parse(text, path);
    } catch (const toml::parse_error& e) {
        result.problems.push_back(
            {path, static_cast<int>(e.source().begin.line), "", "", "not valid TOML: " + std::string(e.description())});
        return std::nullopt;
    }
}

ConfigLoad check_root(const toml::table& root, const std::string& path, const ConfigEnvironment& env);

}  // namespace

ConfigLoad parse_config(std::string_view text, const std::string& path, const ConfigEnvironment& env) {
    ConfigLoad result;
    auto root = parse_toml(text, path, result);
    if (!root) return result;
    return check_root(*root, path, env);
}

ConfigLoad parse_config_with_settings(std::string_view text, const std::string& path, std::string_view settings,
                                      const std::string& settings_path, const ConfigEnvironment& env) {
    ConfigLoad result;
    auto root = parse_toml(text, path, result);
    auto over = parse_toml(settings, settings_path, result);
    if (!root || !over) return result;
    for (auto&& [section_key, section_node] : *over) {
        const std::string section(section_key.str());
        toml::table* t = section_node.as_table();
        if (!workspace_section(section) || !t) {
            result.problems.push_back({settings_path, static_cast<int>(section_key.source().begin.line), section, "",
                                       "is not set from the workspace"});
            continue;
        }
        // A section the file holds as something else stays as it is: its problem is the file's.
        if (!root->contains(section)) root->insert_or_assign(section, toml::table{});
        toml::table* target = (*root)[section].as_table();
        for (auto&& [key, value] : *t) {
            const std::string k(key.str());
            if (!workspace_key(section, k)) {
                result.problems.push_back({settings_path, static_cast<int>(key.source().begin.line), section, k,
                                           "is not set from the workspace"});
                continue;
            }
            // Moved, not copied: a copy of a toml++ node forgets where it was read, and a
            // problem with the value must name settings.toml and its line.
            if (target) target->insert_or_assign(k, std::move(value));
        }
    }
    if (!result.problems.empty()) return result;
    result = check_root(*root, path, env);
    if (result.config) result.config->settings_path = settings_path;
    return result;
}

namespace {

ConfigLoad check_root(const toml::table& root, const std::string& path, const ConfigEnvironment& env) {
    ConfigLoad result;
    Reader r(path, env);
    Config c;
    c.source_path = path;

    // Unknown sections and keys first: a misspelt key must not silently become a default.
    for (auto&& [section_key, section_node] : root) {
        const std::string section(section_key.str());
        const auto it = schema().find(section);
        if (it == schema().end()) {
            std::vector<std::string> names;
            for (const auto& [n, _] : schema()) names.push_back(n);
            const std::string hint = suggestion(section, names);
            r.problems.push_back(
                {path, static_cast<int>(section_key.source().begin.line), section, "",
                 "unknown section" + (hint.empty() ? std::string() : " (did you mean [" + hint + "]?)")});
            continue;
        }
        const toml::table* t = section_node.as_table();
        if (!t) {
            r.problem(&section_node, section, "", std::string("expected a table, got ") + type_name(section_node));
            continue;
        }
        for (auto&& [key, value] : *t) {
            const std::string k(key.str());
            if (std::find(it->second.begin(), it->second.end(), k) == it->second.end()) {
                const std::string hint = suggestion(k, it->second);
                r.problems.push_back(
                    {path, static_cast<int>(key.source().begin.line), section, k,
                     "unknown key" + (hint.empty() ? std::string() : " (did you mean " + hint + "?)")});
            }
        }
    }

    // [http]
    std::string text_value;
    if (r.string(root, "http", "lan_listen", text_value)) {
        if (auto a = parse_listen_address(text_value)) {
            c.http.lan = *a;
        } else {
            r.problem(r.get(root, "http", "lan_listen"), "http", "lan_listen",
                      "expected an address such as \"0.0.0.0:8080\" or \"[::]:8080\", got \"" + text_value + "\"");
        }
    }
    if (r.string(root, "http", "public_listen", text_value)) {
        if (auto a = parse_listen_address(text_value)) {
            c.http.public_listen = *a;
        } else {
            r.problem(r.get(root, "http", "public_listen"), "http", "public_listen",
                      "expected an address such as \"0.0.0.0:8443\" or \"[::]:8443\", got \"" + text_value + "\"");
        }
    }
    if (c.http.lan.port != 0 && c.http.lan.port == c.http.public_listen.port &&
        (c.http.lan.host == c.http.public_listen.host || c.http.lan.host == "0.0.0.0" ||
         c.http.public_listen.host == "0.0.0.0")) {
        r.problem(
            r.get(root, "http", "public_listen"), "http", "public_listen",
            "must not use the same port as lan_listen: the customer pages and the workspace are separate listeners");
    }
    if (r.string(root, "http", "public_base_url", text_value)) {
        if (!set_public_base_url(c.http, text_value)) {
            r.problem(r.get(root, "http", "public_base_url"), "http", "public_base_url",
                      "expected an absolute http:// or https:// URL such as \"https://relais.garage-martin.fr\": a "
                      "host name (letters, digits, '-' and '.'; an international name in its xn-- form) or an IP "
                      "address, then an optional port and path, no query or fragment");
        }
    }
    if (c.http.public_base_url.empty()) set_public_base_url(c.http, "http://" + c.http.public_listen.to_string());
    c.http.web_root = RELAIS_DEFAULT_WEB_ROOT;
    if (r.string(root, "http", "web_root", text_value)) c.http.web_root = resolve_path(path, text_value);
    r.integer(root, "http", "threads", 1, 16, c.http.threads);
    r.integer(root, "http", "lan_max_connections", 8, 65536, c.http.lan_max_connections);
    r.integer(root, "http", "lan_max_per_address", 1, 65536, c.http.lan_max_per_address);
    r.integer(root, "http", "public_max_connections", 8, 65536, c.http.public_max_connections);
    r.integer(root, "http", "public_max_per_address", 1, 65536, c.http.public_max_per_address);
    if (const toml::node* names = r.get(root, "http", "host_names")) {
        const toml::array* list = names->as_array();
        if (!list) {
            r.problem(names, "http", "host_names", std::string("expected a list of names, got ") + type_name(*names));
        } else {
            for (const toml::node& item : *list) {
                const auto* entry = item.as_string();
                std::string name = entry ? ascii_lower(entry->get()) : std::string();
                const bool ok =
                    !name.empty() && name.size() <= 253 && std::all_of(name.begin(), name.end(), [](char ch) {
                        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.';
                    });
                if (!ok) {
                    r.problem(&item, "http", "host_names",
                              "expected host names such as \"atelier.garage-martin.fr\" (no scheme, no port)");
                    continue;
                }
                c.http.host_names.push_back(std::move(name));
            }
        }
    }

    // [storage]
    c.storage.data_dir = "/var/lib/relais";
    if (r.string(root, "storage", "data_dir", text_value)) {
        if (text_value.empty()) {
            r.problem(r.get(root, "storage", "data_dir"), "storage", "data_dir", "must not be empty");
        } else {
            c.storage.data_dir = resolve_path(path, text_value);
        }
    }

    // [backup]
    c.backup.dir = c.storage.data_dir + "/backups/daily";
    if (r.string(root, "backup", "dir", text_value)) {
        if (text_value.empty()) {
            r.problem(r.get(root, "backup", "dir"), "backup", "dir", "must not be empty");
        } else {
            c.backup.dir = resolve_path(path, text_value);
            while (c.backup.dir.size() > 1 && c.backup.dir.back() == '/') c.backup.dir.pop_back();
        }
    }
    r.integer(root, "backup", "keep", 1, 1000, c.backup.keep);

    // [modem]
    if (r.string(root, "modem", "device", text_value)) {
        if (text_value != "virtual" && (text_value.empty() || text_value.front() != '/')) {
            r.problem(
                r.get(root, "modem", "device"), "modem", "device",
                "expected \"virtual\" (the emulated modem) or a serial device path such as \"/dev/ttyUSB2\", got \"" +
                    text_value + "\"");
        } else {
            c.modem.device = text_value;
        }
    }
    if (r.integer(root, "modem", "baud", 300, 4000000, c.modem.baud)) {
        static const std::set<int> rates = {9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600};
        if (!rates.count(c.modem.baud)) {
            r.problem(r.get(root, "modem", "baud"), "modem", "baud",
                      "expected one of 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600, got " +
                          std::to_string(c.modem.baud));
        }
    }
    if (const toml::node* n = r.get(root, "modem", "rtscts")) {
        if (!n->is_boolean()) {
            r.problem(n, "modem", "rtscts", std::string("expected true or false, got ") + type_name(*n));
        } else {
            c.modem.rtscts = n->as_boolean()->get();
        }
    }
    if (r.string(root, "modem", "pin", text_value)) {
        const bool digits =
            std::all_of(text_value.begin(), text_value.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
        if (!text_value.empty() && (!digits || text_value.size() < 4 || text_value.size() > 8)) {
            r.problem(r.get(root, "modem", "pin"), "modem", "pin",
                      "expected 4 to 8 digits, or \"\" when the SIM has no PIN");
        } else {
            c.modem.pin = text_value;
        }
    }

    // [mail]
    if (r.string(root, "mail", "relay_host", text_value)) c.mail.relay_host = std::string(trim(text_value));
    r.integer(root, "mail", "relay_port", 1, 65535, c.mail.relay_port);
    if (r.string(root, "mail", "tls", text_value)) {
        if (text_value == "none") {
            c.mail.tls = MailTls::none;
        } else if (text_value == "starttls") {
            c.mail.tls = MailTls::starttls;
        } else if (text_value == "opportunistic") {
            c.mail.tls = MailTls::opportunistic;
        } else if (text_value == "tls") {
            c.mail.tls = MailTls::tls;
        } else {
            r.problem(r.get(root, "mail", "tls"), "mail", "tls",
                      "expected one of \"none\", \"starttls\", \"opportunistic\", \"tls\", got \"" + text_value + "\"");
        }
    }
    if (r.string(root, "mail", "ca_file", text_value) && !text_value.empty()) {
        c.mail.ca_file = resolve_path(path, text_value);
        std::error_code ec;
        if (!fs::is_regular_file(c.mail.ca_file, ec)) {
            r.problem(
                r.get(root, "mail", "ca_file"), "mail", "ca_file",
                "no such file: " + c.mail.ca_file + " (expected a PEM file with the CA or the relay's certificate)");
        }
    }
    if (const toml::node* n = r.get(root, "mail", "auth_without_tls")) {
        if (!n->is_boolean()) {
            r.problem(n, "mail", "auth_without_tls", std::string("expected true or false, got ") + type_name(*n));
        } else {
            c.mail.auth_without_tls = n->as_boolean()->get();
        }
    }
    r.string(root, "mail", "username", c.mail.username);
    r.string(root, "mail", "password", c.mail.password);
    if (r.string(root, "mail", "from", text_value)) {
        const auto at = text_value.find('@');
        if (at == std::string::npos || at == 0 || at + 1 >= text_value.size() ||
            text_value.find(' ') != std::string::npos) {
            r.problem(r.get(root, "mail", "from"), "mail", "from",
                      "expected an email address such as \"atelier@garage-martin.fr\", got \"" + text_value + "\"");
        } else {
            c.mail.from = text_value;
        }
    }
    if (!c.mail.username.empty() && c.mail.relay_host.empty()) {
        r.problem(r.get(root, "mail", "username"), "mail", "username", "is set but relay_host is empty");
    }
    if (!c.mail.username.empty() && c.mail.password.empty()) {
        r.problem(r.get(root, "mail", "username"), "mail", "username", "is set but password is empty");
    }

    // [dealer]
    if (r.string(root, "dealer", "name", text_value)) {
        const std::string_view name = trim(text_value);
        if (name.empty() || utf8_length(name) > 80 || has_control_chars(name, false)) {
            r.problem(r.get(root, "dealer", "name"), "dealer", "name",
                      "expected a name of 1 to 80 characters on one line");
        } else {
            c.dealer.name = std::string(name);
        }
    }
    if (r.string(root, "dealer", "timezone", text_value)) {
        if (env.timezone_exists && !env.timezone_exists(text_value)) {
            r.problem(r.get(root, "dealer", "timezone"), "dealer", "timezone",
                      "unknown time zone \"" + text_value + "\" (expected an IANA name such as \"Europe/Paris\")");
        } else {
            c.dealer.timezone = text_value;
        }
    }
    if (r.string(root, "dealer", "language", text_value)) {
        if (text_value != "fr" && text_value != "en") {
            r.problem(r.get(root, "dealer", "language"), "dealer", "language",
                      "expected \"fr\" or \"en\", got \"" + text_value + "\"");
        } else {
            c.dealer.language = text_value;
        }
    }
    if (r.string(root, "dealer", "country", text_value)) {
        const std::string upper = ascii_upper(text_value);
        if (upper.size() != 2 || (env.phone_region_supported && !env.phone_region_supported(upper))) {
            r.problem(r.get(root, "dealer", "country"), "dealer", "country",
                      "expected a two-letter country code such as \"FR\" or \"BE\", got \"" + text_value + "\"");
        } else {
            c.dealer.country = upper;
        }
    }
    if (r.string(root, "dealer", "currency", text_value)) {
        const std::string upper = ascii_upper(text_value);
        if (upper.size() != 3 ||
            !std::all_of(upper.begin(), upper.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; })) {
            r.problem(r.get(root, "dealer", "currency"), "dealer", "currency",
                      "expected a three-letter ISO 4217 code such as \"EUR\", got \"" + text_value + "\"");
        } else {
            c.dealer.currency = upper;
        }
    }
    if (r.string(root, "dealer", "phone", text_value)) {
        const std::string_view typed = trim(text_value);
        const bool plausible =
            !typed.empty() && typed.size() <= 30 && std::all_of(typed.begin(), typed.end(), [](char ch) {
                return (ch >= '0' && ch <= '9') || ch == ' ' || ch == '+' || ch == '.' || ch == '-' || ch == '(' ||
                       ch == ')';
            });
        std::optional<ConfigEnvironment::Phone> phone;
        if (plausible)
            phone = env.read_phone ? env.read_phone(typed, c.dealer.country)
                                   : std::optional(ConfigEnvironment::Phone{std::string(typed), std::string(typed)});
        if (typed.empty()) {
            c.dealer.phone.clear();  // "" says: no number shown to customers
        } else if (!phone) {
            r.problem(r.get(root, "dealer", "phone"), "dealer", "phone",
                      "expected the dealership's phone number such as \"01 23 45 67 89\" or \"+33 1 23 45 67 89\", "
                      "got \"" +
                          text_value + "\"");
        } else {
            c.dealer.phone = phone->e164;
            c.dealer.phone_display = phone->display;
        }
    }
    if (const toml::node* n = r.get(root, "dealer", "default_vat_rate")) {
        double rate = -1;
        if (n->is_integer()) rate = static_cast<double>(n->as_integer()->get());
        if (n->is_floating_point()) rate = n->as_floating_point()->get();
        if (!n->is_integer() && !n->is_floating_point()) {
            r.problem(n, "dealer", "default_vat_rate",
                      std::string("expected a percentage such as 20 or 5.5, got ") + type_name(*n));
        } else if (rate < 0 || rate > 100) {
            r.problem(n, "dealer", "default_vat_rate", "expected a percentage between 0 and 100");
        } else {
            c.dealer.default_vat_rate_bp = static_cast<int>(rate * 100 + 0.5);
        }
    }

    if (r.string(root, "dealer", "brand_color", text_value)) {
        const bool hex = text_value.size() == 7 && text_value[0] == '#' &&
                         std::all_of(text_value.begin() + 1, text_value.end(),
                                     [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)) != 0; });
        if (!hex) {
            r.problem(r.get(root, "dealer", "brand_color"), "dealer", "brand_color",
                      "expected a colour as \"#rrggbb\" such as \"#1f4e79\", got \"" + text_value + "\"");
        } else {
            c.dealer.brand_color = ascii_lower(text_value);
        }
    }

    parse_tls(r, root, path, c);
    r.boolean(root, "setup", "done", c.setup_done);

    // [log]
    if (r.string(root, "log", "level", text_value)) {
        static const std::set<std::string> levels = {"trace", "debug", "info", "warn", "error"};
        if (!levels.count(text_value)) {
            r.problem(
                r.get(root, "log", "level"), "log", "level",
                "expected one of \"trace\", \"debug\", \"info\", \"warn\", \"error\", got \"" + text_value + "\"");
        } else {
            c.log.level = text_value;
        }
    }

    result.problems = std::move(r.problems);
    std::stable_sort(result.problems.begin(), result.problems.end(),
                     [](const ConfigProblem& a, const ConfigProblem& b) { return a.line < b.line; });
    if (result.problems.empty()) result.config = std::move(c);
    return result;
}

}  // namespace

namespace {

// A file's bytes. `missing`: there is none; `error`: there is one but it cannot be read (why).
struct FileText {
    std::optional<std::string> text;
    bool missing = false;
    std::string error;
};

FileText read_text(const std::string& path) {
    constexpr std::size_t kMaxBytes = 1 << 20;  // what a backup holds of it (kMaxSmallMember)
    FileText out;
    auto text = read_file(path, kMaxBytes);
    if (text) {
        out.text = std::move(*text);
    } else {
        out.missing = text.error().kind == ErrorKind::not_found;
        out.error = text.error().params.front().second;  // the reason
    }
    return out;
}

ConfigProblem unreadable(const std::string& path, const FileText& file) {
    return {path, 0, "", "", "cannot read the file: " + file.error};
}

}  // namespace

std::string settings_file_path(const std::string& data_dir) { return data_dir + "/settings.toml"; }

ConfigLoad load_config_file(const std::string& path, const ConfigEnvironment& env) {
    const FileText file = read_text(path);
    if (!file.text) return {std::nullopt, {unreadable(path, file)}};
    ConfigLoad first = parse_config(*file.text, path, env);
    if (!first.config) return first;
    const std::string settings_path = settings_file_path(first.config->storage.data_dir);
    const FileText settings = read_text(settings_path);
    if (settings.missing) {
        first.config->settings_path = settings_path;
        return first;
    }
    // One that is there but cannot be read must not silently give the file's values instead.
    if (!settings.text) return {std::nullopt, {unreadable(settings_path, settings)}};
    return parse_config_with_settings(*file.text, path, *settings.text, settings_path, env);
}

ConfigLoad save_settings(const Config& current, const std::vector<SettingChange>& changes,
                         const ConfigEnvironment& env) {
    ConfigLoad result;
    const std::string settings_path = settings_file_path(current.storage.data_dir);
    const FileText main_file = read_text(current.source_path);
    if (!main_file.text) return {std::nullopt, {unreadable(current.source_path, main_file)}};
    toml::table settings;
    const FileText old = read_text(settings_path);
    if (!old.text && !old.missing) return {std::nullopt, {unreadable(settings_path, old)}};
    if (old.text) {
        auto parsed = parse_toml(*old.text, settings_path, result);
        if (!parsed) return result;
        settings = std::move(*parsed);
    }
    for (const auto& change : changes) {
        if (!settings[change.section].as_table()) settings.insert_or_assign(change.section, toml::table{});
        toml::table& t = *settings[change.section].as_table();
        std::visit([&](const auto& v) { t.insert_or_assign(change.key, v); }, change.value);
    }
    // Every string a basic one, on one line, escaped: toml++ 3.3 writes a multi-line string
    // that starts with a newline in a form that reads back without it, and without multi-line
    // strings, a literal one ('…') with the newline in it, which does not read back at all.
    std::ostringstream out;
    out << "# Written by relais: the settings made in the workspace (first-boot setup, Administration),\n"
           "# read over "
        << escape_untrusted(current.source_path, 200) << ". Edit them in the workspace.\n\n"
        << toml::toml_formatter(settings, toml::toml_formatter::default_flags &
                                              ~toml::format_flags::allow_multi_line_strings &
                                              ~toml::format_flags::allow_literal_strings)
        << "\n";
    const std::string text = out.str();
    result = parse_config_with_settings(*main_file.text, current.source_path, text, settings_path, env);
    if (!result.config) return result;
    // 0600: it may hold the relay's password and the SIM's PIN.
    if (auto written = replace_file(settings_path, text, 0600); !written) {
        const Params& params = written.error().params;
        return {std::nullopt,
                {{settings_path, 0, "", "",
                  "cannot be written: " + (params.empty() ? written.error().detail : params.front().second)}}};
    }
    return result;
}

}  // namespace relais
