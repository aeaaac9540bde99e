//! `process`: one function over every (station, tag) job of a file, output to a new file.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::format::{encode_trace_reusing, validate_tag, AsdfFile, Compression, EncodedTrace};
use crate::model::inventory::Inventory;
use crate::model::stream::{wildcard_match, Stream};

use super::backend::{launched_by_mpi, local_ranks, Ctx};
use super::user_fn::call_user;
use super::budget::{MemoryBudget, BYTES_PER_SAMPLE};
use super::journal::{crc32, Journal};
use super::progress::Progress;
use super::scheduler::{run_jobs, Finished, Outcome, Payload};
use super::wire::{decode_placed, decode_traces, encode_placed, ChunkAt};
use super::{EngineError, JobFailure};

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
    /// Job memory one process may use at once, in bytes (see [`MemoryBudget`]); default half
    /// the memory available at start, shared by the ranks of a node.
    pub memory_budget: Option<u64>,
    /// Continue an interrupted run from its journal.
    pub resume: bool,
    /// Under MPI, every rank writes its own results with parallel HDF5 (MPI-IO) instead of
    /// sending them to rank 0's writer (see `engine/parallel_output.rs`). Needs the `mpi`
    /// feature and an MPI launch; no journal, so not with `resume`.
    pub parallel_output: bool,
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
            quiet: false,
        }
    }
}

/// One (station, tag) job.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Job {
    /// The station (`NET.STA`).
    pub station: String,
    /// The input tag.
    pub tag: String,
    /// Samples to read (jobs run largest first).
    pub samples: u64,
}

impl Job {
    fn key(&self) -> String {
        format!("{}/{}", self.station, self.tag)
    }
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
    /// The jobs that failed, sorted by station and tag.
    pub failed: Vec<JobFailure>,
    /// Wall-clock time of the run.
    pub seconds: f64,
    /// The output file.
    pub output: PathBuf,
    /// MPI ranks of the run (1 without MPI).
    pub ranks: i32,
    /// Worker threads per rank.
    pub threads: usize,
    /// The memory budget of each process, in bytes (`None`: unlimited).
    pub memory_budget: Option<u64>,
}

/// The result type a processing function may return: `Option<Stream>`, or a `Result` of it
/// with any displayable error.
pub trait StationOutput {
    /// Converts to the engine's form.
    fn into_output(self) -> Result<Option<Stream>, String>;
}

impl StationOutput for Option<Stream> {
    fn into_output(self) -> Result<Option<Stream>, String> {
        Ok(self)
    }
}

impl<E: std::fmt::Display> StationOutput for Result<Option<Stream>, E> {
    fn into_output(self) -> Result<Option<Stream>, String> {
        self.map_err(|e| e.to_string())
    }
}

/// Lists the jobs of `file`: every (station, tag) whose tag is a key of the tag map, stations
/// filtered by pattern, largest first then by name.
pub fn plan_jobs(file: &AsdfFile, opts: &ProcessOptions) -> Result<Vec<Job>, EngineError> {
    let keys: HashSet<&str> = opts.tag_map.iter().map(|(k, _)| k.as_str()).collect();
    let mut jobs = Vec::new();
    for name in file.station_names()? {
        if !opts.stations.is_empty() && !opts.stations.iter().any(|p| wildcard_match(p, &name)) {
            continue;
        }
        let sta = file.station(&name)?;
        for tag in sta.tags()? {
            if keys.contains(tag.as_str()) {
                // A trace whose size cannot be read (a dangling link, a damaged header) fails
                // its own job when read, reported with its station; planning goes on.
                let samples = sta.samples_for_tag(&tag).unwrap_or(0);
                jobs.push(Job { station: name.clone(), tag, samples });
            }
        }
    }
    jobs.sort_by(|a, b| b.samples.cmp(&a.samples).then_with(|| a.key().cmp(&b.key())));
    Ok(jobs)
}

