//! Which backend runs: threads on one machine, or MPI ranks when launched by `mpiexec`/`srun`.
//! Detection is at run time from the launcher's environment, so a plain `./job` never touches
//! MPI, and `mpirun -n 64 ./job` uses every rank.

use super::EngineError;

/// The process group a run spans.
pub struct Ctx {
    /// This process's rank (0 when not under MPI).
    pub rank: i32,
    /// Number of ranks (1 when not under MPI).
    pub size: i32,
    /// Worker threads in this process.
    pub threads: usize,
    #[cfg(feature = "mpi")]
    pub(crate) world: Option<mpi::topology::SimpleCommunicator>,
    // Declared last: dropped after the communicator (MPI_Finalize after every handle is gone).
    #[cfg(feature = "mpi")]
    pub(crate) _universe: Option<mpi::environment::Universe>,
}

impl std::fmt::Debug for Ctx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ctx {{ rank: {}, size: {}, threads: {} }}", self.rank, self.size, self.threads)
    }
}

/// Whether the process was started by an MPI launcher (MPICH hydra, Open MPI, Slurm).
pub fn launched_by_mpi() -> Option<usize> {
    ["PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "SLURM_NTASKS"]
        .iter()
        .filter(|v| **v != "SLURM_NTASKS" || std::env::var("PMI_RANK").is_ok() || std::env::var("PMIX_RANK").is_ok())
        .find_map(|v| std::env::var(v).ok()?.parse().ok())
}

/// How many ranks of this run share this node (1 without a launcher).
pub(crate) fn local_ranks() -> usize {
    ["MPI_LOCALNRANKS", "OMPI_COMM_WORLD_LOCAL_SIZE", "SLURM_NTASKS_PER_NODE"]
        .iter()
        .find_map(|v| std::env::var(v).ok()?.parse().ok())
        .unwrap_or(1usize)
        .max(1)
}

impl Ctx {
    /// Sets up the run: MPI when launched by an MPI launcher (and built with the `mpi` feature),
    /// threads otherwise. `threads` = worker threads per process (default: one more than the
    /// cores, as a worker is often waiting for HDF5's lock or the disk; under MPI, the cores
    /// divided between the ranks of the node). Changes nothing process-wide but MPI's
    /// initialisation (see [`install_panic_hook`](super::install_panic_hook) for what a program
    /// may add).
    pub fn detect(threads: Option<usize>) -> Result<Ctx, EngineError> {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        let launched = launched_by_mpi();
        match launched {
            #[cfg(feature = "mpi")]
            Some(_) => {
                use mpi::traits::Communicator;
                let (universe, _) = mpi::initialize_with_threading(mpi::Threading::Funneled)
                    .ok_or_else(|| EngineError::Mpi("MPI was already initialised in this process".into()))?;
                let world = universe.world();
                let (rank, size) = (world.rank(), world.size());
                Ok(Ctx { rank, size, threads: threads.unwrap_or_else(|| (cores / local_ranks()).max(1)), world: Some(world), _universe: Some(universe) })
            }
            #[cfg(not(feature = "mpi"))]
            Some(n) if n > 1 => Err(EngineError::Mpi(format!(
                "started by an MPI launcher with {n} ranks, but this binary was built without the `mpi` feature; every rank would write the same file. Rebuild with `--features mpi` or run it without mpiexec"
            ))),
            _ => Ok(Ctx {
                rank: 0,
                size: 1,
                threads: threads.unwrap_or(cores + 1).max(1),
                #[cfg(feature = "mpi")]
                world: None,
                #[cfg(feature = "mpi")]
                _universe: None,
            }),
        }
    }

    /// Whether this rank writes output and reports.
    pub fn is_root(&self) -> bool {
        self.rank == 0
    }

    /// Broadcasts bytes from rank 0 (a no-op without MPI).
    pub(crate) fn broadcast_bytes(&self, bytes: Vec<u8>) -> Vec<u8> {
        #[cfg(feature = "mpi")]
        if let Some(w) = &self.world {
            use mpi::traits::*;
            let root = w.process_at_rank(0);
            let mut len = bytes.len() as u64;
            root.broadcast_into(&mut len);
            let mut buf = if self.rank == 0 { bytes } else { vec![0u8; len as usize] };
            root.broadcast_into(&mut buf[..]);
            return buf;
        }
        bytes
    }

    /// Rank 0 shares its decision (a value every rank needs, or why the run stops) with the
    /// other ranks, which call [`Ctx::receive_verdict`]. Without MPI, nothing is sent.
    pub(crate) fn send_verdict<T: serde::Serialize, E: std::fmt::Display>(&self, verdict: &Result<T, E>) -> Result<(), EngineError> {
        if self.size > 1 {
            let message: Result<&T, String> = verdict.as_ref().map_err(ToString::to_string);
            self.broadcast_bytes(super::wire::to_bytes(&message)?);
        }
        Ok(())
    }

    /// On the ranks other than 0: rank 0's decision. A refusal is [`EngineError::RootStopped`]
    /// (rank 0 reports the error itself).
    pub(crate) fn receive_verdict<T: serde::de::DeserializeOwned>(&self) -> Result<T, EngineError> {
        let bytes = self.broadcast_bytes(Vec::new());
        super::wire::from_bytes::<Result<T, String>>(&bytes)
            .map_err(|m| EngineError::Mpi(format!("from rank 0: {m}")))?
            .map_err(|message| EngineError::RootStopped { message })
    }

    /// Waits for every rank.
    pub(crate) fn barrier(&self) {
        #[cfg(feature = "mpi")]
        if let Some(w) = &self.world {
            use mpi::traits::*;
            w.barrier();
        }
    }
}
