#!/usr/bin/env bash
# The figures of docs/scaling.md: what the single writer sustains, and when more ranks, parallel
# output or job arrays help. On generated files of small traces (STATIONS x 3 x 60 s) and large
# ones (50 stations x 3 x 1 h), prints per run: seconds, stations per second, and the share of the
# run rank 0's writer was busy (from the job's closing line).
# Usage: scripts/bench_scaling.sh [STATIONS]   (default 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
bash scripts/setup.sh --python > /dev/null
source scripts/env.sh
cargo build --release --bins -q
bin=target/release
dir=bench-data
mkdir -p "$dir"
small="$dir/scaling_${n}x60s.h5"
large="$dir/scaling_50x1h.h5"
[ -f "$small" ] || "$bin/asdf" sample "$small" --stations "$n" --seconds 60 > /dev/null
[ -f "$large" ] || "$bin/asdf" sample "$large" --stations 50 --hours 1 > /dev/null

row() { # label, stations, command... (the job's closing line is on stderr)
  local label=$1 stations=$2; shift 2
  rm -f "$dir"/scaling_out*.h5
  sync
  local t0 t1 s busy
  t0=$(date +%s.%N)
  "$@" 2> "$dir/scaling.err" > /dev/null || { cat "$dir/scaling.err" >&2; exit 1; }
  t1=$(date +%s.%N)
  s=$(echo "$t1 - $t0" | bc)
  busy=$(grep -o 'writer busy [0-9]* %' "$dir/scaling.err" | tail -1 | grep -o '[0-9]*' || echo "-")
  printf "%-46s %8.2f %10.0f %8s\n" "$label" "$s" "$(echo "$stations / $s" | bc -l)" "${busy:--}"
}

header() { printf "\n== %s\n%-46s %8s %10s %8s\n" "$1" run seconds stations/s writer%; }

header "$n stations x 3 x 60 s: identity (light: read, copy chunks, write)"
for t in 1 2; do row "identity --threads $t" "$n" "$bin/identity" "$small" "$dir/scaling_out.h5" --threads "$t"; done
row "identity mpiexec -n 2 --threads 1" "$n" mpiexec -n 2 "$bin/identity" "$small" "$dir/scaling_out.h5" --threads 1
row "identity mpiexec -n 2 --parallel-output" "$n" mpiexec -n 2 "$bin/identity" "$small" "$dir/scaling_out.h5" --threads 1 --parallel-output
row "bandpass --threads 2" "$n" "$bin/bandpass" "$small" "$dir/scaling_out.h5" --threads 2

header "$n stations: a function that only sleeps 20 ms (the writer's ceiling)"
export ASDF_TEST_SLEEP_MS=20 ASDF_TEST_ONLY_SLEEP=1
for t in 1 2 4 8 16 32; do row "sleep 20 ms, 1 process --threads $t" "$n" "$bin/faulty" "$small" "$dir/scaling_out.h5" --threads "$t"; done
for r in 2 4 8; do row "sleep 20 ms, mpiexec -n $r --threads 8" "$n" mpiexec -n "$r" "$bin/faulty" "$small" "$dir/scaling_out.h5" --threads 8; done
unset ASDF_TEST_SLEEP_MS ASDF_TEST_ONLY_SLEEP

header "50 stations x 3 x 1 h (large traces)"
for t in 1 2; do row "identity --threads $t" 50 "$bin/identity" "$large" "$dir/scaling_out.h5" --threads "$t"; done
row "identity mpiexec -n 2 --threads 1" 50 mpiexec -n 2 "$bin/identity" "$large" "$dir/scaling_out.h5" --threads 1
row "identity mpiexec -n 2 --parallel-output" 50 mpiexec -n 2 "$bin/identity" "$large" "$dir/scaling_out.h5" --threads 1 --parallel-output
row "bandpass --threads 2" 50 "$bin/bandpass" "$large" "$dir/scaling_out.h5" --threads 2
row "bandpass mpiexec -n 2 --parallel-output" 50 mpiexec -n 2 "$bin/bandpass" "$large" "$dir/scaling_out.h5" --threads 1 --parallel-output
echo "(large output: $(du -m "$large" | cut -f1) MB in)"

header "job arrays on $n stations: shards run one after another here (on a cluster, at once)"
for shards in 2 4; do
  rm -f "$dir"/scaling_shard_*.h5 "$dir/scaling_merged.h5"
  t0=$(date +%s.%N)
  for i in $(seq 1 "$shards"); do "$bin/identity" "$small" "$dir/scaling_shard_$i.h5" --shard "$i/$shards" -q; done
  t1=$(date +%s.%N)
  "$bin/asdf" merge "$dir/scaling_merged.h5" "$dir"/scaling_shard_*.h5 > /dev/null
  t2=$(date +%s.%N)
  printf "%-46s %8.2f   (each shard %.2f s on average, merge %.2f s)\n" "identity in $shards shards + merge" "$(echo "$t2 - $t0" | bc)" "$(echo "($t1 - $t0) / $shards" | bc -l)" "$(echo "$t2 - $t1" | bc)"
done
rm -f "$dir"/scaling_shard_*.h5 "$dir/scaling_merged.h5" "$dir"/scaling_out*.h5 "$dir/scaling.err"