fn check_tag_map(opts: &ProcessOptions) -> Result<(), EngineError> {
    if opts.tag_map.is_empty() {
        return Err(EngineError::TagMap("it is empty; give at least one `input_tag => output_tag`".into()));
    }
    let mut seen = HashSet::new();
    for (from, to) in &opts.tag_map {
        if !seen.insert(from) {
            return Err(EngineError::TagMap(format!("input tag {from:?} is mapped twice")));
        }
        validate_tag(to).map_err(|e| EngineError::TagMap(e.to_string()))?;
    }
    Ok(())
}

fn journal_path(output: &Path) -> PathBuf {
    let mut s = output.as_os_str().to_owned();
    s.push(".journal");
    PathBuf::from(s)
}

pub(super) fn partial_path(output: &Path) -> PathBuf {
    let mut s = output.as_os_str().to_owned();
    s.push(".partial");
    PathBuf::from(s)
}

/// Runs `f` over every job of `input`, writing to `output` (see the module docs). Detects MPI.
pub fn process<F, R>(input: impl AsRef<Path>, output: impl AsRef<Path>, opts: &ProcessOptions, f: F) -> Result<Summary, EngineError>
where
    F: Fn(Stream, Option<Inventory>) -> R + Sync,
    R: StationOutput,
{
    let ctx = Ctx::detect(opts.threads)?;
    process_with(&ctx, input.as_ref(), output.as_ref(), opts, f)
}

/// [`process`] in an existing context (the generated `main` creates it once).
pub fn process_with<F, R>(ctx: &Ctx, input: &Path, output: &Path, opts: &ProcessOptions, f: F) -> Result<Summary, EngineError>
where
    F: Fn(Stream, Option<Inventory>) -> R + Sync,
    R: StationOutput,
{
    let start = Instant::now();

    // Rank 0 checks and plans; every rank learns the outcome, so all fail or none.
    let root_plan = ctx.is_root().then(|| plan_root(input, output, opts));
    let msg: Result<Vec<Job>, String> = match &root_plan {
        Some(Ok(jobs)) => Ok(jobs.clone()),
        Some(Err(e)) => Err(e.to_string()),
        None => Err(String::new()),
    };
    let jobs = match root_plan {
        Some(plan) => {
            ctx.broadcast_bytes(serde_json::to_vec(&msg).map_err(|e| EngineError::Mpi(format!("cannot encode the plan: {e}")))?);
            plan?
        }
        None => from_root::<Vec<Job>>(&ctx.broadcast_bytes(Vec::new()))?,
    };

    let src = AsdfFile::open(input)?;
    if opts.parallel_output {
        return parallel_run(ctx, &src, &jobs, output, opts, &f, start);
    }
    // Rank 0 opens the output (or fails to: a full disk, a bad QuakeML to copy) and tells every
    // rank which jobs remain, or why the run stops: no rank is left waiting.
    let (mut writer, pending) = if ctx.is_root() {
        let opened = OutputWriter::open(&src, output, opts);
        let pending: Result<Vec<usize>, String> = match &opened {
            Ok(w) => Ok((0..jobs.len()).filter(|&i| !w.done.contains(&jobs[i].key())).collect()),
            Err(e) => Err(e.to_string()),
        };
        ctx.broadcast_bytes(serde_json::to_vec(&pending).map_err(|e| EngineError::Mpi(format!("cannot encode the job list: {e}")))?);
        let w = opened?;
        (Some(w), pending.unwrap_or_default())
    } else {
        (None, from_root::<Vec<usize>>(&ctx.broadcast_bytes(Vec::new()))?)
    };

    let tag_map: BTreeMap<&str, &str> = opts.tag_map.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let budget = opts.memory_budget.or_else(|| MemoryBudget::default_for(local_ranks())).map(MemoryBudget::new);
    let work = |i: usize| -> Outcome {
        let job = &jobs[i];
        let _held = budget.as_ref().map(|b| b.reserve(job.samples.saturating_mul(BYTES_PER_SAMPLE)));
        run_one(&src, job, tag_map[job.tag.as_str()], opts, &f)
    };

    let mut summary = Summary {
        jobs: jobs.len(),
        output: output.to_path_buf(),
        ranks: ctx.size,
        threads: ctx.threads,
        memory_budget: budget.as_ref().map(MemoryBudget::limit),
        resumed: jobs.len() - pending.len(),
        ..Summary::default()
    };
    let mut progress = Progress::new(pending.len(), opts.quiet || !ctx.is_root(), "jobs");
    let result = {
        let mut sink = |fin: Finished| -> Result<(), EngineError> {
            let job = &jobs[fin.job];
            progress.tick();
            let w = writer.as_mut().ok_or_else(|| EngineError::Mpi("a result reached a rank that does not write".into()))?;
            match fin.outcome {
                Outcome::Done(payload) => {
                    summary.traces_written += w.write_job(&job.key(), payload)?;
                    summary.written += 1;
                }
                Outcome::Nothing => {
                    w.store(&job.key(), &[])?;
                    summary.empty += 1;
                }
                Outcome::Failed(message) => {
                    let failure = JobFailure { station: job.station.clone(), tag: job.tag.clone(), rank: fin.rank, message };
                    if !opts.quiet {
                        eprintln!("error: {failure}");
                    }
                    summary.failed.push(failure);
                }
            }
            Ok(())
        };
        run_jobs(ctx, pending, &work, &mut sink)
    };
    drop(src);
    let result = match (result, writer) {
        (Ok(()), Some(w)) => w.finish(&mut summary),
        (Ok(()), None) => Ok(()),
        (Err(e), Some(w)) => {
            w.abandon();
            Err(e)
        }
        (Err(e), None) => Err(e),
    };
    ctx.barrier();
    result?;
    summary.failed.sort_by(|a, b| (&a.station, &a.tag).cmp(&(&b.station, &b.tag)));
    summary.seconds = start.elapsed().as_secs_f64();
    Ok(summary)
}

