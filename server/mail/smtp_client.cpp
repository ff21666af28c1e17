#include "smtp_client.hpp"

#include "mime.hpp"

// GCC 12 misreads Asio's coroutine frame allocator (operator new/delete of
// awaitable_frame_base) as a mismatched pair at the end of every coroutine: a false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <utility>  // before Asio: its awaitable.hpp uses std::exchange without including it

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <deque>
#include <optional>

namespace relais::mail {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::awaitable;
using asio::ip::tcp;
using std::chrono::milliseconds;

void SmtpTimeouts::cap(milliseconds limit) {
    for (auto* t : {&connect, &greeting, &command, &data_start, &data_block, &data_end, &quit})
        *t = std::min(*t, limit);
}

const char* to_string(TlsMode mode) {
    switch (mode) {
        case TlsMode::none: return "none";
        case TlsMode::starttls: return "starttls";
        case TlsMode::opportunistic: return "opportunistic";
        case TlsMode::implicit: return "tls";
    }
    return "none";
}

namespace {

struct Job {
    Envelope envelope;
    std::string message;
    MailTransport::Done done;
};

// A failure of the connection as a whole (refused, timed out, TLS, AUTH): every recipient of
// the message shares it.
struct SessionFailure {
    DeliveryStatus status = DeliveryStatus::temporary;
    int code = 0;
    std::string text;
};

MailOutcome outcome_for_all(const Envelope& envelope, DeliveryStatus status, int code, std::string text) {
    MailOutcome o;
    o.status = status;
    o.code = code;
    o.text = std::move(text);
    for (const auto& r : envelope.rcpt_to) o.recipients.push_back({r, status, code, o.text});
    return o;
}

bool is_ip_literal(const std::string& host) {
    boost::system::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

}  // namespace

struct SmtpClient::Impl : std::enable_shared_from_this<Impl> {
    Impl(asio::io_context& io_, RelaySettings s, MailLogger l)
        : io(io_), settings(std::move(s)), log(std::move(l)), watchdog(io_), idle_timer(io_) {}

    asio::io_context& io;
    RelaySettings settings;
    MailLogger log;

    std::optional<ssl::context> tls_context;
    std::optional<ssl::stream<tcp::socket>> stream;
    std::optional<tcp::resolver> resolver;
    bool connected = false;  // greeted, EHLO done, TLS and AUTH as configured
    bool tls_active = false;
    std::string tls_version;
    Capabilities caps;
    ReplyParser parser;
    std::deque<SmtpReply> replies;
    std::string last_error;  // why the last read or write failed

    asio::steady_timer watchdog;
    std::uint64_t watchdog_generation = 0;
    bool timed_out = false;
    std::string stage;  // what we were waiting for, for timeout messages
    milliseconds stage_limit{0};

    asio::steady_timer idle_timer;
    std::deque<Job> queue;
    bool running = false;
    bool closing = false;

    void say(MailLogLevel level, const std::string& text) {
        if (log) log(level, text);
    }

    // --- plumbing ------------------------------------------------------------------------

    void arm(milliseconds limit, std::string what) {
        stage = std::move(what);
        stage_limit = limit;
        timed_out = false;
        std::uint64_t generation = ++watchdog_generation;
        watchdog.expires_after(limit);
        watchdog.async_wait([weak = weak_from_this(), generation](const boost::system::error_code& ec) {
            auto self = weak.lock();
            if (ec || !self || generation != self->watchdog_generation) return;
            self->timed_out = true;
            self->abort_io();
        });
    }
    void disarm() {
        ++watchdog_generation;
        watchdog.cancel();
    }
    void abort_io() {
        boost::system::error_code ignored;
        if (resolver) resolver->cancel();
        if (stream) stream->lowest_layer().close(ignored);
    }
    void drop_connection() {
        disarm();
        abort_io();
        stream.reset();
        connected = false;
        tls_active = false;
        tls_version.clear();
        parser = ReplyParser{};
        replies.clear();
    }
    std::string io_error_text(const boost::system::error_code& ec) {
        if (timed_out) return "timed out after " + describe_limit() + " waiting for " + stage;
        if (ec == asio::error::eof || ec == ssl::error::stream_truncated) return "the relay closed the connection";
        return ec.message();
    }
    std::string describe_limit() const {
        auto ms = stage_limit.count();
        return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
    }

