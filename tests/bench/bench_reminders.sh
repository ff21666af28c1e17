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
source tests/bench/start_relais.sh
start_relais "$build/server/relais" "$work/data" "$work" relais
cpu0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
sleep 30
cpu1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
printf 'relais on %d offers with active plans: %d ms to serving, %d kB (%.1f MiB) resident idle, %d CPU ticks (1/%s s) in 30 s idle\n' \
  "$n" "$ms_to_serving" "$rss_kb" "$(echo "$rss_kb / 1024" | bc -l)" $((cpu1 - cpu0)) "$(getconf CLK_TCK)"
stop_relais
