#include "certificates.hpp"

#include "atomic_file.hpp"
#include "plain_http.hpp"
#include "text.hpp"
#include "timezone.hpp"

#include <spdlog/fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <arpa/inet.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <mutex>
#include <thread>

namespace relais {
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kDay = 86400;
constexpr int kSelfSignedDays = 730;
constexpr std::int64_t kSelfSignedMargin = 30 * kDay;  // made again this long before it ends

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

// Unix seconds as people read them in the log.
std::string utc(std::int64_t t) { return format_utc(t * 1000); }

}  // namespace

CertState CertificateStatus::state() const {
    if (source == Config::Tls::Source::acme && !name_certifiable) return CertState::no_public_name;
    if (requesting) return CertState::requesting;
    if (failures > 0) return CertState::failing;
    if (self_signed) return CertState::self_signed;
    return CertState::ok;
}

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
    const Clock& clock;

    std::string dir, self_pem, acme_dir, acme_pem, webroot;
    std::string name;  // the public name

    mutable std::mutex mutex;
    std::shared_ptr<const TlsContext> public_ctx, lan_ctx;
    bool lan_shares_public = true;
    CertificateStatus st;
    std::optional<std::int64_t> files_mtime;  // "files": what was loaded
    int remake_failures = 0;                  // the self-signed one could not be made again, in a row
    std::int64_t remake_at = 0;               // when to try that again
    std::thread worker;
    std::atomic<bool> cancel{false};

    explicit Impl(CertificateOptions& o)
        : config(o.config),
          log(std::move(o.log)),
          acme(std::move(o.acme)),
          local_names(std::move(o.local_names)),
          clock(o.clock) {
        dir = config.storage.data_dir + "/tls";
        self_pem = dir + "/self-signed.pem";
        acme_dir = dir + "/acme";
        acme_pem = dir + "/acme-current.pem";
        webroot = dir + "/challenges";
        name = config.http.public_host;
    }

    std::int64_t now() const { return clock.now() / 1000; }

    std::vector<std::string> self_signed_names() const {
        std::vector<std::string> names;
        if (!name.empty()) names.push_back(name);
        for (const auto& n : local_names)
            if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
        return names;
    }

    // Boxes before one-file pairs kept a certificate and its key in two files, written one after
    // the other (a stop between could pair a certificate with another's key). Taken over once,
    // when they are a pair: a box keeps its CA's certificate without asking again (Let's
    // Encrypt's quota of duplicates), and its self-signed one, which advisors' browsers have
    // accepted. Then removed (a pair that does not match is of no use either). At start.
    void adopt_two_files(const std::string& old_cert, const std::string& old_key, const std::string& pem) {
        std::error_code ec;
        if (fs::exists(pem, ec) || !fs::exists(old_cert, ec)) return;
        auto cert = read_file(old_cert, kMaxPemBytes);
        auto key = read_file(old_key, kMaxPemBytes);
        if (cert && key) {
            const std::string both = PemPair{*cert, *key}.combined();
            if (auto ctx = TlsContext::from_pem(both, old_cert); ctx) {
                if (auto written = replace_file(pem, both, 0600); !written) {
                    log->warn("tls: cannot take over {} and {} as {}, tried again at the next start: {}", old_cert,
                              old_key, pem, written.error().detail);
                    return;
                }
                log->info("tls: {} and {} are now one file, {}", old_cert, old_key, pem);
            } else {
                log->warn("tls: {} and {} are not a certificate and its key, left unused: {}", old_cert, old_key,
                          ctx.error().detail);
            }
        }
        for (const auto& old : {old_cert, old_key, old_cert + ".tmp", old_key + ".tmp"}) fs::remove(old, ec);
    }

    // A self-signed certificate for the box's names: the one on disk if it still fits.
    Result<std::shared_ptr<const TlsContext>> self_signed() {
        const auto wanted = self_signed_names();
        if (auto ctx = TlsContext::from_pem_file(self_pem); ctx) {
            auto have = (*ctx)->certificate().names, want = wanted;
            std::sort(have.begin(), have.end());
            std::sort(want.begin(), want.end());
            if (have == want && (*ctx)->certificate().not_after - kSelfSignedMargin > now()) return ctx;
        }
        TRY_ASSIGN(const PemPair made, make_self_signed(wanted, kSelfSignedDays));
        const std::string pem = made.combined();
        TRY_ASSIGN(auto ctx, TlsContext::from_pem(pem, self_pem));
        TRY(replace_file(self_pem, pem, 0600));
        log->info("tls: made a self-signed certificate for {}", fmt::join(wanted, ", "));
        return ctx;
    }

    // The last certificate the CA issued, if it is for the name and still valid.
    std::shared_ptr<const TlsContext> acme_issued() {
        auto ctx = TlsContext::from_pem_file(acme_pem);
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
        adopt_two_files(dir + "/self-signed.crt", dir + "/self-signed.key", self_pem);
        adopt_two_files(dir + "/acme-current.crt", dir + "/acme-current.key", acme_pem);
        const auto& tls = config.tls;
        st.source = tls.certificate;
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
                auto ctx = TlsContext::from_pem_files(tls.cert_file, tls.key_file);
                if (!ctx) return ctx.error();
                files_mtime = std::max(mtime_of(tls.cert_file).value_or(0), mtime_of(tls.key_file).value_or(0));
                serve(*ctx, (*ctx)->certificate().self_signed);
                return success();
            }
            case Config::Tls::Source::self_signed: {
                auto ctx = self_signed();
                if (!ctx) return ctx.error();
                serve(*ctx, true);
                return success();
            }
            case Config::Tls::Source::acme: {
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
        if (st.self_signed && st.facts.not_after - kSelfSignedMargin <= t && t >= remake_at)
            remake_self_signed(lock, t);
        if (config.tls.certificate != Config::Tls::Source::acme || st.requesting || !st.name_certifiable) return;
        if (st.next_attempt_at == 0 || t < st.next_attempt_at) return;
        st.requesting = true;
        st.last_attempt_at = t;
        if (worker.joinable()) worker.join();  // the last run has ended (requesting was false)
        worker = std::thread([this] { attempt(); });
    }

    // The self-signed certificate in use runs out: made again (unlocked: a new key takes a
    // moment), and served unless the CA's arrived meanwhile (the ACME worker serves it on its own
    // thread). A failure (the disk full) is logged and tried again later, not at every tick.
    void remake_self_signed(std::unique_lock<std::mutex>& lock, std::int64_t t) {
        lock.unlock();
        auto ctx = self_signed();
        lock.lock();
        if (!ctx) {
            ++remake_failures;
            remake_at = t + retry_delay_seconds(remake_failures);
            st.last_error = ctx.error().detail.empty() ? ctx.error().code : ctx.error().detail;
            st.last_error_at = t;
            log->error(
                "tls: the self-signed certificate runs out on {} and cannot be made again (attempt {} in a row): "
                "{}; next attempt in {} min",
                utc(st.facts.not_after), remake_failures, st.last_error, (remake_at - t) / 60);
            return;
        }
        if (remake_failures > 0 && st.failures == 0) st.last_error.clear();  // that was its error
        remake_failures = 0;
        remake_at = 0;
        if (st.self_signed) serve(*ctx, true);
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
                      to_string(config.acme.challenge));
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
            st.last_error = escape_untrusted(e.what(), 400);
            st.last_error_at = now();
            log->error("tls: no certificate for {} (attempt {} in a row failed): {}", name, st.failures, st.last_error);
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
        TRY_ASSIGN(const std::string cert, read_file(issued->cert_file, kMaxPemBytes));
        TRY_ASSIGN(const std::string key, read_file(issued->key_file, kMaxPemBytes));
        // Checked, then written whole with its key in one file: a broken certificate, or one with
        // another's key, never replaces a good pair, and a power cut leaves the old pair or the new.
        const std::string pem = PemPair{cert, key}.combined();
        TRY_ASSIGN(auto ctx, TlsContext::from_pem(pem, issued->cert_file));
        TRY(replace_file(acme_pem, pem, 0600));
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

