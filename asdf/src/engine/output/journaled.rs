//! The default output: rank 0's main thread writes every result into `OUT.partial` and then
//! journals where its chunks are (`OUT.journal`), so that `--resume` after a kill copies the
//! journalled chunks (those whose CRC-32 still matches) and runs only the rest.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::format::{AsdfFile, Compression, FormatVersion};

use super::super::backend::Ctx;
use super::super::journal::{crc32, Journal};
use super::super::plan::Job;
use super::super::products::Borrowed;
use super::super::scheduler::{Finished, Outcome, Payload};
use super::super::summary::{Ended, Summary};
use super::super::wire::{decode_placed, encode_placed, ChunkAt, Placed};
use super::super::EngineError;
use super::{journal_path, partial_path, prev_path, Accepted, Output, Written};

/// Rank 0's output: a temporary HDF5 file plus the journal; renamed into place when complete.
pub(crate) struct JournaledOutput {
    output: PathBuf,
    partial: PathBuf,
    file: AsdfFile,
    journal: Journal,
    done: HashSet<String>,
    /// Whether two jobs' traces can have the same name (then each is looked up first).
    shared_names: bool,
    /// Each written job's record (JSON), by job key, this run's and those carried over.
    records: BTreeMap<String, Vec<u8>>,
    last_flush: Instant,
    /// Whether the output is an existing file this run adds to (replaced when complete).
    replaces: bool,
}

/// How the journaled output is made.
pub(crate) struct Settings<'a> {
    /// Continue an interrupted run.
    pub(crate) resume: bool,
    /// The output's compression.
    pub(crate) compression: Compression,
    /// Fills a new output with what every run copies first (StationXML, events).
    pub(crate) metadata: &'a dyn Fn(&mut AsdfFile) -> Result<(), EngineError>,
    /// Whether two jobs may write traces of the same name (two input tags mapped to one output
    /// tag; any multi-input job). When not, only a job's own traces are checked against each
    /// other, with no lookup in the file.
    pub(crate) shared_names: bool,
    /// An existing file the output starts as a copy of (an `asdf import --append`): the file
    /// itself is only replaced, in one rename, once the run is complete.
    pub(crate) base: Option<&'a Path>,
}

/// Opens the output on rank 0 and tells every rank which jobs remain (all of them, but those a
/// resumed run takes over), or why the run stops: no rank is left waiting. Returns the output
/// (rank 0 only) and the indices of the jobs to run.
pub(crate) fn open(ctx: &Ctx, output: &Path, settings: &Settings<'_>, jobs: &[Job]) -> Result<(Option<JournaledOutput>, Vec<usize>), EngineError> {
    if !ctx.is_root() {
        return Ok((None, ctx.receive_verdict()?));
    }
    let opened = JournaledOutput::open(output, settings);
    let pending = opened.as_ref().map(|w| (0..jobs.len()).filter(|&i| !w.done.contains(&jobs[i].key())).collect::<Vec<usize>>());
    ctx.send_verdict(&pending)?;
    let pending = pending.unwrap_or_default();
    Ok((Some(opened?), pending))
}