    awaitable<bool> write_raw(std::string data, milliseconds limit, std::string what) {
        boost::system::error_code ec;
        arm(limit, std::move(what));
        if (tls_active)
            co_await asio::async_write(*stream, asio::buffer(data), asio::redirect_error(asio::use_awaitable, ec));
        else
            co_await asio::async_write(stream->next_layer(), asio::buffer(data),
                                       asio::redirect_error(asio::use_awaitable, ec));
        disarm();
        if (ec) {
            last_error = io_error_text(ec);
            co_return false;
        }
        co_return true;
    }

    // Commands are logged as sent unless `shown` replaces them (AUTH secrets).
    awaitable<bool> command(const std::string& line, milliseconds limit, std::string what,
                            const char* shown = nullptr) {
        say(MailLogLevel::debug, std::string("C: ") + (shown ? shown : line));
        co_return co_await write_raw(line + "\r\n", limit, std::move(what));
    }

    awaitable<std::optional<SmtpReply>> read_reply(milliseconds limit, std::string what) {
        char buf[4096];
        while (replies.empty()) {
            boost::system::error_code ec;
            arm(limit, what);
            std::size_t n = 0;
            if (tls_active)
                n = co_await stream->async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
            else
                n = co_await stream->next_layer().async_read_some(asio::buffer(buf),
                                                                  asio::redirect_error(asio::use_awaitable, ec));
            disarm();
            if (ec) {
                last_error = io_error_text(ec);
                co_return std::nullopt;
            }
            std::vector<SmtpReply> got;
            std::string problem = parser.feed(std::string_view(buf, n), got);
            for (auto& r : got) {
                say(MailLogLevel::debug, "S: " + std::to_string(r.code) + " " + r.text());
                replies.push_back(std::move(r));
            }
            if (!problem.empty()) {
                last_error = "protocol error: " + problem;
                co_return std::nullopt;
            }
        }
        SmtpReply r = std::move(replies.front());
        replies.pop_front();
        co_return r;
    }

    // --- opening a session ---------------------------------------------------------------

    std::optional<SessionFailure> prepare_tls_context() {
        if (tls_context) return std::nullopt;
        tls_context.emplace(ssl::context::tls_client);
        SSL_CTX* ctx = tls_context->native_handle();
        SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
        tls_context->set_verify_mode(ssl::verify_peer);
        boost::system::error_code ec;
        if (!settings.ca_file.empty()) {
            tls_context->load_verify_file(settings.ca_file, ec);
            if (ec) {
                std::string why = "cannot use [mail] ca_file " + settings.ca_file + ": " + ec.message();
                tls_context.reset();
                return SessionFailure{DeliveryStatus::permanent, 0, why};
            }
            // Lets a LAN relay's own self-signed or intermediate certificate be the anchor.
            X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(ctx), X509_V_FLAG_PARTIAL_CHAIN);
        } else {
            tls_context->set_default_verify_paths(ec);
        }
        return std::nullopt;
    }

    awaitable<std::optional<SessionFailure>> handshake() {
        if (auto f = prepare_tls_context()) co_return f;
        SSL* ssl = stream->native_handle();
        const std::string& name = settings.verify_name.empty() ? settings.host : settings.verify_name;
        if (is_ip_literal(name)) {
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str());
        } else {
            SSL_set_tlsext_host_name(ssl, name.c_str());
            SSL_set1_host(ssl, name.c_str());
        }
        boost::system::error_code ec;
        arm(settings.timeouts.command, "the TLS handshake");
        co_await stream->async_handshake(ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
        disarm();
        if (ec) {
            long verify = SSL_get_verify_result(ssl);
            if (verify != X509_V_OK && !timed_out) {
                co_return SessionFailure{DeliveryStatus::permanent, 0,
                                         "certificate of " + settings.host + " refused: " +
                                             X509_verify_cert_error_string(verify) + " (expected the name " + name +
                                             (settings.ca_file.empty() ? ", trusted by the system's CA store)"
                                                                       : ", trusted by " + settings.ca_file + ")")};
            }
            co_return SessionFailure{DeliveryStatus::temporary, 0, "TLS handshake failed: " + io_error_text(ec)};
        }
        tls_active = true;
        tls_version = SSL_get_version(ssl);
        say(MailLogLevel::debug, "TLS " + tls_version + " with " + name + ", certificate verified");
        co_return std::nullopt;
    }

