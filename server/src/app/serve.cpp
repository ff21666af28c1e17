#include "commands.hpp"
// `relais serve`: the process that serves (DESIGN.md §4): everything wired by name, the core
// loop, the listeners, the scheduler's jobs, systemd's readiness and watchdog, the stop.

#include "appliance.hpp"
#include "appliance_mail.hpp"
#include "appliance_modem.hpp"
#include "box_names.hpp"
#include "customer_service.hpp"
#include "data_dir_lock.hpp"
#include "digests.hpp"
#include "email_channel.hpp"
#include "event_hub.hpp"
#include "housekeeping.hpp"
#include "http_server.hpp"
#include "https.hpp"
#include "lan_app.hpp"
#include "listener_limits.hpp"
#include "loop_timer.hpp"
#include "notifications.hpp"
#include "offer_service.hpp"
#include "offer_state.hpp"
#include "outbox.hpp"
#include "process_setup.hpp"
#include "process_stop.hpp"
#include "public_app.hpp"
#include "questions.hpp"
#include "random.hpp"
#include "reminders.hpp"
#include "reports.hpp"
#include "ro_service.hpp"
#include "scheduler.hpp"
#include "serial_port.hpp"
#include "serve_banner.hpp"
#include "sms_channel.hpp"
#include "sms_replies.hpp"
#include "static_files.hpp"
#include "test_emails.hpp"
#include "text.hpp"
#include "timezone.hpp"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>

namespace relais {

namespace {

// The modem, or why there is none (the banner and /healthz say it; SMS then wait).
struct ModemStart {
    std::unique_ptr<ApplianceModem> modem;
    std::string problem;
};

ModemStart open_modem(boost::asio::io_context& io, const Config& config, Appliance& app,
                      const std::shared_ptr<spdlog::logger>& log) {
    ModemStart out;
    if (auto m = ApplianceModem::start(
            {.io = io,
             .config = config,
             .db = app.db(),
             .clock = app.clock(),
             .log = log,
             .inbound = {.on_opt_out = &mark_number_opted_out,
                         .on_settled = &offer_state::on_message_settled,
                         // "OUI", "NON", "APPELEZ-MOI" as the customer's answer ([reminders] sms_replies)
                         .on_reply = [&config, &random = app.random()](
                                         Connection& c, const InboundReply& reply,
                                         UnixMs now) { return apply_sms_reply(c, config, random, reply, now); }}});
        m) {
        out.modem = std::move(m).value();
    } else {
        out.problem = m.error().detail.empty()
                          ? m.error().params.empty() ? m.error().code : m.error().params.front().second
                          : m.error().detail;
        log->error("no modem: {}", out.problem);
    }
    return out;
}

struct MessagingDeps {
    boost::asio::io_context& io;  // the core loop: the transport, the timer, the outbox run on it
    const Config& config;
    Appliance& app;         // the database, clock, randomness and time zone
    ApplianceModem* modem;  // none: SMS wait, but for numbers no SMS reaches
    EventHub& events;       // a notification reaches its user's open pages at once
    std::shared_ptr<spdlog::logger> log;
};

// What carries messages, on the core loop. Email: the dealership's relay, or the maildir when none is configured,
// sent through by the outbox (issue 5), shown in the banner and /healthz. The scheduler (schedule/): one timer on
// the core loop for every job, the lasting ones in the database; its jobs run once it starts, once everything is
// wired (schedule_housekeeping). Offers, their reminders and reports, and the outbox that carries their messages
// (DESIGN.md §2, §5), through a channel per kind: SMS through the modem, email through the transport. Made in this
// order, undone in the reverse one; the outbox claims rows from the moment it is made.
struct Messaging {
    explicit Messaging(const MessagingDeps& d);