impl JournaledOutput {
    fn open(output: &Path, settings: &Settings<'_>) -> Result<Self, EngineError> {
        let partial = partial_path(output);
        let jpath = journal_path(output);
        let carried = if settings.resume { set_aside(&partial, &jpath)? } else { None };
        // The temporary file is always rebuilt: an HDF5 file killed mid-write cannot be trusted
        // (only the raw chunks the journal points to can).
        if partial.exists() {
            std::fs::remove_file(&partial).map_err(|e| io_err(&partial, e))?;
        }
        let journal = Journal::create(&jpath).map_err(|e| EngineError::Journal { journal: jpath.clone(), message: e.to_string() })?;
        let mut file = match settings.base {
            Some(base) => {
                std::fs::copy(base, &partial).map_err(|e| io_err(&partial, e))?;
                let mut f = AsdfFile::open_rw(&partial)?;
                f.set_compression(settings.compression);
                f
            }
            None => AsdfFile::create_with(&partial, FormatVersion::V1_0_3, settings.compression)?,
        };
        (settings.metadata)(&mut file)?;
        let mut w = JournaledOutput {
            output: output.to_path_buf(),
            partial,
            file,
            journal,
            done: HashSet::new(),
            shared_names: settings.shared_names,
            records: BTreeMap::new(),
            last_flush: Instant::now(),
            replaces: settings.base.is_some(),
        };
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
            let Some(read) = read_placed(&old, &placed) else { break };
            let borrowed = Borrowed {
                traces: placed.traces.iter().zip(&read.traces).map(|((t, _), c)| (Cow::Borrowed(t), c.iter().map(Vec::as_slice).collect())).collect(),
                auxiliary: placed.auxiliary.iter().zip(&read.auxiliary).map(|((a, _), c)| (Cow::Borrowed(a), c.iter().map(Vec::as_slice).collect())).collect(),
                record: placed.record.as_deref(),
            };
            if let Accepted::Refused(_) = self.store(&r.job, &borrowed)? {
                break;
            }
        }
        Ok(())
    }

    /// Why a job's products cannot be written, if a trace or array already exists in the output
    /// or appears twice among them (then nothing of the job is written).
    fn conflict(&self, products: &Borrowed<'_>) -> Option<String> {
        let mut names = HashSet::new();
        for (t, _) in &products.traces {
            if (self.shared_names && self.file.has_waveform(&t.station, &t.name)) || !names.insert(format!("/Waveforms/{}/{}", t.station, t.name)) {
                return Some(format!("waveform {}/{} is written twice (by this job or another)", t.station, t.name));
            }
        }
        for (a, _) in &products.auxiliary {
            let path = format!("{}/{}", a.data_type, a.path);
            if self.file.has_auxiliary_data(&path) || !names.insert(path.clone()) {
                return Some(format!("auxiliary data {path} is written twice (by this job or another)"));
            }
        }
        None
    }

    /// Writes one job's products, then journals where their chunks are.
    fn store(&mut self, key: &str, products: &Borrowed<'_>) -> Result<Accepted, EngineError> {
        if let Some(why) = self.conflict(products) {
            return Ok(Accepted::Refused(why));
        }
        let place = |offsets: Vec<u64>, chunks: &[&[u8]]| -> Vec<ChunkAt> {
            offsets.iter().zip(chunks).map(|(&offset, c)| ChunkAt { offset, len: c.len() as u64, crc: crc32(&[c]) }).collect()
        };
        let mut traces = Vec::with_capacity(products.traces.len());
        let mut auxiliary = Vec::with_capacity(products.auxiliary.len());
        self.file.holding_lock(|file| -> Result<(), EngineError> {
            for (t, chunks) in &products.traces {
                let offsets = file.write_encoded_chunks(t, chunks)?;
                traces.push((t.as_ref(), place(offsets, chunks)));
            }
            for (a, chunks) in &products.auxiliary {
                let offsets = file.write_encoded_auxiliary_chunks(a, chunks)?;
                auxiliary.push((a.as_ref(), place(offsets, chunks)));
            }
            // The journal may say where the chunks are only once they are in the file.
            Ok(file.write_out_buffered()?)
        })?;
        let journal = journal_path(&self.output);
        let record = encode_placed(&traces, &auxiliary, products.record)?;
        self.journal.append(key, &record).map_err(|e| EngineError::Journal { journal, message: e.to_string() })?;
        self.done.insert(key.to_string());
        if let Some(r) = products.record {
            self.records.insert(key.to_string(), r.to_vec());
        }
        if self.last_flush.elapsed() > Duration::from_secs(30) {
            self.file.flush()?;
            self.last_flush = Instant::now();
        }
        Ok(Accepted::Written(Written { traces: traces.len(), auxiliary: auxiliary.len() }))
    }

    /// Takes one finished job on rank 0's main thread: writes and journals its result, counts it
    /// in `summary` (a failure reported there). The `process` and `combine` runs' writer.
    pub(crate) fn take(&mut self, jobs: &[Job], fin: Finished, summary: &mut Summary, quiet: bool) -> Result<(), EngineError> {
        let job = jobs.get(fin.job).ok_or_else(|| EngineError::Mpi(format!("rank {} finished job {}, which was never planned", fin.rank, fin.job)))?;
        let started = std::time::Instant::now();
        let ended = match fin.outcome {
            Outcome::Done(payload) => Ended::of(self.accept(job, Some(payload))?),
            Outcome::Nothing => {
                self.accept(job, None)?;
                Ended::Empty
            }
            Outcome::Failed(message) => Ended::Failed(message),
        };
        summary.writer_seconds += started.elapsed().as_secs_f64();
        summary.record(job, fin.rank, ended, quiet);
        Ok(())
    }

    /// The records of the jobs written so far (this run's and those carried over), by job key.
    pub(crate) fn records(&self) -> &BTreeMap<String, Vec<u8>> {
        &self.records
    }
}

