#include "certificates.hpp"

#include "plain_http.hpp"
#include "text.hpp"

#include <spdlog/fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <arpa/inet.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace relais {
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kDay = 86400;
constexpr int kSelfSignedDays = 730;
constexpr std::int64_t kSelfSignedMargin = 30 * kDay;  // made again this long before it ends

std::int64_t system_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

bool is_address(std::string_view name) {
    unsigned char buf[16];
    const std::string n(name);
    return inet_pton(AF_INET, n.c_str(), buf) == 1 || inet_pton(AF_INET6, n.c_str(), buf) == 1;
}

std::optional<std::int64_t> mtime_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

// Copies `from` to `to` under a temporary name, then renames (the copy is whole or absent).
Result<void> copy_replacing(const std::string& from, const std::string& to) {
    std::error_code ec;
    const std::string tmp = to + ".tmp";
    fs::copy_file(from, tmp, fs::copy_options::overwrite_existing, ec);
    if (!ec) fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write, ec);
    if (!ec) fs::rename(tmp, to, ec);
    if (ec) {
        fs::remove(tmp, ec);
        return internal_error("cannot copy " + from + " to " + to + ": " + ec.message());
    }
    return success();
}

std::string utc(std::int64_t t) {
    std::tm tm{};
    const std::time_t tt = static_cast<std::time_t>(t);
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
    return buf;
}

}  // namespace

