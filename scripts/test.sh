#!/usr/bin/env bash
# The whole test suite: unit, doc, integration (job binaries under mpiexec with 1-3 ranks),
# pyasdf/ObsPy interop, and the rayon-only build without MPI.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --python
source scripts/env.sh
export ASDF_TEST_PYTHON="$PWD/.venv/bin/python"

cargo build --bins
cargo test --workspace
# The library without MPI (rayon threads only): builds and passes its unit tests.
cargo test -p asdf --no-default-features --features macros --lib
