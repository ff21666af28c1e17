#include "system_routes.hpp"

#include "appliance_modem.hpp"
#include "backup.hpp"
#include "certificates.hpp"
#include "customer_service.hpp"
#include "event_hub.hpp"
#include "mail_transport.hpp"
#include "metrics.hpp"
#include "migrations.hpp"
#include "modem_routes.hpp"
#include "responses.hpp"

#include <nlohmann/json.hpp>

#include <sys/statvfs.h>

#include <map>

#ifndef RELAIS_VERSION
#define RELAIS_VERSION "dev"
#endif

namespace relais {

using json = nlohmann::json;

SystemRoutes::SystemRoutes(SystemRoutesDeps deps) : d(std::move(deps)), started_at(d.clock.now()) {}

// ---- health and metrics ---------------------------------------------------------------------

HttpResponse SystemRoutes::health() const {
    json db_state;
    auto version = d.db.read([](Connection& c) { return schema_version(c); });
    if (version) {
        db_state = {{"status", "ok"}, {"schema_version", *version}};
    } else {
        db_state = {{"status", "error"}, {"error", version.error().detail}};
    }
    const bool ok = version.ok();
    json m = modem_json(d.modem, d.modem_problem);
    json body = {{"status", ok ? "ok" : "degraded"},
                 {"version", RELAIS_VERSION},
                 {"instance", d.instance},
                 {"database", db_state},
                 {"modem", {{"health", m["health"]}, {"detail", m["detail"]}}},
                 {"mail", {{"transport", d.mail ? d.mail->describe() : "none"}}},
                 {"uptime_s", (d.clock.now() - started_at) / 1000}};
    // What the limits of docs/SECURITY.md are doing: an operator sees a flood or a guesser.
    if (d.listeners) {
        json listeners = json::object();
        for (const auto& [name, st] : d.listeners())
            listeners[name] = {{"open", st.open},
                               {"accepted", st.accepted},
                               {"refused_per_address", st.refused_per_address},
                               {"at_capacity", st.at_capacity},
                               {"descriptor_pauses", st.descriptor_pauses},
                               {"timed_out", st.timed_out},
                               {"bad_requests", st.bad_requests},
                               {"tls_handshakes", st.tls_handshakes},
                               {"tls_resumed", st.tls_resumed},
                               {"tls_failed", st.tls_failed}};
        body["connections"] = listeners;
    }
    if (d.customers) {
        const LinkGuessStats g = d.customers->guess_stats();
        body["links"] = {{"unknown", g.unknown}, {"throttled", g.throttled}};
    }
    body["certificate"] = certificate_json();
    return json_response(ok ? 200 : 503, body);
}

// Prometheus' text format for the dealership's IT (docs/API.md, "Metrics"): like /healthz,
// on the lan listener only and without signing in; counts, never names or numbers.
HttpResponse SystemRoutes::metrics() const {
    std::vector<MetricFamily> f;
    const auto gauge = [&](std::string name, std::string help, double value,
                           std::vector<std::pair<std::string, std::string>> labels = {}) {
        f.push_back({std::move(name), std::move(help), "gauge", {{std::move(labels), value}}});
    };
    gauge("relais_info", "The running relais; its version is the label.", 1, {{"version", RELAIS_VERSION}});
    gauge("relais_uptime_seconds", "Seconds since relais started.",
          static_cast<double>((d.clock.now() - started_at) / 1000));
    const auto version = d.db.read([](Connection& c) { return schema_version(c); });
    gauge("relais_database_up", "1 when the database answers.", version ? 1 : 0);

    // The outbox: messages per channel and state (pending and sending are the queue).
    static constexpr const char* channels[] = {"sms", "email"};
    static constexpr const char* states[] = {"pending", "sending", "sent", "delivered", "failed", "quarantined"};
    auto counts = d.db.read([](Connection& c) -> Result<std::map<std::pair<std::string, std::string>, double>> {
        TRY_ASSIGN(auto s, c.prepare("SELECT channel, state, count(*) FROM outbox GROUP BY channel, state"));
        std::map<std::pair<std::string, std::string>, double> m;
        while (true) {
            TRY_ASSIGN(bool row, s.step());
            if (!row) break;
            m[{s.text(0), s.text(1)}] = static_cast<double>(s.int64(2));
        }
        return m;
    });
    if (counts) {
        MetricFamily outbox{"relais_outbox_messages",
                            "Messages in the outbox by channel and state: pending and sending are queued; "
                            "delivered means received (SMS status report, relay's acceptance for email).",
                            "gauge",
                            {}};
        for (const char* ch : channels)
            for (const char* st : states) {
                const auto it = counts->find({ch, st});
                outbox.samples.push_back({{{"channel", ch}, {"state", st}}, it == counts->end() ? 0 : it->second});
            }
        f.push_back(std::move(outbox));
    }

    // The modem.
    if (d.modem) {
        const modem::ModemStatus st = d.modem->status();
        const std::vector<std::pair<std::string, std::string>> m{{"modem", d.modem->device()}};
        gauge("relais_modem_ready", "1 when the modem is ready to send.",
              st.health == modem::ModemHealth::ready ? 1 : 0, m);
        gauge("relais_modem_registered", "1 when the modem is registered on a network.", st.registered ? 1 : 0, m);
        if (st.signal >= 0 && st.signal <= 31)
            gauge("relais_modem_signal_rssi", "Signal strength as +CSQ gives it: 0 (-113 dBm) to 31 (-51 dBm).",
                  st.signal, m);
        gauge("relais_modem_queued_messages", "SMS in the modem's own queue.", static_cast<double>(d.modem->queued()),
              m);
    } else {
        gauge("relais_modem_ready", "1 when the modem is ready to send.", 0, {{"modem", "none"}});
    }

    // The disk the data live on.
    struct statvfs fs {};
    if (::statvfs(d.config.storage.data_dir.c_str(), &fs) == 0) {
        gauge("relais_data_disk_free_bytes", "Free space on the data's file system (for relais's user).",
              static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize));
        gauge("relais_data_disk_size_bytes", "Size of the data's file system.",
              static_cast<double>(fs.f_blocks) * static_cast<double>(fs.f_frsize));
    }