bool certifiable_name(std::string_view name) {
    if (name.empty() || name.size() > 253 || is_address(name) || name.find('.') == std::string_view::npos) return false;
    for (const char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
    static constexpr std::array<std::string_view, 9> local = {
        ".invalid", ".local", ".localhost", ".lan", ".home", ".internal", ".home.arpa", ".test", ".example"};
    for (const auto suffix : local)
        if (name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix) return false;
    return true;
}

std::int64_t renewal_time(std::int64_t not_before, std::int64_t not_after) {
    return not_after - (not_after - not_before) / 3;
}

std::int64_t retry_delay_seconds(int failures) {
    static constexpr std::array<std::int64_t, 4> steps = {5 * 60, 15 * 60, 3600, 3 * 3600};
    if (failures <= 0) return 0;
    return static_cast<std::size_t>(failures) <= steps.size() ? steps[static_cast<std::size_t>(failures) - 1]
                                                              : 6 * 3600;
}

struct CertificateManager::Impl {
    const Config& config;
    std::shared_ptr<spdlog::logger> log;
    std::unique_ptr<AcmeClient> acme;
    std::vector<std::string> local_names;
    std::function<std::int64_t()> now;

    std::string dir, self_cert, self_key, acme_dir, acme_cert, acme_key, webroot;
    std::string name;  // the public name

    mutable std::mutex mutex;
    std::shared_ptr<const TlsContext> public_ctx, lan_ctx;
    bool lan_shares_public = true;
    CertificateStatus st;
    std::optional<std::int64_t> files_mtime;  // "files": what was loaded
    std::thread worker;
    std::atomic<bool> cancel{false};

    explicit Impl(CertificateOptions& o)
        : config(o.config),
          log(std::move(o.log)),
          acme(std::move(o.acme)),
          local_names(std::move(o.local_names)),
          now(o.now ? std::move(o.now) : std::function<std::int64_t()>(system_now)) {
        dir = config.storage.data_dir + "/tls";
        self_cert = dir + "/self-signed.crt";
        self_key = dir + "/self-signed.key";
        acme_dir = dir + "/acme";
        acme_cert = dir + "/acme-current.crt";
        acme_key = dir + "/acme-current.key";
        webroot = dir + "/challenges";
        name = config.http.public_host;
    }

    std::vector<std::string> self_signed_names() const {
        std::vector<std::string> names;
        if (!name.empty()) names.push_back(name);
        for (const auto& n : local_names)
            if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
        return names;
    }

    // A self-signed certificate for the box's names: the one on disk if it still fits.
    Result<std::shared_ptr<const TlsContext>> self_signed() {
        const auto wanted = self_signed_names();
        if (auto facts = read_certificate(self_cert); facts) {
            auto have = facts->names, want = wanted;
            std::sort(have.begin(), have.end());
            std::sort(want.begin(), want.end());
            if (have == want && facts->not_after - kSelfSignedMargin > now())
                if (auto ctx = TlsContext::from_pem_files(self_cert, self_key); ctx) return ctx;
        }
        if (auto r = make_self_signed(self_cert, self_key, wanted, kSelfSignedDays); !r) return r.error();
        log->info("tls: made a self-signed certificate for {}", fmt::join(wanted, ", "));
        return TlsContext::from_pem_files(self_cert, self_key);
    }

    // The last certificate the CA issued, if it is for the name and still valid.
    std::shared_ptr<const TlsContext> acme_issued() {
        auto ctx = TlsContext::from_pem_files(acme_cert, acme_key);
        if (!ctx) return nullptr;
        const auto& f = (*ctx)->certificate();
        if (f.not_after <= now() || std::find(f.names.begin(), f.names.end(), name) == f.names.end()) return nullptr;
        return *ctx;
    }

    // Installs `ctx` for the public listener (and the lan one when it shares it). Locked.
    void serve(std::shared_ptr<const TlsContext> ctx, bool self) {
        public_ctx = ctx;
        if (lan_shares_public) lan_ctx = ctx;
        st.facts = ctx->certificate();
        st.self_signed = self;
    }

    void plan_next() {  // locked; acme only
        if (!st.name_certifiable) {
            st.next_attempt_at = 0;
        } else if (st.failures > 0) {
            st.next_attempt_at = st.last_error_at + retry_delay_seconds(st.failures);
        } else if (st.self_signed) {
            st.next_attempt_at = now();
        } else {
            st.next_attempt_at = renewal_time(st.facts.not_before, st.facts.not_after);
        }
    }

    Result<void> load() {
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec) return internal_error("cannot make " + dir + ": " + ec.message());
        const auto& tls = config.tls;
        st.name = name;
        st.name_certifiable = certifiable_name(name);
        if (!tls.lan_cert_file.empty()) {
            auto lan = TlsContext::from_pem_files(tls.lan_cert_file, tls.lan_key_file);
            if (!lan) return lan.error();
            lan_ctx = *lan;
            lan_shares_public = false;
        }
        switch (tls.certificate) {
            case Config::Tls::Source::files: {
                st.source = "files";
                auto ctx = TlsContext::from_pem_files(tls.cert_file, tls.key_file);
                if (!ctx) return ctx.error();
                files_mtime = std::max(mtime_of(tls.cert_file).value_or(0), mtime_of(tls.key_file).value_or(0));
                serve(*ctx, (*ctx)->certificate().self_signed);
                return success();
            }
            case Config::Tls::Source::self_signed: {
                st.source = "self-signed";
                auto ctx = self_signed();
                if (!ctx) return ctx.error();
                serve(*ctx, true);
                return success();
            }
            case Config::Tls::Source::acme: {
                st.source = "acme";
                fs::create_directories(webroot + std::string(kAcmeChallengePrefix), ec);
                if (auto issued = acme_issued()) {
                    serve(issued, false);
                } else {
                    auto ctx = self_signed();
                    if (!ctx) return ctx.error();
                    serve(*ctx, true);
                }
                if (!st.name_certifiable)
                    log->warn(
                        "tls: {} is not a name a CA can certify ([http] public_base_url): customers are served "
                        "a self-signed certificate and see a warning",
                        name.empty() ? "(none)" : name);
                plan_next();
                return success();
            }
        }
        return success();
    }

    // ---- due work ----

    void tick() {
        std::unique_lock lock(mutex);
        const std::int64_t t = now();
        if (config.tls.certificate == Config::Tls::Source::files) {
            const auto m =
                std::max(mtime_of(config.tls.cert_file).value_or(0), mtime_of(config.tls.key_file).value_or(0));
            if (m == files_mtime) return;
            files_mtime = m;
            lock.unlock();
            auto ctx = TlsContext::from_pem_files(config.tls.cert_file, config.tls.key_file);
            lock.lock();
            if (!ctx) {
                st.last_error = ctx.error().detail;
                st.last_error_at = t;
                log->error("tls: the changed certificate files cannot be used, the previous one still serves: {}",
                           ctx.error().detail);
                return;
            }
            serve(*ctx, (*ctx)->certificate().self_signed);
            st.last_error.clear();
            log->info("tls: took the changed certificate files ({}, until {})", fmt::join(st.facts.names, ", "),
                      utc(st.facts.not_after));
            return;
        }
        if (st.self_signed && st.facts.not_after - kSelfSignedMargin <= t) {
            lock.unlock();
            auto ctx = self_signed();
            lock.lock();
            if (ctx) serve(*ctx, true);
        }
        if (config.tls.certificate != Config::Tls::Source::acme || st.requesting || !st.name_certifiable) return;
        if (st.next_attempt_at == 0 || t < st.next_attempt_at) return;
        st.requesting = true;
        if (worker.joinable()) worker.join();  // the last run has ended (requesting was false)
        worker = std::thread([this] { attempt(); });
    }

    AcmeRequest request() const {
        AcmeRequest rq;
        rq.name = name;
        rq.directory = config.acme.directory;
        rq.email = config.acme.email;
        rq.state_dir = acme_dir;
        rq.webroot = webroot;
        rq.challenge = config.acme.challenge == Config::Acme::Challenge::dns01 ? AcmeRequest::Challenge::dns01
                                                                               : AcmeRequest::Challenge::http01;
        rq.dns_provider = config.acme.dns_provider;
        rq.dns_resolver = config.acme.dns_resolver;
        rq.ca_file = config.acme.ca_file;
        return rq;
    }

    // On the worker thread.
    void attempt() noexcept {
        try {
            log->info("tls: asking {} for a certificate for {} ({})", config.acme.directory, name,
                      config.acme.challenge == Config::Acme::Challenge::dns01 ? "dns-01" : "http-01");
            Result<std::shared_ptr<const TlsContext>> got = obtain();
            std::lock_guard lock(mutex);
            st.requesting = false;
            if (got) {
                serve(*got, false);
                st.failures = 0;
                st.last_error.clear();
                st.last_issued_at = now();
                log->info("tls: certificate for {} issued by {}, valid until {}", name, st.facts.issuer,
                          utc(st.facts.not_after));
            } else {
                ++st.failures;
                st.last_error = got.error().detail.empty() ? got.error().code : got.error().detail;
                st.last_error_at = now();
                log->error("tls: no certificate for {} (attempt {} in a row failed): {}; next attempt in {} min", name,
                           st.failures, st.last_error, retry_delay_seconds(st.failures) / 60);
            }
            plan_next();
        } catch (const std::exception& e) {
            std::lock_guard lock(mutex);
            st.requesting = false;
            ++st.failures;
            st.last_error = e.what();
            st.last_error_at = now();
            plan_next();
        }
    }

    Result<std::shared_ptr<const TlsContext>> obtain() {
        AcmeRequest rq = request();
        if (!config.acme.dns_env_file.empty()) {
            auto env = read_env_file(config.acme.dns_env_file);
            if (!env) return env.error();
            rq.dns_env = std::move(*env);
        }
        auto issued = acme->obtain(rq, cancel);
        if (!issued) return issued.error();
        // Checked before it serves, then copied whole: a broken file never replaces a good one.
        auto ctx = TlsContext::from_pem_files(issued->cert_file, issued->key_file);
        if (!ctx) return ctx.error();
        if (auto r = copy_replacing(issued->key_file, acme_key); !r) return r.error();
        if (auto r = copy_replacing(issued->cert_file, acme_cert); !r) return r.error();
        return ctx;
    }
};

