#include "bridge.hpp"

#include "text.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <istream>

namespace relais::bridge {
namespace asio = boost::asio;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

Millis monotonic_now() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

std::string rfc3339(UnixMs t) {
    const auto ts = modem::Timestamp::from_unix(t, 0);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", ts.year, ts.month, ts.day, ts.hour, ts.minute,
                  ts.second, static_cast<int>(t % 1000));
    return buf;
}

json to_json(const JournalEntry& e) {
    return {{"time", rfc3339(e.at)},    {"kind", e.complete ? "message" : "part"},
            {"recipient", e.recipient}, {"text", e.text},
            {"encoding", e.encoding},   {"part", e.part},
            {"parts", e.parts},         {"references", e.references},
            {"pdus", e.pdus},           {"status_report", e.status_report_requested}};
}

}  // namespace

struct Bridge::Impl : std::enable_shared_from_this<Bridge::Impl> {
    asio::io_context& io;
    BridgeOptions options;
    SystemClock clock;
    Emulator emulator;
    std::ofstream journal;
    std::ofstream trace;
    std::vector<json> sent;  // complete messages, for "sent"
    std::unique_ptr<asio::posix::stream_descriptor> master;
    int slave_fd = -1;
    std::string device_path;
    asio::steady_timer timer;
    asio::local::stream_protocol::acceptor acceptor;
    std::array<char, 4096> read_buf{};
    std::deque<std::string> write_queue;
    bool writing = false;

    Impl(asio::io_context& ctx, BridgeOptions o)
        : io(ctx),
          options(std::move(o)),
          emulator(options.emulator, clock, [this](const JournalEntry& e) { record(e); }),
          timer(ctx),
          acceptor(ctx) {}

    void trace_bytes(const char* who, std::string_view bytes) {
        if (!trace.is_open()) return;
        std::string shown;
        for (char c : bytes) {
            if (c == '\r')
                shown += "\\r";
            else if (c == '\n')
                shown += "\\n";
            else if (static_cast<unsigned char>(c) < 0x20)
                shown += "\\x" + std::string(1, "0123456789abcdef"[(c >> 4) & 15]) + "0123456789abcdef"[c & 15];
            else
                shown += c;
        }
        trace << rfc3339(clock.now()) << ' ' << who << ' ' << shown << '\n';
        trace.flush();
    }

    void record(const JournalEntry& e) {
        const json j = to_json(e);
        journal << j.dump() << '\n';
        journal.flush();
        if (e.complete) sent.push_back(j);
    }

    // ---- the pseudo-terminal ----

    Result<void> plug() {
        const int m = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (m < 0 || ::grantpt(m) != 0 || ::unlockpt(m) != 0) {
            if (m >= 0) ::close(m);
            return internal_error("cannot open a pseudo-terminal");
        }
        const char* name = ::ptsname(m);
        device_path = name ? name : "";
        // Keeping the slave open ourselves keeps the line (and its raw settings) alive between
        // the programs that open and close it, as a real serial device is.
        slave_fd = ::open(device_path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave_fd >= 0) {
            termios t{};
            ::tcgetattr(slave_fd, &t);
            ::cfmakeraw(&t);
            ::tcsetattr(slave_fd, TCSANOW, &t);
        }
        const int flags = ::fcntl(m, F_GETFL);
        ::fcntl(m, F_SETFL, flags | O_NONBLOCK);
        master = std::make_unique<asio::posix::stream_descriptor>(io, m);
        // Replace the link atomically: a program opening it never finds it missing mid-way.
        const std::string tmp = options.link + ".tmp";
        std::error_code ec;
        fs::remove(tmp, ec);
        fs::create_symlink(device_path, tmp, ec);
        if (ec) return internal_error("cannot create the link " + options.link + ": " + ec.message());
        fs::rename(tmp, options.link, ec);
        if (ec) return internal_error("cannot create the link " + options.link + ": " + ec.message());
        emulator.power_on(monotonic_now());
        read_loop();
        return success();
    }

    void unplug() {
        std::error_code ec;
        fs::remove(options.link, ec);
        if (master) {
            boost::system::error_code bec;
            master->cancel(bec);
            master->close(bec);
            master.reset();
        }
        if (slave_fd >= 0) ::close(slave_fd);
        slave_fd = -1;
        device_path.clear();
        write_queue.clear();
        writing = false;
    }

    void read_loop() {
        if (!master) return;
        auto self = shared_from_this();
        master->async_read_some(
            asio::buffer(read_buf), [this, self](const boost::system::error_code& ec, std::size_t n) {
                if (ec) {
                    if (ec == asio::error::operation_aborted || !master) return;
                    // EIO while no program has the line open: wait and read again.
                    auto retry = std::make_shared<asio::steady_timer>(io, std::chrono::milliseconds(50));
                    retry->async_wait([this, self, retry](const boost::system::error_code& e) {
                        if (!e) read_loop();
                    });
                    return;
                }
                trace_bytes("DTE", std::string_view(read_buf.data(), n));
                emulator.input(std::string_view(read_buf.data(), n), monotonic_now());
                pump();
                read_loop();
            });
    }