    std::unique_ptr<mail::MailTransport> mail_transport;
    LoopTimer schedule_timer;
    Scheduler scheduler;
    OfferService offers;
    ReminderService reminders;
    QuestionService questions;
    ReportService reports;
    // Before anything may append to the timeline on the core loop: it hears of every event.
    NotificationService notifications;
    DigestService digests;
    SmsChannel sms_channel;
    EmailChannel email_channel;
    Outbox outbox;

    // The reminders' job and the digests' (in memory: the plans and notification_digests are the
    // truth), each at its earliest due one. On the loop's thread.
    void arm_reminders();
    void arm_digests();
    void arm_answers() { arm_job(scheduler, kAnswerJob, questions.next_due(), *log); }
    std::shared_ptr<spdlog::logger> log;
};

void Messaging::arm_reminders() { arm_job(scheduler, "offers.reminders", reminders.next_due(), *log); }
void Messaging::arm_digests() { arm_job(scheduler, kDigestJob, digests.next_due(), *log); }

Messaging::Messaging(const MessagingDeps& d)
    : mail_transport(make_mail_transport(d.io, d.config, d.app.clock(), mail_log_to(d.log))),
      schedule_timer(d.io, d.app.clock()),
      scheduler({.db = d.app.db(), .clock = d.app.clock(), .timer = schedule_timer, .log = d.log}),
      offers({.db = d.app.db(),
              .config = d.config,
              .random = d.app.random(),
              .clock = d.app.clock(),
              .zone = d.app.zone()}),
      reminders({.db = d.app.db(),
                 .config = d.config,
                 .random = d.app.random(),
                 .clock = d.app.clock(),
                 .zone = d.app.zone()}),
      questions({.db = d.app.db(),
                 .config = d.config,
                 .random = d.app.random(),
                 .clock = d.app.clock(),
                 .zone = d.app.zone()}),
      reports({.db = d.app.db(), .config = d.config, .random = d.app.random(), .clock = d.app.clock()}),
      notifications({.db = d.app.db(), .clock = d.app.clock(), .log = d.log}),
      digests({.db = d.app.db(),
               .config = d.config,
               .clock = d.app.clock(),
               .zone = d.app.zone(),
               .workspace_url = workspace_url(d.config, box_host_name())}),
      sms_channel({.modem = d.modem, .log = d.log}),
      email_channel({.transport = *mail_transport,
                     .config = d.config,
                     .random = d.app.random(),
                     .clock = d.app.clock(),
                     .zone = d.app.zone(),
                     .log = d.log}),
      outbox({.io = d.io,
              .db = d.app.db(),
              .clock = d.app.clock(),
              .scheduler = scheduler,
              .channels = {&sms_channel, &email_channel},
              .log = d.log,
              .on_settled = &offer_state::on_message_settled}),
      log(d.log) {
    // A send, a resend or a change of plan may move the next reminder: the job is armed again,
    // on the loop (the scheduler is the loop's); the outbox wakes for what was queued.
    const auto rearm = [this, &io = d.io] { boost::asio::post(io, [this] { arm_reminders(); }); };
    offers.on_queued([this, rearm] {
        outbox.wake();
        rearm();
    });
    reminders.on_queued([this] { outbox.wake(); });
    reports.on_queued([this] { outbox.wake(); });
    reminders.on_changed(rearm);
    digests.on_queued([this] { outbox.wake(); });
    questions.on_queued([this] { outbox.wake(); });
    questions.on_changed([this, &io = d.io] { boost::asio::post(io, [this] { arm_answers(); }); });
    notifications.on_notified([this, &io = d.io, &events = d.events](const std::vector<Id>& users) {
        events.notified(users);
        boost::asio::post(io, [this] { arm_digests(); });  // its digest may have moved
    });
    outbox.start();
}

// A clean stop never cuts a send (issue 12: an upgrade restarts relais at any moment). On SIGTERM or SIGINT, or to
// restart for new settings, the outbox claims no more rows and holds its channels (the modem starts no new message),
// while the core loop runs on until the SMS the modem is transmitting and the emails the relay is taking have their
// outcomes, settled in the database as for any send. A message cut at AT+CMGS would go back to `pending` and reach
// the customer twice. Bounded: with the listeners' 2 × 10 s (stop_cleanly), it fits systemd's default
// TimeoutStopSec of 90 s. Begun once (process_stop.hpp): a second restart request changes nothing, a signal during
// a restart's stop makes it a plain stop, and a second signal stops at once. Signals are taken from the moment it
// is made, before anything is served.
class StopControl {
public:
    StopControl(boost::asio::io_context& io, Outbox& outbox, std::shared_ptr<spdlog::logger> log);
    StopControl(const StopControl&) = delete;
    StopControl& operator=(const StopControl&) = delete;

