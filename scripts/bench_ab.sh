#!/usr/bin/env bash
# A/B of this checkout's release jobs against another checkout's (e.g. a `git worktree` of an
# older commit, built with `cargo build --release --bins`), on the same generated file,
# alternating the two, median of five each. Usage: scripts/bench_ab.sh OTHER_CHECKOUT [STATIONS] [HOURS]
set -euo pipefail
cd "$(dirname "$0")/.."
other=$(cd "$1" && pwd)
stations=${2:-50}
hours=${3:-1}
source scripts/env.sh
cargo build --release --bins -q
dir=bench-data
mkdir -p "$dir"
input="$dir/in_${stations}x${hours}h.h5"
[ -f "$input" ] || target/release/asdf sample "$input" --stations "$stations" --hours "$hours"
for job in identity bandpass deconvolve; do
  [ -x "$other/target/release/$job" ] || { echo "$other/target/release/$job not built" >&2; exit 2; }
  old=(); new=()
  for _ in 1 2 3 4 5; do
    for side in old new; do
      bin=target/release; [ "$side" = old ] && bin="$other/target/release"
      rm -f "$dir/ab.h5"; sync
      t0=$(date +%s.%N); "$bin/$job" "$input" "$dir/ab.h5" -q; t1=$(date +%s.%N)
      if [ "$side" = old ]; then old+=("$(echo "$t1 - $t0" | bc)"); else new+=("$(echo "$t1 - $t0" | bc)"); fi
    done
  done
  mo=$(printf "%s\n" "${old[@]}" | sort -n | sed -n 3p); mn=$(printf "%s\n" "${new[@]}" | sort -n | sed -n 3p)
  printf "%-10s other %.3f s  this %.3f s  this/other %.3f\n" "$job" "$mo" "$mn" "$(echo "$mn / $mo" | bc -l)"
done
