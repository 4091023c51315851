#!/usr/bin/env bash
# Fuzzes the weights file parsers (GAL, GWT/KWT, CSV) and the weights spec parser with
# libFuzzer for a bounded time each.
#   fuzz/run_weights.sh [SECONDS_PER_TARGET] [BUILD_DIR]   (default 60 s, build-fuzz)
# Builds with clang, -DAGGLO_FUZZ=ON (ASan + UBSan + libFuzzer); crashes land in BUILD_DIR.
set -euo pipefail
SECS=${1:-60}
B=${2:-build-fuzz}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CC=clang CXX=clang++ cmake -S "$ROOT" -B "$B" -DAGGLO_FUZZ=ON -DAGGLO_SANITIZE=ON \
  -DCMAKE_BUILD_TYPE=Debug -DBUILD_TESTING=OFF >/dev/null
cmake --build "$B" -j2 --target fuzz_weights_gal fuzz_weights_gwt fuzz_weights_csv fuzz_weights_spec \
  >/dev/null
status=0
for t in gal gwt csv spec; do
  work=$(mktemp -d)
  cp "$ROOT/fuzz/corpus/$t/"* "$work/"
  echo "fuzz_weights_$t: ${SECS}s"
  (cd "$B" && ./fuzz_weights_$t -max_total_time="$SECS" -max_len=4096 -timeout=10 \
     -rss_limit_mb=2048 -print_final_stats=1 "$work" 2>&1 | tail -4) || status=1
  rm -rf "$work"
done
exit $status
