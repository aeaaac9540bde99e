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

use std::path::Path;

use mpi::datatype::PartitionMut;
use mpi::traits::*;

use crate::format::{describe_trace, AsdfFile, EncodedTrace};
use crate::model::inventory::Inventory;
use crate::model::stream::Stream;

use super::backend::Ctx;
use super::process::{copy_station_metadata, output_version, partial_path, run_function, Computed, Job, ProcessOptions, StationOutput, Summary};
use super::progress::Progress;
use super::wire::{decode_placed, encode_placed};
use super::{EngineError, JobFailure};

/// What one rank did with its job of a round, as sent to every rank.
enum RoundResult {
    Traces(Vec<EncodedTrace>),
    Nothing,
    Failed(String),
    /// No job for this rank in this round.
    Idle,
}

impl RoundResult {
    fn encode(&self) -> Vec<u8> {
        match self {
            RoundResult::Traces(t) => {
                let described: Vec<(&EncodedTrace, Vec<_>)> = t.iter().map(|t| (t, Vec::new())).collect();
                let mut b = vec![0u8];
                b.extend(encode_placed(&described));
                b
            }
            RoundResult::Nothing => vec![1],
            RoundResult::Failed(m) => [&[2u8][..], m.as_bytes()].concat(),
            RoundResult::Idle => vec![3],
        }
    }

    fn decode(b: &[u8]) -> Result<Self, String> {
        match b.split_first() {
            Some((0, rest)) => Ok(RoundResult::Traces(decode_placed(rest)?.into_iter().map(|(t, _)| t).collect())),
            Some((1, _)) => Ok(RoundResult::Nothing),
            Some((2, m)) => Ok(RoundResult::Failed(String::from_utf8_lossy(m).into_owned())),
            Some((3, _)) => Ok(RoundResult::Idle),
            _ => Err("a malformed round message".into()),
        }
    }
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

/// The parallel-output run of [`process_with`](super::process_with) after planning (every rank
/// calls it with the same plan).
pub(super) fn process_parallel<F, R>(
    ctx: &Ctx,
    src: &AsdfFile,
    jobs: &[Job],
    output: &Path,
    opts: &ProcessOptions,
    f: &F,
    summary: &mut Summary,
) -> Result<(), EngineError>
where
    F: Fn(Stream, Option<Inventory>) -> R + Sync,
    R: StationOutput,
{
    let world = ctx.world.as_ref().ok_or_else(|| {
        EngineError::Usage("--parallel-output needs an MPI run (mpiexec -n N ...); without MPI the default writer is the parallel path")
    })?;
    let partial = partial_path(output);
    let mut prepared = Ok(());
    if ctx.is_root() && partial.exists() {
        prepared = std::fs::remove_file(&partial).map_err(|e| e.to_string());
    }
    let prepared: Result<(), String> = serde_json::from_slice(&ctx.broadcast_bytes(serde_json::to_vec(&prepared).unwrap_or_default()))
        .unwrap_or_else(|e| Err(e.to_string()));
    prepared.map_err(|message| EngineError::Output { path: partial.clone(), message })?;

    let version = output_version(src);
    let mut file = AsdfFile::create_parallel(&partial, crate::format::FormatVersion::V1_0_3, opts.compression, world.as_raw())
        .unwrap_or_else(|e| abort_all(world, &e.to_string()));
    copy_station_metadata(src, &mut file, opts).unwrap_or_else(|e| abort_all(world, &e.to_string()));
    let tag_map: std::collections::BTreeMap<&str, &str> = opts.tag_map.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let size = ctx.size as usize;
    let mut progress = Progress::new(jobs.len(), opts.quiet || !ctx.is_root(), "jobs");
    for round in 0..jobs.len().div_ceil(size) {
        let mine = round * size + ctx.rank as usize;
        let (result, stream) = match jobs.get(mine) {
            None => (RoundResult::Idle, None),
            Some(job) => match run_function(src, job, opts, f) {
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
        for (rank, msg) in all_gather(world, &result.encode()).iter().enumerate() {
            let Some(job) = jobs.get(round * size + rank) else { continue };
            let theirs = RoundResult::decode(msg).unwrap_or_else(|m| abort_all(world, &format!("from rank {rank}: {m}")));
            if ctx.is_root() {
                progress.tick();
            }
            match theirs {
                RoundResult::Traces(described) => {
                    for (k, e) in described.iter().enumerate() {
                        let samples = (rank == ctx.rank as usize).then(|| stream.as_ref().map(|st| st.traces[k].data())).flatten();
                        file.write_trace_collectively(e, samples).unwrap_or_else(|e| abort_all(world, &e.to_string()));
                    }
                    summary.traces_written += described.len();
                    summary.written += 1;
                }
                RoundResult::Nothing => summary.empty += 1,
                RoundResult::Failed(message) => {
                    let failure = JobFailure { station: job.station.clone(), tag: job.tag.clone(), rank: rank as i32, message };
                    if ctx.is_root() && !opts.quiet {
                        eprintln!("error: {failure}");
                    }
                    summary.failed.push(failure);
                }
                RoundResult::Idle => {}
            }
        }
    }
    file.close().unwrap_or_else(|e| abort_all(world, &e.to_string()));
    ctx.barrier();
    if ctx.is_root() {
        if output.exists() {
            return Err(EngineError::OutputExists { path: output.to_path_buf() });
        }
        std::fs::rename(&partial, output).map_err(|e| EngineError::Output { path: output.to_path_buf(), message: e.to_string() })?;
    }
    Ok(())
}

/// An error inside a collective HDF5 call leaves the other ranks waiting in it: report it and
/// stop every rank (the temporary output stays under its `.partial` name).
fn abort_all(world: &mpi::topology::SimpleCommunicator, message: &str) -> ! {
    eprintln!("error: parallel output: {message}; stopping every rank");
    world.abort(3)
}
