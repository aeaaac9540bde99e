//! The default output: rank 0's main thread writes every result into `OUT.partial` and then
//! journals where its chunks are (`OUT.journal`), so that `--resume` after a kill copies the
//! journalled chunks (those whose CRC-32 still matches) and runs only the rest.

use std::borrow::Borrow;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::format::{AsdfFile, EncodedTrace, FormatVersion};

use super::super::backend::Ctx;
use super::super::journal::{crc32, Journal};
use super::super::options::ProcessOptions;
use super::super::plan::Job;
use super::super::scheduler::Payload;
use super::super::wire::{decode_placed, encode_placed, ChunkAt};
use super::super::EngineError;
use super::{copy_station_metadata, journal_path, partial_path, prev_path, Output};

/// Rank 0's output: a temporary HDF5 file plus the journal; renamed into place when complete.
pub(crate) struct JournaledOutput {
    output: PathBuf,
    partial: PathBuf,
    file: AsdfFile,
    journal: Journal,
    done: HashSet<String>,
    last_flush: Instant,
}

/// Opens the output on rank 0 and tells every rank which jobs remain (all of them, but those a
/// resumed run takes over), or why the run stops: no rank is left waiting. Returns the output
/// (rank 0 only) and the indices of the jobs to run.
pub(crate) fn open(ctx: &Ctx, src: &AsdfFile, output: &Path, opts: &ProcessOptions, jobs: &[Job]) -> Result<(Option<JournaledOutput>, Vec<usize>), EngineError> {
    if !ctx.is_root() {
        return Ok((None, ctx.receive_verdict()?));
    }
    let opened = JournaledOutput::open(src, output, opts);
    let pending = opened.as_ref().map(|w| (0..jobs.len()).filter(|&i| !w.done.contains(&jobs[i].key())).collect::<Vec<usize>>());
    ctx.send_verdict(&pending)?;
    let pending = pending.unwrap_or_default();
    Ok((Some(opened?), pending))
}

impl JournaledOutput {
    fn open(src: &AsdfFile, output: &Path, opts: &ProcessOptions) -> Result<Self, EngineError> {
        let partial = partial_path(output);
        let jpath = journal_path(output);
        let carried = if opts.resume { set_aside(&partial, &jpath)? } else { None };
        // The temporary file is always rebuilt: an HDF5 file killed mid-write cannot be trusted
        // (only the raw chunks the journal points to can).
        if partial.exists() {
            std::fs::remove_file(&partial).map_err(|e| io_err(&partial, e))?;
        }
        let journal = Journal::create(&jpath).map_err(|e| EngineError::Journal { journal: jpath.clone(), message: e.to_string() })?;
        let mut file = AsdfFile::create_with(&partial, FormatVersion::V1_0_3, opts.compression)?;
        copy_station_metadata(src, &mut file, opts)?;
        let mut w = JournaledOutput { output: output.to_path_buf(), partial, file, journal, done: HashSet::new(), last_flush: Instant::now() };
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
            let borrowed: Vec<(&EncodedTrace, Vec<&[u8]>)> = traces.iter().map(|(t, chunks)| (t, chunks.iter().map(Vec::as_slice).collect())).collect();
            self.store(&r.job, &borrowed)?;
        }
        Ok(())
    }

    /// Writes one job's traces, then journals where their chunks are.
    fn store<T: Borrow<EncodedTrace>>(&mut self, key: &str, traces: &[(T, Vec<&[u8]>)]) -> Result<usize, EngineError> {
        let mut placed = Vec::with_capacity(traces.len());
        for (t, chunks) in traces {
            let t: &EncodedTrace = t.borrow();
            let offsets = self.file.write_encoded_chunks(t, chunks)?;
            let places = offsets
                .iter()
                .zip(chunks)
                .map(|(&offset, c)| ChunkAt { offset, len: c.len() as u64, crc: crc32(&[c]) })
                .collect();
            placed.push((t, places));
        }
        // The journal may say where the chunks are only once they are in the file.
        self.file.write_out_buffered()?;
        let journal = journal_path(&self.output);
        self.journal.append(key, &encode_placed(&placed)?).map_err(|e| EngineError::Journal { journal, message: e.to_string() })?;
        self.done.insert(key.to_string());
        if self.last_flush.elapsed() > Duration::from_secs(30) {
            self.file.flush()?;
            self.last_flush = Instant::now();
        }
        Ok(traces.len())
    }
}

impl Output for JournaledOutput {
    type Result = Payload;

    fn accept(&mut self, job: &Job, result: Option<Payload>) -> Result<usize, EngineError> {
        let Some(payload) = result else { return self.store::<&EncodedTrace>(&job.key(), &[]).map(|_| 0) };
        let traces = payload.traces().map_err(|m| EngineError::Mpi(format!("the result of {}: {m}", job.key())))?;
        self.store(&job.key(), &traces)
    }

    /// Closes the file, moves it into place, removes the journal.
    fn finish(self) -> Result<(), EngineError> {
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