impl Output for JournaledOutput {
    type Result = Payload;

    fn accept(&mut self, job: &Job, result: Option<Payload>) -> Result<Accepted, EngineError> {
        let Some(payload) = result else { return self.store(&job.key(), &Borrowed::default()) };
        let products = payload.products().map_err(|m| EngineError::Mpi(format!("the result of {}: {m}", job.key())))?;
        self.store(&job.key(), &products)
    }

    /// Closes the file, moves it into place, removes the journal.
    fn finish(self) -> Result<(), EngineError> {
        self.file.close()?;
        if self.output.exists() && !self.replaces {
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

fn io_err(path: &Path, e: std::io::Error) -> EngineError {
    EngineError::Output { path: path.to_path_buf(), message: e.to_string() }
}

/// Before a resume: moves the interrupted run's temporary output and journal to `.prev` names,
/// where they stay until their results are copied. If an earlier resume was itself interrupted,
/// its `.prev` files are still the complete source and its half-built copies are dropped.
/// Returns the two `.prev` paths, or `None` when there is nothing to resume.
fn set_aside(partial: &Path, journal: &Path) -> Result<Option<(PathBuf, PathBuf)>, EngineError> {
    let (old_partial, old_journal) = (prev_path(partial), prev_path(journal));
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

/// The chunks of a journalled job, read back from an interrupted run's output.
struct ReadBack {
    traces: Vec<Vec<Vec<u8>>>,
    auxiliary: Vec<Vec<Vec<u8>>>,
}

/// Reads the chunks of a journalled job back from an interrupted run's output; `None` if any
/// chunk is missing or fails its CRC.
fn read_placed(file: &std::fs::File, placed: &Placed) -> Option<ReadBack> {
    use std::os::unix::fs::FileExt;
    let len = file.metadata().ok()?.len();
    let read = |places: &[ChunkAt]| -> Option<Vec<Vec<u8>>> {
        places
            .iter()
            .map(|c| {
                // A place past the end of the partial output is a damaged record: nothing is
                // allocated for it.
                c.offset.checked_add(c.len).filter(|&end| end <= len)?;
                let mut buf = vec![0u8; usize::try_from(c.len).ok()?];
                file.read_exact_at(&mut buf, c.offset).ok()?;
                (crc32(&[&buf]) == c.crc).then_some(buf)
            })
            .collect()
    };
    Some(ReadBack {
        traces: placed.traces.iter().map(|(_, p)| read(p)).collect::<Option<_>>()?,
        auxiliary: placed.auxiliary.iter().map(|(_, p)| read(p)).collect::<Option<_>>()?,
    })
}
