#!/usr/bin/env bash
# `asdf info` and `asdf ls` read only metadata: time them on a file with many traces.
# Usage: scripts/bench_tool.sh [TRACES]   (default 10000: TRACES/3 stations x 3 channels x 10 s)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
cargo build --release --bins -q
traces=${1:-10000}
stations=$(( (traces + 2) / 3 ))
mkdir -p bench-data
f="bench-data/tool_${stations}x3.h5"
[ -f "$f" ] || target/release/asdf sample "$f" --stations "$stations" --seconds 10 > /dev/null
for cmd in "info $f" "info $f --json" "ls $f" "validate $f"; do
  t0=$(date +%s.%N)
  target/release/asdf $cmd > /dev/null || [ "${cmd%% *}" = validate ]
  t1=$(date +%s.%N)
  printf "asdf %-48s %6.3f s  (%d traces)\n" "$cmd" "$(echo "$t1 - $t0" | bc)" "$((stations * 3))"
done
