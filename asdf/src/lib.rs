//! # asdf
//!
//! Read and write ASDF (Adaptable Seismic Data Format) files compatibly with pyasdf, process
//! waveforms with ObsPy-equivalent operations, and run one function over every station of a file
//! on all cores (rayon) or many machines (MPI).
//!
//! Layers, one module each:
//! - [`geodetics`]: distances and azimuths with ObsPy's names and numbers (`gps2dist_azimuth`,
//!   `locations2degrees`, ...);
//! - [`model`]: [`Trace`], [`Stream`], [`UtcTime`], [`Inventory`] with full responses, [`Events`]
//!   (imports nothing above it);
//! - [`signal`]: detrend, taper, Butterworth filters, `remove_response`, resampling, ... (on the model);
//! - [`format`](mod@format): ASDF on HDF5, in three layers: `format::codec` (shuffle, deflate,
//!   fletcher32, pure), `format::h5` (the only code that calls libhdf5), and ASDF itself (names,
//!   attributes, waveforms, StationXML/QuakeML, auxiliary data; [`format::inspect`] validates and
//!   compares files);
//! - [`engine`]: `process` and `compare` over every station, sequential, threads or MPI ranks;
//! - [`ingest`]: `asdf import` and `asdf export`: miniSEED (through libmseed) and SAC archives
//!   into ASDF as ObsPy + pyasdf store them, and back, on the engine's workers;
//! - [`testing`]: the sample data set and fixtures;
//! - `cli` (feature `cli`): the command line of generated job binaries and of the `asdf` tool, and
//!   the process-wide settings (allocator, panic hook, thread pool) that only a program makes.
//!
//! Each layer imports only the ones listed before it (`tests/tests/layers.rs` checks it).
//!
//! ## Crate feature flags
//! - `mpi` (default): MPI ranks as an engine backend (needs MPICH and parallel HDF5 to build).
//!   Without it (`--no-default-features --features macros`) everything runs on rayon threads.
//! - `macros` (default): [`station_processor`]; turns on `cli`.
//! - `cli`: the command lines (clap).
//! - `fuzzing`: entry points for the fuzz targets.
//!
//! ```no_run
//! use asdf::prelude::*;
//! let ds = AsdfFile::open("input.h5")?;
//! let sta = ds.station("XX.S0000")?;
//! let mut st = sta.stream("raw_recording")?;
//! st.detrend(Detrend::Linear);
//! st.taper(0.05, Taper::Hann);
//! st.bandpass(1.0, 10.0, 4, true)?;
//! # Ok::<(), asdf::Error>(())
//! ```
#![warn(missing_docs)]

#[cfg(feature = "cli")]
pub mod cli;
pub mod engine;
pub mod format;
pub mod geodetics;
pub mod ingest;
pub mod model;
pub mod signal;
pub mod testing;
mod xml;

#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod __private;

pub use format::{AsdfFile, Compression, FormatError, FormatVersion, StationGroup};
pub use model::event::{Event, Events, Magnitude, Origin};
pub use model::inventory::{Channel, Coordinates, Inventory, Network, Station};
pub use model::response::Response;
pub use model::stream::{wildcard_match, Stream};
pub use model::time::UtcTime;
pub use model::trace::{AsdfStats, ByteOrder, Samples, Stats, Trace};
pub use signal::SignalError;
pub use engine::EngineError;

#[cfg(feature = "macros")]
#[doc = include_str!("station_processor.md")]
pub use asdf_macros::station_processor;

// The README's code blocks are compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

/// The types a processing function and its tests usually need.
pub mod prelude {
    pub use crate::engine::{JobContext, JobOutput};
    pub use crate::format::{AdjointSource, AsdfFile, AuxiliaryArray, Compression, StationGroup};
    pub use crate::geodetics::{degrees2kilometers, gps2dist_azimuth, kilometers2degrees, locations2degrees};
    pub use crate::model::event::Events;
    pub use crate::model::inventory::Inventory;
    pub use crate::model::stream::Stream;
    pub use crate::model::time::UtcTime;
    pub use crate::model::trace::{Samples, Stats, Trace};
    pub use crate::signal::{Decimate, Detrend, Fill, FilterKind, Interpolation, Merge, MergeMethod, RemoveResponse, Resample, ResponseOutput, Side, SignalError, Taper, Trim};
}

/// Any error of this crate: one variant per layer, each naming the file, station or trace.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// A signal operation.
    #[error(transparent)]
    Signal(#[from] SignalError),
    /// A run of the engine.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
