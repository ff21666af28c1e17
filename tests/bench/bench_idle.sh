#!/usr/bin/env bash
# The idle budgets (docs/BENCHMARKS.md): `relais` started N times (default 3) on the embedded
# defaults (config/relais.toml with a new, empty data directory each time: the first start, which
# creates the database and the admin and spawns the emulated modem) on free loopback ports; for
# each, the time from the exec to the first /healthz answer, and VmRSS 3 s later.
#   tests/bench/bench_idle.sh [RELAIS_BINARY] [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-build/server/relais}
runs=${2:-3}
work=$(mktemp -d /tmp/relais-bench-idle.XXXXXX)
trap '[[ -n "${pid:-}" ]] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
source tests/bench/start_relais.sh
for i in $(seq 1 "$runs"); do
  start_relais "$bin" "$work/data$i" "$work" "relais$i"
  printf 'run %d: %d ms to serving, %d kB (%.1f MiB) resident idle\n' "$i" "$ms_to_serving" "$rss_kb" "$(echo "$rss_kb / 1024" | bc -l)"
  stop_relais
done
