#include "acme_client.hpp"

#include "text.hpp"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

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
    LegoClient(std::string binary, std::shared_ptr<spdlog::logger> log)
        : binary_(std::move(binary)), log_(std::move(log)) {}

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
    // Runs lego, its output (stdout and stderr) kept in `output`; its exit status.
    Result<int> run(const std::vector<std::string>& args, const std::vector<std::string>& env,
                    std::chrono::seconds timeout, const std::atomic<bool>& cancel, std::string& output) {
        int pipe_fds[2];
        if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return internal_error(std::string("pipe: ") + std::strerror(errno));
        std::vector<char*> argv, envp;
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
        envp.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
        // Nothing else of relais's: its listening sockets, database, modem.
        posix_spawn_file_actions_addclosefrom_np(&actions, 3);
        pid_t pid = 0;
        const int rc = ::posix_spawn(&pid, args[0].c_str(), &actions, nullptr, argv.data(), envp.data());
        posix_spawn_file_actions_destroy(&actions);
        ::close(pipe_fds[1]);
        if (rc != 0) {
            ::close(pipe_fds[0]);
            return internal_error("cannot run " + args[0] + ": " + std::strerror(rc) +
                                  " (the ACME client; Debian's package lego)");
        }
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        bool killed = false;
        char buf[4096];
        for (;;) {
            if (!killed && (cancel.load() || std::chrono::steady_clock::now() >= deadline)) {
                ::kill(pid, SIGTERM);
                killed = true;
                output += cancel.load() ? "\nstopped: relais is stopping" : "\nstopped: it took too long";
            }
            pollfd p{pipe_fds[0], POLLIN, 0};
            const int n = ::poll(&p, 1, 500);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) continue;
            const ssize_t got = ::read(pipe_fds[0], buf, sizeof buf);
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) break;
            output.append(buf, static_cast<std::size_t>(got));
            if (output.size() > 2 * kOutputKept) output.erase(0, output.size() - kOutputKept);
        }
        ::close(pipe_fds[0]);
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        log_->debug("lego: {}", escape_untrusted(output, 4000));
        if (killed) return internal_error(reason_from(output));
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }

    std::string binary_;
    std::shared_ptr<spdlog::logger> log_;
};

}  // namespace

std::unique_ptr<AcmeClient> make_lego_client(std::string binary, std::shared_ptr<spdlog::logger> log) {
    return std::make_unique<LegoClient>(std::move(binary), std::move(log));
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
