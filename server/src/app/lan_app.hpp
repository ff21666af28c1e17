#pragma once
// The lan listener's application: the advisor workspace (static files), /healthz, and the
// JSON API /api/v1 with its authentication (session cookie + CSRF token, or API key), role
// checks and error format. Pure request → response: http_server.cpp puts it on a socket.

#include "auth.hpp"
#include "config.hpp"
#include "db.hpp"
#include "http.hpp"
#include "http_gate.hpp"
#include "phone.hpp"
#include "process_stop.hpp"
#include "ro_service.hpp"
#include "static_files.hpp"
#include "timezone.hpp"

#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace spdlog {
class logger;
}

namespace relais {

class CertificateManager;
class CustomerService;
class EventHub;
class NotificationService;

class ApplianceModem;
class OfferService;
class ReminderService;
class QuestionService;
class ReportService;
class TestEmails;
namespace mail {
class MailTransport;
}

struct LanAppDeps {
    const Config& config;
    Database& db;
    AuthService& auth;
    RepairOrderService& repair_orders;
    const PhoneNumbers& phones;
    const TimeZone& zone;
    StaticFiles& files;
    const Clock& clock;
    std::shared_ptr<spdlog::logger> log;
    std::size_t max_body_bytes = 1 << 20;
    ApplianceModem* modem = nullptr;  // none: the modem could not be started (modem_problem says why)
    std::string modem_problem;
    const mail::MailTransport* mail = nullptr;     // where emails go (SMTP relay or maildir)
    OfferService* offers = nullptr;                // none: the offer routes answer 503
    ReminderService* reminders = nullptr;          // none: the reminders' routes answer 503
    QuestionService* questions = nullptr;          // none: the questions' routes answer 503
    ReportService* reports = nullptr;              // none: the repair report's routes answer 503
    NotificationService* notifications = nullptr;  // none: the notifications' routes answer 503
    EventHub* events = nullptr;                    // none: GET /api/v1/events answers 503
    const CustomerService* customers = nullptr;    // /healthz: links tried that do not exist
    // /healthz: each listener's connections and refusals (name, counters).
    std::function<std::vector<std::pair<std::string, GateStats>>()> listeners = {};
    CertificateManager* certificates = nullptr;  // none: no listener serves HTTPS
    // The workspace's settings (the first-boot setup, Administration): checked and written to
    // <data_dir>/settings.toml; then relais restarts in place to apply them. Unset: 503.
    std::function<ConfigLoad(const std::vector<SettingChange>&)> save_settings = {};
    std::function<void()> restart = {};
    // Whether relais is stopping: what would start a send or a restart is then refused (503
    // shutting_down). None: never.
    const ProcessStop* stop = nullptr;
    // This run of relais (GET /healthz, GET /api/v1/session): changes at every start, also a
    // restart in place, so a page that saved settings knows when the new run answers.
    std::string instance = {};
    // Test emails through the mail transport as configured now. None: 503.
    TestEmails* test_emails = nullptr;
};

/// Thread-safe: handle() is called concurrently by the server's threads.
class LanApp {
public:
    explicit LanApp(LanAppDeps deps);
    ~LanApp();
    HttpResponse handle(const HttpRequest& request);

    static constexpr const char* session_cookie = "relais_session";
    // Not "relais_device": that is the customer pages' cookie, and both listeners may share a host.
    static constexpr const char* device_cookie = "relais_browser";

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace relais
