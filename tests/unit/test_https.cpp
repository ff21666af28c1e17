// HTTPS without sockets: port 80's answers, the certificate manager's planning (renewal at a
// third of the lifetime, backoff, the swap) against a fake ACME client that issues
// certificates made here, the certificate facts read back, and the [tls]/[acme] keys.

#include "certificates.hpp"
#include "config.hpp"
#include "https.hpp"
#include "plain_http.hpp"
#include "tls.hpp"

#include <doctest/doctest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

using namespace relais;
namespace fs = std::filesystem;

namespace {

RequestHead head_of(std::string method, std::string target) {
    RequestHead h;
    h.method = std::move(method);
    h.target = std::move(target);
    return h;
}

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/relais-https-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { fs::remove_all(path); }
};

// Issues a self-signed "CA" certificate valid `days` (the manager only reads its dates and
// names), or fails as told.
class FakeAcme final : public AcmeClient {
public:
    int days = 90;
    bool fail = false;
    int calls = 0;
    AcmeRequest last;
    Result<AcmeIssued> obtain(const AcmeRequest& rq, const std::atomic<bool>&) override {
        ++calls;
        last = rq;
        if (fail) return internal_error("acme: urn:ietf:params:acme:error:connection: port 80 unreachable");
        fs::create_directories(rq.state_dir);
        AcmeIssued out{rq.state_dir + "/issued.crt", rq.state_dir + "/issued.key"};
        if (auto r = make_self_signed(out.cert_file, out.key_file, {rq.name}, days); !r) return r.error();
        return out;
    }
};

Config acme_config(const std::string& data_dir) {
    Config c;
    c.storage.data_dir = data_dir;
    REQUIRE(set_public_base_url(c.http, "https://atelier.garage-martin.fr"));
    c.tls.public_ = true;
    c.tls.certificate = Config::Tls::Source::acme;
    c.tls.redirect_listen = ListenAddress{"127.0.0.1", 0};
    return c;
}

std::shared_ptr<spdlog::logger> quiet() {
    return std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
}

// Waits for the worker thread's attempt to end.
CertificateStatus settled(CertificateManager& m) {
    for (int i = 0; i < 500 && m.status().requesting; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return m.status();
}

}  // namespace

