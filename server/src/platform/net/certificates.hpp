#pragma once
// The certificates the HTTPS listeners serve ([tls] certificate, docs/CONFIG.md):
//
// - "files": the dealership's own cert_file and key_file, taken again when they change;
// - "self-signed": made here for the box's names, made again before it runs out; customers
//   see their browser's warning (the admin page says so);
// - "acme": from an ACME CA for the host of [http] public_base_url (acme_client.hpp). Until
//   the first one is issued, and whenever the name is not one a CA can certify (an address,
//   `.invalid`, `.local`), a self-signed one serves. Renewed when a third of its lifetime is
//   left; a failure is retried after 5 min, 15 min, 1 h, 3 h, then every 6 h, and shown.
//
// A new certificate is a new TlsContext: connections accepted after it use it, open ones keep
// theirs; nothing restarts. Files live in <data_dir>/tls/ (what a backup carries): a certificate
// and its key in one file (acme-current.pem, self-signed.pem), replaced whole, so that a power
// cut never leaves a certificate with another's key. ACME runs on a thread of its own (lego
// takes seconds to minutes); tick() from the core loop starts it.

#include "acme_client.hpp"
#include "clock.hpp"
#include "config.hpp"
#include "enum_names.hpp"
#include "result.hpp"
#include "tls.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spdlog {
class logger;
}

namespace relais {

/// What the certificate's situation comes to, for people (the admin page, /healthz, the banner).
enum class CertState {
    ok,              // a CA's certificate, or own files
    self_signed,     // customers see a warning
    requesting,      // the CA is being asked
    failing,         // the last attempt failed (last_error says why)
    no_public_name,  // acme, but public_base_url's host is no name a CA can certify
};
/// As /healthz and the admin page's certificate status send it (docs/API.md).
template <>
struct EnumNames<CertState> {
    static constexpr NameTable<CertState, 5> table{{{CertState::ok, "ok"},
                                                    {CertState::self_signed, "self_signed"},
                                                    {CertState::requesting, "requesting"},
                                                    {CertState::failing, "failing"},
                                                    {CertState::no_public_name, "no_public_name"}}};
};

struct CertificateStatus {
    Config::Tls::Source source = Config::Tls::Source::self_signed;
    std::string name;                  // the public name (host of public_base_url)
    bool name_certifiable = false;     // a CA can issue for it
    bool self_signed = false;          // the certificate in use: customers see a warning
    CertificateFacts facts;            // of the certificate in use
    std::int64_t next_attempt_at = 0;  // acme: Unix seconds (0: none planned)
    bool requesting = false;
    int failures = 0;  // ACME attempts in a row
    std::string last_error;
    std::int64_t last_error_at = 0;
    std::int64_t last_issued_at = 0;
    std::int64_t last_attempt_at = 0;  // acme: when the CA was last asked (0: not since start)
    CertState state() const;
};

struct CertificateOptions {
    const Config& config;
    std::shared_ptr<spdlog::logger> log;
    std::unique_ptr<AcmeClient> acme;      // null: lego at [acme] client
    std::vector<std::string> local_names;  // for a self-signed one besides the public name
    const Clock& clock;                    // must outlive the manager
};

/// True for a DNS name a public CA can certify: no address, no reserved or local suffix.
bool certifiable_name(std::string_view name);

/// When a certificate valid from `not_before` to `not_after` should be renewed: a third of its
/// lifetime before it ends.
std::int64_t renewal_time(std::int64_t not_before, std::int64_t not_after);

/// The wait before attempt number `failures` + 1 after that many failures in a row.
std::int64_t retry_delay_seconds(int failures);

/// The admin's "try now" waits this long after the last attempt: Let's Encrypt refuses a name
/// after 5 failed validations in an hour; with the automatic retries, clicks as fast as this
/// allows make at most 5 attempts in any hour.
inline constexpr std::int64_t kManualRetryGapSeconds = 15 * 60;

/// Thread-safe.
class CertificateManager {
public:
    /// Makes or loads what serves now; fails on own files that cannot be used.
    static Result<std::unique_ptr<CertificateManager>> start(CertificateOptions options);
    ~CertificateManager();  // stops an ACME run (lego is ended) and waits for it
    CertificateManager(const CertificateManager&) = delete;
    CertificateManager& operator=(const CertificateManager&) = delete;

    std::shared_ptr<const TlsContext> public_context() const;
    std::shared_ptr<const TlsContext> lan_context() const;
    /// From the core loop, every few seconds: starts what is due (ACME, a self-signed one
    /// remade, own files changed on disk).
    void tick();
    /// The admin's "try now": the next tick attempts at once, whatever the backoff (success
    /// too while an attempt runs). Errors: conflict "certificate_not_acme" when the source is
    /// not ACME; throttled "certificate_renew_too_soon" (params "minutes", how long to wait,
    /// and "gap_minutes"; retry_after_s) within kManualRetryGapSeconds of the last attempt.
    Result<void> renew_now();
    CertificateStatus status() const;
    /// Port 80: the key authorization of an HTTP-01 token being validated.
    std::optional<std::string> challenge(std::string_view token) const;

    struct Impl;

private:
    explicit CertificateManager(std::shared_ptr<Impl> impl);
    std::shared_ptr<Impl> impl_;
};

}  // namespace relais
