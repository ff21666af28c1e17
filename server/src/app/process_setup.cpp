#include "process_setup.hpp"

#include <malloc.h>
#include <sys/stat.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>

namespace relais {

void keep_restart_ports(Config& config) {
    const char* kept = std::getenv("RELAIS_RESTART_PORTS");
    if (!kept) return;
    unsigned lan = 0, pub = 0, plain = 0;
    if (std::sscanf(kept, "%u %u %u", &lan, &pub, &plain) == 3 && lan < 65536 && pub < 65536 && plain < 65536) {
        if (config.http.lan.port == 0) config.http.lan.port = static_cast<std::uint16_t>(lan);
        if (config.http.public_listen.port == 0) config.http.public_listen.port = static_cast<std::uint16_t>(pub);
        if (config.tls.redirect_listen && config.tls.redirect_listen->port == 0)
            config.tls.redirect_listen->port = static_cast<std::uint16_t>(plain);
    }
    ::unsetenv("RELAIS_RESTART_PORTS");
}

// What the process itself is asked for, before anything is opened.
void set_up_process() {
    ::umask(077);  // the database and data directory hold customers' personal data
    std::signal(SIGPIPE, SIG_IGN);
    // Argon2id borrows 19 MiB per sign-in. glibc would raise its mmap threshold after the first
    // free and keep later blocks on the heap for good; a fixed threshold hands every large
    // block back to the kernel, so the idle footprint stays small (docs/BENCHMARKS.md).
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    // Each HTTP thread would otherwise get its own malloc arena, each keeping freed memory.
    mallopt(M_ARENA_MAX, 2);
}

}  // namespace relais
