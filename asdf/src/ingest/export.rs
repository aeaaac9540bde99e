//! `asdf export`: waveforms of an ASDF file back to miniSEED or SAC, for solvers and older
//! tools. miniSEED: one file per station and tag, `DIR/NET.STA.TAG.mseed`, each trace packed as
//! ObsPy's `write(format="MSEED")` packs it (Steim-2 for int32, INT16, FLOAT32, FLOAT64;
//! 4096-byte miniSEED 2 records of quality `D`). SAC: one file per trace, named as its dataset
//! (`DIR/NET.STA.LOC.CHA__START__END__TAG.sac`), float32 as SAC holds (integers converted, as
//! ObsPy does). `asdf import` of the result gives the same traces back (SAC: to the
//! microsecond, and in float32).

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::format::AsdfFile;
use crate::model::time::UtcTime;
use crate::model::trace::{Samples, Trace};

use super::archive::Selection;
use super::mseed::{pack_trace, PackSamples};
use super::sac::{write_sac, SacTrace};
use crate::format::WaveformName;
use super::IngestError;

/// What to export.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportOptions {
    /// Only this tag (default: every tag, each to its own files).
    pub tag: Option<String>,
    /// Stations, channels and time window (traces trimmed to the nearest samples, as ObsPy).
    pub selection: Selection,
    /// Record length in bytes (a power of two from 256 to 65,536; default 4096, as ObsPy).
    pub record_length: usize,
    /// miniSEED (default) or SAC.
    pub format: ExportFormat,
}

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExportFormat {
    /// miniSEED 2, one file per station and tag.
    #[default]
    Mseed,
    /// SAC binary, one file per trace.
    Sac,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions { tag: None, selection: Selection::default(), record_length: 4096, format: ExportFormat::Mseed }
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExportReport {
    /// The files written, sorted.
    pub files: Vec<PathBuf>,
    /// Traces packed.
    pub traces: usize,
    /// miniSEED records written.
    pub records: usize,
}

/// Writes the selected waveforms of `input` into `dir` (created if missing) as miniSEED. A file
/// that exists is refused (nothing is overwritten); each file appears only once complete.
///
/// ```no_run
/// let r = asdf::ingest::export("in.h5".as_ref(), "mseed/".as_ref(), &asdf::ingest::ExportOptions::default())?;
/// println!("{} traces in {} files", r.traces, r.files.len());
/// # Ok::<(), asdf::ingest::IngestError>(())
/// ```
pub fn export(input: &Path, dir: &Path, opts: &ExportOptions) -> Result<ExportReport, IngestError> {
    if !(256..=65_536).contains(&opts.record_length) || !opts.record_length.is_power_of_two() {
        return Err(IngestError::Usage(format!("--record-length {}: a power of two from 256 to 65536", opts.record_length)));
    }
    let file = AsdfFile::open(input)?;
    let mut jobs = Vec::new();
    for station in file.station_names()? {
        if !opts.selection.station(&station) {
            continue;
        }
        for tag in file.station(&station)?.tags()? {
            if opts.tag.as_ref().is_none_or(|t| *t == tag) {
                jobs.push((station.clone(), tag));
            }
        }
    }
    if jobs.is_empty() {
        let what = opts.tag.as_ref().map_or(String::new(), |t| format!(" with tag {t}"));
        return Err(IngestError::Usage(format!("{}: no waveforms{what} match the selection", input.display())));
    }
    std::fs::create_dir_all(dir).map_err(|e| IngestError::Input { path: dir.to_path_buf(), message: e.to_string() })?;
    if opts.format == ExportFormat::Sac {
        return export_sac(&file, &jobs, dir, opts);
    }
    let targets: Vec<PathBuf> = jobs.iter().map(|(station, tag)| dir.join(format!("{station}.{tag}.mseed"))).collect();
    if let Some(t) = targets.iter().find(|t| t.exists()) {
        return Err(IngestError::Input { path: t.clone(), message: "already exists; refusing to overwrite it (remove it or choose another directory)".into() });
    }
    let written: Vec<(PathBuf, usize, usize)> = jobs
        .par_iter()
        .zip(&targets)
        .map(|((station, tag), target)| export_station(&file, station, tag, target, opts))
        .collect::<Result<Vec<_>, _>>()?;
    let mut report = ExportReport::default();
    for (path, traces, records) in written.into_iter().filter(|(_, traces, _)| *traces > 0) {
        report.files.push(path);
        report.traces += traces;
        report.records += records;
    }
    report.files.sort();
    Ok(report)
}

/// One station's traces under one tag into `target`; returns (file, traces, records).
fn export_station(file: &AsdfFile, station: &str, tag: &str, target: &Path, opts: &ExportOptions) -> Result<(PathBuf, usize, usize), IngestError> {
    let st = selected_stream(file, station, tag, opts)?;
    if st.is_empty() {
        return Ok((target.to_path_buf(), 0, 0));
    }
    let mut bytes = Vec::new();
    let mut records = 0;
    for tr in &st.traces {
        records += pack(tr, opts.record_length, &mut bytes).map_err(|m| IngestError::Usage(format!("{station} {tag}: {m}")))?;
    }
    write_whole(target, &bytes)?;
    Ok((target.to_path_buf(), st.len(), records))
}

/// Packs one trace in the encoding ObsPy chooses for its type.
fn pack(tr: &Trace, record_length: usize, out: &mut Vec<u8>) -> Result<usize, String> {
    let s = &tr.stats;
    let nslc = (s.network.as_str(), s.station.as_str(), s.location.as_str(), s.channel.as_str());
    let start = s.starttime.ns();
    let widened: Vec<i32>;
    let samples = match tr.try_data().map_err(|e| e.to_string())? {
        Samples::I32(v) => PackSamples::I32(v),
        Samples::I16(v) => {
            widened = v.iter().map(|&x| i32::from(x)).collect();
            PackSamples::I16(&widened)
        }
        Samples::F32(v) => PackSamples::F32(v),
        Samples::F64(v) => PackSamples::F64(v),
        Samples::I64(_) => return Err(format!("{}: int64 samples: miniSEED holds at most 32-bit integers (convert the trace to float64 or int32 first)", tr.id())),
    };
    pack_trace(nslc, start, s.sampling_rate, samples, record_length, out)
}

/// SAC: every selected trace to its own file, named as its dataset.
fn export_sac(file: &AsdfFile, jobs: &[(String, String)], dir: &Path, opts: &ExportOptions) -> Result<ExportReport, IngestError> {
    let written: Vec<Vec<PathBuf>> = jobs
        .par_iter()
        .map(|(station, tag)| -> Result<Vec<PathBuf>, IngestError> {
            let st = selected_stream(file, station, tag, opts)?;
            let mut files = Vec::new();
            for tr in &st.traces {
                let name = WaveformName::for_trace(tr, tag, file.version());
                let target = dir.join(format!("{name}.sac"));
                if target.exists() {
                    return Err(IngestError::Input { path: target, message: "already exists; refusing to overwrite it (remove it or choose another directory)".into() });
                }
                let samples: Vec<f32> = match tr.try_data().map_err(|e| IngestError::Usage(format!("{station} {tag}: {e}")))? {
                    Samples::F32(v) => v.clone(),
                    other => other.to_f64().into_iter().map(|x| x as f32).collect(),
                };
                let s = &tr.stats;
                let sac = SacTrace { network: s.network.clone(), station: s.station.clone(), location: s.location.clone(), channel: s.channel.clone(), start_ns: s.starttime.ns(), sampling_rate: s.sampling_rate, samples };
                write_whole(&target, &write_sac(&sac))?;
                files.push(target);
            }
            Ok(files)
        })
        .collect::<Result<_, _>>()?;
    let mut files: Vec<PathBuf> = written.into_iter().flatten().collect();
    files.sort();
    Ok(ExportReport { traces: files.len(), records: 0, files })
}

/// A station's traces under `tag`, with the selection's channels and window.
fn selected_stream(file: &AsdfFile, station: &str, tag: &str, opts: &ExportOptions) -> Result<crate::model::stream::Stream, IngestError> {
    let mut st = file.station(station)?.stream(tag)?;
    st.traces.retain(|t| opts.selection.channel(&t.stats.channel));
    let window = (opts.selection.start_ns.map(UtcTime::from_ns), opts.selection.end_ns.map(UtcTime::from_ns));
    if window.0.is_some() || window.1.is_some() {
        st.trim(window.0, window.1).map_err(|e| IngestError::Usage(format!("{station} {tag}: {e}")))?;
    }
    Ok(st)
}

/// Writes `bytes` to `target` through `target.partial`, renamed when whole.
fn write_whole(target: &Path, bytes: &[u8]) -> Result<(), IngestError> {
    let mut partial = target.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let io = |path: &Path, e: std::io::Error| IngestError::Input { path: path.to_path_buf(), message: e.to_string() };
    std::fs::write(&partial, bytes).map_err(|e| io(&partial, e))?;
    std::fs::rename(&partial, target).map_err(|e| io(target, e))
}
