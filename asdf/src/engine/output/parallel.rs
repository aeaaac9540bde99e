//! Opt-in output through parallel HDF5 (MPI-IO, `--parallel-output`): every rank writes its own
//! results into the one output file, where the default path sends them to rank 0's writer.
//!
//! Parallel HDF5 needs every change to the file's structure made by all ranks together, and
//! (HDF5 1.10) writes to compressed datasets made collectively. So jobs run in rounds: in round
//! `r` rank `k` runs job `r * ranks + k` (largest first, as planned); the ranks then exchange
//! the descriptions of the traces they made (not the samples), every rank creates every dataset
//! of the round in job order, and each dataset is written in one collective call to which only
//! the rank holding the samples contributes them. HDF5 compresses them with its own filters on
//! that rank, so the file's compressed bytes differ from the default path's, its contents not.
//!
//! Use it where rank 0 writing everything is the bottleneck (many ranks, a parallel file
//! system). There is no journal: an interrupted run is started again, not resumed.

use std::path::{Path, PathBuf};

use mpi::datatype::PartitionMut;
use mpi::traits::*;

use crate::format::{describe_trace, AsdfFile, EncodedTrace, FormatVersion};
use crate::model::event::Event;
use crate::model::stream::Stream;

use super::super::backend::Ctx;
use super::super::context::StationFn;
use super::super::job::{output_version, run_function, Computed};
use super::super::options::ProcessOptions;
use super::super::plan::Job;
use super::super::progress::Progress;
use super::super::summary::{Ended, Summary};
use super::super::wire::{from_bytes, to_bytes};
use super::super::EngineError;
use super::{copy_station_metadata, partial_path, Accepted, Output, Written};

/// What one rank did with its job of a round, as sent to every rank: the descriptions of the
/// traces it made (their samples stay on that rank), or why there are none.
#[derive(serde::Serialize, serde::Deserialize)]
enum RoundResult {
    Traces(Vec<EncodedTrace>),
    Nothing,
    Failed(String),
    /// No job for this rank in this round.
    Idle,
}

/// Every rank's message of a round, in rank order.
fn all_gather(world: &mpi::topology::SimpleCommunicator, msg: &[u8]) -> Vec<Vec<u8>> {
    let count = msg.len() as i32;
    let mut counts = vec![0i32; world.size() as usize];
    world.all_gather_into(&count, &mut counts[..]);
    let displs: Vec<i32> = counts
        .iter()
        .scan(0, |at, &c| {
            let d = *at;
            *at += c;
            Some(d)
        })
        .collect();
    let mut all = vec![0u8; counts.iter().map(|&c| c as usize).sum()];
    {
        let mut partition = PartitionMut::new(&mut all[..], &counts[..], &displs[..]);
        world.all_gather_varcount_into(msg, &mut partition);
    }
    counts.iter().zip(&displs).map(|(&c, &d)| all[d as usize..(d + c) as usize].to_vec()).collect()
}

/// The output every rank writes into together; each dataset is created and written by all
/// ranks at once, with samples only from the rank that made them.
struct CollectiveOutput<'w> {
    world: &'w mpi::topology::SimpleCommunicator,
    file: AsdfFile,
    partial: PathBuf,
    output: PathBuf,
    is_root: bool,
}

impl Output for CollectiveOutput<'_> {
    /// The traces' descriptions, and their streams on the rank that made them.
    type Result = (Vec<EncodedTrace>, Option<Stream>);

    fn accept(&mut self, _job: &Job, result: Option<Self::Result>) -> Result<Accepted, EngineError> {
        let Some((described, stream)) = result else { return Ok(Accepted::Written(Written::default())) };
        for (k, e) in described.iter().enumerate() {
            let samples = stream.as_ref().map(|st| st.traces[k].data());
            // An error inside a collective call leaves the other ranks waiting in it.
            self.file.write_trace_collectively(e, samples).unwrap_or_else(|e| abort_all(self.world, &e.to_string()));
        }
        Ok(Accepted::Written(Written { traces: described.len(), auxiliary: 0 }))
    }

    fn finish(self) -> Result<(), EngineError> {
        self.file.close().unwrap_or_else(|e| abort_all(self.world, &e.to_string()));
        self.world.barrier();
        if self.is_root {
            if self.output.exists() {
                return Err(EngineError::OutputExists { path: self.output });
            }
            std::fs::rename(&self.partial, &self.output).map_err(|e| EngineError::Output { path: self.output.clone(), message: e.to_string() })?;
        }
        Ok(())
    }

    /// The temporary output stays under its `.partial` name.
    fn abandon(self) {
        drop(self.file);
    }
}

