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
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
for i in $(seq 1 "$runs"); do
  lan=$(free_port); pub=$(free_port)
  sed -e "s|^lan_listen = .*|lan_listen = \"127.0.0.1:$lan\"|" \
      -e "s|^public_listen = .*|public_listen = \"127.0.0.1:$pub\"|" \
      -e "s|^data_dir = .*|data_dir = \"$work/data$i\"|" config/relais.toml > "$work/relais$i.toml"
  start=$(date +%s%N)
  "$bin" --config "$work/relais$i.toml" > "$work/log$i" 2>&1 &
  pid=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$lan/healthz"; do
    kill -0 "$pid" 2>/dev/null || { echo "relais exited:"; cat "$work/log$i"; exit 1; }
    sleep 0.005
  done
  ready=$(date +%s%N)
  sleep 3
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
  printf 'run %d: %d ms to serving, %d kB (%.1f MiB) resident idle\n' "$i" $(( (ready - start) / 1000000 )) "$rss" "$(echo "$rss / 1024" | bc -l)"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  pid=
done
