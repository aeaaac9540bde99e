#!/usr/bin/env bash
# `asdf import` against ObsPy read + pyasdf add_waveforms (what users run today) on one SDS
# archive written by ObsPy: STATIONS x 3 channels x HOURS at 100 Hz, Steim-2, 512-byte records
# (default 50 stations x 24 h = 150 channel-days, 1.3 G samples). Prints wall time, peak RSS,
# output size and the ratio, plus our scan of record headers alone, in one script run.
# Usage: scripts/bench_import.sh [STATIONS] [HOURS]
set -euo pipefail
cd "$(dirname "$0")/.."
stations=${1:-50}
hours=${2:-24}
bash scripts/setup.sh --python > /dev/null
source scripts/env.sh
cargo build --release --bins -q
py=.venv/bin/python
dir=bench-data
root="$dir/sds_${stations}x${hours}h"
mkdir -p "$dir"
if [ ! -f "$root/stations.xml" ]; then
  echo "writing the archive with ObsPy ($root) ..."
  rm -rf "$root"
  $py scripts/bench_import_pyasdf.py make "$root" "$stations" "$hours"
fi
echo "archive: $(du -sm "$root" | cut -f1) MB in $(find "$root" -type f -name 'XX.*' | wc -l) files"

measure() { # label, command...: prints seconds and peak RSS (MB), leaves the time in $secs
  local label=$1; shift
  sync
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$dir/import.rss" "$@" > /dev/null 2> "$dir/import.err" || { cat "$dir/import.err" >&2; exit 1; }
  t1=$(date +%s.%N)
  secs=$(echo "$t1 - $t0" | bc)
  printf "%-34s %8.2f s %6d MB\n" "$label" "$secs" "$(( $(tail -1 "$dir/import.rss") / 1024 ))"
}

rm -f "$dir/import_ours.h5" "$dir/import_py.h5"
measure "asdf import" target/release/asdf import "$dir/import_ours.h5" --sds "$root" --stationxml "$root/stations.xml"
ours=$secs
grep -o "scanned .* in [0-9.]* s" "$dir/import.err" | sed 's/^/  /'
measure "ObsPy read + pyasdf add_waveforms" $py scripts/bench_import_pyasdf.py import "$dir/import_py.h5" "$root"
theirs=$secs
printf "ratio %.1fx; output %s MB (ours) / %s MB (pyasdf)\n" "$(echo "$theirs / $ours" | bc -l)" \
  "$(du -m "$dir/import_ours.h5" | cut -f1)" "$(du -m "$dir/import_py.h5" | cut -f1)"
# StationXML differs as text (pyasdf writes each station's document anew from ObsPy's model; we
# keep the file's bytes); anything else that differs is listed.
target/release/asdf diff "$dir/import_ours.h5" "$dir/import_py.h5" > "$dir/import.diff" || true
echo "asdf diff: $(grep -c 'StationXML documents differ' "$dir/import.diff" || true) StationXML documents differ as text; other differences:"
grep -v 'StationXML documents differ' "$dir/import.diff" | head -20
rm -f "$dir/import_ours.h5" "$dir/import_py.h5" "$dir/import.rss" "$dir/import.err" "$dir/import.diff"
