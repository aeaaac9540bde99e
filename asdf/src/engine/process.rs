//! `process`: one function over every (station, tag) job of a file, output to a new file.
//!
//! The whole run, in order (each step a module of its own):
//! 1. **plan** ([`plan`](super::plan)): rank 0 checks the options and the output, lists the jobs
//!    (largest first) and shares the plan, or why it refuses, with every rank;
//! 2. **open the output** ([`output`](super::output)): the journaled single writer on rank 0,
//!    which says which jobs a resumed run still needs; or every rank's parallel output;
//! 3. **schedule** ([`scheduler`](super::scheduler)): jobs handed to every rank's worker threads;
//! 4. **run the function** ([`job`](super::job)): read the station, call the function (its
//!    panics caught there, and only there), check what it returned;
//! 5. **encode** ([`job::encode`](super::job)): compress the result on the worker's thread;
//! 6. **write** ([`Output::accept`](super::output::Output)): rank 0's main thread (or, with
//!    parallel output, every rank in rounds) writes it and journals it;
//! 7. **summary** ([`Summary`]): every job counted once, failures reported as they come and
//!    listed at the end; the output moved into place only when complete.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use crate::format::AsdfFile;
use crate::model::event::Event;

use super::backend::{launched_by_mpi, local_ranks, Ctx};
use super::budget::{MemoryBudget, BYTES_PER_SAMPLE};
use super::context::{file_events, StationFn};
use super::job::{encode, run_function, Computed};
use super::options::ProcessOptions;
use super::output::{self, journaled};
use super::products::Products;
use super::plan::{check_tag_map, plan_jobs, Job};
use super::progress::Progress;
use super::scheduler::{run_jobs, Finished, Outcome, Payload};
use super::summary::Summary;
use super::EngineError;

/// Runs `f` over every job of `input`, writing to `output` (see the module docs). Detects MPI.
///
/// `f` is `fn(Stream, Option<Inventory>) -> R` or `fn(Stream, Option<Inventory>, &JobContext) -> R`
/// (see [`StationFn`]), `R` an `Option<Stream>` or a `Result` of one.
pub fn process<F, M>(input: impl AsRef<Path>, output: impl AsRef<Path>, opts: &ProcessOptions, f: F) -> Result<Summary, EngineError>
where
    F: StationFn<M>,
{
    let ctx = Ctx::detect(opts.threads)?;
    process_with(&ctx, input.as_ref(), output.as_ref(), opts, f)
}

