#include "tls.hpp"

#include "atomic_file.hpp"
#include "text.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>

namespace relais {
namespace {

// Mozilla's "intermediate" list for TLS 1.2 (forward secrecy, AEAD only); TLS 1.3's own suites
// are all of that kind and stay OpenSSL's defaults.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// OpenSSL's queued errors, oldest first, as one line; the queue is left empty.
std::string drain_errors() {
    std::string out;
    while (const unsigned long e = ERR_get_error()) {
        char text[256];
        ERR_error_string_n(e, text, sizeof text);
        const char* reason = ERR_reason_error_string(e);
        if (!out.empty()) out += "; ";
        out += reason ? reason : text;
    }
    return out;
}

// OpenSSL's objects, freed by their own functions.
template <class T, void (*Free)(T*)>
struct Freer {
    void operator()(T* p) const { Free(p); }
};
using BioPtr = std::unique_ptr<BIO, Freer<BIO, BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Freer<X509, X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Freer<EVP_PKEY, EVP_PKEY_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Freer<BIGNUM, BN_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Freer<X509_EXTENSION, X509_EXTENSION_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Freer<GENERAL_NAMES, GENERAL_NAMES_free>>;

std::int64_t to_unix(const ASN1_TIME* t) {
    std::tm tm{};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
    return static_cast<std::int64_t>(timegm(&tm));
}

// An ASN.1 string as UTF-8, whatever its type (a BMPString is UTF-16, a T61String Latin-1);
// nullopt when it cannot be converted.
std::optional<std::string> utf8_of(const ASN1_STRING* s) {
    unsigned char* utf8 = nullptr;
    const int n = ASN1_STRING_to_UTF8(&utf8, s);
    if (n < 0) {
        ERR_clear_error();
        return std::nullopt;
    }
    std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(n));
    OPENSSL_free(utf8);
    return out;
}

// The common name of `name`, or the whole name; bytes from outside, made safe (escape_untrusted).
std::string name_text(const X509_NAME* name) {
    if (!name) return {};
    const int at = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (at >= 0)
        if (auto cn = utf8_of(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, at))))
            return escape_untrusted(*cn, 200);
    char buf[256] = {};
    X509_NAME_oneline(name, buf, sizeof buf);
    return escape_untrusted(buf, 200);
}

CertificateFacts facts_of(X509* cert) {
    CertificateFacts f;
    f.not_before = to_unix(X509_get0_notBefore(cert));
    f.not_after = to_unix(X509_get0_notAfter(cert));
    f.issuer = name_text(X509_get_issuer_name(cert));
    // Its own issuer, signed by its own key (X509_check_issued would also ask for keyCertSign).
    f.self_signed = X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0 &&
                    X509_verify(cert, X509_get0_pubkey(cert)) == 1;
    ERR_clear_error();
    if (const ASN1_INTEGER* serial = X509_get0_serialNumber(cert)) {
        if (const BignumPtr bn{ASN1_INTEGER_to_BN(serial, nullptr)}) {
            if (char* hex = BN_bn2hex(bn.get())) {
                f.serial = hex;
                OPENSSL_free(hex);
            }
        }
    }
    const GeneralNamesPtr sans{
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr))};
    for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans.get()); ++i) {
        const GENERAL_NAME* n = sk_GENERAL_NAME_value(sans.get(), i);
        if (n->type == GEN_DNS) {
            const ASN1_STRING* s = n->d.dNSName;  // IA5String, but whatever a CA put there
            f.names.push_back(escape_untrusted(std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                                                static_cast<std::size_t>(ASN1_STRING_length(s))),
                                               253));
        } else if (n->type == GEN_IPADD) {
            const ASN1_OCTET_STRING* s = n->d.iPAddress;
            char text[INET6_ADDRSTRLEN] = {};
            const int family = ASN1_STRING_length(s) == 4 ? AF_INET : AF_INET6;
            if (ASN1_STRING_length(s) == 4 || ASN1_STRING_length(s) == 16)
                if (inet_ntop(family, ASN1_STRING_get0_data(s), text, sizeof text)) f.names.emplace_back(text);
        }
    }
    ERR_clear_error();
    return f;
}

Error file_error(const std::string& what, const std::string& file, const std::string& why) {
    return internal_error("the " + what + " " + file + " " + why);
}

Result<std::string> read_pem(const std::string& what, const std::string& path) {
    auto text = read_file(path, kMaxPemBytes);
    if (!text) return file_error(what, path, "cannot be read: " + text.error().params.front().second);
    return text;
}