/// What rank 0 broadcast: its value, or why it stopped the run.
fn from_root<T: serde::de::DeserializeOwned>(wire: &[u8]) -> Result<T, EngineError> {
    serde_json::from_slice::<Result<T, String>>(wire)
        .map_err(|e| EngineError::Mpi(format!("a damaged message from rank 0: {e}")))?
        .map_err(|message| EngineError::RootStopped { message })
}

/// The `parallel_output` run (every rank writes), with its summary.
fn parallel_run<F, R>(ctx: &Ctx, src: &AsdfFile, jobs: &[Job], output: &Path, opts: &ProcessOptions, f: &F, start: Instant) -> Result<Summary, EngineError>
where
    F: Fn(Stream, Option<Inventory>) -> R + Sync,
    R: StationOutput,
{
    let mut summary = Summary { jobs: jobs.len(), output: output.to_path_buf(), ranks: ctx.size, threads: ctx.threads, ..Summary::default() };
    #[cfg(feature = "mpi")]
    let result = super::parallel_output::process_parallel(ctx, src, jobs, output, opts, f, &mut summary);
    #[cfg(not(feature = "mpi"))]
    let result = {
        let _ = (src, opts, f);
        Err(EngineError::Usage("--parallel-output needs parallel HDF5: this binary was built without the `mpi` feature"))
    };
    ctx.barrier();
    result?;
    summary.failed.sort_by(|a, b| (&a.station, &a.tag).cmp(&(&b.station, &b.tag)));
    summary.seconds = start.elapsed().as_secs_f64();
    Ok(summary)
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
    if output.exists() {
        return Err(EngineError::OutputExists { path: output.to_path_buf() });
    }
    if !opts.resume {
        let journal = journal_path(output);
        if let Some(journal) = [prev_path(&journal), journal].into_iter().find(|j| j.exists()) {
            return Err(EngineError::UnfinishedRun { journal, output: output.to_path_buf() });
        }
    }
    let src = AsdfFile::open(input)?;
    let jobs = plan_jobs(&src, opts)?;
    if jobs.is_empty() {
        return Err(EngineError::NoMatchingJobs {
            input: input.to_path_buf(),
            tags: opts.tag_map.iter().map(|(k, _)| format!("{k:?}")).collect::<Vec<_>>().join(", "),
            available: crate::format::summarize(&src.waveform_tags()?),
        });
    }
    Ok(jobs)
}

