#pragma once
// TLS for the HTTP listeners, over OpenSSL (the only file that includes it for this): a server
// context built from PEM files, one session per client connection driven on a non-blocking
// socket by its owner's event loop (http_gate.cpp), the facts of a certificate file, and a
// self-signed certificate for a box that has no name yet.
//
// A context is immutable once built and shared: a new certificate is a new context, taken by the
// connections accepted after it; those already open keep theirs (no connection is dropped).

#include "result.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct ssl_st;      // OpenSSL's SSL
struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace relais {

class TlsContext;

/// One client's TLS state on a non-blocking socket. Not thread-safe (one event loop owns it).
class TlsSession {
public:
    enum class Io {
        done,        // progress was made (bytes moved, or the handshake finished)
        want_read,   // wait until the socket is readable, then call again
        want_write,  // wait until the socket is writable, then call again
        closed,      // the peer ended the session (close_notify, or the socket's EOF)
        failed,      // a protocol error: close the connection (error() says what)
    };
    struct Step {
        Io io = Io::failed;
        std::size_t bytes = 0;
    };

    TlsSession(std::shared_ptr<const TlsContext> context, int fd);
    ~TlsSession();
    TlsSession(const TlsSession&) = delete;
    TlsSession& operator=(const TlsSession&) = delete;

    Step handshake();
    Step read(char* into, std::size_t size);
    Step write(const char* from, std::size_t size);
    /// Decrypted bytes held inside the session: readable without the socket becoming readable.
    bool pending() const;
    /// Sends close_notify if it can without waiting; the socket is closed by its owner.
    void shutdown();
    /// Why the last call failed ("no shared cipher", "wrong version number"), for logs.
    const std::string& error() const { return error_; }
    bool resumed() const;
    std::string protocol() const;  // "TLSv1.3"

private:
    Step outcome(int ret, std::size_t bytes);
    std::shared_ptr<const TlsContext> context_;
    ::ssl_st* ssl_ = nullptr;
    std::string error_;
};

/// What a certificate file says about itself. Its texts come from outside (a CA, the
/// dealership's files): made safe to log, show and dump as JSON where they are read
/// (escape_untrusted), whatever their ASN.1 string type.
struct CertificateFacts {
    std::int64_t not_before = 0;  // Unix seconds
    std::int64_t not_after = 0;
    std::vector<std::string> names;  // subjectAltName DNS names and IP addresses
    std::string issuer;              // the issuer's common name (or its whole name), as UTF-8
    std::string serial;              // hexadecimal
    bool self_signed = false;
};

/// Certificate and key files (PEM) are read whole, at most this much each.
inline constexpr std::size_t kMaxPemBytes = 1 << 20;

/// A certificate and its key, PEM.
struct PemPair {
    std::string certificate;
    std::string key;
    /// Both in one text, the certificate first: what TlsContext::from_pem reads.
    std::string combined() const;
};

class TlsContext {
public:
    /// A server context from a certificate chain and its private key (PEM): TLS 1.2 and 1.3
    /// only, forward-secret AEAD ciphers, no renegotiation or compression, session tickets and
    /// a session cache for resumption. The files are read whole (kMaxPemBytes at most); a key
    /// with a passphrase is refused. The error names the file and what is wrong with it.
    static Result<std::shared_ptr<const TlsContext>> from_pem_files(const std::string& cert_file,
                                                                    const std::string& key_file);
    /// The same from one file that holds both: the chain (its first certificate the server's)
    /// and the key.
    static Result<std::shared_ptr<const TlsContext>> from_pem_file(const std::string& path);
    /// The same from such a file's text; `origin` names it in errors.
    static Result<std::shared_ptr<const TlsContext>> from_pem(std::string_view pem, const std::string& origin);
    ~TlsContext();
    TlsContext(const TlsContext&) = delete;
    TlsContext& operator=(const TlsContext&) = delete;
    const CertificateFacts& certificate() const { return facts_; }

private:
    friend class TlsSession;
    TlsContext() = default;
    static Result<std::shared_ptr<const TlsContext>> build(std::string_view cert_pem, const std::string& cert_origin,
                                                           std::string_view key_pem, const std::string& key_origin);
    ::ssl_ctx_st* ctx_ = nullptr;
    CertificateFacts facts_;
};

/// The first certificate of a PEM file.
Result<CertificateFacts> read_certificate(const std::string& cert_file);

/// A new self-signed certificate (ECDSA P-256, valid `days`, from an hour ago) for `names` (DNS
/// names or IP addresses, the first also its common name) and its key.
Result<PemPair> make_self_signed(const std::vector<std::string>& names, int days);

}  // namespace relais
