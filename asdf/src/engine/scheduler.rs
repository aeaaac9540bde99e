//! Handing jobs to workers and results to the one writer.
//!
//! Every rank runs worker threads; rank 0's main thread is also the writer. Jobs are handed out
//! dynamically from one queue on rank 0 (largest first, as planned): local workers pop it
//! directly, other ranks ask over MPI and keep one job per worker thread in flight. Results
//! (already compressed) go to rank 0's main thread, the only place that writes.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::sync::mpsc;
use std::sync::Mutex;

use super::backend::Ctx;
use super::products::{Borrowed, Products};
use super::wire;
use super::EngineError;

/// A finished job's result: as its worker made it (same process), or as a message from another
/// rank (see [`super::wire`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Payload {
    /// A job's output, made on this rank.
    Products(Products),
    /// A serialised value (`compare`'s JSON), made on this rank.
    Json(Vec<u8>),
    /// Either of the above from another rank: the result message, and where its body starts.
    #[cfg_attr(not(feature = "mpi"), allow(dead_code))]
    Received { message: Vec<u8>, body: usize },
}

impl Payload {
    /// The job's output, its chunks borrowed from the payload (never copied).
    pub(crate) fn products(&self) -> Result<Borrowed<'_>, String> {
        match self {
            Payload::Products(p) => Ok(p.borrowed()),
            Payload::Received { message, body } => {
                let (traces, auxiliary, record) = wire::decode_products(&message[*body..])?;
                Ok(Borrowed {
                    traces: traces.into_iter().map(|(t, c)| (Cow::Owned(t), c)).collect(),
                    auxiliary: auxiliary.into_iter().map(|(a, c)| (Cow::Owned(a), c)).collect(),
                    record,
                })
            }
            Payload::Json(_) => Err("a JSON result where a job's output was expected".into()),
        }
    }

    /// The serialised value.
    pub(crate) fn json(&self) -> Result<&[u8], String> {
        match self {
            Payload::Json(b) => Ok(b),
            Payload::Received { message, body } => wire::decode_json(&message[*body..]),
            Payload::Products(_) => Err("a job's output where a JSON result was expected".into()),
        }
    }
}

/// What became of one job.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    /// A result to write.
    Done(Payload),
    /// The function returned nothing for this job.
    Nothing,
    /// The function failed (error or panic), or the job's input could not be read.
    Failed(String),
}

/// A finished job as the writer sees it.
#[derive(Debug)]
pub(crate) struct Finished {
    pub(crate) job: usize,
    pub(crate) rank: i32,
    pub(crate) outcome: Outcome,
}

/// Runs `pending` jobs with `work` on every rank's threads; `sink` (rank 0 only) receives each
/// finished job. A `sink` error stops handing out jobs everywhere and is returned after every
/// rank has stopped (no hang).
pub(crate) fn run_jobs(
    ctx: &Ctx,
    pending: Vec<usize>,
    work: &(dyn Fn(usize) -> Outcome + Sync),
    sink: &mut dyn FnMut(Finished) -> Result<(), EngineError>,
) -> Result<(), EngineError> {
    #[cfg(feature = "mpi")]
    if ctx.world.is_some() && ctx.size > 1 {
        return mpi_ranks::run(ctx, pending, work, sink);
    }
    let queue = Mutex::new(VecDeque::from(pending));
    run_local(ctx, &queue, work, |rx| {
        let mut failure = None;
        for f in rx {
            if failure.is_none() {
                if let Err(e) = sink(f) {
                    queue.lock().map(|mut q| q.clear()).ok();
                    failure = Some(e);
                }
            }
        }
        failure.map_or(Ok(()), Err)
    })
}

