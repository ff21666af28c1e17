// `relais`: the appliance's one executable. Argument parsing only; the work is in
// relais_server (commands.hpp).
#include "appliance.hpp"
#include "commands.hpp"

#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cstdio>

#ifndef RELAIS_VERSION
#define RELAIS_VERSION "dev"
#endif

int main(int argc, char** argv) {
    CLI::App cli{"Relais: customer communication for the service department"};
    cli.set_version_flag("--version", std::string("relais ") + RELAIS_VERSION);
    cli.require_subcommand(0, 1);
    std::string config = relais::default_config_path();
    std::string port_file;
    cli.add_option("--config", config, "configuration file")->capture_default_str();
    cli.add_option("--port-file", port_file, "write the bound ports here as JSON once serving");

    auto* run = cli.add_subcommand("run", "serve the workspace and the customer pages (the default)");
    auto* check = cli.add_subcommand("check-config", "check the configuration file and exit");

    auto* user = cli.add_subcommand("user", "manage staff accounts");
    user->require_subcommand(1);
    std::string username, role = "advisor", display_name, language;
    auto* user_add = user->add_subcommand("add", "create an account; the password is read from standard input");
    user_add->add_option("name", username, "user name")->required();
    user_add->add_option("--role", role, "advisor or dealer_admin")->capture_default_str();
    user_add->add_option("--display-name", display_name, "name shown in the workspace");
    user_add->add_option("--language", language, "fr or en (default: the dealership's)");
    auto* user_passwd = user->add_subcommand("passwd", "set a password read from standard input");
    user_passwd->add_option("name", username, "user name")->required();
    auto* user_list = user->add_subcommand("list", "list the accounts");

    auto* apikey = cli.add_subcommand("apikey", "manage API keys for a DMS");
    apikey->require_subcommand(1);
    std::string key_name;
    auto* key_create = apikey->add_subcommand("create", "create a key and print it once");
    key_create->add_option("name", key_name, "what the key is for, e.g. \"DMS\"")->required();
    auto* key_list = apikey->add_subcommand("list", "list the keys");
    auto* key_revoke = apikey->add_subcommand("revoke", "revoke a key by name");
    key_revoke->add_option("name", key_name)->required();

    auto* ports = cli.add_subcommand("modem-ports", "list the serial ports and the modems recognised on them");
    auto* test_mail = cli.add_subcommand("send-test-email", "send a test email with the configured relay");
    std::string mail_to;
    int mail_timeout = 60;
    bool mail_verbose = false;
    test_mail->add_option("--to", mail_to, "recipient address")->required();
    test_mail->add_option("--timeout", mail_timeout, "seconds to wait at each step")
        ->capture_default_str()
        ->check(CLI::Range(1, 600));
    test_mail->add_flag("--verbose", mail_verbose, "print the SMTP dialogue (passwords hidden)");
    auto* seed = cli.add_subcommand("seed-demo", "add plausible demo repair orders");
    int count = 40;
    unsigned long long seed_value = 1;
    seed->add_option("--count", count, "how many")->capture_default_str()->check(CLI::Range(1, 1000000));
    seed->add_option("--seed", seed_value, "random seed")->capture_default_str();

    auto* backup = cli.add_subcommand("backup", "copy the database, configuration and TLS state into one file");
    std::string backup_to;
    backup->add_option("--to", backup_to, "folder to write it in (default: [backup] dir)");
    auto* restore = cli.add_subcommand("restore", "bring this box back to a backup's state (relais stopped)");
    relais::RestoreCommand restoring;
    restore->add_option("file", restoring.archive, "the backup file (relais-backup-<time>.tar)")->required();
    restore->add_flag("--force", restoring.force, "replace the database already in the data directory (kept aside)");
    restore->add_flag("--keep-config", restoring.keep_config,
                      "leave this box's configuration (its file and the workspace's settings) as it is");

    // Global options are accepted after a sub-command too: `relais user list --config F`.
    for (CLI::App* sub : {run, check, user_add, user_passwd, user_list, key_create, key_list, key_revoke, seed,
                          test_mail, backup, restore}) {
        sub->add_option("--config", config, "configuration file");
    }
    run->add_option("--port-file", port_file, "write the bound ports here as JSON once serving");

    CLI11_PARSE(cli, argc, argv);

    if (*check) return relais::run_check_config(config);
    if (*user_add) return relais::run_user_add(config, username, role, display_name, language);
    if (*user_passwd) return relais::run_user_passwd(config, username);
    if (*user_list) return relais::run_user_list(config);
    if (*key_create) return relais::run_apikey_create(config, key_name);
    if (*key_list) return relais::run_apikey_list(config);
    if (*key_revoke) return relais::run_apikey_revoke(config, key_name);
    if (*seed) return relais::run_seed_demo(config, count, seed_value);
    if (*ports) return relais::run_modem_ports();
    if (*test_mail) return relais::run_send_test_email(config, mail_to, mail_timeout, mail_verbose);
    if (*backup) return relais::run_backup(config, backup_to);
    if (*restore) {
        restoring.config_path = config;
        return relais::run_restore(restoring);
    }
    const int code = relais::run_serve({config, port_file});
    if (code == relais::kRestart) {
        // New settings from the workspace: the same program again, same arguments, same PID
        // (systemd was told RELOADING=1 and waits for READY=1). Everything of the last run is
        // closed by now; the descriptors left are the standard ones and close-on-exec ones.
        ::execv("/proc/self/exe", argv);
        std::perror("relais: cannot start again to apply the settings");
        return 2;
    }
    return code;
}
