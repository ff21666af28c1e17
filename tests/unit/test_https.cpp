// HTTPS without sockets: port 80's answers, the certificate manager's planning (renewal at a
// third of the lifetime, backoff, the admin's "try now" and its limit, the swap, the race with a
// self-signed certificate made again) against a fake ACME client that issues certificates made
// here, a certificate and its key kept in one file (and taken over from the two files of older
// versions), the certificate facts read back whatever their string types, and the [tls]/[acme]
// keys. Threads meet through latches: the fake client's and the log's (the manager logs the end
// of each attempt under its lock), never sleeps.

#include "certificates.hpp"
#include "config.hpp"
#include "https.hpp"
#include "plain_http.hpp"
#include "support.hpp"
#include "tls.hpp"

#include <doctest/doctest.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <sys/stat.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <semaphore>
#include <thread>

using namespace relais;
using namespace relais::test;
namespace fs = std::filesystem;

namespace {

constexpr UnixMs kSecond = 1000;
constexpr std::int64_t kDays = 86400;

RequestHead head_of(std::string method, std::string target) {
    RequestHead h;
    h.method = std::move(method);
    h.target = std::move(target);
    return h;
}

// Issues a self-signed "CA" certificate valid `days` (the manager only reads its dates and
// names) in two files as lego does, or fails as told. With `hold`, obtain() says it has begun
// (`entered`) and waits for `release`: an attempt in progress, for as long as the test wants.
class FakeAcme final : public AcmeClient {
public:
    int days = 90;
    bool fail = false;
    std::atomic<bool> hold{false};
    std::atomic<int> calls{0};
    AcmeRequest last;
    std::binary_semaphore entered{0}, release{0};
    Result<AcmeIssued> obtain(const AcmeRequest& rq, const std::atomic<bool>&) override {
        ++calls;
        last = rq;
        if (hold) {
            entered.release();
            release.acquire();
        }
        if (fail) return internal_error("acme: urn:ietf:params:acme:error:connection: port 80 unreachable");
        AcmeIssued out{rq.state_dir + "/issued.crt", rq.state_dir + "/issued.key"};
        auto made = make_self_signed({rq.name}, days);
        if (!made) return made.error();
        write_file(out.cert_file, made->certificate);
        write_file(out.key_file, made->key);
        return out;
    }
};

// The manager's log, as a latch: waits for lines, and can stop a thread inside a line (the
// manager's own lock is not held while it makes a certificate, and logs that it did).
class Journal final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
public:
    // Lines holding any of `texts`.
    int count(std::initializer_list<std::string_view> texts) {
        std::lock_guard lock(mutex_);
        return count_locked(texts);
    }
    int count(std::string_view text) { return count({text}); }
    // Until `n` lines hold any of `texts` (at most 10 s).
    void wait_for(std::initializer_list<std::string_view> texts, int n) {
        std::unique_lock lock(mutex_);
        const bool seen = changed_.wait_for(lock, std::chrono::seconds(10), [&] { return count_locked(texts) >= n; });
        REQUIRE_MESSAGE(seen, "fewer than " << n << " log lines of the kind awaited");
    }
    void wait_for(std::string_view text, int n) { wait_for({text}, n); }
    // The next thread to log a line holding `text` waits there until resume().
    void stop_at(std::string text) {
        std::lock_guard lock(mutex_);
        stop_at_ = std::move(text);
    }
    void resume() {
        std::lock_guard lock(mutex_);
        stop_at_.clear();
        changed_.notify_all();
    }

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        std::unique_lock lock(mutex_);
        lines_.emplace_back(msg.payload.data(), msg.payload.size());
        changed_.notify_all();
        if (!stop_at_.empty() && lines_.back().find(stop_at_) != std::string::npos)
            changed_.wait(lock, [&] { return stop_at_.empty(); });
    }
    void flush_() override {}

private:
    int count_locked(std::initializer_list<std::string_view> texts) const {
        return static_cast<int>(std::count_if(lines_.begin(), lines_.end(), [&](const std::string& l) {
            return std::any_of(texts.begin(), texts.end(),
                               [&](std::string_view t) { return l.find(t) != std::string::npos; });
        }));
    }
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> lines_;
    std::string stop_at_;
};

struct Logged {
    std::shared_ptr<Journal> journal = std::make_shared<Journal>();
    std::shared_ptr<spdlog::logger> log = std::make_shared<spdlog::logger>("test", journal);
};