/// The parallel-output run of [`process_with`](crate::engine::process_with) after planning
/// (every rank calls it with the same plan): jobs in rounds, one per rank, then every rank
/// writes the round's results together.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run<F, M>(ctx: &Ctx, src: &AsdfFile, jobs: &[Job], events: &[Event], output: &Path, opts: &ProcessOptions, f: &F, summary: &mut Summary) -> Result<(), EngineError>
where
    F: StationFn<M>,
{
    let world = ctx.world.as_ref().ok_or_else(|| {
        EngineError::Usage("--parallel-output needs an MPI run (mpiexec -n N ...); without MPI the default writer is the parallel path")
    })?;
    let partial = partial_path(output);
    if ctx.is_root() {
        let prepared = if partial.exists() { std::fs::remove_file(&partial) } else { Ok(()) };
        ctx.send_verdict(&prepared)?;
        prepared.map_err(|e| EngineError::Output { path: partial.clone(), message: e.to_string() })?;
    } else {
        ctx.receive_verdict::<()>()?;
    }
    let version = output_version(src);
    let mut file = AsdfFile::create_parallel(&partial, FormatVersion::V1_0_3, opts.compression, world.as_raw())
        .unwrap_or_else(|e| abort_all(world, &e.to_string()));
    copy_station_metadata(src, &mut file, &opts.stations, opts.shard).unwrap_or_else(|e| abort_all(world, &e.to_string()));
    let mut out = CollectiveOutput { world, file, partial, output: output.to_path_buf(), is_root: ctx.is_root() };

    let tag_map: std::collections::BTreeMap<&str, &str> = opts.tag_map.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let size = ctx.size as usize;
    let mut progress = Progress::new(jobs.len(), opts.quiet || !ctx.is_root(), "jobs");
    for round in 0..jobs.len().div_ceil(size) {
        let mine = round * size + ctx.rank as usize;
        let (result, mut stream) = match jobs.get(mine) {
            None => (RoundResult::Idle, None),
            Some(job) => match run_function(src, job, events, opts, f) {
                Computed::Stream(st) => {
                    let out_tag = tag_map[job.tag.as_str()];
                    let described = st.traces.iter().map(|tr| {
                        tr.try_data().map_err(|e| e.to_string())?;
                        describe_trace(tr, out_tag, version, opts.compression)
                    });
                    match described.collect() {
                        Ok(described) => (RoundResult::Traces(described), Some(st)),
                        Err(m) => (RoundResult::Failed(format!("cannot write the returned stream: {m}")), None),
                    }
                }
                Computed::Nothing => (RoundResult::Nothing, None),
                Computed::Failed(m) => (RoundResult::Failed(m), None),
            },
        };
        let message = to_bytes(&result).unwrap_or_else(|e| abort_all(world, &e.to_string()));
        for (rank, msg) in all_gather(world, &message).iter().enumerate() {
            let Some(job) = jobs.get(round * size + rank) else { continue };
            let theirs: RoundResult = from_bytes(msg).unwrap_or_else(|m| abort_all(world, &format!("from rank {rank}: {m}")));
            if ctx.is_root() {
                progress.tick();
            }
            // Failures are reported by rank 0 only; every rank counts the same.
            let quiet = opts.quiet || !ctx.is_root();
            match theirs {
                RoundResult::Traces(described) => {
                    let own = if rank == ctx.rank as usize { stream.take() } else { None };
                    let ended = Ended::of(out.accept(job, Some((described, own)))?);
                    summary.record(job, rank as i32, ended, quiet);
                }
                RoundResult::Nothing => summary.record(job, rank as i32, Ended::Empty, quiet),
                RoundResult::Failed(message) => summary.record(job, rank as i32, Ended::Failed(message), quiet),
                RoundResult::Idle => {}
            }
        }
    }
    out.finish()
}

/// An error inside a collective HDF5 call leaves the other ranks waiting in it: report it and
/// stop every rank (the temporary output stays under its `.partial` name).
fn abort_all(world: &mpi::topology::SimpleCommunicator, message: &str) -> ! {
    eprintln!("error: parallel output: {message}; stopping every rank");
    world.abort(3)
}
