//! The settings of a `process` run.

use crate::format::Compression;

/// Settings of a `process` run.
///
/// ```
/// use asdf::engine::ProcessOptions;
/// let mut o = ProcessOptions::new([("raw_recording", "processed")]);
/// o.stations = vec!["XX.*".into()];
/// o.channels = Some("HH?".into());
/// assert_eq!(o.tag_map[0], ("raw_recording".to_string(), "processed".to_string()));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessOptions {
    /// Input tag -> output tag; several mappings may run in one pass.
    pub tag_map: Vec<(String, String)>,
    /// Station patterns (`NET.STA`, wildcards `*` `?`); empty = all.
    pub stations: Vec<String>,
    /// Channel-code pattern; traces not matching are not passed to the function.
    pub channels: Option<String>,
    /// Worker threads per process (default: one more than the cores, so that a worker waiting
    /// for HDF5 leaves no core idle; under MPI the cores are shared between the ranks of a node).
    pub threads: Option<usize>,
    /// Output compression (default gzip-3 + shuffle + fletcher32, as pyasdf's serial path).
    pub compression: Compression,
    /// Job memory one process may use at once, in bytes (see
    /// [`MemoryBudget`](super::MemoryBudget)); default half the memory available at start,
    /// shared by the ranks of a node.
    pub memory_budget: Option<u64>,
    /// Continue an interrupted run from its journal.
    pub resume: bool,
    /// Under MPI, every rank writes its own results with parallel HDF5 (MPI-IO) instead of
    /// sending them to rank 0's writer (see `engine/output/parallel.rs`). Needs the `mpi`
    /// feature and an MPI launch; no journal, so not with `resume`.
    pub parallel_output: bool,
    /// In a job array: the shard of the stations this run processes into its own output (see
    /// [`Shard`](crate::format::Shard); join the outputs with `asdf merge`).
    pub shard: Option<crate::format::Shard>,
    /// No progress output.
    pub quiet: bool,
}

impl ProcessOptions {
    /// Options with a tag map and defaults for everything else.
    pub fn new<A: Into<String>, B: Into<String>>(tag_map: impl IntoIterator<Item = (A, B)>) -> Self {
        ProcessOptions {
            tag_map: tag_map.into_iter().map(|(a, b)| (a.into(), b.into())).collect(),
            stations: Vec::new(),
            channels: None,
            threads: None,
            compression: Compression::default(),
            memory_budget: None,
            resume: false,
            parallel_output: false,
            shard: None,
            quiet: false,
        }
    }
}