    void pump() {
        const Millis now = monotonic_now();
        emulator.tick(now);
        std::string out = emulator.take_output();
        if (!out.empty()) trace_bytes("MODEM", out);
        if (!out.empty() && master) {
            write_queue.push_back(std::move(out));
            write_next();
        }
        if (emulator.take_reenumeration() && master) {
            // A USB modem's reset: its tty disappears, and a new one appears a moment later.
            unplug();
            auto self = shared_from_this();
            auto back = std::make_shared<asio::steady_timer>(io, std::chrono::milliseconds(300));
            back->async_wait([this, self, back](const boost::system::error_code& ec) {
                if (!ec && !master) (void)plug();
                pump();
            });
        }
        arm_timer();
    }

    void write_next() {
        if (writing || write_queue.empty() || !master) return;
        writing = true;
        auto self = shared_from_this();
        asio::async_write(*master, asio::buffer(write_queue.front()),
                          [this, self](const boost::system::error_code& ec, std::size_t) {
                              writing = false;
                              if (ec) {
                                  write_queue.clear();
                                  return;
                              }
                              write_queue.pop_front();
                              write_next();
                          });
    }

    void arm_timer() {
        const auto deadline = emulator.deadline();
        if (!deadline) return;
        timer.expires_at(asio::steady_timer::time_point(std::chrono::milliseconds(*deadline)));
        auto self = shared_from_this();
        timer.async_wait([this, self](const boost::system::error_code& ec) {
            if (!ec) pump();
        });
    }

    // ---- the control socket ----

    struct Client : std::enable_shared_from_this<Client> {
        Client(std::shared_ptr<Impl> i, asio::local::stream_protocol::socket s)
            : impl(std::move(i)), socket(std::move(s)) {}
        std::shared_ptr<Impl> impl;
        asio::local::stream_protocol::socket socket;
        asio::streambuf buffer;
        void read() {
            auto self = shared_from_this();
            asio::async_read_until(socket, buffer, '\n', [self](const boost::system::error_code& ec, std::size_t) {
                if (ec) return;
                std::istream in(&self->buffer);
                std::string line;
                std::getline(in, line);
                auto reply = std::make_shared<std::string>(self->impl->control(line).dump() + "\n");
                asio::async_write(self->socket, asio::buffer(*reply),
                                  [self, reply](const boost::system::error_code& e, std::size_t) {
                                      if (!e) self->read();
                                  });
            });
        }
    };

    void accept_loop() {
        auto self = shared_from_this();
        acceptor.async_accept(
            [this, self](const boost::system::error_code& ec, asio::local::stream_protocol::socket s) {
                if (ec) return;
                std::make_shared<Client>(self, std::move(s))->read();
                accept_loop();
            });
    }