Result<std::unique_ptr<CertificateManager>> CertificateManager::start(CertificateOptions options) {
    auto impl = std::make_shared<Impl>(options);
    if (!impl->acme) impl->acme = make_lego_client(options.config.acme.client, impl->log);
    if (auto r = impl->load(); !r) return r.error();
    return std::unique_ptr<CertificateManager>(new CertificateManager(std::move(impl)));
}

CertificateManager::CertificateManager(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

CertificateManager::~CertificateManager() {
    impl_->cancel = true;
    if (impl_->worker.joinable()) impl_->worker.join();
}

std::shared_ptr<const TlsContext> CertificateManager::public_context() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->public_ctx;
}

std::shared_ptr<const TlsContext> CertificateManager::lan_context() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->lan_ctx;
}

void CertificateManager::tick() {
    try {
        impl_->tick();
    } catch (const std::exception& e) {
        impl_->log->error("tls: {}", e.what());
    }
}

void CertificateManager::renew_now() {
    std::lock_guard lock(impl_->mutex);
    if (impl_->config.tls.certificate != Config::Tls::Source::acme || impl_->st.requesting) return;
    impl_->st.next_attempt_at = impl_->now();
}

CertificateStatus CertificateManager::status() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->st;
}

std::optional<std::string> CertificateManager::challenge(std::string_view token) const {
    if (!valid_acme_token(token)) return std::nullopt;
    std::ifstream in(impl_->webroot + std::string(kAcmeChallengePrefix) + std::string(token), std::ios::binary);
    if (!in) return std::nullopt;
    std::string text(512, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    return text;
}

}  // namespace relais