TEST_CASE("port 80 answers ACME challenges and sends everything else to HTTPS") {
    const auto challenge = [](std::string_view token) -> std::optional<std::string> {
        if (token == "abc_DEF-1") return std::string("abc_DEF-1.key");
        return std::nullopt;
    };
    std::string r = plain_http_answer(head_of("GET", "/.well-known/acme-challenge/abc_DEF-1"), "https://a.garage.fr",
                                      challenge, false);
    CHECK(r.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(r.size() > 13);
    CHECK(r.substr(r.size() - 13) == "abc_DEF-1.key");
    CHECK(r.find("Connection: close") == std::string::npos);

    r = plain_http_answer(head_of("GET", "/.well-known/acme-challenge/other"), "https://a.garage.fr", challenge, true);
    CHECK(r.rfind("HTTP/1.1 404", 0) == 0);
    CHECK(r.find("Connection: close\r\n") != std::string::npos);

    r = plain_http_answer(head_of("GET", "/o/tok?x=1"), "https://a.garage.fr:8443", challenge, false);
    CHECK(r.rfind("HTTP/1.1 301", 0) == 0);
    CHECK(r.find("Location: https://a.garage.fr:8443/o/tok?x=1\r\n") != std::string::npos);

    r = plain_http_answer(head_of("POST", "/o/tok/confirm"), "https://a.garage.fr", challenge, true);
    CHECK(r.rfind("HTTP/1.1 308", 0) == 0);

    r = plain_http_answer(head_of("HEAD", "/"), "https://a.garage.fr", challenge, false);
    CHECK(r.substr(r.size() - 4) == "\r\n\r\n");  // a HEAD's answer has no body

    // A challenge path is looked up only for a token of base64url characters.
    CHECK(valid_acme_token("abc_DEF-1"));
    CHECK_FALSE(valid_acme_token(""));
    CHECK_FALSE(valid_acme_token("../../etc/passwd"));
    CHECK_FALSE(valid_acme_token("a.b"));
    CHECK_FALSE(valid_acme_token(std::string(129, 'a')));
}

TEST_CASE("the Host names both listeners accept: the box's, the public host, the configured ones") {
    Config c;
    REQUIRE(set_public_base_url(c.http, "https://Atelier.Garage.fr.:8443/relais"));
    c.http.host_names = {"relais.garage.lan"};
    const HostPolicy p = host_policy(c, {"relais-01", "relais-01.local"});
    CHECK(p.allows("atelier.garage.fr:443"));
    CHECK(p.allows("ATELIER.GARAGE.FR.:8443"));
    CHECK(p.allows("relais-01.local:8080"));
    CHECK(p.allows("relais-01"));
    CHECK(p.allows("relais.garage.lan"));
    CHECK(p.allows("localhost"));
    CHECK_FALSE(p.allows("garage.fr"));
    CHECK_FALSE(p.allows("evil.example"));
}

TEST_CASE("port 80 sends the public host to the customer pages, the box's LAN names to the workspace") {
    Config c;
    REQUIRE(set_public_base_url(c.http, "https://garage.fr:8443/relais"));
    c.http.lan = {"0.0.0.0", 8080};
    auto base = redirect_base(c);
    CHECK(base("garage.fr") == "https://garage.fr:8443");
    CHECK(base("Garage.FR.") == "https://garage.fr:8443");  // the same name, as the gate says
    CHECK(base("garage.fr.:80") == "https://garage.fr:8443");
    CHECK(base("") == "https://garage.fr:8443");
    CHECK(base("relais-01.local") == "http://relais-01.local:8080");
    CHECK(base("192.168.1.20:80") == "http://192.168.1.20:8080");
    CHECK(base("[fe80::1]") == "http://[fe80::1]:8080");

    // A public name that is an IPv6 address is still the public name.
    REQUIRE(set_public_base_url(c.http, "https://[2001:db8::1]"));
    c.tls.lan = true;
    base = redirect_base(c);
    CHECK(base("[2001:DB8::1]") == "https://[2001:db8::1]");
    CHECK(base("[2001:db8::1]:80") == "https://[2001:db8::1]");
    CHECK(base("[fe80::1]:80") == "https://[fe80::1]:8080");

    // The workspace's port unknown (chosen by the kernel): everything to the customer pages.
    c.http.lan.port = 0;
    CHECK(redirect_base(c)("relais-01.local") == "https://[2001:db8::1]");
}

TEST_CASE("only public DNS names are asked of a CA") {
    CHECK(certifiable_name("atelier.garage-martin.fr"));
    CHECK_FALSE(certifiable_name("relais.invalid"));
    CHECK_FALSE(certifiable_name("relais.local"));
    CHECK_FALSE(certifiable_name("localhost"));
    CHECK_FALSE(certifiable_name("192.168.1.20"));
    CHECK_FALSE(certifiable_name("::1"));
    CHECK_FALSE(certifiable_name("garage"));
    CHECK_FALSE(certifiable_name("Bad_Name.fr"));
}

TEST_CASE("renewal at a third of the lifetime, retries spaced out") {
    CHECK(renewal_time(0, 90 * 86400) == 60 * 86400);
    CHECK(renewal_time(1000, 1000 + 47 * 86400) == 1000 + 47 * 86400 - 47 * 86400 / 3);
    CHECK(retry_delay_seconds(1) == 300);
    CHECK(retry_delay_seconds(2) == 900);
    CHECK(retry_delay_seconds(3) == 3600);
    CHECK(retry_delay_seconds(4) == 3 * 3600);
    CHECK(retry_delay_seconds(5) == 6 * 3600);
    CHECK(retry_delay_seconds(50) == 6 * 3600);
}

TEST_CASE("self-signed certificates: the names asked for, read back") {
    TempDir dir;
    REQUIRE(make_self_signed(dir.path + "/c.crt", dir.path + "/c.key", {"box.garage.fr", "127.0.0.1"}, 30));
    auto facts = read_certificate(dir.path + "/c.crt");
    REQUIRE(facts);
    CHECK(facts->names == std::vector<std::string>{"box.garage.fr", "127.0.0.1"});
    CHECK(facts->self_signed);
    CHECK(facts->not_after - facts->not_before == 30 * 86400 + 3600);
    CHECK((fs::status(dir.path + "/c.key").permissions() & fs::perms::others_read) == fs::perms::none);
    auto ctx = TlsContext::from_pem_files(dir.path + "/c.crt", dir.path + "/c.key");
    REQUIRE(ctx);
    CHECK((*ctx)->certificate().serial == facts->serial);

    // A key that is not the certificate's is refused, naming the file.
    REQUIRE(make_self_signed(dir.path + "/d.crt", dir.path + "/d.key", {"other.garage.fr"}, 30));
    auto wrong = TlsContext::from_pem_files(dir.path + "/c.crt", dir.path + "/d.key");
    REQUIRE_FALSE(wrong);
    CHECK(wrong.error().detail.find(dir.path + "/d.key") != std::string::npos);
    auto missing = read_certificate(dir.path + "/none.crt");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().detail.find("none.crt") != std::string::npos);
}

