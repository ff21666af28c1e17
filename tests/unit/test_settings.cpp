// <data_dir>/settings.toml (config.hpp): the settings the workspace makes, read over the
// configuration file; only the keys the workspace may set; a problem in it names that file and
// its line; save_settings merges, checks the whole before writing, and writes 0600 by rename.
#include "config.hpp"
#include "settings_api.hpp"
#include "support.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

using namespace relais;
using namespace relais::test;
namespace fs = std::filesystem;

namespace {

const std::string kFile = "/etc/relais/relais.toml";
const std::string kSettings = "/var/lib/relais/settings.toml";
const std::string kMain =
    "[dealer]\nname = \"Garage Martin\"\ncountry = \"BE\"\n[modem]\nbaud = 9600\n[mail]\nrelay_port = 25\n";

ConfigLoad over(const std::string& settings, const std::string& main = kMain) {
    return parse_config_with_settings(main, kFile, settings, kSettings, config_environment());
}

// The problems, one a line.
std::string problems(const ConfigLoad& load) {
    std::string out;
    for (const auto& p : load.problems) out += (out.empty() ? "" : "\n") + p.to_string();
    return out;
}

// A box's configuration file keeping its data in <dir>/var.
struct Box {
    TempDir dir;
    std::string config_path = dir.path() + "/relais.toml";
    std::string data = dir.path() + "/var";
    std::string settings = data + "/settings.toml";

