// relais_mail_probe: sends the messages of a JSON job with relais_mail's SmtpClient and prints
// one JSON line per outcome, for tests/integration/test_mail.py and tests/bench/bench_mail.py
// (which run a real SMTP server, aiosmtpd). The contract is in tests/integration/README.md.

#include "mime.hpp"
#include "smtp_client.hpp"

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <iterator>

using nlohmann::json;
namespace mail = relais::mail;

namespace {

mail::Mailbox mailbox(const json& j) {
    if (j.is_null()) return {};
    return {j.value("name", ""), j.at("address").get<std::string>()};
}

mail::TlsMode tls_mode(const std::string& s) {
    if (s == "none") return mail::TlsMode::none;
    if (s == "starttls") return mail::TlsMode::starttls;
    if (s == "opportunistic") return mail::TlsMode::opportunistic;
    if (s == "tls") return mail::TlsMode::implicit;
    throw std::runtime_error("relay.tls: unknown mode \"" + s + "\"");
}

json outcome_json(const mail::MailOutcome& o, const std::string& message_id) {
    json rcpts = json::array();
    for (const auto& r : o.recipients)
        rcpts.push_back(
            {{"address", r.address}, {"status", mail::to_string(r.status)}, {"code", r.code}, {"text", r.text}});
    return {{"status", mail::to_string(o.status)},
            {"code", o.code},
            {"text", o.text},
            {"message_id", message_id},
            {"tls", o.tls},
            {"recipients", rcpts}};
}

}  // namespace

int main() {
    json job;
    mail::RelaySettings settings;
    std::vector<mail::MailMessage> messages;
    int repeat = 1;
    bool summary_only = false;
    try {
        job = json::parse(std::string(std::istreambuf_iterator<char>(std::cin), {}));
        const json& relay = job.at("relay");
        settings.host = relay.at("host").get<std::string>();
        settings.port = relay.at("port").get<std::uint16_t>();
        settings.tls = tls_mode(relay.value("tls", "none"));
        settings.username = relay.value("username", "");
        settings.password = relay.value("password", "");
        settings.ca_file = relay.value("ca_file", "");
        settings.verify_name = relay.value("host_name", "");
        settings.auth_without_tls = relay.value("auth_without_tls", false);
        settings.helo_name = "probe.relais.test";
        if (job.contains("timeout_ms")) settings.timeouts.cap(std::chrono::milliseconds(job["timeout_ms"].get<int>()));
        repeat = job.value("repeat", 1);
        summary_only = job.value("summary_only", false);
        for (const json& m : job.at("messages")) {
            mail::MailMessage msg;
            msg.from = mailbox(m.at("from"));
            if (m.contains("reply_to")) msg.reply_to = mailbox(m["reply_to"]);
            for (const json& t : m.at("to")) msg.to.push_back(mailbox(t));
            msg.subject = m.value("subject", "");
            msg.text = m.value("text", "");
            msg.html = m.value("html", "");
            msg.auto_submitted =
                m.value("auto_submitted", false) ? mail::AutoSubmitted::auto_generated : mail::AutoSubmitted::no;
            messages.push_back(std::move(msg));
        }
    } catch (const std::exception& e) {
        std::cerr << "relais_mail_probe: bad job: " << e.what() << "\n";
        return 2;
    }

    boost::asio::io_context io;
    mail::SmtpClient client(io, settings,
                            [](mail::MailLogLevel, const std::string& line) { std::cerr << line << "\n"; });
    const auto started = std::chrono::steady_clock::now();
    std::size_t total = messages.size() * static_cast<std::size_t>(repeat), done = 0, delivered = 0;
    auto now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    for (int round = 0; round < repeat; ++round) {
        for (std::size_t i = 0; i < messages.size(); ++i) {
            mail::MailMessage msg = messages[i];
            msg.date = now_ms;
            msg.utc_offset_minutes = 60;
            msg.message_id = "<probe." + std::to_string(round) + "." + std::to_string(i) + "." +
                             std::to_string(now_ms) + "@" + std::string(mail::domain_of(msg.from.address)) + ">";
            mail::Envelope env{msg.from.address, {}};
            for (const auto& t : msg.to) env.rcpt_to.push_back(t.address);
            std::string bytes = mail::build_mime(msg, "=_probe_" + std::to_string(now_ms));
            client.send(env, bytes, [&, id = msg.message_id](mail::MailOutcome o) {
                ++done;
                if (o.delivered()) ++delivered;
                if (!summary_only) std::cout << outcome_json(o, id).dump() << "\n";
                if (done == total) client.close();
            });
        }
    }
    if (total == 0) client.close();
    io.run();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cout << json{{"summary", true},
                      {"messages", done},
                      {"delivered", delivered},
                      {"seconds", seconds},
                      {"per_second", seconds > 0 ? static_cast<double>(done) / seconds : 0.0}}
                     .dump()
              << "\n";
    return 0;
}
