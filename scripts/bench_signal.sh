#!/usr/bin/env bash
# Signal operations on 1 h of 100 Hz data: our criterion benchmarks and ObsPy on this machine,
# one run, with the ratios. Usage: scripts/bench_signal.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --python
source scripts/env.sh
cargo build --release --bins -q
mkdir -p bench-data
sample=bench-data/signal_1x1h.h5
[ -f "$sample" ] || target/release/asdf sample "$sample" --stations 1 --hours 1
# ObsPy's own BW_RJOB.xml (a real FIR cascade) for the remove_response case with a real response.
ASDF_BENCH_STATIONXML="$(.venv/bin/python -c 'import obspy, os; print(os.path.join(os.path.dirname(obspy.__file__), "core", "data", "BW_RJOB.xml"))')" \
  cargo bench -p asdf-tests --bench signal -- --noplot > bench-data/criterion.log
.venv/bin/python scripts/bench_signal_obspy.py "$sample" > bench-data/obspy_signal.json
.venv/bin/python - <<'PY'
import json, os
obspy = json.load(open("bench-data/obspy_signal.json"))
print("%-40s %12s %12s %9s" % ("operation (1 h, 100 Hz)", "ObsPy ms", "ours ms", "speed-up"))
for name, py in obspy.items():
    est = os.path.join("target", "criterion", "1h_100Hz", name, "new", "estimates.json")
    ours = json.load(open(est))["mean"]["point_estimate"] / 1e9
    print("%-40s %12.2f %12.2f %8.1fx" % (name, py * 1e3, ours * 1e3, py / ours))
PY
