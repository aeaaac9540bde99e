#!/usr/bin/env bash
# Reading every waveform of a file into memory: ours vs h5py (`ds[:]`, h5py's own filter
# pipeline) on the same file, best of 3 each. Usage: scripts/bench_read.sh [STATIONS] [HOURS]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --python
source scripts/env.sh
cargo build --release --bins -q
stations=${1:-50}
hours=${2:-1}
mkdir -p bench-data
f="bench-data/in_${stations}x${hours}h.h5"
[ -f "$f" ] || target/release/asdf sample "$f" --stations "$stations" --hours "$hours" > /dev/null
best() { sort -n | head -1; }
ours=$(for i in 1 2 3; do target/release/read_all "$f" | .venv/bin/python -c "import json,sys; print(json.load(sys.stdin)['seconds'])"; done | best)
h5py=$(for i in 1 2 3; do .venv/bin/python - "$f" <<'PY'
import sys, time, h5py
t = time.perf_counter()
n = 0
with h5py.File(sys.argv[1], "r") as f:
    for sta in f["Waveforms"].values():
        for name, ds in sta.items():
            if name != "StationXML":
                n += ds[:].size
print(time.perf_counter() - t)
PY
done | best)
printf "read every waveform of %s: h5py %.3f s, ours %.3f s, %.1fx\n" "$f" "$h5py" "$ours" "$(echo "$h5py / $ours" | bc -l)"
