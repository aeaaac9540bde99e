#!/usr/bin/env bash
# Many small traces: files of STATIONS x 3 channels x 60 s at 100 Hz (StationXML for every
# station, one event), for each size: our identity and band-pass jobs and `asdf info/ls/validate`,
# against pyasdf's process() on the same file, one run each in this script run. Prints wall time,
# peak RSS and the cost per trace, so that a phase growing faster than the number of traces shows.
# Usage: scripts/bench_scale.sh [STATIONS...]   (default: 3000 10000 30000)
# PYASDF_TIMEOUT (seconds, default 3600) stops a pyasdf run that takes longer; it is reported so.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
((${#sizes[@]})) || sizes=(3000 10000 30000)
timeout_s=${PYASDF_TIMEOUT:-3600}
bash scripts/setup.sh --python
source scripts/env.sh
cargo build --release --bins -q
bin=target/release
dir=bench-data
mkdir -p "$dir"

measure() { # label, traces, command... -> prints one table row
  local label=$1 traces=$2; shift 2
  local t0 t1 rss status=ok
  sync
  t0=$(date +%s.%N)
  timeout "$timeout_s" /usr/bin/time -f "%M" -o "$dir/rss" "$@" > /dev/null 2> "$dir/err" || status=$?
  t1=$(date +%s.%N)
  if [ "$status" = 124 ]; then
    printf "%-28s %9s %10s  stopped after %s s\n" "$label" ">$timeout_s" "" "$timeout_s"
    return
  elif [ "$status" != ok ]; then
    cat "$dir/err" >&2; exit 1
  fi
  rss=$(tail -1 "$dir/rss")
  local s; s=$(echo "$t1 - $t0" | bc)
  printf "%-28s %9.2f %10d %12.3f\n" "$label" "$s" "$((rss / 1024))" "$(echo "1000 * $s / $traces" | bc -l)"
}

for n in "${sizes[@]}"; do
  input="$dir/scale_${n}x60s.h5"
  traces=$((n * 3))
  echo "== $n stations, $traces traces"
  printf "%-28s %9s %10s %12s\n" step seconds peak_MB ms_per_trace
  if [ -f "$input" ]; then
    echo "(input exists: $input)"
  else
    measure "asdf sample" "$traces" "$bin/asdf" sample "$input" --stations "$n" --seconds 60
  fi
  for job in identity bandpass; do
    rm -f "$dir/scale_out.h5"
    measure "$job (ours, threads)" "$traces" "$bin/$job" "$input" "$dir/scale_out.h5" -q
  done
  measure "asdf info" "$traces" "$bin/asdf" info "$input"
  measure "asdf ls" "$traces" "$bin/asdf" ls "$input"
  measure "asdf validate" "$traces" "$bin/asdf" validate "$input"
  for chain in copy light; do
    rm -f "$dir/scale_py.h5"
    measure "pyasdf process ($chain)" "$traces" .venv/bin/python scripts/bench_pyasdf.py "$input" "$dir/scale_py.h5" --chain "$chain" --cpus 2
  done
  rm -f "$dir/scale_out.h5" "$dir/scale_py.h5"
done
