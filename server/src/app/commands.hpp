#pragma once
// The `relais` command line: each sub-command as a function returning the exit code, so
// main.cpp only parses arguments. Exit codes: 0 success, 1 refused (bad input, bad config),
// 2 failure of the machine (database, port in use).

#include <iosfwd>
#include <string>

namespace relais {

struct ServeOptions {
    std::string config_path;
    std::string port_file;  // when set, {"lan": N, "public": N} is written there once serving
};

/// 0 after a clean stop; kRestart when the workspace's settings changed and relais should start
/// again in place (main.cpp re-executes itself: same process, same PID under systemd).
int run_serve(const ServeOptions& options);
inline constexpr int kRestart = 64 + 100;
int run_check_config(const std::string& config_path);
int run_user_add(const std::string& config_path, const std::string& username, const std::string& role,
                 const std::string& display_name, const std::string& language);
int run_user_passwd(const std::string& config_path, const std::string& username);
int run_user_list(const std::string& config_path);
int run_apikey_create(const std::string& config_path, const std::string& name);
int run_apikey_list(const std::string& config_path);
int run_apikey_revoke(const std::string& config_path, const std::string& name);
int run_seed_demo(const std::string& config_path, int count, unsigned long long seed);
/// The serial ports of this machine, with USB ids and the modems we recognise.
int run_modem_ports();
/// Sends one test email with the configured relay (or to the maildir) and prints the relay's
/// answer. Exit codes: 0 delivered, 1 refused (bad input or configuration, or a permanent
/// failure: 5xx, certificate, credentials), 75 temporary failure (EX_TEMPFAIL: 4xx, relay
/// down, timeout). `verbose` prints the SMTP dialogue (secrets hidden) on stderr.
int run_send_test_email(const std::string& config_path, const std::string& to, int timeout_s, bool verbose);

/// `relais backup [--to DIR]` (backup.cpp): exit 0 written, 1 refused (configuration, another
/// backup into the same folder), 2 failed (no database, the disk).
int run_backup(const std::string& config_path, const std::string& to);
/// `relais restore FILE [--force] [--keep-config]` (restore.cpp): exit 0 restored, 1 refused
/// (relais running, the file, its contents, a database there without --force), 2 failed (the disk).
struct RestoreCommand {
    std::string config_path;
    std::string archive;
    bool force = false;        // replace a database already in the data directory
    bool keep_config = false;  // leave this box's configuration file as it is
};
int run_restore(const RestoreCommand& command);

}  // namespace relais
