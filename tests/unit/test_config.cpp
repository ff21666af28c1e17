#include "config.hpp"
#include "profiles.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>

#include <set>

using namespace relais;
using namespace relais::test;

namespace {

ConfigLoad parse(const std::string& text) {
    return parse_config(text, "/etc/relais/relais.toml", config_environment());
}

std::string only_problem(const ConfigLoad& load) {
    REQUIRE(load.problems.size() == 1);
    return load.problems.front().to_string();
}

}  // namespace

TEST_CASE("an empty file gives the defaults") {
    const ConfigLoad load = parse("");
    REQUIRE(load.config);
    const Config& c = *load.config;
    CHECK(c.http.lan.to_string() == "127.0.0.1:8080");
    CHECK(c.http.public_base_url == "http://127.0.0.1:8081");
    CHECK(c.storage.data_dir == "/var/lib/relais");
    CHECK(c.modem.device == "virtual");
    CHECK(c.mail.relay_host.empty());
    CHECK(c.mail.tls == MailTls::starttls);
    CHECK(c.dealer.language == "fr");
    CHECK(c.dealer.default_vat_rate_bp == 2000);
}

TEST_CASE("a complete file is read") {
    const ConfigLoad load = parse(R"(
[http]
lan_listen = "0.0.0.0:80"
public_listen = "[::]:8443"
public_base_url = "https://relais.garage-martin.fr/"
threads = 4
[storage]
data_dir = "data"
[modem]
device = "/dev/ttyUSB2"
baud = 921600
rtscts = true
pin = "1234"
[mail]
relay_host = "smtp.office365.com"
relay_port = 587
tls = "starttls"
username = "atelier@garage-martin.fr"
password = "secret"
from = "atelier@garage-martin.fr"
[dealer]
name = "Garage Martin"
timezone = "Europe/Brussels"
language = "en"
country = "be"
default_vat_rate = 5.5
[log]
level = "debug"
)");
    REQUIRE(load.problems.empty());
    const Config& c = *load.config;
    CHECK(c.http.lan.host == "0.0.0.0");
    CHECK(c.http.lan.port == 80);
    CHECK(c.http.public_listen.host == "::");
    CHECK(c.http.public_listen.to_string() == "[::]:8443");
    CHECK(c.http.public_base_url == "https://relais.garage-martin.fr");  // trailing slash dropped
    CHECK(c.http.threads == 4);
    CHECK(c.storage.data_dir == "/etc/relais/data");  // relative to the file's folder
    CHECK(c.modem.device == "/dev/ttyUSB2");
    CHECK(c.modem.baud == 921600);
    CHECK(c.modem.rtscts);
    CHECK(c.mail.relay_host == "smtp.office365.com");
    CHECK(c.dealer.country == "BE");
    CHECK(c.dealer.default_vat_rate_bp == 550);
    CHECK(c.log.level == "debug");
}

TEST_CASE("mail: opportunistic STARTTLS, a CA file relative to the config, the dealer's colour") {
    const std::string dir = "/tmp/relais-config-test-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/relay-ca.pem") << "-----BEGIN CERTIFICATE-----\n";
    const ConfigLoad load = parse_config(
        "[mail]\nrelay_host = \"192.168.1.10\"\nrelay_port = 25\ntls = \"opportunistic\"\nca_file = \"relay-ca.pem\"\n"
        "auth_without_tls = true\n[dealer]\nbrand_color = \"#C0392B\"\n",
        dir + "/relais.toml", config_environment());
    REQUIRE(load.problems.empty());
    CHECK(load.config->mail.tls == MailTls::opportunistic);
    CHECK(load.config->mail.ca_file == dir + "/relay-ca.pem");
    CHECK(load.config->mail.auth_without_tls);
    CHECK(load.config->dealer.brand_color == "#c0392b");
    std::filesystem::remove_all(dir);
}

TEST_CASE("unknown keys and sections are problems with line and suggestion") {
    const ConfigLoad load = parse("[http]\nlan_lisen = \"0.0.0.0:80\"\n\n[smtp]\nhost = \"x\"\n");
    CHECK_FALSE(load.config);
    REQUIRE(load.problems.size() == 2);
    CHECK(load.problems[0].to_string() ==
          "/etc/relais/relais.toml:2: [http] lan_lisen: unknown key (did you mean lan_listen?)");
    CHECK(load.problems[1].line == 4);
    CHECK(load.problems[1].message.find("unknown section") != std::string::npos);
}

TEST_CASE("wrong types are problems naming file, line and key") {
    CHECK(only_problem(parse("[modem]\nbaud = \"fast\"\n")) ==
          "/etc/relais/relais.toml:2: [modem] baud: expected an integer, got a string");
    CHECK(only_problem(parse("[dealer]\n\nname = 42\n")) ==
          "/etc/relais/relais.toml:3: [dealer] name: expected a string, got an integer");
    CHECK(only_problem(parse("http = 3\n")).find("[http]") != std::string::npos);
}

