//! Ingest (and export): archives of miniSEED (files, directories, globs, SDS trees) and SAC with their StationXML and
//! QuakeML into ASDF, as ObsPy's `read` + pyasdf's `add_waveforms` would store them, on every
//! core and resumable.
//!
//! The layers of an import, each a file:
//! - [`mseed`]: the libmseed boundary (record headers and samples, every encoding);
//! - [`sac`]: SAC binary files, as ObsPy reads them;
//! - [`archive`]: inputs expanded into files, and the scan of their record headers into the
//!   plan (no sample decoded);
//! - [`assemble`]: records into traces by ObsPy's rules (gaps and overlaps kept apart);
//! - [`import`]: the run: one job per station on the engine's workers, rank 0's journaled
//!   writer, damaged files reported and skipped;
//! - [`export`]: the way back, ASDF waveforms to miniSEED files.
//!
//! ```no_run
//! use asdf::ingest::{import, ImportOptions};
//! let opts = ImportOptions { stationxml: vec!["stations/".into()], ..ImportOptions::default() };
//! let report = import("out.h5".as_ref(), &["archive/".into()], &opts)?;
//! println!("{} traces from {} files", report.run.traces_written, report.files);
//! # Ok::<(), asdf::ingest::IngestError>(())
//! ```

pub mod archive;
mod assemble;
pub mod export;
pub mod import;
pub mod mseed;
pub mod sac;

use std::path::PathBuf;

pub use archive::{expand_inputs, scan, sds_files, ChannelSpan, Found, ScannedFile, Selection};
pub use export::{export, ExportFormat, ExportOptions, ExportReport};
pub use import::{import, import_with, ImportOptions, ImportReport, Problem};
pub use sac::{is_sac, read_sac, sac_coordinates, sac_event, write_sac, SacCoordinates, SacEvent, SacTrace};
pub use mseed::{decode_record, pack_trace, read_records, scan_records, Damage, PackSamples, ReadRecords, RecordHeader, RecordSamples, Scanned};

/// Why an import cannot start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// An input path that cannot be used.
    #[error("{path}: {message}")]
    Input {
        /// The path given.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A StationXML or QuakeML file that does not parse.
    #[error("{path}: {message}")]
    Metadata {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// Options that do not go together, or name something absent.
    #[error("{0}")]
    Usage(String),
    /// The engine stopped (output exists, an interrupted run, an HDF5 error while writing...).
    #[error(transparent)]
    Engine(#[from] crate::engine::EngineError),
    /// The output file could not be opened or written.
    #[error(transparent)]
    Format(#[from] crate::format::FormatError),
}
