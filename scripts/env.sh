# Sourced by the scripts: pin both build scripts to MPICH's parallel HDF5 and MPI (build-notes 6.5),
# and make hung MPI jobs fail instead of hanging.
export HDF5_DIR="${HDF5_DIR:-/usr/lib/x86_64-linux-gnu/hdf5/mpich}"
export MPICC="${MPICC:-mpicc.mpich}"
export MPIEXEC_TIMEOUT="${MPIEXEC_TIMEOUT:-300}"
