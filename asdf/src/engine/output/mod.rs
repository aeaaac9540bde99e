//! Where a `process` run's results go, behind one trait ([`Output`]):
//! - [`journaled`]: the default. Rank 0's main thread is the only writer; every job's result is
//!   journalled once written, so a killed run resumes (`--resume`).
//! - [`parallel`] (feature `mpi`): every rank writes its own results with parallel HDF5, in
//!   rounds of collective calls; no journal.
//!
//! Both write into `OUT.partial` and move it to `OUT` only when complete.

pub(crate) mod journaled;
#[cfg(feature = "mpi")]
pub(crate) mod parallel;

use std::path::{Path, PathBuf};

use crate::format::{AsdfFile, Shard};

use super::plan::{run_stations, Job};
use super::EngineError;

/// A run's output.
pub(crate) trait Output {
    /// What a finished job hands this output.
    type Result;

    /// Takes one finished job: its result, or `None` when the function returned nothing.
    fn accept(&mut self, job: &Job, result: Option<Self::Result>) -> Result<Accepted, EngineError>;

    /// Completes the output: closes it and moves it into place.
    fn finish(self) -> Result<(), EngineError>;

    /// Stops without completing: what was written stays for `--resume` (or, without a journal,
    /// under its temporary name).
    fn abandon(self);
}

/// What became of a finished job's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Accepted {
    /// Written (and journalled).
    Written(Written),
    /// Not written, for this reason (it would overwrite another job's output): that job fails.
    Refused(String),
}

/// What one job wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Written {
    /// Traces.
    pub(crate) traces: usize,
    /// Auxiliary arrays.
    pub(crate) auxiliary: usize,
}

/// Finishes `output` if the run went well, else abandons it and returns the run's error.
pub(crate) fn close<O: Output>(output: O, run: Result<(), EngineError>) -> Result<(), EngineError> {
    match run {
        Ok(()) => output.finish(),
        Err(e) => {
            output.abandon();
            Err(e)
        }
    }
}

/// Refuses to start a run whose output exists, or whose earlier run was interrupted (unless
/// resuming it).
pub(crate) fn check_can_start(output: &Path, resume: bool) -> Result<(), EngineError> {
    if output.exists() {
        return Err(EngineError::OutputExists { path: output.to_path_buf() });
    }
    check_no_unfinished_run(output, resume)
}

/// Refuses to start a run into `output` while an earlier one was interrupted (unless resuming it).
pub(crate) fn check_no_unfinished_run(output: &Path, resume: bool) -> Result<(), EngineError> {
    if !resume {
        let journal = journal_path(output);
        if let Some(journal) = [prev_path(&journal), journal].into_iter().find(|j| j.exists()) {
            return Err(EngineError::UnfinishedRun { journal, output: output.to_path_buf() });
        }
    }
    Ok(())
}

/// As pyasdf: every selected station's StationXML and the events travel to the output (in a
/// job array, those of the shard's stations, and the output is marked as the shard's).
pub(crate) fn copy_station_metadata(src: &AsdfFile, file: &mut AsdfFile, stations: &[String], shard: Option<Shard>) -> Result<(), EngineError> {
    let names = run_stations(src, stations, shard)?;
    file.expect_stations(names.len() as u64);
    for name in names {
        // Each job parses its station's document and reports it if it does not parse; one that
        // cannot even be read (not 1-D bytes, a dangling link) fails that job the same way.
        if let Ok(Some(doc)) = src.station(&name)?.stationxml_document() {
            file.copy_stationxml(&name, &doc.bytes, doc.stored.as_ref())?;
        }
    }
    if let Some(ev) = src.events()? {
        if !ev.as_bytes().is_empty() {
            file.put_quakeml_bytes(ev.as_bytes())?;
        }
    }
    if let Some(s) = shard {
        file.mark_shard(s)?;
    }
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// `OUT.journal`: which jobs are written, and where their chunks are.
pub(crate) fn journal_path(output: &Path) -> PathBuf {
    with_suffix(output, ".journal")
}

/// `OUT.partial`: the output until it is complete.
pub(crate) fn partial_path(output: &Path) -> PathBuf {
    with_suffix(output, ".partial")
}

/// `<path>.prev`: where `--resume` keeps an interrupted run's files until their results have
/// been copied into the new output.
pub(crate) fn prev_path(path: &Path) -> PathBuf {
    with_suffix(path, ".prev")
}
