#include "config.hpp"

#include "atomic_file.hpp"
#include "config_keys.hpp"
#include "text.hpp"

#include <arpa/inet.h>
#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <set>
#include <sstream>

namespace relais {
namespace fs = std::filesystem;

std::string ListenAddress::to_string() const {
    if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
    return host + ":" + std::to_string(port);
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

// A problem found by looking at several keys together; `at` names the key whose line it gives.
struct KeysProblem {
    std::string_view section, key, at;
    std::string message;
};

// After every key is read: the defaults made of other keys (public_base_url from public_listen,
// the backup folder under data_dir, the ACME email from [mail] from), then what the keys require
// of each other. `refused(section, key)`: the key's value had a problem.
std::vector<KeysProblem> complete_config(Config& c,
                                         const std::function<bool(std::string_view, std::string_view)>& refused) {
    std::vector<KeysProblem> problems;
    using S = Config::Tls::Source;
    using C = Config::Acme::Challenge;
    // Defaults made of other keys.
    if (c.http.public_base_url.empty()) set_public_base_url(c.http, "http://" + c.http.public_listen.to_string());
    if (c.backup.dir.empty()) c.backup.dir = c.storage.data_dir + "/backups/daily";
    if (c.acme.email.empty()) c.acme.email = c.mail.from;

    if (c.http.lan.port != 0 && c.http.lan.port == c.http.public_listen.port &&
        (c.http.lan.host == c.http.public_listen.host || c.http.lan.host == "0.0.0.0" ||
         c.http.public_listen.host == "0.0.0.0"))
        problems.push_back({"http", "public_listen", "public_listen",
                            "must not use the same port as lan_listen: the customer pages and the workspace are "
                            "separate listeners"});
    if (!c.mail.username.empty() && c.mail.relay_host.empty())
        problems.push_back({"mail", "username", "username", "is set but relay_host is empty"});
    if (!c.mail.username.empty() && c.mail.password.empty())
        problems.push_back({"mail", "username", "username", "is set but password is empty"});
    if (c.tls.certificate == S::files && (c.tls.cert_file.empty() || c.tls.key_file.empty()))
        problems.push_back(
            {"tls", "certificate", "certificate", "is \"files\": cert_file and key_file must both name files"});
    const bool lan_cert = !c.tls.lan_cert_file.empty() && !refused("tls", "lan_cert_file");
    const bool lan_key = !c.tls.lan_key_file.empty() && !refused("tls", "lan_key_file");
    if (lan_cert != lan_key)
        problems.push_back({"tls", "lan_cert_file", lan_cert ? "lan_cert_file" : "lan_key_file",
                            "lan_cert_file and lan_key_file go together"});
    // A base URL refused already is not also said to lack https:// (the default it fell back to).
    if (c.tls.public_ && !refused("http", "public_base_url") && c.http.public_base_url.rfind("https://", 0) != 0)
        problems.push_back({"http", "public_base_url", "public_base_url",
                            "must start with https:// when [tls] public = true (it is the start of customers' links)"});
    if (c.tls.certificate == S::acme) {
        if (c.acme.challenge == C::http01 && !c.tls.redirect_listen)
            problems.push_back({"tls", "certificate", "certificate",
                                "is \"acme\" with the http-01 challenge: set [tls] redirect_listen (port 80, "
                                "forwarded to the box), or use [acme] challenge = \"dns-01\""});
        if (c.acme.challenge == C::dns01 && c.acme.dns_provider.empty())
            problems.push_back({"acme", "challenge", "challenge",
                                "is \"dns-01\": set [acme] dns_provider (and dns_env_file with its credentials)"});
    }
    return problems;
}

// Reads a key's node as the key's type; the problems say where it is, and which file.
class Reader {
public:
    Reader(std::string file, const toml::table& root) : file_(std::move(file)), root_(root) {}

    std::vector<ConfigProblem> problems;

    void problem(const toml::node* n, std::string section, std::string key, std::string message) {
        const int line = n ? static_cast<int>(n->source().begin.line) : 0;
        // A value from <data_dir>/settings.toml names that file.
        const std::string file = n && n->source().path ? std::string(*n->source().path) : file_;
        problems.push_back({file, line, std::move(section), std::move(key), std::move(message)});
    }

    const toml::node* get(std::string_view section, std::string_view key) const {
        const toml::table* t = root_[section].as_table();
        return t ? t->get(key) : nullptr;
    }

    bool refused(std::string_view section, std::string_view key) const {
        return std::any_of(problems.begin(), problems.end(),
                           [&](const ConfigProblem& p) { return p.section == section && p.key == key; });
    }

    // The key's value, of its type, or nullopt (with a problem when it is there but wrong).
    std::optional<ConfigValue> value(const ConfigKey& k, const toml::node& n) {
        using T = ConfigKey::Type;
        const auto wrong = [&](const char* expected) {
            problem(&n, std::string(k.section), std::string(k.key), std::string(expected) + type_name(n));
            return std::nullopt;
        };
        switch (k.type) {
            case T::text:
            case T::names:
            case T::file:
                if (!n.is_string()) return wrong("expected a string, got ");
                return ConfigValue(n.as_string()->get());
            case T::integer: {
                if (!n.is_integer()) return wrong("expected an integer, got ");
                const std::int64_t v = n.as_integer()->get();
                if (v < k.min || v > k.max) {
                    problem(&n, std::string(k.section), std::string(k.key),
                            "must be between " + std::to_string(k.min) + " and " + std::to_string(k.max) + ", got " +
                                std::to_string(v));
                    return std::nullopt;
                }
                return ConfigValue(v);
            }
            case T::boolean:
                if (!n.is_boolean()) return wrong("expected true or false, got ");
                return ConfigValue(n.as_boolean()->get());
            case T::percentage:
                if (n.is_integer()) return ConfigValue(static_cast<double>(n.as_integer()->get()));
                if (n.is_floating_point()) return ConfigValue(n.as_floating_point()->get());
                return wrong("expected a percentage such as 20 or 5.5, got ");
        }
        return std::nullopt;
    }

    // Checks and stores one key that the file holds.
    void read(const ConfigKey& k, const toml::node& n, KeyContext& context) {
        const std::string section(k.section), key(k.key);
        if (k.type == ConfigKey::Type::names) {
            const toml::array* list = n.as_array();
            if (!list) return problem(&n, section, key, std::string("expected a list of names, got ") + type_name(n));
            for (const toml::node& item : *list) {
                const auto* entry = item.as_string();
                std::string message = k.apply(ConfigValue(entry ? entry->get() : std::string()), context);
                if (!message.empty()) problem(&item, section, key, std::move(message));
            }
            return;
        }
        auto v = value(k, n);
        if (!v) return;
        if (k.type == ConfigKey::Type::file) {
            if (std::get<std::string>(*v).empty()) return;  // none
            v = resolve_path(context.path, std::get<std::string>(*v));
        }
        if (std::string message = k.apply(*v, context); !message.empty())
            return problem(&n, section, key, std::move(message));
        if (k.type != ConfigKey::Type::file) return;
        std::error_code ec;
        const std::string& file = std::get<std::string>(*v);
        if (!fs::is_regular_file(file, ec))
            problem(&n, section, key, "no such file: " + file + " (expected " + std::string(k.file_is) + ")");
    }

private:
    std::string file_;
    const toml::table& root_;
};

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
    Reader r(path, root);
    Config c;
    c.source_path = path;

    // Unknown sections and keys first: a misspelt key must not silently become a default.
    std::set<std::string> sections;
    for (const ConfigKey& k : config_keys()) sections.insert(std::string(k.section));
    for (auto&& [section_key, section_node] : root) {
        const std::string section(section_key.str());
        if (!sections.count(section)) {
            const std::string hint = suggestion(section, std::vector<std::string>(sections.begin(), sections.end()));
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
        std::vector<std::string> keys;
        for (const ConfigKey& k : config_keys())
            if (k.section == section) keys.emplace_back(k.key);
        for (auto&& [key, value] : *t) {
            const std::string name(key.str());
            if (std::find(keys.begin(), keys.end(), name) == keys.end()) {
                const std::string hint = suggestion(name, keys);
                r.problems.push_back(
                    {path, static_cast<int>(key.source().begin.line), section, name,
                     "unknown key" + (hint.empty() ? std::string() : " (did you mean " + hint + "?)")});
            }
        }
    }

    // Every key the file holds, in the table's order; then what the keys make together.
    c.storage.data_dir = "/var/lib/relais";
    c.http.web_root = default_web_root();
    KeyContext context{c, path, env};
    for (const ConfigKey& k : config_keys())
        if (const toml::node* n = r.get(k.section, k.key)) r.read(k, *n, context);
    for (KeysProblem& p : complete_config(c, [&](std::string_view s, std::string_view k) { return r.refused(s, k); }))
        r.problem(r.get(p.section, p.at), std::string(p.section), std::string(p.key), std::move(p.message));

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