BioPtr memory_bio(std::string_view pem) {
    return BioPtr{BIO_new_mem_buf(pem.data(), static_cast<int>(std::min<std::size_t>(pem.size(), INT_MAX)))};
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    return n > 0 && data ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

// No passphrase: an encrypted key is refused (OpenSSL's default callback would ask for one on
// the terminal).
int no_passphrase(char*, int, int, void*) { return -1; }

// The first certificate of `pem` as the server's, those after it as its chain.
Result<void> use_chain(SSL_CTX* ctx, std::string_view pem, const std::string& origin) {
    const BioPtr bio = memory_bio(pem);
    if (!bio) return internal_error("out of memory");
    const X509Ptr leaf{PEM_read_bio_X509_AUX(bio.get(), nullptr, no_passphrase, nullptr)};
    if (!leaf) return file_error("certificate file", origin, "holds no PEM certificate: " + drain_errors());
    if (SSL_CTX_use_certificate(ctx, leaf.get()) != 1)
        return file_error("certificate file", origin, "cannot be used: " + drain_errors());
    for (;;) {
        X509Ptr ca{PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr)};
        if (!ca) break;
        if (SSL_CTX_add0_chain_cert(ctx, ca.get()) != 1)
            return file_error("certificate file", origin, "cannot be used: " + drain_errors());
        (void)ca.release();  // the context's now
    }
    // The end of the text reads as "no start line"; anything else is a damaged certificate.
    const unsigned long last = ERR_peek_last_error();
    if (last != 0 && !(ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE))
        return file_error("certificate file", origin, "cannot be used: " + drain_errors());
    ERR_clear_error();
    return success();
}

Result<void> use_key(SSL_CTX* ctx, std::string_view pem, const std::string& origin) {
    const BioPtr bio = memory_bio(pem);
    if (!bio) return internal_error("out of memory");
    const PkeyPtr key{PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr)};
    if (!key)
        return file_error("key file", origin, "holds no PEM private key (or one with a passphrase): " + drain_errors());
    if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1)
        return file_error("key file", origin, "cannot be used: " + drain_errors());
    ERR_clear_error();
    return success();
}

}  // namespace

std::string PemPair::combined() const {
    return certificate + (certificate.empty() || certificate.back() == '\n' ? "" : "\n") + key;
}

// ---- context --------------------------------------------------------------------------------

Result<std::shared_ptr<const TlsContext>> TlsContext::from_pem_files(const std::string& cert_file,
                                                                     const std::string& key_file) {
    TRY_ASSIGN(const std::string cert_pem, read_pem("certificate file", cert_file));
    if (key_file == cert_file) return build(cert_pem, cert_file, cert_pem, key_file);
    TRY_ASSIGN(const std::string key_pem, read_pem("key file", key_file));
    return build(cert_pem, cert_file, key_pem, key_file);
}

Result<std::shared_ptr<const TlsContext>> TlsContext::from_pem_file(const std::string& path) {
    return from_pem_files(path, path);
}

Result<std::shared_ptr<const TlsContext>> TlsContext::from_pem(std::string_view pem, const std::string& origin) {
    return build(pem, origin, pem, origin);
}