    /// On the core loop only.
    void begin(StopReason reason, const std::string& why);
    const ProcessStop& state() const { return stop_; }
    bool restart() const { return stop_.restart(); }

private:
    void take_signals();

    static constexpr auto kSendsGrace = std::chrono::seconds(60);
    boost::asio::io_context& io_;
    Outbox& outbox_;
    std::shared_ptr<spdlog::logger> log_;
    ProcessStop stop_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer sends_deadline_;
};

StopControl::StopControl(boost::asio::io_context& io, Outbox& outbox, std::shared_ptr<spdlog::logger> log)
    : io_(io), outbox_(outbox), log_(std::move(log)), signals_(io, SIGINT, SIGTERM), sends_deadline_(io) {
    take_signals();
}

void StopControl::begin(StopReason reason, const std::string& why) {
    switch (stop_.begin_stop(reason)) {
        case StopStep::none: log_->info("{}: a stop is already under way", why); return;
        case StopStep::plain:
            sd_notify(0, "STOPPING=1");
            log_->info("{}: stopping instead of restarting, once the sends in progress are finished", why);
            return;
        case StopStep::stop_now:
            log_->warn("{} again: stopping now; the sends in progress go again at the next start", why);
            io_.stop();
            return;
        case StopStep::begin: break;
    }
    // A restart for new settings is a reload to systemd: the same process comes back ready.
    sd_notify(0, stop_.restart() ? "RELOADING=1" : "STOPPING=1");
    log_->info("{}: finishing the sends in progress (up to {} s), then in-flight requests", why, kSendsGrace.count());
    outbox_.stop_claiming([this] {
        log_->info("stopping: no send in progress");
        io_.stop();
    });
    sends_deadline_.expires_after(kSendsGrace);
    sends_deadline_.async_wait([this](const boost::system::error_code& timer_ec) {
        if (timer_ec) return;
        log_->warn("stopping: the sends in progress did not finish within {} s; they go again at the next start",
                   kSendsGrace.count());
        io_.stop();
    });
}

void StopControl::take_signals() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signal_number) {
        if (ec) return;
        begin(StopReason::signal, signal_number == SIGINT ? "SIGINT received" : "SIGTERM received");
        take_signals();
    });
}

struct ListenersDeps {
    boost::asio::io_context& io;  // test emails and restarts are posted on it
    const Config& config;         // also what saved settings are checked against
    Appliance& app;
    StaticFiles& files;
    const ModemStart& modem;
    Messaging& messaging;  // the mail transport, the offers
    EventHub& events;
    CustomerService& customers;
    const Https& https;  // the certificates; port 80, for /healthz' counters
    const Gates& gates;
    StopControl& stop;
    std::string instance;  // this run of relais
    std::shared_ptr<spdlog::logger> log;
};

// The applications behind the two listeners (the workspace and its API; the customer pages), and the listeners,
// which serve once start() succeeds. Made in this order, undone in the reverse one: the listeners go first.
struct Listeners {
    explicit Listeners(const ListenersDeps& d);
    /// Both listeners bound and serving, or neither (false: what failed is said on stderr).
    bool start();