    explicit Box(const std::string& extra = "") {
        write_file(config_path, "[storage]\ndata_dir = \"var\"\n[dealer]\nname = \"Garage Martin\"\n" + extra);
        fs::create_directories(data);
    }
    Config load() {
        ConfigLoad load = load_config_file(config_path, config_environment());
        REQUIRE_MESSAGE(load.config, (load.problems.empty() ? "" : load.problems.front().to_string()));
        return *load.config;
    }
    ConfigLoad save(const std::vector<SettingChange>& changes) {
        return save_settings(load(), changes, config_environment());
    }
};

mode_t mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("settings: their values are read over the file's, the rest stays the file's") {
    const ConfigLoad load = over(R"([dealer]
name = "Garage Dupont"
language = "en"
timezone = "Europe/Brussels"
[http]
public_base_url = "https://relais.garage-dupont.be/"
[modem]
device = "/dev/ttyUSB2"
pin = "1234"
[mail]
relay_host = "smtp.garage-dupont.be"
relay_port = 465
tls = "tls"
username = "atelier@garage-dupont.be"
password = "secret"
from = "atelier@garage-dupont.be"
[setup]
done = true
)");
    REQUIRE_MESSAGE(load.config, problems(load));
    const Config& c = *load.config;
    CHECK(c.source_path == kFile);
    CHECK(c.settings_path == kSettings);
    CHECK(c.dealer.name == "Garage Dupont");
    CHECK(c.dealer.language == "en");
    CHECK(c.dealer.timezone == "Europe/Brussels");
    CHECK(c.dealer.country == "BE");  // the file's
    CHECK(c.http.public_base_url == "https://relais.garage-dupont.be");
    CHECK(c.modem.device == "/dev/ttyUSB2");
    CHECK(c.modem.pin == "1234");
    CHECK(c.modem.baud == 9600);  // the file's
    CHECK(c.mail.relay_host == "smtp.garage-dupont.be");
    CHECK(c.mail.relay_port == 465);
    CHECK(c.mail.tls == MailTls::tls);
    CHECK(c.mail.username == "atelier@garage-dupont.be");
    CHECK(c.mail.password == "secret");
    CHECK(c.mail.from == "atelier@garage-dupont.be");
    CHECK(c.setup_done);

    // Empty settings: the file as it is.
    const ConfigLoad none = over("");
    REQUIRE(none.config);
    CHECK(none.config->dealer.name == "Garage Martin");
    CHECK(none.config->mail.relay_port == 25);
    CHECK_FALSE(none.config->setup_done);
    CHECK(parse_config("[setup]\ndone = true\n", kFile, config_environment()).config->setup_done);
}

TEST_CASE("settings: a key the workspace may not set is refused, naming settings.toml and its line") {
    CHECK(problems(over("[storage]\ndata_dir = \"/tmp/elsewhere\"\n")) ==
          kSettings + ":1: [storage]: is not set from the workspace");
    CHECK(problems(over("\n[tls]\npublic = true\n")) == kSettings + ":2: [tls]: is not set from the workspace");
    CHECK(problems(over("[smtp]\nhost = \"x\"\n")) == kSettings + ":1: [smtp]: is not set from the workspace");
    CHECK(problems(over("[dealer]\nname = \"Garage Dupont\"\ncountry = \"FR\"\n[mail]\nca_file = \"ca.pem\"\n")) ==
          kSettings + ":3: [dealer] country: is not set from the workspace\n" + kSettings +
              ":5: [mail] ca_file: is not set from the workspace");
    CHECK(problems(over("dealer = \"Garage Dupont\"\n")) == kSettings + ":1: [dealer]: is not set from the workspace");
}

TEST_CASE("settings: a bad value in them is reported with their path and line, not the file's") {
    CHECK(problems(over("[dealer]\n\nlanguage = \"de\"\n")) ==
          kSettings + ":3: [dealer] language: expected \"fr\" or \"en\", got \"de\"");
    CHECK(problems(over("[modem]\npin = 1234\n")) == kSettings + ":2: [modem] pin: expected a string, got an integer");
    CHECK(problems(over("[mail]\nrelay_host = \"smtp.test\"\nusername = \"u\"\n")) ==
          kSettings + ":3: [mail] username: is set but password is empty");
    // The file's own problems still name the file, whatever the settings hold.
    CHECK(problems(over("[dealer]\nlanguage = \"en\"\n", kMain + "[log]\nlevel = \"loud\"\n")) ==
          kFile + ":9: [log] level: expected one of \"trace\", \"debug\", \"info\", \"warn\", \"error\", got \"loud\"");
    // A section the file holds as something else than a table stays the file's problem.
    CHECK(problems(over("[dealer]\nlanguage = \"en\"\n", "dealer = 3\n")) ==
          kFile + ":1: [dealer]: expected a table, got an integer");
}

TEST_CASE("settings: invalid TOML in them is reported with their path") {
    const ConfigLoad load = over("[dealer]\nname = \"Garage\n");
    CHECK_FALSE(load.config);
    REQUIRE(load.problems.size() == 1);
    CHECK(load.problems[0].file == kSettings);
    CHECK(load.problems[0].line == 2);
    CHECK(load.problems[0].message.find("not valid TOML") != std::string::npos);
}

TEST_CASE("load_config_file: without settings.toml, the file as before, settings_path set, with it, read over") {
    Box box("[mail]\nrelay_host = \"smtp.garage-martin.fr\"\n");
    const Config before = box.load();
    CHECK(before.settings_path == box.settings);
    CHECK(before.storage.data_dir == box.data);
    CHECK(before.dealer.name == "Garage Martin");
    CHECK_FALSE(before.setup_done);
    const ConfigLoad plain = parse_config(read_file(box.config_path), box.config_path, config_environment());
    REQUIRE(plain.config);
    CHECK(plain.config->mail.relay_host == before.mail.relay_host);
    CHECK(plain.config->settings_path.empty());

    write_file(box.settings, "[dealer]\nname = \"Garage Dupont\"\n[setup]\ndone = true\n");
    const Config after = box.load();
    CHECK(after.settings_path == box.settings);
    CHECK(after.dealer.name == "Garage Dupont");
    CHECK(after.mail.relay_host == "smtp.garage-martin.fr");
    CHECK(after.setup_done);

    write_file(box.settings, "[dealer]\nlanguage = \"de\"\n");
    const ConfigLoad bad = load_config_file(box.config_path, config_environment());
    CHECK(problems(bad) == box.settings + ":2: [dealer] language: expected \"fr\" or \"en\", got \"de\"");

    // One that is there but cannot be read is a problem, not silently the file's values.
    fs::remove(box.settings);
    fs::create_directories(box.settings);
    const ConfigLoad folder = load_config_file(box.config_path, config_environment());
    REQUIRE(folder.problems.size() == 1);
    CHECK(folder.problems[0].to_string().starts_with(box.settings + ": cannot read the file: "));
}

TEST_CASE("save_settings: merges with what is there, writes 0600 by rename, and the result loads") {
    Box box;
    // What a save cut off by a power cut left, readable by all: its mode is not the new file's.
    write_file(box.settings + ".tmp", "[dealer]\nname = \"half");
    REQUIRE(::chmod((box.settings + ".tmp").c_str(), 0644) == 0);
    const ConfigLoad first = box.save({{"dealer", "name", std::string("Garage Dupont")}, {"setup", "done", true}});
    REQUIRE_MESSAGE(first.config, problems(first));
    CHECK(first.config->dealer.name == "Garage Dupont");
    CHECK(first.config->settings_path == box.settings);
    CHECK(mode_of(box.settings) == 0600);

    // The file as it was stays whole under another name: the new one took its place by rename.
    REQUIRE(::link(box.settings.c_str(), (box.dir.path() + "/old").c_str()) == 0);
    const std::string old_bytes = read_file(box.settings);
    const ConfigLoad second = box.save({{"dealer", "language", std::string("en")},
                                        {"mail", "relay_host", std::string("smtp.garage-dupont.be")},
                                        {"mail", "relay_port", std::int64_t{465}},
                                        {"mail", "tls", std::string("tls")}});
    REQUIRE_MESSAGE(second.config, problems(second));
    CHECK(read_file(box.dir.path() + "/old") == old_bytes);
    CHECK(mode_of(box.settings) == 0600);
    CHECK_FALSE(fs::exists(box.settings + ".tmp"));

    const Config loaded = box.load();
    CHECK(loaded.dealer.name == "Garage Dupont");  // from the first save
    CHECK(loaded.dealer.language == "en");
    CHECK(loaded.mail.relay_host == "smtp.garage-dupont.be");
    CHECK(loaded.mail.relay_port == 465);
    CHECK(loaded.mail.tls == MailTls::tls);
    CHECK(loaded.setup_done);
    CHECK(read_file(box.config_path).find("Garage Dupont") == std::string::npos);  // the file is never written

    // A value changed again replaces the one there.
    REQUIRE(box.save({{"dealer", "name", std::string("Garage Durand")}}).config);
    CHECK(box.load().dealer.name == "Garage Durand");
}

TEST_CASE("save_settings: what would not load is refused, and nothing is written") {
    Box box;
    REQUIRE(box.save({{"dealer", "name", std::string("Garage Dupont")}}).config);
    const std::string before = read_file(box.settings);

    const ConfigLoad language = box.save({{"dealer", "language", std::string("de")}});
    CHECK_FALSE(language.config);
    REQUIRE(language.problems.size() == 1);
    CHECK(language.problems[0].file == box.settings);
    CHECK((language.problems[0].section == "dealer" && language.problems[0].key == "language"));

    const ConfigLoad not_settable = box.save({{"storage", "data_dir", std::string("/tmp")}});
    CHECK_FALSE(not_settable.config);
    REQUIRE(not_settable.problems.size() == 1);
    CHECK((not_settable.problems[0].section == "storage" && not_settable.problems[0].key.empty()));

    const ConfigLoad username = box.save({{"mail", "username", std::string("atelier")}});  // no relay, no password
    CHECK(username.problems.size() == 2);

    CHECK(read_file(box.settings) == before);
    CHECK_FALSE(fs::exists(box.settings + ".tmp"));
    CHECK(box.load().dealer.language == "fr");

    // Settings that no longer load (edited by hand) are not written over.
    const Config current = box.load();
    write_file(box.settings, "[dealer\n");
    const ConfigLoad broken = save_settings(current, {{"dealer", "language", std::string("en")}}, config_environment());
    CHECK_FALSE(broken.config);
    REQUIRE(broken.problems.size() == 1);
    CHECK(broken.problems[0].file == box.settings);
    CHECK(read_file(box.settings) == "[dealer\n");
}

TEST_CASE("save_settings: a file that cannot be written is a problem saying why") {
    Box box;
    // What stands at the temporary name cannot be written (a folder with something in it).
    write_file(box.settings + ".tmp/x", "");
    const ConfigLoad load = box.save({{"dealer", "name", std::string("Garage Dupont")}});
    CHECK_FALSE(load.config);
    REQUIRE(load.problems.size() == 1);
    CHECK(load.problems[0].to_string() == box.settings + ": cannot be written: Is a directory");
    CHECK_FALSE(fs::exists(box.settings));
    CHECK(fs::exists(box.settings + ".tmp/x"));  // not ours: left as it was

    // A symlink there is not followed.
    fs::remove_all(box.settings + ".tmp");
    fs::create_symlink(box.dir.path() + "/elsewhere", box.settings + ".tmp");
    CHECK(problems(box.save({{"dealer", "name", std::string("Garage Dupont")}})) ==
          box.settings + ": cannot be written: Too many levels of symbolic links");
    CHECK_FALSE(fs::exists(box.dir.path() + "/elsewhere"));
}

TEST_CASE("save_settings: strings with quotes, newlines and other scripts come back as they were") {
    Box box;
    const std::vector<std::string> passwords = {"p\"a's\\s",
                                                "two\nlines\r\n",
                                                "\"\"\"three quotes\"\"\"",
                                                "'''",
                                                "\ttab and trailing quote\"",
                                                "\nleading newline",
                                                "Mot de passe « spécial » — 東京 🚗",
                                                std::string("nul\x01"
                                                            "byte\x7f",
                                                            9)};
    for (const auto& password : passwords) {
        CAPTURE(password);
        const ConfigLoad saved = box.save(
            {{"mail", "password", password}, {"dealer", "name", std::string("Garage « Müller » — l'atelier \"2\"")}});
        REQUIRE_MESSAGE(saved.config, problems(saved));
        const Config loaded = box.load();
        CHECK(loaded.mail.password == password);
        CHECK(loaded.dealer.name == "Garage « Müller » — l'atelier \"2\"");
    }
}

TEST_CASE("one table: settings.toml takes each key of it and nothing else") {
    for (const WorkspaceSetting& s : workspace_settings()) {
        CAPTURE(s.section);
        CAPTURE(s.key);
        std::string value = "\"\"";
        if (s.type == WorkspaceSetting::Type::integer) value = "25";
        if (s.type == WorkspaceSetting::Type::boolean) value = "true";
        const ConfigLoad load = over("[" + std::string(s.section) + "]\n" + std::string(s.key) + " = " + value + "\n");
        for (const auto& p : load.problems) CHECK(p.message != "is not set from the workspace");
    }
    CHECK(problems(over("[dealer]\ncountry = \"FR\"\n")) ==
          kSettings + ":2: [dealer] country: is not set from the workspace");
    CHECK(problems(over("[http]\nthreads = 4\n")) == kSettings + ":2: [http] threads: is not set from the workspace");
}

TEST_CASE("the settings' JSON is the table's: values, secrets only as set, problems on the body's names") {
    using json = nlohmann::json;
    Config c;
    c.dealer.name = "Garage Martin";
    c.http.public_base_url = "https://garage.fr:8443";
    c.mail.password = "s3cret";
    c.mail.relay_port = 465;
    const json j = settings_json(c, {});
    CHECK(j["dealer"]["name"] == "Garage Martin");
    CHECK(j["public_base_url"] == "https://garage.fr:8443");
    CHECK(j["mail"]["relay_port"] == 465);
    CHECK(j["mail"]["tls"] == "starttls");
    CHECK(j["mail"]["password_set"] == true);
    CHECK(j["modem"]["pin_set"] == false);
    CHECK_FALSE(j["mail"].contains("password"));
    CHECK(j.dump().find("s3cret") == std::string::npos);
    CHECK(j["setup_done"] == false);
    CHECK(j["ports"] == json::array());

    const SettingsBody body = read_settings_body(json::parse(R"({
        "dealer": {"name": "Garage Dupont", "country": "BE"},
        "public_base_url": "https://garage.fr:8443",
        "mail": {"relay_port": "587", "password": null, "username": "atelier"},
        "modem": "virtual",
        "setup_done": true,
        "storage": {}
    })"));
    std::vector<std::string> changed;
    for (const auto& ch : body.changes) changed.push_back(ch.section + "." + ch.key);
    CHECK(changed == std::vector<std::string>{"dealer.name", "mail.username", "http.public_base_url"});
    std::vector<std::string> wrong;
    for (const auto& p : body.problems) wrong.push_back(p.field + ": " + p.code);
    std::sort(wrong.begin(), wrong.end());
    CHECK(wrong == std::vector<std::string>{"dealer.country: unknown_field", "mail.relay_port: invalid_type",
                                            "modem: invalid_type", "setup_done: unknown_field",
                                            "storage: unknown_field"});

    // A problem of the check, on the field the body names.
    CHECK(setting_problem({kSettings, 3, "mail", "relay_port", "must be between 1 and 65535"}).field ==
          "mail.relay_port");
    CHECK(setting_problem({kSettings, 3, "http", "public_base_url", "expected ..."}).field == "public_base_url");
    const FieldError other = setting_problem({kFile, 0, "", "", "cannot read the file"});
    CHECK(other.field == "settings");
    CHECK(other.code == "invalid_setting");
    CHECK(other.params == Params{{"detail", "cannot read the file"}});
}