TEST_CASE("bad values are problems") {
    CHECK(only_problem(parse("[mail]\ntls = \"ssl\"\n")) ==
          "/etc/relais/relais.toml:2: [mail] tls: expected one of \"none\", \"starttls\", \"opportunistic\", "
          "\"tls\", got \"ssl\"");
    CHECK(only_problem(parse("[mail]\nca_file = \"/nonexistent/ca.pem\"\n")) ==
          "/etc/relais/relais.toml:2: [mail] ca_file: no such file: /nonexistent/ca.pem (expected a PEM file with the "
          "CA or the relay's certificate)");
    CHECK(only_problem(parse("[mail]\nauth_without_tls = 1\n")).find("true or false") != std::string::npos);
    CHECK(only_problem(parse("[mail]\nrelay_host = \"smtp.test\"\nusername = \"u\"\n")) ==
          "/etc/relais/relais.toml:3: [mail] username: is set but password is empty");
    CHECK(only_problem(parse("[dealer]\nbrand_color = \"blue\"\n")).find("#rrggbb") != std::string::npos);
    CHECK(only_problem(parse("[modem]\nbaud = 12345\n")).find("expected one of 9600") != std::string::npos);
    CHECK(only_problem(parse("[modem]\npin = \"12a4\"\n")).find("4 to 8 digits") != std::string::npos);
    CHECK(only_problem(parse("[modem]\nrtscts = \"yes\"\n")).find("true or false") != std::string::npos);
    CHECK(only_problem(parse("[modem]\ndevice = \"ttyUSB0\"\n")).find("serial device path") != std::string::npos);
    CHECK(only_problem(parse("[http]\nlan_listen = \"localhost\"\n")).find("expected an address") != std::string::npos);
    CHECK(only_problem(parse("[http]\nlan_listen = \"10.0.0.300:80\"\n")).find("expected an address") !=
          std::string::npos);
    CHECK(only_problem(parse("[http]\npublic_base_url = \"relais.example.fr\"\n")).find("absolute") !=
          std::string::npos);
    CHECK(only_problem(parse("[dealer]\ntimezone = \"Europe/Pariss\"\n")).find("unknown time zone") !=
          std::string::npos);
    CHECK(only_problem(parse("[dealer]\nlanguage = \"de\"\n")).find("\"fr\" or \"en\"") != std::string::npos);
    CHECK(only_problem(parse("[dealer]\ncountry = \"XX\"\n")).find("two-letter") != std::string::npos);
    CHECK(only_problem(parse("[dealer]\ndefault_vat_rate = 120\n")).find("between 0 and 100") != std::string::npos);
    CHECK(only_problem(parse("[mail]\nfrom = \"atelier\"\n")).find("email address") != std::string::npos);
    CHECK(only_problem(parse("[http]\nthreads = 0\n")).find("between 1 and 16") != std::string::npos);
    CHECK(only_problem(parse("[log]\nlevel = \"verbose\"\n")).find("\"trace\"") != std::string::npos);
}

TEST_CASE("[modem] emulated_profile: every profile of firmware-bridge, and nothing else") {
    for (const auto& name : bridge::profile_names()) {
        CAPTURE(name);
        const ConfigLoad load = parse("[modem]\nemulated_profile = \"" + name + "\"\n");
        REQUIRE(load.config);
        CHECK(load.config->modem.emulated_profile == name);
    }
    CHECK(parse("").config->modem.emulated_profile == "generic");
    CHECK(only_problem(parse("[modem]\nemulated_profile = \"nokia-3310\"\n")) ==
          "/etc/relais/relais.toml:2: [modem] emulated_profile: expected one of \"generic\", \"quectel-ec25\", "
          "\"simcom-sim7600\", \"huawei-e3372\", \"telit-le910c1\", got \"nokia-3310\"");
}

TEST_CASE("the two listeners may not share a port") {
    const ConfigLoad load = parse("[http]\nlan_listen = \"0.0.0.0:8080\"\npublic_listen = \"127.0.0.1:8080\"\n");
    CHECK(only_problem(load).find("same port") != std::string::npos);
    CHECK(parse("[http]\nlan_listen = \"127.0.0.1:0\"\npublic_listen = \"127.0.0.1:0\"\n").config.has_value());
}

TEST_CASE("all problems are reported at once, in line order") {
    const ConfigLoad load = parse("[mail]\ntls = \"x\"\n[modem]\nbaud = \"y\"\n[dealer]\nlanguage = \"z\"\n");
    REQUIRE(load.problems.size() == 3);
    CHECK(load.problems[0].line == 2);
    CHECK(load.problems[1].line == 4);
    CHECK(load.problems[2].line == 6);
}

TEST_CASE("TOML syntax errors name the line") {
    const ConfigLoad load = parse("[http]\nlan_listen = \"0.0.0.0:80\n");
    REQUIRE(load.problems.size() == 1);
    CHECK(load.problems[0].line == 2);
    CHECK(load.problems[0].message.find("not valid TOML") != std::string::npos);
}

TEST_CASE("a missing file is one clear problem") {
    const ConfigLoad load = load_config_file("/nonexistent/relais.toml", config_environment());
    CHECK(only_problem(load).find("cannot read the file") != std::string::npos);
}