    SessionFailure failure_from_reply(const SmtpReply& r, const std::string& doing) {
        return {status_for_code(r.code), r.code, doing + ": " + std::to_string(r.code) + " " + r.text()};
    }
    SessionFailure lost(const std::string& doing) { return {DeliveryStatus::temporary, 0, doing + ": " + last_error}; }

    awaitable<std::optional<SessionFailure>> ehlo() {
        if (!co_await command("EHLO " + settings.helo_name, settings.timeouts.command, "the EHLO reply"))
            co_return lost("EHLO");
        auto r = co_await read_reply(settings.timeouts.command, "the EHLO reply");
        if (!r) co_return lost("EHLO");
        if (r->code == 250) {
            caps = parse_ehlo(*r);
            co_return std::nullopt;
        }
        if (r->code == 421 || (r->code != 500 && r->code != 502 && r->code != 504 && r->code != 550))
            co_return failure_from_reply(*r, "EHLO");
        // An old relay that does not know EHLO (RFC 5321 §3.2).
        if (!co_await command("HELO " + settings.helo_name, settings.timeouts.command, "the HELO reply"))
            co_return lost("HELO");
        auto h = co_await read_reply(settings.timeouts.command, "the HELO reply");
        if (!h) co_return lost("HELO");
        if (h->code != 250) co_return failure_from_reply(*h, "HELO");
        caps = Capabilities{};
        co_return std::nullopt;
    }

    awaitable<std::optional<SessionFailure>> authenticate() {
        const RelaySettings& s = settings;
        if (!tls_active && !s.auth_without_tls)
            co_return SessionFailure{DeliveryStatus::permanent, 0,
                                     "refusing to send the password of " + s.username +
                                         " over a connection without TLS "
                                         "(set [mail] tls to \"starttls\" or \"tls\", or auth_without_tls = true)"};
        std::optional<SmtpReply> r;
        if (caps.auth.contains("PLAIN")) {
            if (!co_await command("AUTH PLAIN " + auth_plain_response(s.username, s.password), s.timeouts.command,
                                  "the AUTH reply", "AUTH PLAIN <credentials hidden>"))
                co_return lost("AUTH");
            r = co_await read_reply(s.timeouts.command, "the AUTH reply");
        } else if (caps.auth.contains("LOGIN")) {
            if (!co_await command("AUTH LOGIN", s.timeouts.command, "the AUTH reply")) co_return lost("AUTH");
            r = co_await read_reply(s.timeouts.command, "the AUTH reply");
            if (r && r->code == 334) {
                if (!co_await command(base64_encode(s.username), s.timeouts.command, "the AUTH reply",
                                      "<user name hidden>"))
                    co_return lost("AUTH");
                r = co_await read_reply(s.timeouts.command, "the AUTH reply");
            }
            if (r && r->code == 334) {
                if (!co_await command(base64_encode(s.password), s.timeouts.command, "the AUTH reply",
                                      "<password hidden>"))
                    co_return lost("AUTH");
                r = co_await read_reply(s.timeouts.command, "the AUTH reply");
            }
        } else {
            std::string offered;
            for (const auto& m : caps.auth) offered += (offered.empty() ? "" : " ") + m;
            co_return SessionFailure{DeliveryStatus::permanent, 0,
                                     offered.empty()
                                         ? "the relay offers no authentication (AUTH) but [mail] username is set"
                                         : "the relay offers AUTH " + offered + "; Relais speaks PLAIN and LOGIN"};
        }
        if (!r) co_return lost("AUTH");
        if (r->code != 235) co_return failure_from_reply(*r, "authentication as " + s.username + " refused");
        say(MailLogLevel::debug, "authenticated as " + s.username);
        co_return std::nullopt;
    }

