#!/usr/bin/env bash
# Side-by-side: pyasdf's process() and our jobs on the same generated file, this machine, one run.
# Prints wall times, ratios and peak RSS: for both sides the median of three runs (this machine's
# speed drifts by 10-20 % from run to run), with that run's RSS. Usage: scripts/bench.sh [STATIONS] [HOURS]
set -euo pipefail
cd "$(dirname "$0")/.."
stations=${1:-50}
hours=${2:-1}
bash scripts/setup.sh --python
source scripts/env.sh
cargo build --release --bins -q
bin=target/release
dir=bench-data
mkdir -p "$dir"
input="$dir/in_${stations}x${hours}h.h5"
[ -f "$input" ] || "$bin/asdf" sample "$input" --stations "$stations" --hours "$hours"

median_of_3() { # label, command... -> prints "label median_seconds peak_rss_mb"
  local label=$1; shift
  local runs=()
  for _ in 1 2 3; do
    rm -f "$dir/ours.h5" "$dir/ours_mpi.h5"
    # The previous run's output is still being written back to disk; let that finish first so
    # that it does not slow down the run measured next (on either side).
    sync
    runs+=("$(measure "$label" "$@")")
  done
  printf "%s\n" "${runs[@]}" | sort -k2 -n | sed -n 2p
}

measure() { # label, command... -> prints "label seconds peak_rss_mb"
  local label=$1; shift
  local t0 t1 rss
  t0=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$dir/rss" "$@" > /dev/null 2> "$dir/err" || { cat "$dir/err" >&2; exit 1; }
  t1=$(date +%s.%N)
  rss=$(tail -1 "$dir/rss")
  echo "$label $(echo "$t1 - $t0" | bc) $((rss / 1024))"
}

printf "%-34s %10s %10s %12s\n" job pyasdf_s ours_s speedup
for chain in copy light heavy; do
  case $chain in copy) job=identity ;; light) job=bandpass ;; heavy) job=deconvolve ;; esac
  rm -f "$dir/py.h5" "$dir/ours.h5" "$dir/ours_mpi.h5"
  py=$(median_of_3 py .venv/bin/python scripts/bench_pyasdf.py "$input" "$dir/py.h5" --chain "$chain" --cpus 2 | awk '{print $2}')
  read -r _ ours ours_rss < <(median_of_3 ours "$bin/$job" "$input" "$dir/ours.h5" -q)
  printf "%-34s %10.2f %10.2f %11.1fx   (peak RSS %s MB)\n" "$chain ($job, threads)" "$py" "$ours" "$(echo "$py / $ours" | bc -l)" "$ours_rss"
  if [ "$chain" = heavy ]; then
    read -r _ n1 _ < <(median_of_3 n1 mpiexec -n 1 "$bin/$job" "$input" "$dir/ours_mpi.h5" -q --threads 1)
    read -r _ n2 _ < <(median_of_3 n2 mpiexec -n 2 "$bin/$job" "$input" "$dir/ours_mpi.h5" -q --threads 1)
    printf "%-34s %10s %10.2f  mpiexec -n 1: %.2f s, -n 2 speed-up %.2fx\n" "$chain (mpiexec -n 2)" "" "$n2" "$n1" "$(echo "$n1 / $n2" | bc -l)"
  fi
done