    // The last successful backup (`relais backup`, the daily timer): its age is what to alert on.
    const auto backup = read_backup_status(d.config.storage.data_dir);
    gauge("relais_backup_last_success_timestamp_seconds",
          "When the last successful backup copied the database (Unix time); 0 when there is none.",
          backup ? static_cast<double>(backup->made_at / 1000) : 0);
    gauge("relais_backup_last_size_bytes", "Size of the last successful backup's file; 0 when there is none.",
          backup ? static_cast<double>(backup->size) : 0);

    // The listeners (docs/SECURITY.md's limits at work).
    if (d.listeners) {
        MetricFamily open{"relais_http_connections_open", "Open connections per listener.", "gauge", {}};
        MetricFamily accepted{
            "relais_http_connections_accepted_total", "Connections accepted per listener.", "counter", {}};
        MetricFamily refused{"relais_http_connections_refused_total",
                             "Connections refused or closed by the limits, per listener and reason.",
                             "counter",
                             {}};
        for (const auto& [name, st] : d.listeners()) {
            open.samples.push_back({{{"listener", name}}, static_cast<double>(st.open)});
            accepted.samples.push_back({{{"listener", name}}, static_cast<double>(st.accepted)});
            for (const auto& [reason, n] : {std::pair{"per_address", st.refused_per_address},
                                            {"at_capacity", st.at_capacity},
                                            {"timed_out", st.timed_out},
                                            {"bad_request", st.bad_requests}})
                refused.samples.push_back({{{"listener", name}, {"reason", reason}}, static_cast<double>(n)});
        }
        f.push_back(std::move(open));
        f.push_back(std::move(accepted));
        f.push_back(std::move(refused));
    }
    if (d.certificates) {
        const CertificateStatus st = d.certificates->status();
        gauge("relais_tls_certificate_expiry_timestamp_seconds",
              "When the certificate the HTTPS listeners serve runs out (Unix time).",
              static_cast<double>(st.facts.not_after));
        gauge("relais_tls_certificate_days_left", "Days until that certificate runs out.",
              static_cast<double>(st.facts.not_after - d.clock.now() / 1000) / 86400.0);
        gauge("relais_tls_certificate_self_signed", "1 when it is self-signed: customers' browsers warn.",
              st.self_signed ? 1 : 0);
        gauge("relais_acme_failures", "ACME attempts that failed in a row (0 after a certificate is issued).",
              st.failures);
    }
    HttpResponse r;
    r.status = 200;
    r.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    r.body = prometheus_text(f);
    return r;
}