/// What the function made of one job.
pub(super) enum Computed {
    /// A stream to write.
    Stream(Stream),
    Nothing,
    Failed(String),
}

/// Reads one job's input and runs the function on it, catching errors and panics, and checks
/// that what it returned belongs to the job's station. Never panics itself.
pub(super) fn run_function<F, R>(src: &AsdfFile, job: &Job, opts: &ProcessOptions, f: &F) -> Computed
where
    F: Fn(Stream, Option<Inventory>) -> R + Sync,
    R: StationOutput,
{
    let read = || -> Result<(Stream, Option<Inventory>), String> {
        let sta = src.station(&job.station).map_err(|e| e.to_string())?;
        let mut st = sta.stream_keeping_chunks(&job.tag).map_err(|e| e.to_string())?;
        if let Some(p) = &opts.channels {
            st.traces.retain(|t| wildcard_match(p, &t.stats.channel));
        }
        let inv = sta.inventory().map_err(|e| e.to_string())?;
        Ok((st, inv))
    };
    let (st, inv) = match read() {
        Ok(x) => x,
        Err(m) => return Computed::Failed(format!("reading input: {m}")),
    };
    if st.is_empty() {
        return Computed::Nothing;
    }
    // The input's stored chunks, to learn afterwards whether any failed to decode (the function
    // then saw an empty trace, and nothing it made of it may be written).
    let inputs: Vec<_> = st.traces.iter().filter_map(|t| t.stored().cloned()).collect();
    let result = call_user(|| f(st, inv).into_output());
    if let Some(e) = inputs.iter().find_map(|s| s.damage()) {
        return Computed::Failed(format!("reading input: {e}"));
    }
    match result {
        Ok(Ok(Some(st))) if !st.is_empty() => match st.traces.iter().find(|tr| format!("{}.{}", tr.stats.network, tr.stats.station) != job.station) {
            Some(tr) => Computed::Failed(format!("the function returned trace {} which does not belong to station {}", tr.id(), job.station)),
            None => Computed::Stream(st),
        },
        Ok(Ok(_)) => Computed::Nothing,
        Ok(Err(m)) => Computed::Failed(m),
        Err(panic) => Computed::Failed(panic),
    }
}

/// [`run_function`], then compresses the result for the writer.
fn run_one<F, R>(src: &AsdfFile, job: &Job, out_tag: &str, opts: &ProcessOptions, f: &F) -> Outcome
where
    F: Fn(Stream, Option<Inventory>) -> R + Sync,
    R: StationOutput,
{
    let out = match run_function(src, job, opts, f) {
        Computed::Stream(st) => st,
        Computed::Nothing => return Outcome::Nothing,
        Computed::Failed(m) => return Outcome::Failed(m),
    };
    let version = output_version(src);
    let encoded: Result<Vec<EncodedTrace>, String> =
        out.traces.into_iter().map(|tr| encode_trace_reusing(tr, out_tag, version, opts.compression)).collect();
    match encoded {
        Ok(e) => Outcome::Done(Payload::Traces(e)),
        Err(m) => Outcome::Failed(format!("cannot write the returned stream: {m}")),
    }
}

/// As pyasdf: every selected station's StationXML and the events travel to the output.
pub(super) fn copy_station_metadata(src: &AsdfFile, file: &mut AsdfFile, opts: &ProcessOptions) -> Result<(), EngineError> {
    for name in src.station_names()? {
        if !opts.stations.is_empty() && !opts.stations.iter().any(|p| wildcard_match(p, &name)) {
            continue;
        }
        // Each job parses its station's document and reports it if it does not parse; one that
        // cannot even be read (not 1-D bytes, a dangling link) fails that job the same way.
        if let Ok(Some(xml)) = src.station(&name)?.stationxml_bytes() {
            file.copy_stationxml_bytes(&name, &xml)?;
        }
    }
    if let Some(ev) = src.events()? {
        if !ev.as_bytes().is_empty() {
            file.put_quakeml_bytes(ev.as_bytes())?;
        }
    }
    Ok(())
}