// Waits for the end of ACME attempt number `n` (the manager logs it under its lock: what
// status() says next is that attempt's outcome).
CertificateStatus settled(CertificateManager& m, Journal& journal, int n) {
    journal.wait_for({"tls: certificate for ", "tls: no certificate for "}, n);
    return m.status();
}

Config acme_config(const std::string& data_dir) {
    Config c;
    c.storage.data_dir = data_dir;
    REQUIRE(set_public_base_url(c.http, "https://atelier.garage-martin.fr"));
    c.tls.public_ = true;
    c.tls.certificate = Config::Tls::Source::acme;
    c.tls.redirect_listen = ListenAddress{"127.0.0.1", 0};
    return c;
}

// A certificate and its key for `names`, in two files (as older versions kept them).
void two_files(const std::string& cert, const std::string& key, const std::vector<std::string>& names) {
    auto made = make_self_signed(names, 90);
    REQUIRE(made);
    write_file(cert, made->certificate);
    write_file(key, made->key);
}

// A certificate its issuer (a BMPString: UTF-16) names "Autorité Hélène <U+202E>Ж", for
// bmp.garage-test.fr: `openssl req` with string_mask = MASK:0x800.
constexpr const char* kBmpIssuerCertificate = R"(-----BEGIN CERTIFICATE-----
MIIBojCCAUigAwIBAgIUC9EU/vr0kn+EavS38qfz8nTV8Q4wCgYIKoZIzj0EAwIw
LzEtMCsGA1UEAx4kAEEAdQB0AG8AcgBpAHQA6QAgAEgA6QBsAOgAbgBlACAgLgQW
MCAXDTI2MTIwNjEyMjA1NVoYDzIxMjYxMTEyMTIyMDU1WjAvMS0wKwYDVQQDHiQA
QQB1AHQAbwByAGkAdADpACAASADpAGwA6ABuAGUAICAuBBYwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAAQtvfast7MdctuQqIiwVE4dfR8MgHlVgJze/sKtuP41lEar
b99zhKQUeMZDzzUQhXbb0aPxmySt2q2dueXfZ7iKo0AwPjAdBgNVHREEFjAUghJi
bXAuZ2FyYWdlLXRlc3QuZnIwHQYDVR0OBBYEFKpNfFpTN68LR3pO59/tLnICpE/j
MAoGCCqGSM49BAMCA0gAMEUCIFALr544uCZPIoZU3p65c0geZg4WE0Px2wPkCLpN
cWuaAiEAuZrf+zOyYu2qj9avoNL5m220yzI04T4QLLjqjm/MMbE=
-----END CERTIFICATE-----
)";

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

TEST_CASE("self-signed certificates: the names asked for, read back, a certificate and its key in one file") {
    TempDir dir;
    auto made = make_self_signed({"box.garage.fr", "127.0.0.1"}, 30);
    REQUIRE(made);
    write_file(dir.path() + "/c.crt", made->certificate);
    auto facts = read_certificate(dir.path() + "/c.crt");
    REQUIRE(facts);
    CHECK(facts->names == std::vector<std::string>{"box.garage.fr", "127.0.0.1"});
    CHECK(facts->self_signed);
    CHECK(facts->not_after - facts->not_before == 30 * kDays + 3600);

    // One file, the certificate then its key, reads as the pair.
    write_file(dir.path() + "/c.pem", made->combined());
    auto ctx = TlsContext::from_pem_file(dir.path() + "/c.pem");
    REQUIRE(ctx);
    CHECK((*ctx)->certificate().serial == facts->serial);
    CHECK((*ctx)->certificate().names == facts->names);
    // As two files too (the dealership's own), and from its text.
    write_file(dir.path() + "/c.key", made->key);
    REQUIRE(TlsContext::from_pem_files(dir.path() + "/c.crt", dir.path() + "/c.key"));
    REQUIRE(TlsContext::from_pem(made->combined(), "memory"));

    // A key that is not the certificate's is refused, naming the file.
    auto other = make_self_signed({"other.garage.fr"}, 30);
    REQUIRE(other);
    write_file(dir.path() + "/d.key", other->key);
    auto wrong = TlsContext::from_pem_files(dir.path() + "/c.crt", dir.path() + "/d.key");
    REQUIRE_FALSE(wrong);
    CHECK(wrong.error().detail.find(dir.path() + "/d.key") != std::string::npos);
    auto mixed = TlsContext::from_pem(PemPair{made->certificate, other->key}.combined(), "acme-current.pem");
    REQUIRE_FALSE(mixed);
    CHECK(mixed.error().detail.find("acme-current.pem") != std::string::npos);
    auto no_key = TlsContext::from_pem(made->certificate, "cert-only.pem");
    REQUIRE_FALSE(no_key);
    CHECK(no_key.error().detail.find("holds no PEM private key") != std::string::npos);
    auto missing = read_certificate(dir.path() + "/none.crt");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().detail.find("none.crt") != std::string::npos);
}