// ---- live updates ---------------------------------------------------------------------------

// Server-sent events (event_hub.hpp): the workspace's live updates; a DMS may listen too.
HttpResponse SystemRoutes::events(ApiContext& ctx, const PathParams&) {
    if (!d.events) return respond(ctx, make_error(ErrorKind::unavailable, "events_unavailable"));
    if (d.events->full()) return respond(ctx, make_error(ErrorKind::unavailable, "too_many_streams"));
    std::vector<std::string> owners = stream_owners(*ctx.who);
    if (d.events->full_for(owners.front())) {
        Error e = make_error(ErrorKind::throttled, "too_many_streams_for_you",
                             {{"max", std::to_string(d.events->max_per_owner())}});
        e.retry_after_s = 60;
        return respond(ctx, e);
    }
    HttpResponse res;
    res.header("Content-Type", "text/event-stream; charset=utf-8");
    res.header("Cache-Control", "no-store");
    res.header("X-Accel-Buffering", "no");  // a reverse proxy must not hold the events back
    EventHub* hub = d.events;
    res.stream = [hub, owners = std::move(owners)](std::shared_ptr<StreamSink> sink) {
        if (!hub->subscribe(sink, std::chrono::steady_clock::now(), owners)) sink->close();
    };
    return res;
}

// ---- the HTTPS certificate ------------------------------------------------------------------

// What the admin page and /healthz say of the certificate (docs/API.md).
json SystemRoutes::certificate_json() const {
    if (!d.certificates) return {{"state", "off"}};
    const CertificateStatus st = d.certificates->status();
    const std::int64_t now = d.clock.now() / 1000;
    json j = {{"state", std::string(to_string(st.state()))},
              {"source", to_string(st.source)},
              {"name", st.name},
              {"customers_see_warning", st.self_signed},
              {"names", st.facts.names},
              {"issuer", st.facts.issuer},
              {"not_before", st.facts.not_before},
              {"not_after", st.facts.not_after},
              {"days_left", (st.facts.not_after - now) / 86400},
              {"failures", st.failures}};
    if (st.next_attempt_at) j["next_attempt_at"] = st.next_attempt_at;
    if (!st.last_error.empty()) {
        j["last_error"] = st.last_error;
        j["last_error_at"] = st.last_error_at;
    }
    if (st.last_issued_at) j["last_issued_at"] = st.last_issued_at;
    return j;
}

HttpResponse SystemRoutes::certificate(ApiContext&, const PathParams&) {
    return json_response(200, certificate_json());
}

HttpResponse SystemRoutes::renew_certificate(ApiContext& ctx, const PathParams&) {
    if (!d.certificates || d.config.tls.certificate != Config::Tls::Source::acme)
        return respond(ctx, make_error(ErrorKind::conflict, "certificate_not_acme"));
    if (auto asked = d.certificates->renew_now(); !asked) return respond(ctx, asked.error());
    return json_response(202, certificate_json());
}

void add_system_routes(ApiRoutes& routes, const std::shared_ptr<SystemRoutes>& system) {
    using R = SystemRoutes;
    routes.add(Method::get, "/api/v1/events", RouteAccess::principal, system, &R::events);
    routes.add(Method::get, "/api/v1/certificate", RouteAccess::principal, system, &R::certificate);
    routes.add(Method::post, "/api/v1/certificate/renew", RouteAccess::admin, system, &R::renew_certificate);
}

}  // namespace relais