    json control(const std::string& line) {
        const json req = json::parse(line, nullptr, false);
        if (req.is_discarded() || !req.is_object() || !req.contains("cmd") || !req["cmd"].is_string()) {
            return {{"ok", false}, {"error", "expected a JSON object with \"cmd\""}};
        }
        const std::string cmd = req["cmd"];
        const Millis now = monotonic_now();
        json reply = {{"ok", true}};
        try {
            if (cmd == "inject_sms") {
                auto indexes =
                    emulator.inject_sms(req.at("from").get<std::string>(), req.at("text").get<std::string>(), now);
                if (!indexes) return {{"ok", false}, {"error", indexes.error().code}};
                reply["indexes"] = *indexes;
            } else if (cmd == "sent") {
                reply["messages"] = sent;
            } else if (cmd == "set") {
                if (req.contains("cmgs_latency_ms")) emulator.set_cmgs_latency(req["cmgs_latency_ms"].get<Millis>());
                if (req.contains("report_delay_ms")) emulator.set_report_delay(req["report_delay_ms"].get<Millis>());
                if (req.contains("signal")) emulator.set_signal(req["signal"].get<int>());
                if (req.contains("cnma_timeout_ms")) emulator.set_cnma_timeout(req["cnma_timeout_ms"].get<Millis>());
                if (req.contains("silent")) emulator.set_silent(req["silent"].get<bool>());
                if (req.contains("registration")) {
                    const json& r = req["registration"];
                    int stat = 1;
                    if (r.is_number_integer()) {
                        stat = r.get<int>();
                    } else {
                        const std::string s = r.get<std::string>();
                        stat = s == "home" ? 1 : s == "roaming" ? 5 : s == "searching" ? 2 : s == "denied" ? 3 : 0;
                    }
                    emulator.set_registration(stat, now);
                }
                if (req.contains("sim")) {
                    const std::string s = req["sim"].get<std::string>();
                    emulator.set_sim(s == "pin"       ? SimState::pin_required
                                     : s == "puk"     ? SimState::puk_required
                                     : s == "missing" ? SimState::missing
                                                      : SimState::ready);
                }
                if (req.contains("failing_numbers")) {
                    emulator.set_failing_numbers(req["failing_numbers"].get<std::set<std::string>>());
                }
            } else if (cmd == "fail_next") {
                // "text_hex": the error's wording as raw bytes (JSON cannot carry bytes that are not UTF-8).
                std::string text;
                const std::string hex = req.value("text_hex", "");
                const auto nibble = [](char c) {
                    return c >= '0' && c <= '9'   ? c - '0'
                           : c >= 'a' && c <= 'f' ? c - 'a' + 10
                           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                  : -1;
                };
                for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
                    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
                    if (hi < 0 || lo < 0) return {{"ok", false}, {"error", "text_hex holds a non-hex digit"}};
                    text += static_cast<char>(hi * 16 + lo);
                }
                emulator.fail_next_sends(req.value("count", 1), req.value("cms_error", 38), std::move(text));
            } else if (cmd == "reset") {
                emulator.reset(now);
            } else if (cmd == "reset_during_send") {
                emulator.reset_during_next_sends(req.value("count", 1), req.value("accepted", true));
            } else if (cmd == "unplug") {
                unplug();
            } else if (cmd == "replug") {
                if (!master) {
                    auto r = plug();
                    if (!r) return {{"ok", false}, {"error", r.error().detail}};
                }
                reply["device"] = device_path;
            } else if (cmd == "status") {
                reply["link"] = options.link;
                reply["profile"] = options.emulator.profile.name;
                reply["urc_port"] = emulator.urc_port();
                reply["pid"] = ::getpid();
                reply["device"] = device_path;
                reply["plugged"] = master != nullptr;
                reply["signal"] = emulator.signal();
                reply["registration"] = emulator.registration();
                reply["silent"] = emulator.silent();
                reply["stored"] = {
                    {"SM", emulator.stored("SM")}, {"ME", emulator.stored("ME")}, {"SR", emulator.stored("SR")}};
                reply["sent"] = sent.size();
                const auto k = emulator.counters();
                reply["cnmi"] = k.cnmi;
                reply["csms"] = k.csms;
                reply["cmms"] = k.cmms;
                reply["acknowledged"] = k.acknowledged;
                reply["missed_acks"] = k.missed_acks;
                reply["power_ups"] = k.power_ups;
            } else {
                return {{"ok", false}, {"error", "unknown command \"" + cmd + "\""}};
            }
        } catch (const json::exception& e) {
            return {{"ok", false}, {"error", std::string("bad arguments: ") + e.what()}};
        }
        pump();
        return reply;
    }
};

Bridge::Bridge(asio::io_context& io, BridgeOptions options) : impl_(std::make_shared<Impl>(io, std::move(options))) {}

Bridge::~Bridge() { stop(); }

Result<void> Bridge::start() {
    auto& i = *impl_;
    i.journal.open(i.options.journal_path, std::ios::app);
    if (!i.journal) return internal_error("cannot open the journal " + i.options.journal_path);
    if (!i.options.trace_path.empty()) {
        i.trace.open(i.options.trace_path, std::ios::app);
        if (!i.trace) return internal_error("cannot open the trace " + i.options.trace_path);
    }
    std::error_code ec;
    fs::remove(i.options.control_path, ec);
    boost::system::error_code bec;
    if (i.options.control_path.size() > 107)  // sockaddr_un's sun_path, less its NUL
        return internal_error("the control socket path " + i.options.control_path + " is " +
                              std::to_string(i.options.control_path.size()) + " bytes long; at most 107 fit");
    const asio::local::stream_protocol::endpoint endpoint(i.options.control_path);
    i.acceptor.open(endpoint.protocol(), bec);
    if (!bec) i.acceptor.bind(endpoint, bec);
    if (!bec) i.acceptor.listen(16, bec);
    if (bec) return internal_error("cannot listen on " + i.options.control_path + ": " + bec.message());
    TRY(i.plug());
    i.accept_loop();
    i.pump();  // the boot codes, and the timers of the boot
    return success();
}

void Bridge::stop() {
    if (!impl_) return;
    boost::system::error_code bec;
    impl_->acceptor.close(bec);
    impl_->timer.cancel();
    impl_->unplug();
    std::error_code ec;
    fs::remove(impl_->options.control_path, ec);
}

std::string Bridge::device() const { return impl_->device_path; }

}  // namespace relais::bridge
