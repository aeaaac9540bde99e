#!/usr/bin/env bash
# The main job end to end: set-up, build, a sample data set made by our own code, and the
# `deconvolve` example run on all cores and under `mpiexec -n 2`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh

cargo build --release --bins
bin=target/release
data=demo-data
mkdir -p "$data"
if [ ! -f "$data/sample.h5" ]; then
  "$bin/asdf" sample "$data/sample.h5" --stations 8 --seconds 1800
fi
"$bin/asdf" info "$data/sample.h5"
rm -f "$data/processed_threads.h5" "$data/processed_mpi2.h5"

echo
echo "== deconvolve on all cores (rayon threads)"
"$bin/deconvolve" "$data/sample.h5" "$data/processed_threads.h5"
echo
echo "== deconvolve under mpiexec -n 2"
mpiexec -n 2 "$bin/deconvolve" "$data/sample.h5" "$data/processed_mpi2.h5"
echo
if h5diff "$data/processed_threads.h5" "$data/processed_mpi2.h5"; then
  echo "The two outputs are identical (h5diff). Output: $data/processed_threads.h5"
else
  echo "The outputs differ!" >&2
  exit 1
fi
"$bin/asdf" ls "$data/processed_threads.h5"
