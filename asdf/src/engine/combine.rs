//! `combine`: one function over the groups of each station in several files (observed and
//! synthetic, say), whose [`JobOutput`] goes to one new ASDF file: waveforms, auxiliary data
//! and adjoint sources, with every station's record gathered into JSON.
//!
//! The same pipeline as [`process`](super::process()) (see there): rank 0 plans, the journaled
//! single writer (journal, `resume`), jobs on every rank's threads, failures isolated, the output
//! moved into place only when complete. A job is a station present in every input; the others
//! are listed in the summary.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::format::{AsdfFile, FormatVersion, StationGroup};
use crate::model::event::Event;

use super::backend::{local_ranks, Ctx};
use super::budget::{MemoryBudget, BYTES_PER_SAMPLE};
use super::context::{file_events, JobContext};
use super::job_output::IntoJobOutput;
use super::output::{self, journaled};
use super::plan::{selected, Job};
use super::progress::Progress;
use super::scheduler::{run_jobs, Finished, Outcome, Payload};
use super::summary::Summary;
use super::user_fn::call_user;
use super::EngineError;
use crate::format::Compression;

/// Settings of a [`combine`] run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CombineOptions {
    /// Station patterns (`NET.STA`, wildcards `*` `?`); empty = every station in all inputs.
    pub stations: Vec<String>,
    /// Worker threads per process (default: see [`Ctx::detect`]).
    pub threads: Option<usize>,
    /// Output compression (default gzip-3 + shuffle + fletcher32, as pyasdf).
    pub compression: Compression,
    /// Job memory one process may use at once, in bytes (see [`MemoryBudget`]).
    pub memory_budget: Option<u64>,
    /// Continue an interrupted run from its journal.
    pub resume: bool,
    /// In a job array: the shard of the stations this run processes (see
    /// [`Shard`](crate::format::Shard); join the outputs with `asdf merge`).
    pub shard: Option<crate::format::Shard>,
    /// No progress bar and no per-job error lines.
    pub quiet: bool,
}

/// The plan rank 0 shares: the jobs, and the stations some inputs lack.
type Plan = (Vec<Job>, Vec<(String, Vec<usize>)>);

