#include "acme_client.hpp"

#include "child_process.hpp"
#include "text.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>

extern char** environ;

namespace relais {
namespace {

// What lego says (it logs to stderr): the tail is kept, where the CA's error is.
constexpr std::size_t kOutputKept = 8 * 1024;

bool valid_env_key(std::string_view key) {
    if (key.empty() || key.size() > 64) return false;
    for (const char c : key)
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return !(key[0] >= '0' && key[0] <= '9');
}

// The last lines of lego's output that say what went wrong, on one line.
std::string reason_from(const std::string& output) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < output.size()) {
        std::size_t end = output.find('\n', start);
        if (end == std::string::npos) end = output.size();
        std::string line(trim(std::string_view(output).substr(start, end - start)));
        if (!line.empty()) lines.push_back(std::move(line));
        start = end + 1;
    }
    std::string out;
    for (std::size_t i = lines.size() > 3 ? lines.size() - 3 : 0; i < lines.size(); ++i) {
        // lego's lines start with a date and time; what follows is the message.
        std::string_view l = lines[i];
        if (l.size() > 20 && l[4] == '/' && l[7] == '/' && l[13] == ':') l.remove_prefix(20);
        if (!out.empty()) out += " ";
        out += l;
    }
    return escape_untrusted(out.empty() ? "lego said nothing" : out, 400);
}

class LegoClient final : public AcmeClient {
public:
    LegoClient(std::string binary, std::shared_ptr<spdlog::logger> log, std::chrono::milliseconds grace)
        : binary_(std::move(binary)), log_(std::move(log)), grace_(grace) {}

    Result<AcmeIssued> obtain(const AcmeRequest& rq, const std::atomic<bool>& cancel) override {
        std::vector<std::string> args = {binary_,     "--accept-tos", "--path",     rq.state_dir,
                                         "--server",  rq.directory,   "--email",    rq.email,
                                         "--domains", rq.name,        "--key-type", "ec256"};
        if (rq.challenge == AcmeRequest::Challenge::http01) {
            args.insert(args.end(), {"--http", "--http.webroot", rq.webroot});
        } else {
            args.insert(args.end(), {"--dns", rq.dns_provider});
            // A resolver of the dealership's: the record is checked there only, not at the
            // zone's own servers (which a LAN's firewall may not let the box reach).
            if (!rq.dns_resolver.empty())
                args.insert(args.end(), {"--dns.resolvers", rq.dns_resolver, "--dns.disable-cp"});
        }
        args.emplace_back("run");

        // The environment: relais's own, the CA's root, the DNS provider's settings.
        std::vector<std::string> env;
        for (char** e = environ; e && *e; ++e) {
            const std::string_view kv(*e);
            if (kv.rfind("LEGO_", 0) != 0) env.emplace_back(kv);
        }
        if (!rq.ca_file.empty()) env.push_back("LEGO_CA_CERTIFICATES=" + rq.ca_file);
        for (const auto& [k, v] : rq.dns_env) env.push_back(k + "=" + v);

        std::string output;
        auto status = run(args, env, rq.timeout, cancel, output);
        if (!status) return status.error();
        if (*status != 0) return internal_error(reason_from(output));
        AcmeIssued issued{rq.state_dir + "/certificates/" + rq.name + ".crt",
                          rq.state_dir + "/certificates/" + rq.name + ".key"};
        return issued;
    }

private:
    // Runs lego, its output (stdout and stderr) kept in `output`; its exit status. Cancelled or
    // past its time, it is ended (its group: a DNS hook it runs too) within the grace period,
    // whatever it does with SIGTERM, and whoever else holds its output open.
    Result<int> run(const std::vector<std::string>& args, const std::vector<std::string>& env,
                    std::chrono::seconds timeout, const std::atomic<bool>& cancel, std::string& output) {
        auto spawned = ChildProcess::spawn({args, env, ChildOutput::collected});
        if (!spawned) return internal_error(spawned.error().detail + " (the ACME client; Debian's package lego)");
        ChildProcess lego = std::move(spawned).value();
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::optional<int> status;
        bool talking = true;
        std::string stopped;
        while (!status) {
            // Cancel is looked at every quarter of a second.
            const auto step = std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(250));
            if (talking)
                talking = !lego.collect(output, kOutputKept, step);
            else
                status = lego.wait_until(step);
            if (status) break;
            if (cancel.load())
                stopped = "relais is stopping";
            else if (std::chrono::steady_clock::now() >= deadline)
                stopped = "it took too long";
            if (stopped.empty()) continue;
            status = lego.terminate(grace_);
            lego.collect(output, kOutputKept, std::chrono::steady_clock::now());  // what it said before
            output += "\nstopped: " + stopped;
        }
        log_->debug("lego: {}", escape_untrusted(output, 4000));
        if (!stopped.empty()) return internal_error(reason_from(output));
        return *status;
    }

    std::string binary_;
    std::shared_ptr<spdlog::logger> log_;
    std::chrono::milliseconds grace_;
};

}  // namespace

std::unique_ptr<AcmeClient> make_lego_client(std::string binary, std::shared_ptr<spdlog::logger> log,
                                             std::chrono::milliseconds grace) {
    return std::make_unique<LegoClient>(std::move(binary), std::move(log), grace);
}

Result<std::vector<std::pair<std::string, std::string>>> read_env_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return internal_error("cannot read " + path + ": " + std::strerror(errno));
    std::vector<std::pair<std::string, std::string>> out;
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        const std::string_view l = trim(line);
        if (l.empty() || l.front() == '#') continue;
        const auto eq = l.find('=');
        const std::string_view key = eq == std::string_view::npos ? l : trim(l.substr(0, eq));
        if (eq == std::string_view::npos || !valid_env_key(key))
            return internal_error(path + ":" + std::to_string(number) +
                                  ": expected KEY=VALUE with a key of capitals, digits and '_'");
        std::string value(trim(l.substr(eq + 1)));
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
            value = value.substr(1, value.size() - 2);
        out.emplace_back(std::string(key), std::move(value));
    }
    return out;
}

}  // namespace relais
