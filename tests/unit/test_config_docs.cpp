// docs/CONFIG.md and the declaration of the keys (config_keys.hpp) say the same: every key is
// documented, with the default it is declared with; every documented key exists; the table of
// the settings made in the workspace lists exactly the keys the workspace may set.

#include "config_keys.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace relais;

namespace {

struct Docs {
    // [section][key] → the "default" cell, as written.
    std::map<std::string, std::map<std::string, std::string>> defaults;
    std::set<std::pair<std::string, std::string>> workspace;
};

std::vector<std::string> cells(const std::string& row) {
    std::vector<std::string> out;
    std::string cell;
    std::istringstream in(row.substr(1));
    while (std::getline(in, cell, '|')) {
        const auto first = cell.find_first_not_of(' ');
        const auto last = cell.find_last_not_of(' ');
        out.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
    }
    return out;
}

std::vector<std::string> quoted_words(const std::string& cell) {
    static const std::regex word("`([a-z_]+)`");
    std::vector<std::string> out;
    for (std::sregex_iterator it(cell.begin(), cell.end(), word), end; it != end; ++it) out.push_back((*it)[1]);
    return out;
}

Docs read_docs() {
    std::ifstream file(std::string(RELAIS_SOURCE_DIR) + "/docs/CONFIG.md");
    REQUIRE(file.good());
    static const std::regex section_heading("^## `\\[([a-z]+)\\]`.*");
    static const std::regex workspace_row("^\\| `\\[([a-z]+)\\]` \\|.*");
    Docs docs;
    std::string line, section;
    bool workspace_table = false;
    std::smatch m;
    while (std::getline(file, line)) {
        if (line.starts_with("#")) {  // a heading ends the table before it
            workspace_table = line == "## Settings made in the workspace";
            section = std::regex_match(line, m, section_heading) ? std::string(m[1]) : "";
            continue;
        }
        if (workspace_table && std::regex_match(line, m, workspace_row)) {
            const std::string cell = cells(line).at(1);
            // "`done` (the first-boot setup ...; `false` by default)": the keys come before any "(".
            for (const auto& key : quoted_words(cell.substr(0, cell.find('('))))
                docs.workspace.insert({std::string(m[1]), key});
        }
        if (section.empty() || !line.starts_with("| `")) continue;
        const auto row = cells(line);
        if (row.size() < 3) continue;
        for (const auto& key : quoted_words(row[0])) docs.defaults[section][key] = row[1];
    }
    return docs;
}

}  // namespace

TEST_CASE("config keys: docs/CONFIG.md documents each declared key with its declared default") {
    const Docs docs = read_docs();
    REQUIRE(docs.defaults.count("http"));
    for (const ConfigKey& k : config_keys()) {
        const std::string section(k.section), key(k.key);
        CAPTURE(section);
        CAPTURE(key);
        const auto in_section = docs.defaults.find(section);
        if (in_section == docs.defaults.end()) {
            // [setup] has no table of its own: the workspace's table names it.
            CHECK(docs.workspace.count({section, key}));
            continue;
        }
        const auto row = in_section->second.find(key);
        REQUIRE_MESSAGE(row != in_section->second.end(), "not in the table of [" << section << "]");
        CHECK(row->second == k.fallback);
    }
}

TEST_CASE("config keys: every key docs/CONFIG.md documents is declared") {
    std::set<std::pair<std::string, std::string>> declared;
    for (const ConfigKey& k : config_keys()) declared.insert({std::string(k.section), std::string(k.key)});
    for (const auto& [section, keys] : read_docs().defaults)
        for (const auto& [key, fallback] : keys) {
            CAPTURE(section);
            CAPTURE(key);
            CHECK(declared.count({section, key}));
        }
}

TEST_CASE("config keys: the workspace's settings are the declared ones docs/CONFIG.md lists as such") {
    std::set<std::pair<std::string, std::string>> settable;
    for (const WorkspaceSetting& s : workspace_settings())
        settable.insert({std::string(s.section), std::string(s.key)});
    CHECK(settable.size() == 20);
    CHECK(read_docs().workspace == settable);
}
