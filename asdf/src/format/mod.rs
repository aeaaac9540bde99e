//! The file-format layer: ASDF on HDF5, compatible with pyasdf in both directions.
//!
//! Names, attributes and their exact HDF5 string types, chunking, filters and versions follow
//! pyasdf 0.8.2 (see `shared/docs/pyasdf-reference.md`). No processing logic lives here.

mod adjoint;
mod auxiliary;
mod chunking;
pub(crate) mod codec;
mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod file;
pub(crate) mod h5;
pub use h5::{H5Error, H5ErrorKind};
pub mod inspect;
mod names;
pub(crate) mod rules;
mod shard;
mod station;
mod stationxml;
mod version;
mod waveforms;

pub use adjoint::{specfem_band_code, AdjointSource};
pub use auxiliary::{encode_auxiliary, AuxiliaryArray, AuxiliaryData, AuxiliaryValues, EncodedAuxiliary, Parameter};
pub use chunking::guess_chunk;
pub use error::{FormatError, Result};
pub use file::{AsdfFile, Compression};
pub(crate) use codec::code_chunks_on_this_thread;
pub(crate) use file::summarize;
pub use names::{
    is_valid_auxiliary_segment, is_valid_provenance_name, is_valid_station_name, validate_tag, InvalidTag,
    WaveformName,
};
pub use shard::{merge_shards, MergeSummary, Shard};
pub use station::StationGroup;
pub use stationxml::{station_documents, StationXmlError};
pub use version::FormatVersion;
pub use inspect::{diff, validate, DiffReport, Difference, Finding, Report, Severity};
pub use waveforms::{encode_trace, EncodedTrace, TraceHeader};
#[cfg(feature = "mpi")]
pub(crate) use waveforms::describe_trace;
pub(crate) use waveforms::encode_trace_reusing;
