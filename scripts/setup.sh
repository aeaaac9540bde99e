#!/usr/bin/env bash
# Installs what the demo and the test suite need, and nothing that is already there:
#   - Debian packages: MPICH, parallel HDF5 (MPICH flavour), libclang (bindgen for mpi-sys),
#     pkg-config, hdf5-tools (h5dump/h5diff used by tests), iproute2 (`ip netns`: the test
#     that runs MPI across three namespaced hosts);
#   - a project-local Python virtualenv (.venv) with pyasdf and ObsPy for the interop tests
#     (only when called with --python).
# Safe to run repeatedly: the second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

want_python=0
for arg in "$@"; do
  case "$arg" in
    --python) want_python=1 ;;
    *) echo "setup.sh: unknown argument '$arg' (expected --python)" >&2; exit 2 ;;
  esac
done

debs=(mpich libmpich-dev libhdf5-mpich-dev libclang-dev pkg-config hdf5-tools iproute2)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  echo "setup: installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Never mix MPI flavours (build-notes 6.5): pin both build scripts to MPICH.
if ! command -v mpicc.mpich >/dev/null; then
  echo "setup: mpicc.mpich not found after installing mpich" >&2; exit 1
fi

if ((want_python)); then
  venv=.venv
  if ! "$venv/bin/python" -c "import pyasdf, obspy, h5py, geographiclib" 2>/dev/null; then
    echo "setup: creating Python virtualenv $venv with pyasdf and obspy (first run only)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q -r scripts/requirements.txt
  fi
fi