/// The ASDF version of the output: the input's, at least 1.0.3.
pub(super) fn output_version(src: &AsdfFile) -> crate::format::FormatVersion {
    src.version().max(crate::format::FormatVersion::V1_0_3)
}

/// Rank 0's output: a temporary HDF5 file plus the journal; renamed into place when complete.
struct OutputWriter {
    output: PathBuf,
    partial: PathBuf,
    file: AsdfFile,
    journal: Journal,
    done: HashSet<String>,
    last_flush: Instant,
}

/// `<path>.prev`: where `--resume` keeps an interrupted run's files until their results have
/// been copied into the new output.
fn prev_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".prev");
    PathBuf::from(s)
}

impl OutputWriter {
    fn open(src: &AsdfFile, output: &Path, opts: &ProcessOptions) -> Result<Self, EngineError> {
        let partial = partial_path(output);
        let jpath = journal_path(output);
        let carried = if opts.resume { set_aside(&partial, &jpath)? } else { None };
        // The temporary file is always rebuilt: an HDF5 file killed mid-write cannot be trusted
        // (only the raw chunks the journal points to can).
        let io_err = |path: &Path, e: std::io::Error| EngineError::Output { path: path.to_path_buf(), message: e.to_string() };
        if partial.exists() {
            std::fs::remove_file(&partial).map_err(|e| io_err(&partial, e))?;
        }
        let journal = Journal::create(&jpath).map_err(|e| EngineError::Journal { journal: jpath.clone(), message: e.to_string() })?;
        let mut file = AsdfFile::create_with(&partial, crate::format::FormatVersion::V1_0_3, opts.compression)?;
        copy_station_metadata(src, &mut file, opts)?;
        let mut w = OutputWriter { output: output.to_path_buf(), partial, file, journal, done: HashSet::new(), last_flush: Instant::now() };
        if let Some((old_partial, old_journal)) = carried {
            w.carry_over(&old_partial, &old_journal)?;
            for p in [&old_partial, &old_journal] {
                if p.exists() {
                    std::fs::remove_file(p).map_err(|e| io_err(p, e))?;
                }
            }
        }
        Ok(w)
    }

    /// Copies the results an interrupted run journalled from its output into this one, up to the
    /// first record that does not verify (its job and the later ones run again).
    fn carry_over(&mut self, old_partial: &Path, old_journal: &Path) -> Result<(), EngineError> {
        let records = Journal::records(old_journal).map_err(|e| EngineError::Journal { journal: old_journal.to_path_buf(), message: e.to_string() })?;
        let Ok(old) = std::fs::File::open(old_partial) else { return Ok(()) };
        for r in records {
            let Ok(placed) = decode_placed(&r.payload) else { break };
            let Some(traces) = read_placed(&old, placed) else { break };
            let borrowed: Vec<(&EncodedTrace, Vec<&[u8]>)> =
                traces.iter().map(|(t, chunks)| (t, chunks.iter().map(Vec::as_slice).collect())).collect();
            self.store(&r.job, &borrowed)?;
        }
        Ok(())
    }

    /// Writes one job's traces, then journals where their chunks are.
    fn store(&mut self, key: &str, traces: &[(&EncodedTrace, Vec<&[u8]>)]) -> Result<usize, EngineError> {
        let mut placed = Vec::with_capacity(traces.len());
        for (t, chunks) in traces {
            let offsets = self.file.write_encoded_chunks(t, chunks)?;
            let places = offsets
                .iter()
                .zip(chunks)
                .map(|(&offset, c)| ChunkAt { offset, len: c.len() as u64, crc: crc32(&[c]) })
                .collect();
            placed.push((*t, places));
        }
        // The journal may say where the chunks are only once they are in the file.
        self.file.write_out_buffered()?;
        self.journal
            .append(key, &encode_placed(&placed))
            .map_err(|e| EngineError::Journal { journal: journal_path(&self.output), message: e.to_string() })?;
        self.done.insert(key.to_string());
        if self.last_flush.elapsed() > Duration::from_secs(30) {
            self.file.flush()?;
            self.last_flush = Instant::now();
        }
        Ok(traces.len())
    }

