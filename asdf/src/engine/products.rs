//! What a finished job hands the writer: its output, encoded on the worker's thread.

use std::borrow::Cow;

use crate::format::{EncodedAuxiliary, EncodedTrace};

/// A job's output ready for writing: traces and auxiliary arrays with their chunks compressed,
/// and its record as JSON (multi-input jobs; `process` jobs have traces only).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Products {
    pub(crate) traces: Vec<EncodedTrace>,
    pub(crate) auxiliary: Vec<EncodedAuxiliary>,
    pub(crate) record: Option<Vec<u8>>,
}

impl Products {
    /// Traces alone (a `process` job).
    pub(crate) fn traces(traces: Vec<EncodedTrace>) -> Self {
        Products { traces, ..Products::default() }
    }

    /// About how large a result message holding these is.
    #[cfg_attr(not(feature = "mpi"), allow(dead_code))]
    pub(crate) fn message_size(&self) -> usize {
        let traces: usize = self.traces.iter().map(|t| t.stored_bytes() + 16 * t.chunks.len() + 512).sum();
        let auxiliary: usize = self.auxiliary.iter().map(|a| a.stored_bytes() + 16 * a.chunks.len() + 512).sum();
        traces + auxiliary + self.record.as_ref().map_or(0, Vec::len) + 16
    }

    /// The products with their chunks borrowed (never copied).
    pub(crate) fn borrowed(&self) -> Borrowed<'_> {
        Borrowed {
            traces: self.traces.iter().map(|t| (Cow::Borrowed(t), t.chunks.iter().map(Vec::as_slice).collect())).collect(),
            auxiliary: self.auxiliary.iter().map(|a| (Cow::Borrowed(a), a.chunks.iter().map(Vec::as_slice).collect())).collect(),
            record: self.record.as_deref(),
        }
    }
}

/// A job's products as the writer takes them, wherever the chunks are held (in the products,
/// in a result message from another rank, or read back from an interrupted run's output).
#[derive(Debug, Default)]
pub(crate) struct Borrowed<'a> {
    pub(crate) traces: Vec<(Cow<'a, EncodedTrace>, Vec<&'a [u8]>)>,
    pub(crate) auxiliary: Vec<(Cow<'a, EncodedAuxiliary>, Vec<&'a [u8]>)>,
    pub(crate) record: Option<&'a [u8]>,
}
