#!/usr/bin/env bash
# Build time from clean (docs/BENCHMARKS.md): a clean clone of REV (default HEAD), configured
# as scripts/build does (Ninja, RelWithDebInfo), ccache off, then `relais` and the unit tests
# built and timed. Run it on an idle machine; it takes both cores for several minutes.
#   tests/bench/bench_build.sh [REV]
set -euo pipefail
cd "$(dirname "$0")/../.."
rev=${1:-HEAD}
dir=$(mktemp -d /tmp/relais-bench-build.XXXXXX)
trap 'rm -rf "$dir"' EXIT
git clone -q . "$dir/src"
git -C "$dir/src" checkout -q "$rev"
cmake -S "$dir/src" -B "$dir/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCCACHE_PROGRAM=CCACHE_PROGRAM-NOTFOUND >/dev/null
for target in relais relais_unit_tests; do
  start=$(date +%s.%N)
  CCACHE_DISABLE=1 cmake --build "$dir/build" --target "$target" >/dev/null
  end=$(date +%s.%N)
  printf '%s %s: %.1f s\n' "$(git -C "$dir/src" rev-parse --short HEAD)" "$target" "$(echo "$end - $start" | bc)"
done
echo "translation units: $(grep -c '"file"' "$dir/build/compile_commands.json")"