TEST_CASE("certificate facts: an issuer in UTF-16 (BMPString) read as UTF-8, what it hides escaped") {
    TempDir dir;
    write_file(dir.path() + "/bmp.crt", kBmpIssuerCertificate);
    auto facts = read_certificate(dir.path() + "/bmp.crt");
    REQUIRE(facts);
    // Not the raw UTF-16 bytes ("\0A\0u..."), and the right-to-left override shown, not obeyed.
    CHECK(facts->issuer == "Autorité Hélène \\u202EЖ");
    CHECK(facts->names == std::vector<std::string>{"bmp.garage-test.fr"});
}

TEST_CASE("ACME: self-signed until issued, then renewed a third before the end, failures back off") {
    TempDir dir;
    const Config config = acme_config(dir.path());
    FakeClock clock(1'800'000'000 * kSecond);
    const auto now = [&] { return clock.now() / kSecond; };
    Logged logged;
    auto fake = std::make_unique<FakeAcme>();
    FakeAcme& acme = *fake;
    auto started = CertificateManager::start(
        {.config = config, .log = logged.log, .acme = std::move(fake), .local_names = {"localhost"}, .clock = clock});
    REQUIRE(started);
    CertificateManager& m = **started;
    const auto first = m.public_context();
    CHECK(m.status().self_signed);
    CHECK(m.status().state() == CertState::self_signed);
    CHECK(m.status().next_attempt_at == now());  // at once
    CHECK(m.lan_context() == first);             // the lan shares it unless it has its own

    m.tick();
    CertificateStatus st = settled(m, *logged.journal, 1);
    CHECK(acme.calls == 1);
    CHECK(acme.last.name == "atelier.garage-martin.fr");
    CHECK(acme.last.webroot == dir.path() + "/tls/challenges");
    CHECK_FALSE(st.self_signed);
    CHECK(st.state() == CertState::ok);
    CHECK(st.failures == 0);
    CHECK(m.public_context() != first);  // swapped; `first` is still whole for whoever holds it
    CHECK(first->certificate().self_signed);
    CHECK(st.next_attempt_at == renewal_time(st.facts.not_before, st.facts.not_after));
    // The certificate and its key in one file, replaced whole, readable by relais only.
    const std::string pem = dir.path() + "/tls/acme-current.pem";
    const std::string text = read_file(pem);
    CHECK(text.find("BEGIN CERTIFICATE") < text.find("PRIVATE KEY"));
    CHECK((fs::status(pem).permissions() & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
    CHECK_FALSE(fs::exists(dir.path() + "/tls/acme-current.crt"));
    CHECK_FALSE(fs::exists(dir.path() + "/tls/acme-current.key"));

    // Nothing is due before then.
    m.tick();
    CHECK(acme.calls == 1);

    // Renewal time: the CA fails; retried after 5 min, then 15 min, then 1 h, the certificate
    // still serving.
    clock.set(st.next_attempt_at * kSecond);
    acme.fail = true;
    const auto issued = m.public_context();
    m.tick();
    st = settled(m, *logged.journal, 2);
    CHECK(acme.calls == 2);
    CHECK(st.failures == 1);
    CHECK(st.state() == CertState::failing);
    CHECK(st.last_error.find("port 80 unreachable") != std::string::npos);
    CHECK(st.next_attempt_at == now() + 300);
    CHECK(m.public_context() == issued);
    clock.advance_ms(299 * kSecond);
    m.tick();
    CHECK(acme.calls == 2);
    clock.advance_ms(1 * kSecond);
    m.tick();
    st = settled(m, *logged.journal, 3);
    CHECK(st.failures == 2);
    CHECK(st.next_attempt_at == now() + 900);
    clock.advance_ms(900 * kSecond);
    m.tick();
    st = settled(m, *logged.journal, 4);
    CHECK(st.failures == 3);
    CHECK(st.next_attempt_at == now() + 3600);

    // The admin's "try now" skips the wait, but not within 15 minutes of the last attempt (5
    // failed validations an hour and Let's Encrypt refuses the name).
    clock.advance_ms(14 * 60 * kSecond);
    auto refused = m.renew_now();
    REQUIRE_FALSE(refused);
    CHECK(refused.error().kind == ErrorKind::throttled);
    CHECK(refused.error().code == "certificate_renew_too_soon");
    CHECK(refused.error().params == Params{{"minutes", "1"}, {"gap_minutes", "15"}});
    CHECK(refused.error().retry_after_s == 60);
    m.tick();
    CHECK(acme.calls == 4);  // nothing started
    clock.advance_ms(60 * kSecond);
    acme.fail = false;
    REQUIRE(m.renew_now());
    m.tick();
    st = settled(m, *logged.journal, 5);
    CHECK(acme.calls == 5);
    CHECK(st.failures == 0);
    CHECK(st.last_error.empty());
    CHECK(st.last_attempt_at == now());
    CHECK_FALSE(m.renew_now());  // a success counts too (Let's Encrypt's duplicate certificates)

    // A restart takes the issued certificate from disk, without asking the CA.
    auto again = CertificateManager::start({.config = config,
                                            .log = null_logger(),
                                            .acme = std::make_unique<FakeAcme>(),
                                            .local_names = {},
                                            .clock = clock});
    REQUIRE(again);
    CHECK_FALSE((*again)->status().self_signed);
    CHECK((*again)->status().facts.serial == st.facts.serial);
}

TEST_CASE("ACME: a self-signed certificate made again does not replace the CA's issued meanwhile") {
    TempDir dir;
    const Config config = acme_config(dir.path());
    FakeClock clock;
    Logged logged;
    auto fake = std::make_unique<FakeAcme>();
    FakeAcme& acme = *fake;
    acme.hold = true;
    auto started = CertificateManager::start(
        {.config = config, .log = logged.log, .acme = std::move(fake), .local_names = {}, .clock = clock});
    REQUIRE(started);
    CertificateManager& m = **started;
    m.tick();
    acme.entered.acquire();  // the CA is being asked, and answers when the test says

    // Meanwhile the self-signed certificate in use comes within a month of its end: the next
    // tick makes it again, without the manager's lock, and is stopped right after.
    clock.set((m.status().facts.not_after - 29 * kDays) * kSecond);
    logged.journal->stop_at("made a self-signed certificate");
    std::thread core_loop([&] { m.tick(); });
    logged.journal->wait_for("made a self-signed certificate", 2);  // at start, then now
    acme.release.release();                                         // the CA's certificate is served
    const CertificateStatus issued = settled(m, *logged.journal, 1);
    CHECK_FALSE(issued.self_signed);
    logged.journal->resume();
    core_loop.join();
    CHECK_FALSE(m.status().self_signed);  // the CA's still serves: customers get no warning
    CHECK(m.status().facts.serial == issued.facts.serial);
    CHECK(m.public_context()->certificate().serial == issued.facts.serial);
    acme.hold = false;
    acme.release.release();  // an attempt that tick may have started (the CA's certificate is due by then)
}

TEST_CASE("self-signed: one that cannot be made again is logged, shown and retried later, not at every tick") {
    TempDir dir;
    Config config = acme_config(dir.path());
    config.tls.certificate = Config::Tls::Source::self_signed;
    FakeClock clock;
    Logged logged;
    auto started = CertificateManager::start(
        {.config = config, .log = logged.log, .acme = std::make_unique<FakeAcme>(), .local_names = {}, .clock = clock});
    REQUIRE(started);
    CertificateManager& m = **started;
    const std::string serial = m.status().facts.serial;
    CHECK(m.status().state() == CertState::self_signed);
    CHECK(to_string(m.status().source) == "self-signed");

    // The file cannot be written (as on a full disk: here its temporary name is taken).
    const std::string tmp = dir.path() + "/tls/self-signed.pem.tmp";
    fs::create_symlink("/nonexistent", tmp);
    const std::int64_t due = m.status().facts.not_after - 29 * kDays;
    clock.set(due * kSecond);
    m.tick();
    CHECK(logged.journal->count("cannot be made again") == 1);
    CHECK(m.status().last_error.find("self-signed.pem") != std::string::npos);
    CHECK(m.status().last_error_at == due);
    m.tick();
    CHECK(logged.journal->count("cannot be made again") == 1);  // not before its time
    clock.advance_ms(300 * kSecond);
    m.tick();
    CHECK(logged.journal->count("cannot be made again") == 2);
    CHECK(m.status().facts.serial == serial);  // the old one serves meanwhile

    fs::remove(tmp);
    clock.advance_ms(900 * kSecond);
    m.tick();
    CHECK(m.status().facts.serial != serial);
    CHECK(m.status().last_error.empty());
    CHECK(m.public_context()->certificate().serial == m.status().facts.serial);
}

TEST_CASE("the two files of older versions are taken over once, when they are a pair") {
    TempDir dir;
    const Config config = acme_config(dir.path());
    FakeClock clock;
    const std::string tls = dir.path() + "/tls";
    // The CA's certificate and the self-signed one, as an older relais left them.
    two_files(tls + "/acme-current.crt", tls + "/acme-current.key", {"atelier.garage-martin.fr"});
    two_files(tls + "/self-signed.crt", tls + "/self-signed.key", {"atelier.garage-martin.fr", "localhost"});
    const std::string ca_serial = read_certificate(tls + "/acme-current.crt").value().serial;
    const std::string self_serial = read_certificate(tls + "/self-signed.crt").value().serial;
    auto fake = std::make_unique<FakeAcme>();
    FakeAcme& acme = *fake;
    auto m = CertificateManager::start({.config = config,
                                        .log = null_logger(),
                                        .acme = std::move(fake),
                                        .local_names = {"localhost"},
                                        .clock = clock});
    REQUIRE(m);
    CHECK_FALSE((*m)->status().self_signed);
    CHECK((*m)->status().facts.serial == ca_serial);
    (*m)->tick();
    CHECK(acme.calls == 0);  // not asked again: not due
    for (const char* old : {"acme-current.crt", "acme-current.key", "self-signed.crt", "self-signed.key"})
        CHECK_FALSE(fs::exists(tls + "/" + old));
    REQUIRE(TlsContext::from_pem_file(tls + "/self-signed.pem"));
    CHECK(read_certificate(tls + "/self-signed.pem").value().serial == self_serial);  // browsers' exceptions hold

    // A certificate left with another's key (a stop between the two writes): not used, and gone.
    TempDir other;
    const std::string tls2 = other.path() + "/tls";
    two_files(tls2 + "/acme-current.crt", tls2 + "/unused.key", {"atelier.garage-martin.fr"});
    two_files(tls2 + "/unused.crt", tls2 + "/acme-current.key", {"atelier.garage-martin.fr"});
    auto m2 = CertificateManager::start({.config = acme_config(other.path()),
                                         .log = null_logger(),
                                         .acme = std::make_unique<FakeAcme>(),
                                         .local_names = {},
                                         .clock = clock});
    REQUIRE(m2);
    CHECK((*m2)->status().self_signed);
    CHECK((*m2)->status().next_attempt_at == clock.now() / kSecond);  // asked at once
    CHECK_FALSE(fs::exists(tls2 + "/acme-current.crt"));
    CHECK_FALSE(fs::exists(tls2 + "/acme-current.pem"));
}

TEST_CASE("ACME without a name a CA can certify: self-signed, nothing asked") {
    TempDir dir;
    Config config = acme_config(dir.path());
    REQUIRE(set_public_base_url(config.http, "https://relais.invalid"));
    FakeClock clock;
    auto fake = std::make_unique<FakeAcme>();
    FakeAcme& acme = *fake;
    auto m = CertificateManager::start(
        {.config = config, .log = null_logger(), .acme = std::move(fake), .local_names = {}, .clock = clock});
    REQUIRE(m);
    (*m)->tick();
    CHECK(acme.calls == 0);
    CHECK((*m)->status().self_signed);
    CHECK_FALSE((*m)->status().name_certifiable);
    CHECK((*m)->status().state() == CertState::no_public_name);
    CHECK(to_string(CertState::no_public_name) == "no_public_name");
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