    awaitable<std::optional<SessionFailure>> connect() {
        drop_connection();
        const RelaySettings& s = settings;
        if (auto f = prepare_tls_context()) co_return f;
        stream.emplace(io, *tls_context);
        resolver.emplace(io);
        boost::system::error_code ec;
        std::string where = s.host + ":" + std::to_string(s.port);
        arm(s.timeouts.connect, "the connection to " + where);
        auto endpoints = co_await resolver->async_resolve(s.host, std::to_string(s.port),
                                                          asio::redirect_error(asio::use_awaitable, ec));
        if (!ec)
            co_await asio::async_connect(stream->next_layer(), endpoints,
                                         asio::redirect_error(asio::use_awaitable, ec));
        disarm();
        resolver.reset();
        if (ec) {
            std::string why = timed_out ? "timed out connecting to " + where
                                        : (ec == asio::error::connection_refused
                                               ? "connection to " + where + " refused"
                                               : "cannot connect to " + where + ": " + ec.message());
            drop_connection();
            co_return SessionFailure{DeliveryStatus::temporary, 0, why};
        }
        say(MailLogLevel::debug, "connected to " + where);
        if (s.tls == TlsMode::implicit) {
            if (auto f = co_await handshake()) co_return f;
        }
        auto greeting = co_await read_reply(s.timeouts.greeting, "the relay's greeting");
        if (!greeting) co_return lost("greeting");
        if (greeting->code != 220) co_return failure_from_reply(*greeting, "the relay refused the connection");
        if (auto f = co_await ehlo()) co_return f;
        if (!tls_active && (s.tls == TlsMode::starttls || s.tls == TlsMode::opportunistic)) {
            if (caps.starttls) {
                if (!co_await command("STARTTLS", s.timeouts.command, "the STARTTLS reply")) co_return lost("STARTTLS");
                auto r = co_await read_reply(s.timeouts.command, "the STARTTLS reply");
                if (!r) co_return lost("STARTTLS");
                if (r->code != 220) co_return failure_from_reply(*r, "STARTTLS");
                if (!replies.empty())
                    co_return SessionFailure{DeliveryStatus::temporary, 0,
                                             "the relay sent data before the TLS handshake"};
                if (auto f = co_await handshake()) co_return f;
                if (auto f = co_await ehlo()) co_return f;  // RFC 3207 §4.2: forget what was said in clear
            } else if (s.tls == TlsMode::starttls) {
                co_return SessionFailure{DeliveryStatus::permanent, 0,
                                         where +
                                             " does not offer STARTTLS, which [mail] tls = \"starttls\" requires "
                                             "(\"opportunistic\" allows plain text)"};
            }
        }
        if (!s.username.empty())
            if (auto f = co_await authenticate()) co_return f;
        connected = true;
        co_return std::nullopt;
    }

    // --- one message ---------------------------------------------------------------------

    struct TransactionResult {
        MailOutcome outcome;
        bool retry_fresh = false;  // the reused connection was dead before anything happened
    };

    // GCC 12 miscompiles some co_await expressions used directly as an if condition together
    // with temporaries (the coroutine is resumed past its end: SIGILL); results go through
    // named locals in these helpers.
    awaitable<void> reset_or_drop() {
        if (!connected) co_return;
        std::string rset = "RSET";
        bool sent = co_await command(rset, settings.timeouts.command, "the RSET reply");
        if (sent) {
            auto r = co_await read_reply(settings.timeouts.command, "the RSET reply");
            if (r && r->code == 250) co_return;
        }
        drop_connection();
        co_return;
    }

    MailOutcome summarise(const Envelope& env, std::vector<RecipientOutcome> rcpts, const SmtpReply* final_reply,
                          const std::string& fallback_text) {
        MailOutcome o;
        o.recipients = std::move(rcpts);
        bool any_delivered = false, any_temporary = false;
        for (const auto& r : o.recipients) {
            any_delivered |= r.status == DeliveryStatus::delivered;
            any_temporary |= r.status == DeliveryStatus::temporary;
        }
        o.status = any_delivered   ? DeliveryStatus::delivered
                   : any_temporary ? DeliveryStatus::temporary
                                   : DeliveryStatus::permanent;
        if (final_reply) {
            o.code = final_reply->code;
            o.text = final_reply->text();
        } else {
            o.text = fallback_text;
            for (const auto& r : o.recipients)
                if (r.status != DeliveryStatus::delivered && r.code != 0) {
                    o.code = r.code;
                    if (o.text.empty()) o.text = r.text;
                    break;
                }
        }
        (void)env;
        o.tls = tls_version;
        return o;
    }

