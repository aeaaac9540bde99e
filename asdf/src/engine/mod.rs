//! The engine: run a function over every station of a data set, the way pyasdf's `process()`
//! and `process_two_files_without_parallel_output()` do, on threads or MPI ranks, with nothing
//! lost (failed jobs are reported, the output appears only when complete, `resume` continues a
//! killed run).
//!
//! ```no_run
//! use asdf::engine::{process, ProcessOptions};
//! use asdf::prelude::*;
//! let opts = ProcessOptions::new([("raw_recording", "processed")]);
//! let summary = process("in.h5", "out.h5", &opts, |mut st: Stream, _inv: Option<Inventory>| {
//!     st.detrend(Detrend::Linear);
//!     Ok::<_, SignalError>(Some(st))
//! })?;
//! println!("{} jobs, {} failed", summary.jobs, summary.failed.len());
//! # Ok::<(), asdf::EngineError>(())
//! ```

pub(crate) mod backend;
pub(crate) mod budget;
mod combine;
mod compare;
mod compare_output;
mod context;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod job;
mod job_output;
mod journal;
mod options;
pub(crate) mod output;
pub(crate) mod plan;
mod process;
pub(crate) mod products;
pub(crate) mod progress;
pub(crate) mod scheduler;
mod summary;
mod user_fn;
mod wire;

pub use backend::{launched_by_mpi, Ctx};
pub use budget::{parse_size, MemoryBudget, Reservation, BYTES_PER_SAMPLE};
pub use combine::{combine, combine_with, CombineOptions};
pub use compare::{compare, compare_with, CompareOptions, CompareSummary};
pub use compare_output::{CompareReturn, FallibleReturn, PlainReturn};
pub use context::{Geometry, JobContext, StationFn, StreamAndInventory, WithContext};
pub use job::StationOutput;
pub use job_output::{IntoJobOutput, JobOutput};
pub use options::ProcessOptions;
pub use plan::{plan_jobs, Job};
pub use process::{process, process_with};
pub use summary::{JobFailure, Summary};
pub use user_fn::install_panic_hook;

use std::path::PathBuf;

/// Errors that stop a run (per-job failures do not: they are collected in the summary).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The input or output file.
    #[error(transparent)]
    Format(#[from] crate::format::FormatError),
    /// The output exists and no `--resume` was asked for.
    #[error("{path}: already exists; refusing to overwrite it (remove it or choose another output name)")]
    OutputExists {
        /// The file.
        path: PathBuf,
    },
    /// No station has a waveform tag of the tag map.
    #[error("{input}: no data matching the tag map: no station has a waveform tag among {{{tags}}} (tags in the file: {available})")]
    NoMatchingJobs {
        /// The input file.
        input: PathBuf,
        /// The tags asked for.
        tags: String,
        /// What the file has instead, for the message.
        available: String,
    },
    /// A multi-input job's inputs have no station in common.
    #[error("no station is in every input ({inputs}); a multi-input job runs over the stations all its inputs share")]
    NoCommonStations {
        /// The inputs, comma-separated.
        inputs: String,
    },
    /// A journal says an earlier run into this output was interrupted.
    #[error("{journal}: a previous run into {output} was interrupted; rerun with --resume to continue it, or delete the journal to start over")]
    UnfinishedRun {
        /// The journal file.
        journal: PathBuf,
        /// The output file.
        output: PathBuf,
    },
    /// The journal cannot be read or written.
    #[error("{journal}: {message}")]
    Journal {
        /// The journal file.
        journal: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The output cannot be written.
    #[error("{path}: cannot write the output: {message}")]
    Output {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The tag map breaks the tag rules.
    #[error("invalid tag map: {0}")]
    TagMap(String),
    /// MPI failed, or a message between ranks was damaged.
    #[error("MPI: {0}")]
    Mpi(String),
    /// Options that cannot go together, or need what this run lacks.
    #[error("{0}")]
    Usage(&'static str),
    /// On ranks other than 0: rank 0 refused the run (its own error says why, on its stderr).
    #[error("rank 0 stopped the run: {message}")]
    RootStopped {
        /// What is wrong.
        message: String,
    },
}
