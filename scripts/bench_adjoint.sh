#!/usr/bin/env bash
# The adjoint-tomography measurement side by side: our `adjoint` example against the same
# computation written with pyasdf (scripts/bench_adjoint_pyasdf.py), on the same observed
# (`preprocess`ed) and synthetic files, this machine, one run. Prints wall times (median of
# three), the ratio and peak RSS, and checks that both sides found the same misfits.
# Usage: scripts/bench_adjoint.sh [STATIONS] [HOURS]   (default 200 stations x 1 h)
set -euo pipefail
cd "$(dirname "$0")/.."
stations=${1:-200}
hours=${2:-1}
bash scripts/setup.sh --python
source scripts/env.sh
cargo build --release --bins -q
bin=target/release
dir=bench-data
mkdir -p "$dir"
obs="$dir/obs_${stations}x${hours}h.h5"
syn="$dir/syn_${stations}x${hours}h.h5"
pre="$dir/pre_${stations}x${hours}h.h5"
[ -f "$obs" ] && [ -f "$syn" ] || { rm -f "$obs" "$syn"; "$bin/asdf" sample "$obs" --synthetics "$syn" --stations "$stations" --hours "$hours"; }
[ -f "$pre" ] || "$bin/preprocess" "$obs" "$pre" -q

median_of_3() { # label, command... -> prints "label median_seconds peak_rss_mb"
  local label=$1; shift
  local runs=()
  for _ in 1 2 3; do
    rm -f "$dir/adj_$label.h5" "$dir/adj_$label.json"
    sync
    local t0 t1
    t0=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$dir/rss" "$@" > /dev/null 2> "$dir/err" || { cat "$dir/err" >&2; exit 1; }
    t1=$(date +%s.%N)
    runs+=("$label $(echo "$t1 - $t0" | bc) $(( $(tail -1 "$dir/rss") / 1024 ))")
  done
  printf "%s\n" "${runs[@]}" | sort -k2 -n | sed -n 2p
}

read -r _ py py_rss < <(median_of_3 py .venv/bin/python scripts/bench_adjoint_pyasdf.py "$pre" "$syn" "$dir/adj_py.h5")
read -r _ ours ours_rss < <(median_of_3 ours "$bin/adjoint" "$pre" "$syn" "$dir/adj_ours.h5" -q)
read -r _ n2 _ < <(median_of_3 n2 mpiexec -n 2 "$bin/adjoint" "$pre" "$syn" "$dir/adj_n2.h5" -q --threads 1)
printf "%-34s %10s %10s %12s\n" job pyasdf_s ours_s speedup
printf "%-34s %10.2f %10.2f %11.1fx   (peak RSS: pyasdf %s MB, ours %s MB)\n" "adjoint ($stations st x ${hours} h, threads)" "$py" "$ours" "$(echo "$py / $ours" | bc -l)" "$py_rss" "$ours_rss"
printf "%-34s %10s %10.2f %11.1fx\n" "adjoint (mpiexec -n 2)" "" "$n2" "$(echo "$py / $n2" | bc -l)"
# Same answers: the misfits of both sides (the last runs' outputs) agree.
.venv/bin/python - "$dir/adj_py.json" "$dir/adj_ours.json" <<'PY'
import json, sys
py, ours = (json.load(open(p))["records"] for p in sys.argv[1:3])
assert sorted(py) == sorted(ours), "different stations"
worst = max(abs(py[s]["misfit"] - ours[s]["misfit"]) / abs(py[s]["misfit"]) for s in py)
print("misfits of %d stations agree to %.1e (relative)" % (len(py), worst))
assert worst < 1e-6
PY