    awaitable<TransactionResult> transaction(const Job& job, bool reused) {
        const Envelope& env = job.envelope;
        const SmtpTimeouts& t = settings.timeouts;
        bool utf8 = needs_smtputf8(env.mail_from);
        for (const auto& r : env.rcpt_to) utf8 |= needs_smtputf8(r);
        if (utf8 && !caps.smtputf8)
            co_return TransactionResult{outcome_for_all(env, DeliveryStatus::permanent, 0,
                                                        "an address is not plain ASCII and the relay does not offer "
                                                        "SMTPUTF8"),
                                        false};
        if (caps.size_limit && *caps.size_limit > 0 && job.message.size() > *caps.size_limit)
            co_return TransactionResult{
                outcome_for_all(env, DeliveryStatus::permanent, 0,
                                "the message is " + std::to_string(job.message.size()) +
                                    " bytes and the relay accepts at most " + std::to_string(*caps.size_limit)),
                false};

        std::string mail = "MAIL FROM:<" + env.mail_from + ">";
        if (caps.size_limit) mail += " SIZE=" + std::to_string(job.message.size());
        if (utf8) mail += " SMTPUTF8";

        std::vector<RecipientOutcome> rcpts;
        for (const auto& r : env.rcpt_to) rcpts.push_back({r, DeliveryStatus::temporary, 0, {}});
        auto lost_now = [&](const std::string& doing, bool nothing_yet) {
            std::string why = doing + ": " + last_error;
            drop_connection();
            return TransactionResult{outcome_for_all(env, DeliveryStatus::temporary, 0, why), nothing_yet && reused};
        };

        // 421 to MAIL FROM: the relay is closing this connection (often an idle one); a reused
        // connection is retried once on a fresh one.
        auto relay_closing = [&](const SmtpReply& r) {
            drop_connection();
            return TransactionResult{outcome_for_all(env, DeliveryStatus::temporary, 421, r.text()), reused};
        };
        std::optional<SmtpReply> mail_reply, data_reply;
        if (caps.pipelining) {
            // RFC 2920: MAIL, every RCPT and DATA in one write, then the replies in order.
            std::string batch = mail + "\r\n";
            say(MailLogLevel::debug, "C: " + mail);
            for (const auto& r : env.rcpt_to) {
                batch += "RCPT TO:<" + r + ">\r\n";
                say(MailLogLevel::debug, "C: RCPT TO:<" + r + ">");
            }
            batch += "DATA\r\n";
            say(MailLogLevel::debug, "C: DATA");
            if (!co_await write_raw(std::move(batch), t.command, "sending MAIL, RCPT and DATA"))
                co_return lost_now("MAIL FROM", true);
            mail_reply = co_await read_reply(t.command, "the MAIL FROM reply");
            if (!mail_reply) co_return lost_now("MAIL FROM", true);
            if (mail_reply->code == 421) co_return relay_closing(*mail_reply);
            for (auto& r : rcpts) {
                auto reply = co_await read_reply(t.command, "the RCPT TO reply");
                if (!reply) co_return lost_now("RCPT TO", false);
                r.code = reply->code;
                r.text = reply->text();
                r.status = mail_reply->positive() ? status_for_code(reply->code) : status_for_code(mail_reply->code);
            }
            data_reply = co_await read_reply(t.data_start, "the DATA reply");
            if (!data_reply) co_return lost_now("DATA", false);
        } else {
            if (!co_await command(mail, t.command, "the MAIL FROM reply")) co_return lost_now("MAIL FROM", true);
            mail_reply = co_await read_reply(t.command, "the MAIL FROM reply");
            if (!mail_reply) co_return lost_now("MAIL FROM", true);
            if (mail_reply->code == 421) co_return relay_closing(*mail_reply);
            if (mail_reply->positive()) {
                for (auto& r : rcpts) {
                    if (!co_await command("RCPT TO:<" + r.address + ">", t.command, "the RCPT TO reply"))
                        co_return lost_now("RCPT TO", false);
                    auto reply = co_await read_reply(t.command, "the RCPT TO reply");
                    if (!reply) co_return lost_now("RCPT TO", false);
                    r.code = reply->code;
                    r.text = reply->text();
                    r.status = status_for_code(reply->code);
                }
                bool any = false;
                for (const auto& r : rcpts) any |= r.status == DeliveryStatus::delivered;
                if (any) {
                    if (!co_await command("DATA", t.data_start, "the DATA reply")) co_return lost_now("DATA", false);
                    data_reply = co_await read_reply(t.data_start, "the DATA reply");
                    if (!data_reply) co_return lost_now("DATA", false);
                }
            }
        }

        if (!mail_reply->positive()) {
            for (auto& r : rcpts) {
                r.status = status_for_code(mail_reply->code);
                r.code = mail_reply->code;
                r.text = mail_reply->text();
            }
            if (data_reply && data_reply->code == 354) co_await finish_empty_data();
            co_await reset_or_drop();
            co_return TransactionResult{summarise(env, std::move(rcpts), &*mail_reply, {}), false};
        }
        std::size_t accepted = 0;
        for (const auto& r : rcpts) accepted += r.status == DeliveryStatus::delivered ? 1 : 0;
        if (accepted == 0) {
            if (data_reply && data_reply->code == 354) co_await finish_empty_data();
            co_await reset_or_drop();
            co_return TransactionResult{summarise(env, std::move(rcpts), nullptr, "no recipient accepted"), false};
        }
        if (!data_reply || data_reply->code != 354) {
            for (auto& r : rcpts)
                if (r.status == DeliveryStatus::delivered) {
                    r.status = status_for_code(data_reply->code == 354 ? 451 : data_reply->code);
                    r.code = data_reply->code;
                    r.text = data_reply->text();
                }
            co_await reset_or_drop();
            co_return TransactionResult{summarise(env, std::move(rcpts), &*data_reply, {}), false};
        }

        say(MailLogLevel::debug, "C: <" + std::to_string(job.message.size()) + " bytes of message>");
        if (!co_await write_raw(dot_stuff(job.message), t.data_block, "sending the message"))
            co_return lost_now("sending the message", false);
        auto final_reply = co_await read_reply(t.data_end, "the reply to the end of the message");
        if (!final_reply) co_return lost_now("end of message", false);
        for (auto& r : rcpts)
            if (r.status == DeliveryStatus::delivered) {
                r.status = status_for_code(final_reply->code);
                r.code = final_reply->code;
                r.text = final_reply->text();
            }
        if (final_reply->code == 421) drop_connection();
        co_return TransactionResult{summarise(env, std::move(rcpts), &*final_reply, {}), false};
    }