TEST_CASE("the dealership's phone is read in its country and kept in both forms, a wrong one is named") {
    ConfigEnvironment env = config_environment();
    std::string region_seen;
    env.read_phone = [&](std::string_view number, std::string_view region) -> std::optional<ConfigEnvironment::Phone> {
        region_seen = std::string(region);
        if (number != "02 555 12 12") return std::nullopt;
        return ConfigEnvironment::Phone{"+3225551212", "02 555 12 12"};
    };
    const ConfigLoad load = parse_config("[dealer]\nphone = \"02 555 12 12\"\ncountry = \"BE\"\n", "relais.toml", env);
    REQUIRE(load.config);
    CHECK(region_seen == "BE");  // read in the dealership's country, wherever the key stands
    CHECK(load.config->dealer.phone == "+3225551212");
    CHECK(load.config->dealer.phone_display == "02 555 12 12");
    CHECK(parse_config("", "relais.toml", env).config->dealer.phone.empty());

    const ConfigLoad wrong = parse_config("[dealer]\nphone = \"02 555\"\n", "relais.toml", env);
    CHECK(only_problem(wrong) ==
          "relais.toml:2: [dealer] phone: expected the dealership's phone number such as \"01 23 45 "
          "67 89\" or \"+33 1 23 45 67 89\", got \"02 555\"");
    const ConfigLoad letters = parse_config("[dealer]\nphone = \"call us\"\n", "relais.toml", env);
    CHECK(only_problem(letters).find("[dealer] phone") != std::string::npos);
}

TEST_CASE("public_base_url is split once: its origin as browsers write it, and its host") {
    const auto load = [](const std::string& url) {
        const ConfigLoad l = parse("[http]\npublic_base_url = \"" + url + "\"\n");
        REQUIRE_MESSAGE(l.config, (l.problems.empty() ? "" : l.problems.front().to_string()));
        return l.config->http;
    };
    auto h = load("https://Garage.FR:8443/relais/");
    CHECK(h.public_base_url == "https://Garage.FR:8443/relais");  // links as written
    CHECK(h.public_origin == "https://garage.fr:8443");
    CHECK(h.public_host == "garage.fr");

    h = load("https://garage.fr.");
    CHECK(h.public_origin == "https://garage.fr.");  // a browser keeps the final dot in Origin
    CHECK(h.public_host == "garage.fr");

    h = load("https://garage.fr:443");
    CHECK(h.public_origin == "https://garage.fr");  // the scheme's port is not written
    h = load("http://garage.fr:80/x");
    CHECK(h.public_origin == "http://garage.fr");
    h = load("http://garage.fr:8080");
    CHECK(h.public_origin == "http://garage.fr:8080");

    h = load("https://[2001:DB8::1]:8443");
    CHECK(h.public_origin == "https://[2001:db8::1]:8443");
    CHECK(h.public_host == "2001:db8::1");

    h = load("http://192.0.2.7");
    CHECK(h.public_host == "192.0.2.7");

    // By default, the public listener's address.
    h = parse("[http]\npublic_listen = \"0.0.0.0:8081\"\n").config->http;
    CHECK(h.public_base_url == "http://0.0.0.0:8081");
    CHECK(h.public_origin == "http://0.0.0.0:8081");
    CHECK(h.public_host == "0.0.0.0");
}

TEST_CASE("a public_base_url whose host or port cannot be read is refused") {
    for (const char* url :
         {"relais.garage.fr", "ftp://garage.fr", "https://", "https:///o", "https://garage.fr:", "https://garage.fr:0",
          "https://garage.fr:65536", "https://garage.fr:84a3", "https://user@garage.fr", "https://garage.fr?x=1",
          "https://garage.fr/#top", "https://gar age.fr", "https://garage_fr.fr", "https://garage..fr",
          "https://.garage.fr", "https://[2001:db8::1", "https://[garage.fr]", "https://[::1]x",
          "https://garage.fr\\\\x"}) {
        CAPTURE(url);
        CHECK(only_problem(parse(std::string("[http]\npublic_base_url = \"") + url + "\"\n"))
                  .find("[http] public_base_url: expected an absolute http:// or https:// URL") != std::string::npos);
    }
    Config::Http http;
    REQUIRE(set_public_base_url(http, "https://a.garage.fr"));
    CHECK_FALSE(set_public_base_url(http, "https://garage.fr:99999"));
    CHECK(http.public_base_url == "https://a.garage.fr");  // nothing changed
    CHECK(http.public_host == "a.garage.fr");
}

TEST_CASE("a problem names its section and key apart, and renders them together") {
    const ConfigLoad load = parse("[dealer]\nlanguage = \"de\"\n[nope]\n");
    REQUIRE(load.problems.size() == 2);
    CHECK(load.problems[0].section == "dealer");
    CHECK(load.problems[0].key == "language");
    CHECK(load.problems[0].to_string().rfind("/etc/relais/relais.toml:2: [dealer] language: ", 0) == 0);
    CHECK(load.problems[1].section == "nope");
    CHECK(load.problems[1].key.empty());
    CHECK(load.problems[1].to_string().rfind("/etc/relais/relais.toml:3: [nope]: unknown section", 0) == 0);
}