    /// Writes and journals one job's result.
    fn write_job(&mut self, key: &str, payload: Payload) -> Result<usize, EngineError> {
        match payload {
            Payload::Traces(traces) => {
                let borrowed: Vec<(&EncodedTrace, Vec<&[u8]>)> =
                    traces.iter().map(|t| (t, t.chunks.iter().map(Vec::as_slice).collect())).collect();
                self.store(key, &borrowed)
            }
            Payload::Bytes(bytes) => {
                let traces = decode_traces(&bytes).map_err(|m| EngineError::Mpi(format!("a damaged result for {key}: {m}")))?;
                let borrowed: Vec<(&EncodedTrace, Vec<&[u8]>)> = traces.iter().map(|(t, c)| (t, c.clone())).collect();
                self.store(key, &borrowed)
            }
        }
    }

    /// Closes the file, moves it into place, removes the journal.
    fn finish(self, _summary: &mut Summary) -> Result<(), EngineError> {
        self.file.close()?;
        if self.output.exists() {
            return Err(EngineError::OutputExists { path: self.output.clone() });
        }
        std::fs::rename(&self.partial, &self.output).map_err(|e| EngineError::Output { path: self.output.clone(), message: e.to_string() })?;
        let jpath = journal_path(&self.output);
        drop(self.journal);
        std::fs::remove_file(&jpath).map_err(|e| EngineError::Journal { journal: jpath, message: e.to_string() })
    }

    /// Leaves the journal and the temporary file for `--resume`.
    fn abandon(self) {
        drop(self.file);
    }
}

/// Before a resume: moves the interrupted run's temporary output and journal to `.prev` names,
/// where they stay until their results are copied. If an earlier resume was itself interrupted,
/// its `.prev` files are still the complete source and its half-built copies are dropped.
/// Returns the two `.prev` paths, or `None` when there is nothing to resume.
fn set_aside(partial: &Path, journal: &Path) -> Result<Option<(PathBuf, PathBuf)>, EngineError> {
    let (old_partial, old_journal) = (prev_path(partial), prev_path(journal));
    let io_err = |path: &Path, e: std::io::Error| EngineError::Output { path: path.to_path_buf(), message: e.to_string() };
    if old_journal.exists() {
        for p in [partial, journal] {
            if p.exists() {
                std::fs::remove_file(p).map_err(|e| io_err(p, e))?;
            }
        }
    } else if journal.exists() {
        if partial.exists() {
            std::fs::rename(partial, &old_partial).map_err(|e| io_err(partial, e))?;
        }
        std::fs::rename(journal, &old_journal).map_err(|e| io_err(journal, e))?;
    } else {
        return Ok(None);
    }
    Ok(Some((old_partial, old_journal)))
}

/// Reads the chunks of journalled traces back from an interrupted run's output; `None` if any
/// chunk is missing or fails its CRC.
fn read_placed(file: &std::fs::File, placed: Vec<(EncodedTrace, Vec<ChunkAt>)>) -> Option<Vec<(EncodedTrace, Vec<Vec<u8>>)>> {
    use std::os::unix::fs::FileExt;
    let len = file.metadata().ok()?.len();
    placed
        .into_iter()
        .map(|(t, places)| {
            let chunks = places
                .iter()
                .map(|c| {
                    // A place past the end of the partial output is a damaged record: nothing
                    // is allocated for it.
                    c.offset.checked_add(c.len).filter(|&end| end <= len)?;
                    let mut buf = vec![0u8; usize::try_from(c.len).ok()?];
                    file.read_exact_at(&mut buf, c.offset).ok()?;
                    (crc32(&[&buf]) == c.crc).then_some(buf)
                })
                .collect::<Option<Vec<_>>>()?;
            Some((t, chunks))
        })
        .collect()
}