    // A server that said 354 although every recipient was refused gets an empty message, which
    // it must then refuse (RFC 2920 §3.1).
    awaitable<void> finish_empty_data() {
        bool sent = co_await write_raw(".\r\n", settings.timeouts.data_end, "the end of an empty message");
        if (sent) {
            auto r = co_await read_reply(settings.timeouts.data_end, "the reply to an empty message");
            (void)r;
        }
        co_return;
    }

    awaitable<MailOutcome> deliver(const Job& job) {
        const Envelope& env = job.envelope;
        if (!is_safe_envelope_address(env.mail_from))
            co_return outcome_for_all(env, DeliveryStatus::permanent, 0,
                                      "the sender address \"" + env.mail_from + "\" cannot be used");
        if (env.rcpt_to.empty()) co_return outcome_for_all(env, DeliveryStatus::permanent, 0, "no recipient");
        for (const auto& r : env.rcpt_to)
            if (!is_safe_envelope_address(r))
                co_return outcome_for_all(env, DeliveryStatus::permanent, 0,
                                          "the recipient address \"" + r + "\" cannot be used");
        for (int attempt = 0; attempt < 2; ++attempt) {
            bool reused = connected;
            if (!connected) {
                if (auto f = co_await connect()) {
                    if (f->status == DeliveryStatus::permanent || f->code != 0) co_await quit_quietly();
                    drop_connection();
                    MailOutcome o = outcome_for_all(env, f->status, f->code, f->text);
                    co_return o;
                }
            }
            auto result = co_await transaction(job, reused);
            if (result.retry_fresh) {
                say(MailLogLevel::debug, "the idle connection was closed by the relay; reconnecting");
                drop_connection();
                continue;
            }
            co_return result.outcome;
        }
        co_return outcome_for_all(env, DeliveryStatus::temporary, 0, "the relay keeps closing the connection");
    }