TEST_CASE("ACME: self-signed until issued, then renewed a third before the end; failures back off") {
    TempDir dir;
    const Config config = acme_config(dir.path);
    std::int64_t now = 1'800'000'000;
    auto fake = std::make_unique<FakeAcme>();
    FakeAcme& acme = *fake;
    auto started = CertificateManager::start(
        {.config = config, .log = quiet(), .acme = std::move(fake), .local_names = {"localhost"}, .now = [&] {
             return now;
         }});
    REQUIRE(started);
    CertificateManager& m = **started;
    const auto first = m.public_context();
    CHECK(m.status().self_signed);
    CHECK(m.status().next_attempt_at == now);  // at once
    CHECK(m.lan_context() == first);           // the lan shares it unless it has its own

    m.tick();
    CertificateStatus st = settled(m);
    CHECK(acme.calls == 1);
    CHECK(acme.last.name == "atelier.garage-martin.fr");
    CHECK(acme.last.webroot == dir.path + "/tls/challenges");
    CHECK_FALSE(st.self_signed);
    CHECK(st.failures == 0);
    CHECK(m.public_context() != first);  // swapped; `first` is still whole for whoever holds it
    CHECK(first->certificate().self_signed);
    CHECK(st.next_attempt_at == renewal_time(st.facts.not_before, st.facts.not_after));
    CHECK(fs::exists(dir.path + "/tls/acme-current.crt"));

    // Nothing is due before then.
    m.tick();
    CHECK(acme.calls == 1);

    // Renewal time: the CA fails; retried after 5 min, then 15 min, the certificate still serving.
    now = st.next_attempt_at;
    acme.fail = true;
    const auto issued = m.public_context();
    m.tick();
    st = settled(m);
    CHECK(acme.calls == 2);
    CHECK(st.failures == 1);
    CHECK(st.last_error.find("port 80 unreachable") != std::string::npos);
    CHECK(st.next_attempt_at == now + 300);
    CHECK(m.public_context() == issued);
    now += 299;
    m.tick();
    CHECK(acme.calls == 2);
    now += 1;
    m.tick();
    st = settled(m);
    CHECK(st.failures == 2);
    CHECK(st.next_attempt_at == now + 900);

    // The admin's "try now" skips the wait; success resets the count.
    acme.fail = false;
    m.renew_now();
    m.tick();
    st = settled(m);
    CHECK(acme.calls == 4);
    CHECK(st.failures == 0);
    CHECK(st.last_error.empty());

    // A restart takes the issued certificate from disk, without asking the CA.
    auto again = CertificateManager::start(
        {.config = config, .log = quiet(), .acme = std::make_unique<FakeAcme>(), .local_names = {}, .now = [&] {
             return now;
         }});
    REQUIRE(again);
    CHECK_FALSE((*again)->status().self_signed);
    CHECK((*again)->status().facts.serial == st.facts.serial);
}