    HttpServer* lan_listener = nullptr;  // set once made: /healthz counts their connections
    HttpServer* public_listener = nullptr;
    std::mutex settings_saving;  // save_settings: one at a time
    TestEmails test_emails;
    LanApp lan;
    PublicApp pub;
    HttpServer lan_server;
    HttpServer public_server;

private:
    LanAppDeps lan_app_deps(const ListenersDeps& d);
};

Listeners::Listeners(const ListenersDeps& d)
    // Test emails from the workspace: sent on the core loop, followed by polling.
    : test_emails({.config = d.config,
                   .random = d.app.random(),
                   .clock = d.app.clock(),
                   .zone = d.app.zone(),
                   .transport = *d.messaging.mail_transport,
                   .post = [&io = d.io](std::function<void()> f) { boost::asio::post(io, std::move(f)); }}),
      lan(lan_app_deps(d)),
      pub({.config = d.config, .customers = &d.customers, .files = &d.files}),
      lan_server(
          {.address = d.config.http.lan,
           .threads = d.config.http.threads,
           .max_request_bytes = (1 << 20) + (64 << 10),
           .name = "lan",
           .gate = d.gates.lan},
          [this](const HttpRequest& r) { return lan.handle(r); }, d.log),
      public_server(
          {.address = d.config.http.public_listen,
           .threads = d.config.http.threads,
           .max_request_bytes = 64 << 10,
           .name = "public",
           .gate = d.gates.public_},
          [this](const HttpRequest& r) { return pub.handle(r); }, d.log) {
    lan_listener = &lan_server;
    public_listener = &public_server;
}

LanAppDeps Listeners::lan_app_deps(const ListenersDeps& d) {
    return {.config = d.config,
            .db = d.app.db(),
            .auth = d.app.auth(),
            .repair_orders = d.app.repair_orders(),
            .phones = d.app.phones(),
            .zone = d.app.zone(),
            .files = d.files,
            .clock = d.app.clock(),
            .log = d.log,
            .max_body_bytes = 1 << 20,
            .modem = d.modem.modem.get(),
            .modem_problem = d.modem.problem,
            .mail = d.messaging.mail_transport.get(),
            .offers = &d.messaging.offers,
            .reminders = &d.messaging.reminders,
            .questions = &d.messaging.questions,
            .reports = &d.messaging.reports,
            .notifications = &d.messaging.notifications,
            .events = &d.events,
            .customers = &d.customers,
            .listeners =
                [this, plain = d.https.plain_http.get()] {
                    std::vector<std::pair<std::string, GateStats>> out;
                    if (lan_listener) out.emplace_back("lan", lan_listener->stats());
                    if (public_listener) out.emplace_back("public", public_listener->stats());
                    if (plain) out.emplace_back("http", plain->stats());
                    return out;
                },
            .certificates = d.https.certificates.get(),
            // The workspace's settings: checked and written, then relais stops as on SIGTERM
            // (no send cut) and main() starts it again in place.
            .save_settings =
                [&config = d.config, this](const std::vector<SettingChange>& changes) {
                    const std::lock_guard hold(settings_saving);
                    return save_settings(config, changes, appliance_config_environment());
                },
            .restart =
                [&io = d.io, stop = &d.stop] {
                    boost::asio::post(io, [stop] {
                        stop->begin(StopReason::restart, "restarting to apply the workspace's settings");
                    });
                },
            .stop = &d.stop.state(),
            .instance = d.instance,
            .test_emails = &test_emails};
}

bool Listeners::start() {
    if (auto r = lan_server.start(); !r) {
        std::cerr << "relais: " << r.error().detail << "\n";
        return false;
    }
    if (auto r = public_server.start(); !r) {
        std::cerr << "relais: " << r.error().detail << "\n";
        lan_server.shutdown(std::chrono::milliseconds(0));
        return false;
    }
    return true;
}