    awaitable<void> quit_quietly() {
        if (!stream || !stream->next_layer().is_open()) co_return;
        std::string quit = "QUIT";
        bool sent = co_await command(quit, settings.timeouts.quit, "the QUIT reply");
        if (sent) {
            auto bye = co_await read_reply(settings.timeouts.quit, "the QUIT reply");
            (void)bye;
        }
        co_return;
    }

    static awaitable<void> run(std::shared_ptr<Impl> self) {
        while (!self->queue.empty()) {
            Job job = std::move(self->queue.front());
            self->queue.pop_front();
            MailOutcome o = co_await self->deliver(job);
            say_outcome(*self, job, o);
            if (job.done) job.done(std::move(o));
        }
        self->running = false;
        if (!self->connected) co_return;
        if (self->closing) {
            co_await self->quit_quietly();
            self->drop_connection();
            co_return;
        }
        self->idle_timer.expires_after(self->settings.keep_idle);
        self->idle_timer.async_wait([weak = self->weak_from_this()](const boost::system::error_code& ec) {
            auto s = weak.lock();
            if (ec || !s || s->running || !s->connected) return;
            s->running = true;
            asio::co_spawn(s->io, close_idle(s), asio::detached);
        });
    }

    static awaitable<void> close_idle(std::shared_ptr<Impl> self) {
        co_await self->quit_quietly();
        self->drop_connection();
        self->running = false;
        if (!self->queue.empty()) self->start();
        co_return;
    }

    static void say_outcome(Impl& self, const Job& job, const MailOutcome& o) {
        std::string to;
        for (const auto& r : job.envelope.rcpt_to) to += (to.empty() ? "" : ", ") + r;
        self.say(o.delivered() ? MailLogLevel::info : MailLogLevel::warn,
                 std::string("mail to ") + to + ": " + to_string(o.status) +
                     (o.code ? " (" + std::to_string(o.code) + " " + o.text + ")" : " (" + o.text + ")"));
    }

    void start() {
        if (running) return;
        running = true;
        idle_timer.cancel();
        asio::co_spawn(io, run(shared_from_this()), asio::detached);
    }
};

SmtpClient::SmtpClient(asio::io_context& io, RelaySettings settings, MailLogger log)
    : impl_(std::make_shared<Impl>(io, std::move(settings), std::move(log))) {}

// Pending coroutines hold the Impl and finish on the io_context; an idle connection says QUIT.
SmtpClient::~SmtpClient() { close(); }

void SmtpClient::send(Envelope envelope, std::string message, Done done) {
    asio::post(impl_->io,
               [impl = impl_, job = Job{std::move(envelope), std::move(message), std::move(done)}]() mutable {
                   impl->queue.push_back(std::move(job));
                   impl->start();
               });
}

void SmtpClient::close() {
    asio::post(impl_->io, [impl = impl_] {
        impl->closing = true;
        impl->idle_timer.cancel();
        if (!impl->running && impl->connected) {
            impl->running = true;
            asio::co_spawn(impl->io, Impl::close_idle(impl), asio::detached);
        }
    });
}

std::string SmtpClient::describe() const {
    const RelaySettings& s = impl_->settings;
    std::string tls = s.tls == TlsMode::implicit        ? "TLS"
                      : s.tls == TlsMode::starttls      ? "STARTTLS"
                      : s.tls == TlsMode::opportunistic ? "STARTTLS when offered"
                                                        : "no TLS";
    return "SMTP relay " + s.host + ":" + std::to_string(s.port) + " (" + tls +
           (s.username.empty() ? "" : ", as " + s.username) + ")";
}

}  // namespace relais::mail
