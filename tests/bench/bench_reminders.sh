#!/usr/bin/env bash
# Reminders at scale (docs/BENCHMARKS.md, issue 15): relais_bench_reminders makes N offers
# (default 10,000) with active reminder plans and measures the idle tick and the passes over
# due reminders; then `relais` is started on that database (the embedded defaults otherwise, on
# free loopback ports) and its time to serving and idle memory are measured as bench_idle.sh does.
#   tests/bench/bench_reminders.sh [BUILD_DIR] [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
n=${2:-10000}
work=$(mktemp -d /tmp/relais-bench-reminders.XXXXXX)
trap '[[ -n "${pid:-}" ]] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
"$build/tests/relais_bench_reminders" "$work/data" "$n"
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
lan=$(free_port); pub=$(free_port)
sed -e "s|^lan_listen = .*|lan_listen = \"127.0.0.1:$lan\"|" \
    -e "s|^public_listen = .*|public_listen = \"127.0.0.1:$pub\"|" \
    -e "s|^data_dir = .*|data_dir = \"$work/data\"|" config/relais.toml > "$work/relais.toml"
start=$(date +%s%N)
"$build/server/relais" --config "$work/relais.toml" > "$work/log" 2>&1 &
pid=$!
until curl -fs -o /dev/null "http://127.0.0.1:$lan/healthz"; do
  kill -0 "$pid" 2>/dev/null || { echo "relais exited:"; cat "$work/log"; exit 1; }
  sleep 0.005
done
ready=$(date +%s%N)
sleep 3
rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
cpu0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
sleep 30
cpu1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
printf 'relais on %d offers with active plans: %d ms to serving, %d kB (%.1f MiB) resident idle, %d CPU ticks (1/%s s) in 30 s idle\n' \
  "$n" $(( (ready - start) / 1000000 )) "$rss" "$(echo "$rss / 1024" | bc -l)" $((cpu1 - cpu0)) "$(getconf CLK_TCK)"
kill "$pid"; wait "$pid" 2>/dev/null || true
pid=
