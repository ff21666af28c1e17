#include "tls.hpp"

#include "atomic_file.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

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

std::int64_t to_unix(const ASN1_TIME* t) {
    std::tm tm{};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
    return static_cast<std::int64_t>(timegm(&tm));
}

std::string name_text(const X509_NAME* name) {
    if (!name) return {};
    const int at = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (at >= 0) {
        const ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, at));
        return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                           static_cast<std::size_t>(ASN1_STRING_length(s)));
    }
    char buf[256] = {};
    X509_NAME_oneline(name, buf, sizeof buf);
    return buf;
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
        if (BIGNUM* bn = ASN1_INTEGER_to_BN(serial, nullptr)) {
            if (char* hex = BN_bn2hex(bn)) {
                f.serial = hex;
                OPENSSL_free(hex);
            }
            BN_free(bn);
        }
    }
    auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans); ++i) {
        const GENERAL_NAME* n = sk_GENERAL_NAME_value(sans, i);
        if (n->type == GEN_DNS) {
            const ASN1_STRING* s = n->d.dNSName;
            f.names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                 static_cast<std::size_t>(ASN1_STRING_length(s)));
        } else if (n->type == GEN_IPADD) {
            const ASN1_OCTET_STRING* s = n->d.iPAddress;
            char text[INET6_ADDRSTRLEN] = {};
            const int family = ASN1_STRING_length(s) == 4 ? AF_INET : AF_INET6;
            if (ASN1_STRING_length(s) == 4 || ASN1_STRING_length(s) == 16)
                if (inet_ntop(family, ASN1_STRING_get0_data(s), text, sizeof text)) f.names.emplace_back(text);
        }
    }
    GENERAL_NAMES_free(sans);
    return f;
}

Error file_error(const std::string& what, const std::string& file, const std::string& why) {
    return internal_error("the " + what + " " + file + " " + why);
}

}  // namespace

// ---- context --------------------------------------------------------------------------------

Result<std::shared_ptr<const TlsContext>> TlsContext::from_pem_files(const std::string& cert_file,
                                                                     const std::string& key_file) {
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

    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1)
        return file_error("certificate file", cert_file, "cannot be used: " + drain_errors());
    if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1)
        return file_error("key file", key_file, "cannot be used: " + drain_errors());
    if (SSL_CTX_check_private_key(ctx) != 1)
        return file_error("key file", key_file, "does not belong to the certificate " + cert_file);
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
    FILE* f = std::fopen(cert_file.c_str(), "re");
    if (!f) return file_error("certificate file", cert_file, std::string("cannot be read: ") + std::strerror(errno));
    X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    if (!cert) return file_error("certificate file", cert_file, "holds no PEM certificate: " + drain_errors());
    CertificateFacts facts = facts_of(cert);
    X509_free(cert);
    return facts;
}

Result<void> make_self_signed(const std::string& cert_file, const std::string& key_file,
                              const std::vector<std::string>& names, int days) {
    if (names.empty()) return internal_error("a certificate needs at least one name");
    ERR_clear_error();
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    BIO* cert_pem = BIO_new(BIO_s_mem());
    BIO* key_pem = BIO_new(BIO_s_mem());
    std::string problem;
    const auto fail = [&](const char* step) {
        if (problem.empty()) problem = std::string(step) + ": " + drain_errors();
    };
    if (!key || !cert || !cert_pem || !key_pem) fail("out of memory");
    if (problem.empty()) {
        X509_set_version(cert, 2);
        unsigned char serial[16];
        if (RAND_bytes(serial, sizeof serial) != 1) fail("random serial");
        serial[0] &= 0x7f;
        BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
        BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
        BN_free(bn);
        X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
        X509_gmtime_adj(X509_getm_notAfter(cert), static_cast<long>(days) * 86400);
        X509_set_pubkey(cert, key);
        X509_NAME* subject = X509_get_subject_name(cert);
        const std::string cn = names.front().substr(0, 64);
        X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("Relais"), -1,
                                   -1, 0);
        X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1,
                                   -1, 0);
        X509_set_issuer_name(cert, subject);
        std::string san;
        for (const auto& n : names) {
            unsigned char ip[16];
            const bool is_ip = inet_pton(AF_INET, n.c_str(), ip) == 1 || inet_pton(AF_INET6, n.c_str(), ip) == 1;
            san += (san.empty() ? "" : ",") + std::string(is_ip ? "IP:" : "DNS:") + n;
        }
        X509V3_CTX v3;
        X509V3_set_ctx_nodb(&v3);
        X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
        for (const auto& [nid, value] : {std::pair<int, std::string>{NID_subject_alt_name, san},
                                         {NID_basic_constraints, "critical,CA:FALSE"},
                                         {NID_key_usage, "critical,digitalSignature"},
                                         {NID_ext_key_usage, "serverAuth"}}) {
            X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str());
            if (!ext || X509_add_ext(cert, ext, -1) != 1) fail("a certificate extension");
            X509_EXTENSION_free(ext);
        }
        if (X509_sign(cert, key, EVP_sha256()) <= 0) fail("signing");
        if (PEM_write_bio_X509(cert_pem, cert) != 1 ||
            PEM_write_bio_PrivateKey(key_pem, key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
            fail("writing PEM");
    }
    std::string cert_text, key_text;
    if (problem.empty()) {
        char* data = nullptr;
        long n = BIO_get_mem_data(cert_pem, &data);
        cert_text.assign(data, static_cast<std::size_t>(n));
        n = BIO_get_mem_data(key_pem, &data);
        key_text.assign(data, static_cast<std::size_t>(n));
    }
    BIO_free(cert_pem);
    BIO_free(key_pem);
    X509_free(cert);
    EVP_PKEY_free(key);
    if (!problem.empty()) return internal_error("cannot make a self-signed certificate: " + problem);
    if (auto r = replace_file(key_file, key_text, 0600); !r) return r;
    return replace_file(cert_file, cert_text, 0644);
}

}  // namespace relais