/// Starts `ctx.threads` workers popping `queue`; `drive` consumes their results on this thread.
fn run_local<T>(
    ctx: &Ctx,
    queue: &Mutex<VecDeque<usize>>,
    work: &(dyn Fn(usize) -> Outcome + Sync),
    drive: impl FnOnce(mpsc::Receiver<Finished>) -> T,
) -> T {
    let (tx, rx) = mpsc::sync_channel::<Finished>(ctx.threads);
    let rank = ctx.rank;
    std::thread::scope(|s| {
        for _ in 0..ctx.threads {
            let tx = tx.clone();
            s.spawn(move || {
                crate::format::code_chunks_on_this_thread();
                loop {
                    let next = queue.lock().ok().and_then(|mut q| q.pop_front());
                    let Some(job) = next else { break };
                    let outcome = work(job);
                    if tx.send(Finished { job, rank, outcome }).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        drive(rx)
    })
}

#[cfg(feature = "mpi")]
mod mpi_ranks {
    use super::*;
    use mpi::traits::*;
    use std::time::Duration;

    const TAG_REQUEST: i32 = 11;
    const TAG_JOB: i32 = 12;
    const TAG_RESULT: i32 = 13;
    const TAG_DONE: i32 = 14;
    const NO_JOB: u64 = u64::MAX;

    /// A finished job as a result message (see [`wire`]); a result that cannot be encoded
    /// travels as the job's failure.
    fn encode(f: Finished) -> Vec<u8> {
        use wire::{Body, ResultHead, ResultKind};
        let job = f.job as u64;
        let (kind, body) = match &f.outcome {
            Outcome::Done(Payload::Received { message, .. }) => return message.clone(),
            Outcome::Done(Payload::Products(p)) => (ResultKind::Done, Body::Products(p)),
            Outcome::Done(Payload::Json(b)) => (ResultKind::Done, Body::Json(b)),
            Outcome::Nothing => (ResultKind::Nothing, Body::Empty),
            Outcome::Failed(m) => (ResultKind::Failed, Body::Failed(m)),
        };
        wire::encode_result(ResultHead { job, ended: kind }, body).unwrap_or_else(|e| {
            let m = e.to_string();
            wire::encode_result(ResultHead { job, ended: ResultKind::Failed }, Body::Failed(&m)).unwrap_or_default()
        })
    }

    fn decode(message: Vec<u8>, rank: i32) -> Result<Finished, EngineError> {
        let damaged = |m: String| EngineError::Mpi(format!("from rank {rank}: {m}"));
        let (head, body) = wire::decode_head(&message).map_err(damaged)?;
        let outcome = match head.ended {
            wire::ResultKind::Done => Outcome::Done(Payload::Received { message, body }),
            wire::ResultKind::Nothing => Outcome::Nothing,
            wire::ResultKind::Failed => Outcome::Failed(wire::decode_failure(&message[body..]).map_err(damaged)?),
        };
        Ok(Finished { job: head.job as usize, rank, outcome })
    }

    pub(super) fn run(
        ctx: &Ctx,
        pending: Vec<usize>,
        work: &(dyn Fn(usize) -> Outcome + Sync),
        sink: &mut dyn FnMut(Finished) -> Result<(), EngineError>,
    ) -> Result<(), EngineError> {
        let world = ctx.world.as_ref().ok_or_else(|| EngineError::Mpi("no communicator".into()))?;
        if ctx.rank == 0 {
            coordinator(ctx, world, pending, work, sink)
        } else {
            worker(ctx, world, work)
        }
    }

    /// Rank 0: its own workers, job requests from other ranks, and the writer (this thread).
    fn coordinator(
        ctx: &Ctx,
        world: &mpi::topology::SimpleCommunicator,
        pending: Vec<usize>,
        work: &(dyn Fn(usize) -> Outcome + Sync),
        sink: &mut dyn FnMut(Finished) -> Result<(), EngineError>,
    ) -> Result<(), EngineError> {
        let queue = Mutex::new(VecDeque::from(pending));
        let remote = (ctx.size - 1) as usize;
        run_local(ctx, &queue, work, |rx| {
            let mut failure: Option<EngineError> = None;
            let mut done_ranks = 0usize;
            let mut local_open = true;
            let mut deliver = |f: Finished, failure: &mut Option<EngineError>| {
                if failure.is_none() {
                    if let Err(e) = sink(f) {
                        queue.lock().map(|mut q| q.clear()).ok();
                        *failure = Some(e);
                    }
                }
            };
            while local_open || done_ranks < remote {
                let mut busy = false;
                while let Some(probed) = world.any_process().immediate_matched_probe() {
                    busy = true;
                    let (bytes, status) = probed.matched_receive_vec::<u8>();
                    let src = status.source_rank();
                    match status.tag() {
                        TAG_REQUEST => {
                            let next = queue.lock().ok().and_then(|mut q| q.pop_front()).map(|j| j as u64).unwrap_or(NO_JOB);
                            world.process_at_rank(src).send_with_tag(&next, TAG_JOB);
                        }
                        TAG_RESULT => match decode(bytes, src) {
                            Ok(f) => deliver(f, &mut failure),
                            Err(e) => {
                                queue.lock().map(|mut q| q.clear()).ok();
                                failure.get_or_insert(e);
                            }
                        },
                        TAG_DONE => done_ranks += 1,
                        other => {
                            failure.get_or_insert(EngineError::Mpi(format!("unexpected message tag {other} from rank {src}")));
                        }
                    }
                }
                if local_open {
                    let wait = if busy { Duration::ZERO } else { Duration::from_micros(500) };
                    match rx.recv_timeout(wait) {
                        Ok(f) => deliver(f, &mut failure),
                        Err(mpsc::RecvTimeoutError::Timeout) => {}
                        Err(mpsc::RecvTimeoutError::Disconnected) => local_open = false,
                    }
                } else if !busy {
                    std::thread::sleep(Duration::from_micros(200));
                }
            }
            failure.map_or(Ok(()), Err)
        })
    }

    /// Polls for this many checks (yielding the core between them) before sleeping between them:
    /// a large message moves only while both sides call into MPI, so a sender that sleeps at once
    /// stretches each transfer (and rank 0's receive) over many sleeps.
    const EAGER_POLLS: u32 = 1000;

    /// Completes a request: checks it, yielding the core between checks, then sleeping between
    /// them once it takes long (rank 0 busy writing). MPICH's blocking calls spin, and a spinning
    /// main thread would take a core from this rank's workers all the while.
    fn complete_quietly<'a, D: ?Sized>(req: mpi::request::Request<'a, D, &mpi::request::LocalScope<'a>>) {
        let mut req = req;
        let mut polls = 0u32;
        loop {
            match req.test() {
                Ok(_) => return,
                Err(r) => {
                    req = r;
                    polls = polls.saturating_add(1);
                    if polls <= EAGER_POLLS {
                        std::thread::yield_now();
                    } else {
                        std::thread::sleep(Duration::from_micros(100));
                    }
                }
            }
        }
    }

    /// Other ranks: keep every worker thread busy plus one job queued (so no thread waits for
    /// rank 0), send results to rank 0.
    fn worker(ctx: &Ctx, world: &mpi::topology::SimpleCommunicator, work: &(dyn Fn(usize) -> Outcome + Sync)) -> Result<(), EngineError> {
        let root = world.process_at_rank(0);
        let (job_tx, job_rx) = mpsc::channel::<usize>();
        let job_rx = Mutex::new(job_rx);
        // Results travel as ready-to-send messages: each worker thread serialises its own.
        let (res_tx, res_rx) = mpsc::channel::<Vec<u8>>();
        let rank = ctx.rank;
        let target = ctx.threads + 1;
        std::thread::scope(|s| {
            for _ in 0..ctx.threads {
                let res_tx = res_tx.clone();
                let job_rx = &job_rx;
                s.spawn(move || {
                    crate::format::code_chunks_on_this_thread();
                    loop {
                        let next = job_rx.lock().ok().and_then(|r| r.recv().ok());
                        let Some(job) = next else { break };
                        if res_tx.send(encode(Finished { job, rank, outcome: work(job) })).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(res_tx);
            let mut inflight = 0usize;
            let mut exhausted = false;
            loop {
                while !exhausted && inflight < target {
                    let mut job = NO_JOB;
                    mpi::request::scope(|scope| {
                        complete_quietly(root.immediate_send_with_tag(scope, &[0u8][..], TAG_REQUEST));
                        complete_quietly(root.immediate_receive_into_with_tag(scope, &mut job, TAG_JOB));
                    });
                    if job == NO_JOB {
                        exhausted = true;
                    } else {
                        let _ = job_tx.send(job as usize);
                        inflight += 1;
                    }
                }
                if inflight == 0 {
                    break;
                }
                match res_rx.recv() {
                    Ok(msg) => {
                        mpi::request::scope(|scope| complete_quietly(root.immediate_send_with_tag(scope, &msg[..], TAG_RESULT)));
                        inflight -= 1;
                    }
                    Err(_) => break,
                }
            }
            drop(job_tx);
        });
        root.send_with_tag(&[0u8][..], TAG_DONE);
        Ok(())
    }
}