TEST_CASE("ACME without a name a CA can certify: self-signed, nothing asked") {
    TempDir dir;
    Config config = acme_config(dir.path);
    REQUIRE(set_public_base_url(config.http, "https://relais.invalid"));
    auto fake = std::make_unique<FakeAcme>();
    FakeAcme& acme = *fake;
    auto m = CertificateManager::start(
        {.config = config, .log = quiet(), .acme = std::move(fake), .local_names = {}, .now = {}});
    REQUIRE(m);
    (*m)->tick();
    CHECK(acme.calls == 0);
    CHECK((*m)->status().self_signed);
    CHECK_FALSE((*m)->status().name_certifiable);
    CHECK((*m)->status().facts.names == std::vector<std::string>{"relais.invalid"});
}

TEST_CASE("[tls] and [acme] keys are checked") {
    ConfigEnvironment env;
    const auto parse = [&](const std::string& text) { return parse_config(text, "/etc/relais/relais.toml", env); };
    auto ok = parse(R"([http]
public_base_url = "https://atelier.garage-martin.fr"
[tls]
public = true
certificate = "acme"
redirect_listen = "0.0.0.0:80"
[acme]
email = "it@garage-martin.fr"
)");
    REQUIRE(ok.config);
    CHECK(ok.config->tls.public_);
    CHECK(ok.config->tls.certificate == Config::Tls::Source::acme);
    CHECK(ok.config->tls.redirect_listen->port == 80);
    CHECK(ok.config->acme.directory == "https://acme-v02.api.letsencrypt.org/directory");

    const auto problem = [&](const std::string& text) {
        auto load = parse(text);
        REQUIRE(load.problems.size() == 1);
        return load.problems.front().to_string();
    };
    CHECK(problem("[tls]\npublic = true\n").find("must start with https://") != std::string::npos);
    // A base URL that cannot be read is said so once, not also said to lack https://.
    CHECK(problem("[http]\npublic_base_url = \"https://pas un nom\"\n[tls]\npublic = true\n")
              .find("expected an absolute http:// or https:// URL") != std::string::npos);
    CHECK(problem("[http]\npublic_base_url = \"https://a.garage.fr\"\n[tls]\npublic = true\ncertificate = \"acme\"\n")
              .find("redirect_listen") != std::string::npos);
    CHECK(problem("[tls]\ncertificate = \"letsencrypt\"\n").find("\"acme\", \"self-signed\" or \"files\"") !=
          std::string::npos);
    CHECK(problem("[tls]\ncertificate = \"files\"\n").find("cert_file and key_file") != std::string::npos);
    CHECK(problem("[tls]\ncert_file = \"/nonexistent.pem\"\n").find("no such file: /nonexistent.pem") !=
          std::string::npos);
    CHECK(problem("[http]\npublic_base_url = \"https://a.garage.fr\"\n[tls]\npublic = true\ncertificate = "
                  "\"acme\"\n[acme]\nchallenge = \"dns-01\"\n")
              .find("dns_provider") != std::string::npos);
    CHECK(problem("[acme]\ndns_provider = \"OVH; rm\"\n").find("lego's DNS providers") != std::string::npos);
    CHECK(problem("[tls]\npublik = true\n").find("did you mean public?") != std::string::npos);
}
