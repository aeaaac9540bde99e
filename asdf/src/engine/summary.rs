//! What a run did: the summary `process` returns, and the failed jobs every run lists.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use super::output::Written;
use super::plan::Job;

/// One job that did not complete: which station and tag, on which rank, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct JobFailure {
    /// The station (`NET.STA`).
    pub station: String,
    /// The input tag; empty for `compare` jobs.
    pub tag: String,
    /// The MPI rank that ran the job (0 without MPI).
    pub rank: i32,
    /// Why it failed (the function's error, its panic, or the read or write error).
    pub message: String,
}

impl std::fmt::Display for JobFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.tag.is_empty() {
            write!(f, "station {} (rank {}): {}", self.station, self.rank, self.message)
        } else {
            write!(f, "station {} tag {} (rank {}): {}", self.station, self.tag, self.rank, self.message)
        }
    }
}

/// Lists a failure, printing it first unless `quiet`: the one place a run reports a failed job.
pub(crate) fn report(failures: &mut Vec<JobFailure>, failure: JobFailure, quiet: bool) {
    if !quiet {
        eprintln!("error: {failure}");
    }
    failures.push(failure);
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Summary {
    /// Jobs planned.
    pub jobs: usize,
    /// Jobs whose output was written (this run or a resumed one).
    pub written: usize,
    /// Jobs for which the function returned nothing.
    pub empty: usize,
    /// Jobs taken over from the journal of an interrupted run.
    pub resumed: usize,
    /// Traces written to the output.
    pub traces_written: usize,
    /// Auxiliary arrays written to the output (multi-input jobs).
    pub auxiliary_written: usize,
    /// Each written job's record, by station (multi-input jobs whose function returned one;
    /// those of a resumed run's journal included).
    pub records: BTreeMap<String, serde_json::Value>,
    /// Stations left out of a multi-input run because some inputs lack them, each with the
    /// inputs (their positions, from 0) that lack it.
    pub incomplete: Vec<(String, Vec<usize>)>,
    /// The jobs that failed, sorted by station and tag.
    pub failed: Vec<JobFailure>,
    /// Wall-clock time of the run.
    pub seconds: f64,
    /// Of that, the time rank 0's single writer spent writing results and journaling them (0
    /// with `--parallel-output`). Near `seconds`, the writer is the bottleneck: more ranks will
    /// not go faster, job arrays will (see `docs/scaling.md`).
    pub writer_seconds: f64,
    /// The output file.
    pub output: PathBuf,
    /// MPI ranks of the run (1 without MPI).
    pub ranks: i32,
    /// Worker threads per rank.
    pub threads: usize,
    /// The memory budget of each process, in bytes (`None`: unlimited).
    pub memory_budget: Option<u64>,
}

/// How one job ended, as the summary counts it.
pub(crate) enum Ended {
    /// Its result was written.
    Written(Written),
    /// The function returned nothing.
    Empty,
    /// It failed, for this reason.
    Failed(String),
}

impl Summary {
    /// Counts one finished job; a failure is reported (unless `quiet`) and listed.
    pub(crate) fn record(&mut self, job: &Job, rank: i32, ended: Ended, quiet: bool) {
        match ended {
            Ended::Written(w) => {
                self.written += 1;
                self.traces_written += w.traces;
                self.auxiliary_written += w.auxiliary;
            }
            Ended::Empty => self.empty += 1,
            Ended::Failed(message) => {
                let failure = JobFailure { station: job.station.clone(), tag: job.tag.clone(), rank, message };
                report(&mut self.failed, failure, quiet);
            }
        }
    }

    /// The finished summary: failures in station order, the run's duration.
    pub(crate) fn finish(mut self, start: Instant) -> Self {
        self.failed.sort_by(|a, b| (&a.station, &a.tag).cmp(&(&b.station, &b.tag)));
        self.seconds = start.elapsed().as_secs_f64();
        self
    }

    /// ", writer busy N %" of the run, for the closing line of a run with a single writer
    /// (empty when nothing was timed).
    ///
    /// ```
    /// let s = asdf::engine::Summary { seconds: 2.0, writer_seconds: 1.5, ..Default::default() };
    /// assert_eq!(s.writer_load(), ", writer busy 75 %");
    /// assert_eq!(asdf::engine::Summary::default().writer_load(), "");
    /// ```
    pub fn writer_load(&self) -> String {
        if self.writer_seconds > 0.0 && self.seconds > 0.0 {
            format!(", writer busy {:.0} %", 100.0 * self.writer_seconds / self.seconds)
        } else {
            String::new()
        }
    }
}

impl Ended {
    /// How a job whose result went to the output ended.
    pub(crate) fn of(accepted: super::output::Accepted) -> Self {
        match accepted {
            super::output::Accepted::Written(w) => Ended::Written(w),
            super::output::Accepted::Refused(why) => Ended::Failed(why),
        }
    }
}