// systemd's watchdog (WatchdogSec= in the unit): petted from the core loop, twice per period,
// so a loop that hangs (a callback stuck, a lock never released) stops the pets and systemd
// restarts relais. Off when the service manager asks for none.
class Watchdog {
public:
    Watchdog(boost::asio::io_context& io, const std::shared_ptr<spdlog::logger>& log) : timer_(io) {
        if (sd_watchdog_enabled(0, &usec_) > 0 && usec_ > 0) {
            log->info("systemd watchdog: petted every {} ms", usec_ / 2000);
            pet();
        }
    }

private:
    void pet() {
        sd_notify(0, "WATCHDOG=1");
        timer_.expires_after(std::chrono::microseconds(usec_ / 2));
        timer_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) pet();
        });
    }

    boost::asio::steady_timer timer_;
    std::uint64_t usec_ = 0;
};

struct StopSequence {
    boost::asio::io_context& io;
    Messaging& messaging;
    Listeners& listeners;
    const StopControl& stop;
    const ModemStart& modem;
    Database& db;
    const Https& https;  // port 80's port, kept for a restart
    std::shared_ptr<spdlog::logger> log;
};

// Once the core loop has returned (the sends settled, or their time up): the scheduler, the listeners (in-flight
// requests finish, 10 s each), the outbox, the modem, the database. Exit code 0, or kRestart with the ports kept.
int stop_cleanly(const StopSequence& s) {
    s.messaging.scheduler.stop();
    s.listeners.lan_server.shutdown(std::chrono::seconds(10));
    s.listeners.public_server.shutdown(std::chrono::seconds(10));
    // A signal that came while the listeners finished, the core loop no longer running, still
    // makes a restart's stop a plain one: systemd stopping relais then must not see it go on.
    if (s.stop.restart()) {
        s.io.restart();
        s.io.poll();
    }
    s.messaging.outbox.stop();
    if (s.modem.modem) s.modem.modem->stop();
    s.db.checkpoint();
    s.log->info(s.stop.restart() ? "stopped cleanly; starting again" : "stopped cleanly");
    if (s.stop.restart()) {
        const std::string ports = std::to_string(s.listeners.lan_server.port()) + " " +
                                  std::to_string(s.listeners.public_server.port()) + " " +
                                  std::to_string(s.https.plain_http ? s.https.plain_http->port() : 0);
        ::setenv("RELAIS_RESTART_PORTS", ports.c_str(), 1);
    }
    return s.stop.restart() ? kRestart : 0;
}

}  // namespace