/// [`process`] in an existing context (the generated `main` creates it once).
pub fn process_with<F, M>(ctx: &Ctx, input: &Path, output: &Path, opts: &ProcessOptions, f: F) -> Result<Summary, EngineError>
where
    F: StationFn<M>,
{
    let start = Instant::now();
    // 1. Plan: rank 0 decides, every rank learns the outcome, so all run or none.
    let jobs: Vec<Job> = if ctx.is_root() {
        let plan = plan_root(input, output, opts);
        ctx.send_verdict(&plan)?;
        plan?
    } else {
        ctx.receive_verdict()?
    };
    let src = AsdfFile::open(input)?;
    let events = file_events(ctx, &src);
    let budget = opts.memory_budget.or_else(|| MemoryBudget::default_for(local_ranks())).map(MemoryBudget::new);
    let mut summary = Summary {
        jobs: jobs.len(),
        output: output.to_path_buf(),
        ranks: ctx.size,
        threads: ctx.threads,
        memory_budget: budget.as_ref().map(MemoryBudget::limit),
        ..Summary::default()
    };

    let result = if opts.parallel_output {
        // 2-7 in rounds, every rank writing (see `output/parallel.rs`).
        parallel(ctx, &src, &jobs, &events, output, opts, &f, &mut summary)
    } else {
        // 2. Open the output; learn which jobs a resumed run still needs.
        let metadata = |file: &mut AsdfFile| output::copy_station_metadata(&src, file, &opts.stations, opts.shard);
        let outputs: std::collections::HashSet<&str> = opts.tag_map.iter().map(|(_, out)| out.as_str()).collect();
        let shared_names = outputs.len() < opts.tag_map.len();
        let settings = journaled::Settings { resume: opts.resume, compression: opts.compression, metadata: &metadata, shared_names, base: None };
        let (writer, pending) = journaled::open(ctx, output, &settings, &jobs)?;
        summary.resumed = jobs.len() - pending.len();
        let tag_map: BTreeMap<&str, &str> = opts.tag_map.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        // 4-5. On the worker threads: run the function, compress what it returned.
        let work = |i: usize| -> Outcome {
            let job = &jobs[i];
            let _held = budget.as_ref().map(|b| b.reserve(job.samples.saturating_mul(BYTES_PER_SAMPLE)));
            match run_function(&src, job, &events, opts, &f) {
                Computed::Stream(st) => match encode(&src, st, tag_map[job.tag.as_str()], opts) {
                    Ok(traces) => Outcome::Done(Payload::Products(Products::traces(traces))),
                    Err(m) => Outcome::Failed(m),
                },
                Computed::Nothing => Outcome::Nothing,
                Computed::Failed(m) => Outcome::Failed(m),
            }
        };
        // 6-7. On rank 0's main thread: write, journal, count.
        let mut progress = Progress::new(pending.len(), opts.quiet || !ctx.is_root(), "jobs");
        match writer {
            Some(mut writer) => {
                let mut sink = |fin: Finished| -> Result<(), EngineError> {
                    progress.tick();
                    writer.take(&jobs, fin, &mut summary, opts.quiet)
                };
                // 3. Schedule.
                let run = run_jobs(ctx, pending, &work, &mut sink);
                output::close(writer, run)
            }
            // Ranks other than 0 only work; their results go to rank 0.
            None => run_jobs(ctx, pending, &work, &mut |_| Err(EngineError::Mpi("a result reached a rank that does not write".into()))),
        }
    };
    drop(src);
    ctx.barrier();
    result?;
    Ok(summary.finish(start))
}

/// Rank 0's checks and plan.
fn plan_root(input: &Path, output: &Path, opts: &ProcessOptions) -> Result<Vec<Job>, EngineError> {
    check_tag_map(opts)?;
    if opts.parallel_output && opts.resume {
        return Err(EngineError::Usage("--parallel-output keeps no journal, so it cannot --resume; run again without --resume, or resume with the default writer"));
    }
    if opts.parallel_output && launched_by_mpi().is_none() {
        return Err(EngineError::Usage("--parallel-output needs an MPI run (mpiexec -n N ...); a plain run already writes from worker threads"));
    }
    output::check_can_start(output, opts.resume)?;
    let src = AsdfFile::open(input)?;
    let jobs = plan_jobs(&src, opts)?;
    // A shard may have no jobs when the whole run has some (more shards than stations): its
    // output then holds only what every output holds, so that `asdf merge` finds every shard.
    let whole_run_empty = || plan_jobs(&src, &ProcessOptions { shard: None, ..opts.clone() }).map(|j| j.is_empty());
    if jobs.is_empty() && (opts.shard.is_none() || whole_run_empty()?) {
        return Err(EngineError::NoMatchingJobs {
            input: input.to_path_buf(),
            tags: opts.tag_map.iter().map(|(k, _)| format!("{k:?}")).collect::<Vec<_>>().join(", "),
            available: crate::format::summarize(&src.waveform_tags()?),
        });
    }
    Ok(jobs)
}

/// The `parallel_output` run (every rank writes).
#[allow(clippy::too_many_arguments)]
fn parallel<F, M>(ctx: &Ctx, src: &AsdfFile, jobs: &[Job], events: &[Event], output: &Path, opts: &ProcessOptions, f: &F, summary: &mut Summary) -> Result<(), EngineError>
where
    F: StationFn<M>,
{
    #[cfg(feature = "mpi")]
    return output::parallel::run(ctx, src, jobs, events, output, opts, f, summary);
    #[cfg(not(feature = "mpi"))]
    {
        let _ = (ctx, src, jobs, events, output, opts, f, summary);
        Err(EngineError::Usage("--parallel-output needs parallel HDF5: this binary was built without the `mpi` feature"))
    }
}
