//! `compare`: a function over the two station groups of every station present in two files,
//! results gathered on rank 0 (pyasdf's `process_two_files_without_parallel_output`, but also
//! without MPI, and reporting stations found in only one file).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::format::{AsdfFile, StationGroup};

use super::backend::Ctx;
use super::user_fn::call_user;
use super::progress::Progress;
use super::scheduler::{run_jobs, Finished, Outcome, Payload};
use super::plan::selected;
use super::summary::{report, JobFailure};
use super::EngineError;

/// Settings of a `compare` run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CompareOptions {
    /// Station patterns; empty = all common stations.
    pub stations: Vec<String>,
    /// Worker threads per process (default: see [`Ctx::detect`](super::Ctx::detect)).
    pub threads: Option<usize>,
    /// No progress bar and no per-job error lines.
    pub quiet: bool,
}

/// What a comparison produced (complete on rank 0).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct CompareSummary {
    /// Result per station, as JSON values, sorted by station.
    pub results: BTreeMap<String, serde_json::Value>,
    /// Stations only in the first file.
    pub only_in_first: Vec<String>,
    /// Stations only in the second file.
    pub only_in_second: Vec<String>,
    /// The stations whose function failed, sorted.
    pub failed: Vec<JobFailure>,
    /// Wall-clock time of the run.
    pub seconds: f64,
    /// The first input.
    pub first: PathBuf,
    /// The second input.
    pub second: PathBuf,
}

/// Runs `f` over every station common to `first` and `second` (detects MPI).
///
/// ```no_run
/// use asdf::engine::{compare, CompareOptions};
/// let s = compare("obs.h5", "syn.h5", &CompareOptions::default(), |a, b| {
///     Ok::<_, asdf::FormatError>(a.tags()?.len() + b.tags()?.len())
/// })?;
/// println!("{}", serde_json::to_string_pretty(&s.results).unwrap());
/// # Ok::<(), asdf::EngineError>(())
/// ```
pub fn compare<F, T, E>(first: impl AsRef<Path>, second: impl AsRef<Path>, opts: &CompareOptions, f: F) -> Result<CompareSummary, EngineError>
where
    F: Fn(&StationGroup<'_>, &StationGroup<'_>) -> Result<T, E> + Sync,
    T: serde::Serialize,
    E: std::fmt::Display,
{
    let ctx = Ctx::detect(opts.threads)?;
    compare_with(&ctx, first.as_ref(), second.as_ref(), opts, f)
}

/// [`compare`] in an existing context.
pub fn compare_with<F, T, E>(ctx: &Ctx, first: &Path, second: &Path, opts: &CompareOptions, f: F) -> Result<CompareSummary, EngineError>
where
    F: Fn(&StationGroup<'_>, &StationGroup<'_>) -> Result<T, E> + Sync,
    T: serde::Serialize,
    E: std::fmt::Display,
{
    let start = Instant::now();
    let a = AsdfFile::open(first)?;
    let b = AsdfFile::open(second)?;
    let keep = |n: &String| selected(&opts.stations, n);
    let sa: Vec<String> = a.station_names()?.into_iter().filter(keep).collect();
    let sb: Vec<String> = b.station_names()?.into_iter().filter(keep).collect();
    let common: Vec<String> = sa.iter().filter(|s| sb.contains(s)).cloned().collect();
    let mut summary = CompareSummary {
        only_in_first: sa.iter().filter(|s| !sb.contains(s)).cloned().collect(),
        only_in_second: sb.iter().filter(|s| !sa.contains(s)).cloned().collect(),
        first: first.to_path_buf(),
        second: second.to_path_buf(),
        ..CompareSummary::default()
    };
    let work = |i: usize| -> Outcome {
        let name = &common[i];
        let groups = a.station(name).and_then(|ga| Ok((ga, b.station(name)?)));
        let (ga, gb) = match groups {
            Ok(g) => g,
            Err(e) => return Outcome::Failed(format!("reading input: {e}")),
        };
        match call_user(|| f(&ga, &gb)) {
            Ok(Ok(v)) => match serde_json::to_vec(&v) {
                Ok(bytes) => Outcome::Done(Payload::Json(bytes)),
                Err(e) => Outcome::Failed(format!("cannot serialise the result: {e}")),
            },
            Ok(Err(e)) => Outcome::Failed(e.to_string()),
            Err(panic) => Outcome::Failed(panic),
        }
    };
    let mut progress = Progress::new(common.len(), opts.quiet || !ctx.is_root(), "stations");
    {
        let mut sink = |fin: Finished| -> Result<(), EngineError> {
            progress.tick();
            let name = common.get(fin.job).cloned().ok_or_else(|| EngineError::Mpi(format!("rank {} finished job {}, which was never planned", fin.rank, fin.job)))?;
            match fin.outcome {
                Outcome::Done(payload) => {
                    let bad = |e: String| EngineError::Mpi(format!("a damaged result from rank {}: {e}", fin.rank));
                    let v = serde_json::from_slice(payload.json().map_err(bad)?).map_err(|e| bad(e.to_string()))?;
                    summary.results.insert(name, v);
                }
                Outcome::Nothing => {
                    summary.results.insert(name, serde_json::Value::Null);
                }
                Outcome::Failed(message) => {
                    report(&mut summary.failed, JobFailure { station: name, tag: String::new(), rank: fin.rank, message }, opts.quiet);
                }
            }
            Ok(())
        };
        run_jobs(ctx, (0..common.len()).collect(), &work, &mut sink)?;
    }
    drop((a, b));
    ctx.barrier();
    summary.failed.sort_by(|x, y| x.station.cmp(&y.station));
    summary.seconds = start.elapsed().as_secs_f64();
    Ok(summary)
}