// The order below is the order of construction, and its reverse the order of destruction, which
// the stop relies on: the listeners go before the apps they call, the outbox before its
// channels, the modem and the mail transport; the core loop before all.
int run_serve(const ServeOptions& options) {
    const auto started = std::chrono::steady_clock::now();
    auto config = load_config_or_report(options.config_path, ProblemReport::first_line);
    if (!config) return 1;
    keep_restart_ports(*config);
    set_up_process();
    auto log = make_logger(config->log.level);
    // One relais per data directory; `relais restore` takes the same lock to know it is stopped.
    auto data_lock = DataDirLock::acquire(config->storage.data_dir);
    if (!data_lock) {
        std::cerr << "relais: " << data_lock.error().detail << "\n";
        return 2;
    }

    auto opened = Appliance::open(*config, log);
    if (!opened) {
        std::cerr << "relais: " << (opened.error().detail.empty() ? opened.error().code : opened.error().detail)
                  << "\n";
        return 2;
    }
    Appliance& app = **opened;
    auto admin_password = app.auth().bootstrap_admin(config->dealer.language);
    if (!admin_password) {
        std::cerr << "relais: cannot create the first administrator: " << admin_password.error().detail << "\n";
        return 2;
    }

    // Live updates: every commit that touched a repair order reaches the workspace's open pages.
    EventHub events;
    app.db().on_committed([&events](const std::vector<Id>& ro_ids) { events.repair_orders_changed(ro_ids); });
    const std::shared_ptr<void> unhook(nullptr, [&app](void*) { app.db().on_committed(nullptr); });

    // The core event loop (DESIGN.md §4): the modem's I/O and timers, the mail transport, the
    // scheduler's timer, the outbox, and the signals.
    boost::asio::io_context io;
    const ModemStart modem = open_modem(io, *config, app, log);
    Messaging messaging(
        {.io = io, .config = *config, .app = app, .modem = modem.modem.get(), .events = events, .log = log});
    // A send scheduled relative to an RO's promised time follows it (offers/send_schedule.hpp).
    app.repair_orders().set_promised_time_listener(messaging.offers.promised_time_listener());
    const std::shared_ptr<void> unfollow(nullptr,
                                         [&app](void*) { app.repair_orders().set_promised_time_listener({}); });
    StopControl stop(io, messaging.outbox, log);
    // This run of relais, for the pages that wait for a restart to be over (GET /healthz): new
    // at every start, also in place.
    const std::string instance = random_token(app.random(), 12);

    StaticFiles files(config->http.web_root);
    if (!files.get("workspace/index.html")) {
        log->warn("no workspace at {} ([http] web_root): the advisor pages will answer 404", config->http.web_root);
    }
    CustomerService customers({.db = app.db(), .config = *config, .random = app.random(), .clock = app.clock()});
    customers.on_queued([&messaging] { messaging.outbox.wake(); });
    auto budget = share_descriptors(*config);
    if (!budget) {
        std::cerr << "relais: " << budget.error().detail << "\n";
        return 2;
    }
    Gates gates = make_gates(*config, *budget);
    // HTTPS ([tls]): the certificates, the gates' TLS, port 80.
    auto https =
        start_https({.config = *config, .lan = gates.lan, .public_ = gates.public_, .clock = app.clock(), .log = log});
    if (!https) {
        std::cerr << "relais: " << (https.error().detail.empty() ? https.error().code : https.error().detail) << "\n";
        return 2;
    }
    log->info(
        "file descriptors: limit {}, {} in use; connections at once: lan {} ({} per address), public {} ({} "
        "per address)",
        budget->limit, budget->in_use, gates.lan.max_connections, gates.lan.max_per_address,
        gates.public_.max_connections, gates.public_.max_per_address);
    Listeners listeners({.io = io,
                         .config = *config,
                         .app = app,
                         .files = files,
                         .modem = modem,
                         .messaging = messaging,
                         .events = events,
                         .customers = customers,
                         .https = *https,
                         .gates = gates,
                         .stop = stop,
                         .instance = instance,
                         .log = log});
    if (!listeners.start()) return 2;
    if (!announce({.config_path = options.config_path,
                   .port_file = options.port_file,
                   .config = *config,
                   .started = started,
                   .lan_port = listeners.lan_server.port(),
                   .public_port = listeners.public_server.port(),
                   .https = *https,
                   .modem = modem.modem.get(),
                   .modem_problem = modem.problem,
                   .mail = *messaging.mail_transport,
                   .admin_password = *admin_password,
                   .log = log}))
        return 2;
    sd_notify(0, "READY=1");

    schedule_housekeeping({.scheduler = messaging.scheduler,
                           .https = *https,
                           .events = events,
                           .offers = messaging.offers,
                           .reminders = messaging.reminders,
                           .notifications = messaging.notifications,
                           .digests = messaging.digests,
                           .questions = messaging.questions,
                           .clock = app.clock(),
                           .log = log});
    Watchdog watchdog(io, log);

    io.run();
    return stop_cleanly({.io = io,
                         .messaging = messaging,
                         .listeners = listeners,
                         .stop = stop,
                         .modem = modem,
                         .db = app.db(),
                         .https = *https,
                         .log = log});
}

}  // namespace relais