Result<void> CertificateManager::renew_now() {
    std::lock_guard lock(impl_->mutex);
    CertificateStatus& st = impl_->st;
    if (impl_->config.tls.certificate != Config::Tls::Source::acme)
        return make_error(ErrorKind::conflict, "certificate_not_acme");
    if (st.requesting) return success();
    const std::int64_t t = impl_->now();
    if (st.last_attempt_at != 0 && t < st.last_attempt_at + kManualRetryGapSeconds) {
        const std::int64_t wait = st.last_attempt_at + kManualRetryGapSeconds - t;
        Error e = make_error(ErrorKind::throttled, "certificate_renew_too_soon",
                             {{"minutes", std::to_string((wait + 59) / 60)},
                              {"gap_minutes", std::to_string(kManualRetryGapSeconds / 60)}});
        e.retry_after_s = static_cast<int>(wait);
        return e;
    }
    st.next_attempt_at = t;
    return success();
}

CertificateStatus CertificateManager::status() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->st;
}

std::optional<std::string> CertificateManager::challenge(std::string_view token) const {
    if (!valid_acme_token(token)) return std::nullopt;
    // A key authorization is the token, a dot and a thumbprint: far less than this.
    auto text = read_file(impl_->webroot + std::string(kAcmeChallengePrefix) + std::string(token), 1024);
    if (!text) return std::nullopt;
    return std::move(text).value();
}

}  // namespace relais