Result<std::shared_ptr<const TlsContext>> TlsContext::build(std::string_view cert_pem, const std::string& cert_origin,
                                                            std::string_view key_pem, const std::string& key_origin) {
    ERR_clear_error();
    std::shared_ptr<TlsContext> c(new TlsContext());
    c->ctx_ = SSL_CTX_new(TLS_server_method());
    if (!c->ctx_) return internal_error("cannot make a TLS context: " + drain_errors());
    SSL_CTX* ctx = c->ctx_;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1 || SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") != 1)
        return internal_error("cannot set the TLS ciphers: " + drain_errors());
    // Writes resume from a buffer that may have moved (the gate's std::string), and idle
    // connections hand their read and write buffers back (34 KiB each otherwise).
    SSL_CTX_set_mode(ctx,
                     SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(ctx, 4096);
    static const unsigned char kSessionContext[] = "relais";
    SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
    SSL_CTX_set_timeout(ctx, 3600);

    TRY(use_chain(ctx, cert_pem, cert_origin));
    TRY(use_key(ctx, key_pem, key_origin));
    if (SSL_CTX_check_private_key(ctx) != 1)
        return file_error("key file", key_origin, "does not belong to the certificate " + cert_origin);
    if (X509* leaf = SSL_CTX_get0_certificate(ctx)) c->facts_ = facts_of(leaf);
    return std::shared_ptr<const TlsContext>(std::move(c));
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

// ---- session --------------------------------------------------------------------------------

TlsSession::TlsSession(std::shared_ptr<const TlsContext> context, int fd) : context_(std::move(context)) {
    ssl_ = SSL_new(context_->ctx_);
    if (ssl_) {
        SSL_set_fd(ssl_, fd);
        SSL_set_accept_state(ssl_);
    }
}

TlsSession::~TlsSession() { SSL_free(ssl_); }

TlsSession::Step TlsSession::outcome(int ret, std::size_t bytes) {
    if (ret == 1) return {Io::done, bytes};
    const int err = SSL_get_error(ssl_, ret);
    switch (err) {
        case SSL_ERROR_WANT_READ: return {Io::want_read, 0};
        case SSL_ERROR_WANT_WRITE: return {Io::want_write, 0};
        case SSL_ERROR_ZERO_RETURN: return {Io::closed, 0};
        case SSL_ERROR_SYSCALL:
            // The socket's EOF without close_notify (most browsers just close) or its error.
            if (ERR_peek_error() == 0) {
                error_ = errno ? std::strerror(errno) : "the client closed the connection";
                return {errno ? Io::failed : Io::closed, 0};
            }
            [[fallthrough]];
        default:
            error_ = drain_errors();
            if (error_.empty()) error_ = "TLS error " + std::to_string(err);
            return {Io::failed, 0};
    }
}

TlsSession::Step TlsSession::handshake() {
    if (!ssl_) return {Io::failed, 0};
    ERR_clear_error();
    errno = 0;
    return outcome(SSL_do_handshake(ssl_), 0);
}

TlsSession::Step TlsSession::read(char* into, std::size_t size) {
    if (!ssl_) return {Io::failed, 0};
    ERR_clear_error();
    errno = 0;
    std::size_t n = 0;
    const int ret = SSL_read_ex(ssl_, into, size, &n);
    return outcome(ret, n);
}

TlsSession::Step TlsSession::write(const char* from, std::size_t size) {
    if (!ssl_) return {Io::failed, 0};
    ERR_clear_error();
    errno = 0;
    std::size_t n = 0;
    const int ret = SSL_write_ex(ssl_, from, size, &n);
    return outcome(ret, n);
}

bool TlsSession::pending() const { return ssl_ && SSL_pending(ssl_) > 0; }

void TlsSession::shutdown() {
    if (!ssl_ || !SSL_is_init_finished(ssl_)) return;
    ERR_clear_error();
    (void)SSL_shutdown(ssl_);
    ERR_clear_error();
}

bool TlsSession::resumed() const { return ssl_ && SSL_session_reused(ssl_) == 1; }

std::string TlsSession::protocol() const { return ssl_ ? SSL_get_version(ssl_) : ""; }

// ---- certificates ---------------------------------------------------------------------------

Result<CertificateFacts> read_certificate(const std::string& cert_file) {
    ERR_clear_error();
    TRY_ASSIGN(const std::string pem, read_pem("certificate file", cert_file));
    const BioPtr bio = memory_bio(pem);
    const X509Ptr cert{bio ? PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr) : nullptr};
    if (!cert) return file_error("certificate file", cert_file, "holds no PEM certificate: " + drain_errors());
    return facts_of(cert.get());
}

Result<PemPair> make_self_signed(const std::vector<std::string>& names, int days) {
    if (names.empty()) return internal_error("a certificate needs at least one name");
    ERR_clear_error();
    const auto failed = [](const char* step) {
        return internal_error(std::string("cannot make a self-signed certificate: ") + step + ": " + drain_errors());
    };
    const PkeyPtr key{EVP_EC_gen("P-256")};
    if (!key) return failed("its key");
    const X509Ptr cert{X509_new()};
    if (!cert) return failed("out of memory");
    if (X509_set_version(cert.get(), X509_VERSION_3) != 1) return failed("its version");
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1) return failed("a random serial");
    serial[0] &= 0x7f;  // positive
    const BignumPtr bn{BN_bin2bn(serial, sizeof serial, nullptr)};
    if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get()))) return failed("its serial");
    if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) ||
        !X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 86400))
        return failed("its validity");
    if (X509_set_pubkey(cert.get(), key.get()) != 1) return failed("its public key");
    X509_NAME* subject = X509_get_subject_name(cert.get());
    const std::string cn = names.front().substr(0, 64);  // what a common name holds
    if (X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("Relais"), -1,
                                   -1, 0) != 1 ||
        X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1,
                                   -1, 0) != 1)
        return failed("its subject");
    if (X509_set_issuer_name(cert.get(), subject) != 1) return failed("its issuer");
    std::string san;
    for (const auto& n : names) {
        unsigned char ip[16];
        const bool is_ip = inet_pton(AF_INET, n.c_str(), ip) == 1 || inet_pton(AF_INET6, n.c_str(), ip) == 1;
        san += (san.empty() ? "" : ",") + std::string(is_ip ? "IP:" : "DNS:") + n;
    }
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
    for (const auto& [nid, value] : {std::pair<int, std::string>{NID_subject_alt_name, san},
                                     {NID_basic_constraints, "critical,CA:FALSE"},
                                     {NID_key_usage, "critical,digitalSignature"},
                                     {NID_ext_key_usage, "serverAuth"}}) {
        const ExtensionPtr ext{X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str())};
        if (!ext || X509_add_ext(cert.get(), ext.get(), -1) != 1) return failed("an extension");
    }
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) return failed("signing it");
    const BioPtr cert_pem{BIO_new(BIO_s_mem())};
    const BioPtr key_pem{BIO_new(BIO_s_mem())};
    if (!cert_pem || !key_pem || PEM_write_bio_X509(cert_pem.get(), cert.get()) != 1 ||
        PEM_write_bio_PrivateKey(key_pem.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return failed("writing it as PEM");
    return PemPair{bio_text(cert_pem.get()), bio_text(key_pem.get())};
}

}  // namespace relais