/// Runs `f` over every station present in all of `inputs`, writing what it returns to `output`
/// (see the module docs). Detects MPI. `f` gets the station's group in each input, in order,
/// and the job's [`JobContext`] (the event of the first input that has events, the station's
/// coordinates from the first input with its StationXML).
///
/// ```no_run
/// use asdf::engine::{combine, CombineOptions, JobContext, JobOutput};
/// use asdf::StationGroup;
///
/// let summary = combine(&["obs.h5", "syn.h5"], "out.h5", &CombineOptions::default(), |groups: &[StationGroup<'_>], _ctx: &JobContext<'_>| {
///     let (obs, syn) = (&groups[0], &groups[1]);
///     let traces = obs.stream("raw_recording")?.len() + syn.stream("synthetic")?.len();
///     Ok::<_, asdf::FormatError>(JobOutput::new().with_record(&traces))
/// })?;
/// println!("{}", serde_json::to_string_pretty(&summary.records).unwrap());
/// # Ok::<(), asdf::EngineError>(())
/// ```
pub fn combine<F, R>(inputs: &[impl AsRef<Path>], output: impl AsRef<Path>, opts: &CombineOptions, f: F) -> Result<Summary, EngineError>
where
    F: Fn(&[StationGroup<'_>], &JobContext<'_>) -> R + Sync,
    R: IntoJobOutput,
{
    let ctx = Ctx::detect(opts.threads)?;
    let inputs: Vec<PathBuf> = inputs.iter().map(|p| p.as_ref().to_path_buf()).collect();
    combine_with(&ctx, &inputs, output.as_ref(), opts, f)
}

/// [`combine`] in an existing context (the generated `main` creates it once).
pub fn combine_with<F, R>(ctx: &Ctx, inputs: &[PathBuf], output: &Path, opts: &CombineOptions, f: F) -> Result<Summary, EngineError>
where
    F: Fn(&[StationGroup<'_>], &JobContext<'_>) -> R + Sync,
    R: IntoJobOutput,
{
    let start = Instant::now();
    // 1. Plan on rank 0; every rank learns it, or why the run stops.
    let (jobs, incomplete): Plan = if ctx.is_root() {
        let plan = plan_root(inputs, output, opts);
        ctx.send_verdict(&plan)?;
        plan?
    } else {
        ctx.receive_verdict()?
    };
    let files = inputs.iter().map(AsdfFile::open).collect::<Result<Vec<_>, _>>()?;
    let events: Vec<Event> = files.iter().map(|f| file_events(ctx, f)).find(|e| !e.is_empty()).unwrap_or_default();
    let version = files.iter().map(AsdfFile::version).max().unwrap_or(FormatVersion::V1_0_3).max(FormatVersion::V1_0_3);
    let budget = opts.memory_budget.or_else(|| MemoryBudget::default_for(local_ranks())).map(MemoryBudget::new);
    let mut summary = Summary {
        jobs: jobs.len(),
        output: output.to_path_buf(),
        ranks: ctx.size,
        threads: ctx.threads,
        memory_budget: budget.as_ref().map(MemoryBudget::limit),
        incomplete,
        ..Summary::default()
    };

    // 2. Open the output (StationXML of every job's station and the events copied first).
    let metadata = |file: &mut AsdfFile| {
        copy_metadata(&files, &jobs, file)?;
        match opts.shard {
            Some(s) => Ok(file.mark_shard(s)?),
            None => Ok(()),
        }
    };
    let settings = journaled::Settings { resume: opts.resume, compression: opts.compression, metadata: &metadata, shared_names: true, base: None };
    let (writer, pending) = journaled::open(ctx, output, &settings, &jobs)?;
    summary.resumed = jobs.len() - pending.len();

    // 4-5. On the worker threads: read the station in every input, call, encode.
    let work = |i: usize| -> Outcome {
        let job = &jobs[i];
        let _held = budget.as_ref().map(|b| b.reserve(job.samples.saturating_mul(BYTES_PER_SAMPLE)));
        let groups = match files.iter().map(|file| file.station(&job.station)).collect::<Result<Vec<_>, _>>() {
            Ok(g) => g,
            Err(e) => return Outcome::Failed(format!("reading input: {e}")),
        };
        let jc = JobContext {
            station: &job.station,
            tag: "",
            events: &events,
            event: if events.len() == 1 { events.first() } else { None },
            coordinates: groups.iter().find_map(|g| g.coordinates().ok().flatten()),
        };
        match call_user(|| f(&groups, &jc).into_job_output()) {
            Ok(Ok(Some(out))) if !out.is_empty() => match out.encode(&job.station, version, opts.compression) {
                Ok(products) => Outcome::Done(Payload::Products(products)),
                Err(m) => Outcome::Failed(m),
            },
            Ok(Ok(_)) => Outcome::Nothing,
            Ok(Err(m)) | Err(m) => Outcome::Failed(m),
        }
    };

    // 6-7. On rank 0's main thread: write, journal, count.
    let mut progress = Progress::new(pending.len(), opts.quiet || !ctx.is_root(), "stations");
    let result = match writer {
        Some(mut writer) => {
            let mut sink = |fin: Finished| -> Result<(), EngineError> {
                progress.tick();
                writer.take(&jobs, fin, &mut summary, opts.quiet)
            };
            // 3. Schedule.
            let run = run_jobs(ctx, pending, &work, &mut sink);
            for (station, bytes) in writer.records() {
                let value = serde_json::from_slice(bytes).map_err(|e| EngineError::Journal { journal: output::journal_path(output), message: format!("the record of {station}: {e}") });
                summary.records.insert(station.clone(), value?);
            }
            output::close(writer, run)
        }
        None => run_jobs(ctx, pending, &work, &mut |_| Err(EngineError::Mpi("a result reached a rank that does not write".into()))),
    };
    drop(files);
    ctx.barrier();
    result?;
    Ok(summary.finish(start))
}

/// Rank 0's checks and plan: the stations in every input (selected), largest first.
fn plan_root(inputs: &[PathBuf], output: &Path, opts: &CombineOptions) -> Result<Plan, EngineError> {
    if inputs.len() < 2 {
        return Err(EngineError::Usage("a multi-input job needs at least two input files"));
    }
    output::check_can_start(output, opts.resume)?;
    let files = inputs.iter().map(AsdfFile::open).collect::<Result<Vec<_>, _>>()?;
    let mut names = Vec::with_capacity(files.len());
    for file in &files {
        let mut n = file.station_names()?;
        n.retain(|s| selected(&opts.stations, s));
        n.sort();
        names.push(n);
    }
    let mut all: Vec<&String> = names.iter().flatten().collect();
    all.sort();
    all.dedup();
    // A shard with no station of its own still writes its (empty) output, if the run has any.
    let whole_run_has_jobs = all.iter().any(|s| names.iter().all(|n| n.binary_search(s).is_ok()));
    if let Some(s) = opts.shard {
        all = all.into_iter().enumerate().filter(|(p, _)| s.holds(*p)).map(|(_, n)| n).collect();
    }
    let (mut jobs, mut incomplete) = (Vec::new(), Vec::new());
    for station in all {
        let lacking: Vec<usize> = names.iter().enumerate().filter(|(_, n)| n.binary_search(station).is_err()).map(|(i, _)| i).collect();
        if lacking.is_empty() {
            // Samples to read, for the memory budget and the order (a damaged header counts 0
            // here and fails its job when read).
            let samples = files.iter().filter_map(|f| f.station(station).ok()).map(|g| g.tags().unwrap_or_default().iter().map(|t| g.samples_for_tag(t).unwrap_or(0)).sum::<u64>()).sum();
            jobs.push(Job { station: station.clone(), tag: String::new(), samples });
        } else {
            incomplete.push((station.clone(), lacking));
        }
    }
    if !whole_run_has_jobs {
        return Err(EngineError::NoCommonStations { inputs: inputs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ") });
    }
    jobs.sort_by(|a, b| b.samples.cmp(&a.samples).then_with(|| a.station.cmp(&b.station)));
    Ok((jobs, incomplete))
}

/// Each job station's StationXML (from the first input that has it) and the first input's
/// events that has any.
fn copy_metadata(files: &[AsdfFile], jobs: &[Job], out: &mut AsdfFile) -> Result<(), EngineError> {
    for job in jobs {
        let doc = files.iter().find_map(|f| f.station(&job.station).ok()?.stationxml_document().ok().flatten());
        if let Some(doc) = doc {
            out.copy_stationxml(&job.station, &doc.bytes, doc.stored.as_ref())?;
        }
    }
    for f in files {
        if let Some(ev) = f.events()? {
            if !ev.as_bytes().is_empty() {
                out.put_quakeml_bytes(ev.as_bytes())?;
                break;
            }
        }
    }
    Ok(())
}
