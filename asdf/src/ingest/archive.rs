//! The archive to import: input paths expanded into files (files, directories, globs, an SDS
//! tree), and the index a scan of their record headers makes (no sample decoded): which
//! channels each file holds, over which times, with how many samples. The index is the plan:
//! jobs, sizes and progress are known before anything is decoded.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::model::stream::wildcard_match;
use crate::model::time::UtcTime;

use super::mseed::{scan_records, starts_with_record, Damage, RecordHeader, Scanned};
use super::sac::{has_sac_header, read_sac, read_sac_header, sac_coordinates, sac_event, SacCoordinates, SacEvent, SacTrace};
use super::IngestError;

/// Which data to import: stations, channels and a time window (all optional).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    /// `NET.STA` patterns (`*`, `?`); none = every station.
    pub stations: Vec<String>,
    /// Channel code patterns (`BH?`, `*Z`); none = every channel.
    pub channels: Vec<String>,
    /// Keep samples at or after this time (ns since 1970).
    pub start_ns: Option<i64>,
    /// Keep samples at or before this time (ns since 1970).
    pub end_ns: Option<i64>,
}

impl Selection {
    /// Whether a station (`NET.STA`) is selected.
    pub fn station(&self, station: &str) -> bool {
        self.stations.is_empty() || self.stations.iter().any(|p| wildcard_match(p, station))
    }

    /// Whether a channel code is selected.
    pub fn channel(&self, channel: &str) -> bool {
        self.channels.is_empty() || self.channels.iter().any(|p| wildcard_match(p, channel))
    }

    /// Whether a record is selected (its station, channel and time span).
    pub fn record(&self, h: &RecordHeader) -> bool {
        self.codes(h) && self.time(h)
    }

    /// Whether a record's station and channel are selected.
    pub fn codes(&self, h: &RecordHeader) -> bool {
        (self.stations.is_empty() || self.station(&format!("{}.{}", h.network, h.station))) && self.channel(&h.channel)
    }

    /// Whether a record's time span meets the window.
    pub fn time(&self, h: &RecordHeader) -> bool {
        self.start_ns.is_none_or(|s| h.last_sample_ns() >= s) && self.end_ns.is_none_or(|e| h.start_ns <= e)
    }
}

/// [`Selection::record`] for a walk through records: the records of a channel share their
/// codes (see [`RecordHeader`]), so the codes are matched once per run of a channel's records,
/// not once per record.
pub(crate) struct RecordFilter<'a> {
    sel: &'a Selection,
    last: Option<(Arc<str>, Arc<str>, bool)>,
}

impl<'a> RecordFilter<'a> {
    pub(crate) fn new(sel: &'a Selection) -> Self {
        RecordFilter { sel, last: None }
    }

    /// Whether a record is selected.
    pub(crate) fn record(&mut self, h: &RecordHeader) -> bool {
        let codes = match &self.last {
            Some((sta, cha, ok)) if Arc::ptr_eq(sta, &h.station) && Arc::ptr_eq(cha, &h.channel) => *ok,
            _ => {
                let ok = self.sel.codes(h);
                self.last = Some((h.station.clone(), h.channel.clone(), ok));
                ok
            }
        };
        codes && self.sel.time(h)
    }
}

/// How a file came to be in the import: named on the command line (it must be miniSEED or SAC),
/// or found in a directory, by a glob or in an SDS tree (a file that is neither is passed over,
/// with a note).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Found {
    /// Named as it is.
    Named,
    /// Found by walking a directory, a glob or an SDS tree.
    Walked,
}

/// Expands input paths into files, sorted and without repeats: a file as it is, a directory
/// walked recursively (hidden entries skipped), a path with `*` or `?` matched component by
/// component.
///
/// ```no_run
/// let files = asdf::ingest::expand_inputs(&["archive/".into(), "extra/*.mseed".into()])?;
/// # Ok::<(), asdf::ingest::IngestError>(())
/// ```
pub fn expand_inputs(inputs: &[PathBuf]) -> Result<Vec<(PathBuf, Found)>, IngestError> {
    let mut out = BTreeMap::new();
    for input in inputs {
        let text = input.to_string_lossy();
        if text.contains(['*', '?']) {
            let matched = glob(input)?;
            if matched.is_empty() {
                return Err(IngestError::Input { path: input.clone(), message: "no file matches this pattern".into() });
            }
            for f in matched {
                walk(&f, &mut out)?;
            }
        } else if input.is_dir() {
            walk(input, &mut out)?;
        } else if input.is_file() {
            out.insert(input.clone(), Found::Named);
        } else {
            return Err(IngestError::Input { path: input.clone(), message: "no such file or directory".into() });
        }
    }
    Ok(out.into_iter().collect())
}

/// The day files of an SDS archive (`ROOT/YEAR/NET/STA/CHA.D/NET.STA.LOC.CHA.D.YEAR.DOY`) that
/// may hold selected data: stations and channels chosen by the path, days by the window (the day
/// before its start too, since day files spill over midnight).
pub fn sds_files(root: &Path, sel: &Selection) -> Result<Vec<PathBuf>, IngestError> {
    let io = |path: &Path, e: std::io::Error| IngestError::Input { path: path.to_path_buf(), message: e.to_string() };
    if !root.is_dir() {
        return Err(IngestError::Input { path: root.to_path_buf(), message: "not a directory (an SDS root holds YEAR/NET/STA/CHA.D/...)".into() });
    }
    const DAY: i64 = 86_400_000_000_000;
    let first_day = sel.start_ns.map(|s| s.div_euclid(DAY) - 1);
    let last_day = sel.end_ns.map(|e| e.div_euclid(DAY));
    let mut files = Vec::new();
    for year in sorted_dirs(root).map_err(|e| io(root, e))? {
        let Ok(y) = file_name(&year).parse::<i32>() else { continue };
        for net in sorted_dirs(&year).map_err(|e| io(&year, e))? {
            for sta in sorted_dirs(&net).map_err(|e| io(&net, e))? {
                if !sel.station(&format!("{}.{}", file_name(&net), file_name(&sta))) {
                    continue;
                }
                for cha in sorted_dirs(&sta).map_err(|e| io(&sta, e))? {
                    let name = file_name(&cha);
                    let Some(code) = name.strip_suffix(".D") else { continue };
                    if !sel.channel(code) {
                        continue;
                    }
                    let mut entries: Vec<PathBuf> = std::fs::read_dir(&cha).map_err(|e| io(&cha, e))?.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
                    entries.sort();
                    for f in entries {
                        let Some(doy) = file_name(&f).rsplit('.').next().and_then(|d| d.parse::<u32>().ok()) else { continue };
                        let day = UtcTime::from_year_day(y, doy, 0, 0, 0, 0).ns().div_euclid(DAY);
                        if first_day.is_some_and(|d| day < d) || last_day.is_some_and(|d| day > d) {
                            continue;
                        }
                        files.push(f);
                    }
                }
            }
        }
    }
    Ok(files)
}

fn sorted_dirs(p: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(p)?.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_dir() && !file_name(p).starts_with('.')).collect();
    v.sort();
    Ok(v)
}

fn file_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn walk(p: &Path, out: &mut BTreeMap<PathBuf, Found>) -> Result<(), IngestError> {
    if p.is_file() {
        out.entry(p.to_path_buf()).or_insert(Found::Walked);
        return Ok(());
    }
    let entries = std::fs::read_dir(p).map_err(|e| IngestError::Input { path: p.to_path_buf(), message: e.to_string() })?;
    for e in entries.filter_map(Result::ok) {
        let path = e.path();
        if file_name(&path).starts_with('.') {
            continue;
        }
        if path.is_dir() || path.is_file() {
            walk(&path, out)?;
        }
    }
    Ok(())
}

/// Paths matching a pattern with `*` and `?` in any component.
fn glob(pattern: &Path) -> Result<Vec<PathBuf>, IngestError> {
    let mut current = vec![if pattern.is_absolute() { PathBuf::from("/") } else { PathBuf::new() }];
    for comp in pattern.components() {
        use std::path::Component;
        let part = match comp {
            Component::RootDir | Component::Prefix(_) => continue,
            Component::CurDir => ".".to_string(),
            Component::ParentDir => "..".to_string(),
            Component::Normal(s) => s.to_string_lossy().into_owned(),
        };
        let mut next = Vec::new();
        for base in &current {
            if part.contains(['*', '?']) {
                let dir = if base.as_os_str().is_empty() { Path::new(".") } else { base.as_path() };
                let Ok(entries) = std::fs::read_dir(dir) else { continue };
                let mut names: Vec<String> = entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| !n.starts_with('.') && wildcard_match(&part, n)).collect();
                names.sort();
                next.extend(names.into_iter().map(|n| base.join(n)));
            } else {
                let p = base.join(&part);
                if p.exists() {
                    next.push(p);
                }
            }
        }
        current = next;
    }
    Ok(current)
}

/// What the scan learnt of one channel in one file: the span and size of its selected records.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ChannelSpan {
    /// `NET.STA.LOC.CHA`.
    pub id: String,
    /// First sample, ns.
    pub start_ns: i64,
    /// Last sample, ns.
    pub end_ns: i64,
    /// Samples in the selected records.
    pub samples: u64,
    /// Selected records.
    pub records: u64,
    /// Whether these are text (log) records rather than samples.
    pub text: bool,
    /// Samples per second (of the first record).
    pub sampling_rate: f64,
    /// The station's coordinates from a SAC file's header, if it has them.
    pub coordinates: Option<SacCoordinates>,
}

/// One scanned file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScannedFile {
    /// The file.
    pub path: PathBuf,
    /// How it came to be in the import.
    pub found: Found,
    /// Its selected channels.
    pub channels: Vec<ChannelSpan>,
    /// Records in the file (selected or not).
    pub records: u64,
    /// What could not be read (a file that cannot be read at all: one damage at offset 0).
    pub damage: Vec<Damage>,
    /// The event a SAC file's header names, if any.
    pub event: Option<SacEvent>,
}

impl ScannedFile {
    /// Whether this looks like a file that is not miniSEED at all (its first bytes are no record).
    pub fn not_miniseed(&self) -> bool {
        self.records == 0 && self.damage.first().is_some_and(|d| d.offset == 0)
    }
}

/// Reads the record headers of every file (in parallel), keeping per file the span of each
/// selected channel.
pub fn scan(files: &[(PathBuf, Found)], sel: &Selection) -> Vec<ScannedFile> {
    files
        .par_iter()
        .map(|(path, found)| {
            let bytes = match std::fs::read(path) {
                Ok(b) => b,
                Err(e) => return ScannedFile { path: path.clone(), found: *found, channels: Vec::new(), records: 0, damage: vec![Damage { offset: 0, message: format!("cannot read: {e}"), resumed_at: None }], event: None },
            };
            let scanned = match sac_file(&bytes) {
                Some(Ok(h)) => Scanned { records: vec![h], damage: Vec::new() },
                Some(Err(message)) => Scanned { records: Vec::new(), damage: vec![Damage { offset: 0, message, resumed_at: None }] },
                None => scan_records(&bytes),
            };
            let mut channels: BTreeMap<String, ChannelSpan> = BTreeMap::new();
            // The selection and the channel's id, worked out once per run of its records.
            let mut filter = RecordFilter::new(sel);
            let mut last: Option<(Arc<str>, Arc<str>, String)> = None;
            for h in &scanned.records {
                if !filter.record(h) {
                    continue;
                }
                let id = match &last {
                    Some((sta, cha, id)) if Arc::ptr_eq(sta, &h.station) && Arc::ptr_eq(cha, &h.channel) => id,
                    _ => {
                        let id = format!("{}.{}.{}.{}", h.network, h.station, h.location, h.channel);
                        &last.insert((h.station.clone(), h.channel.clone(), id)).2
                    }
                };
                let c = match channels.get_mut(id.as_str()) {
                    Some(c) => c,
                    None => channels.entry(id.clone()).or_insert(ChannelSpan {
                        id: id.clone(),
                        start_ns: h.start_ns,
                        end_ns: h.start_ns,
                        samples: 0,
                        records: 0,
                        text: h.is_text(),
                        sampling_rate: h.sampling_rate,
                        coordinates: if h.format_version == 0 { sac_coordinates(&bytes) } else { None },
                    }),
                };
                c.start_ns = c.start_ns.min(h.start_ns);
                c.end_ns = c.end_ns.max(h.last_sample_ns());
                c.samples += h.samples.max(0) as u64;
                c.records += 1;
            }
            let event = if scanned.records.first().is_some_and(|h| h.format_version == 0) { sac_event(&bytes) } else { None };
            ScannedFile { path: path.clone(), found: *found, channels: channels.into_values().collect(), records: scanned.records.len() as u64, damage: scanned.damage, event }
        })
        .collect()
}

/// A SAC file's trace header as the record header of the one "record" it is (`format_version`
/// 0, encoding 4 for its float32 samples), read without its samples (for the scan); `None` when
/// `bytes` are not SAC.
pub(crate) fn sac_file(bytes: &[u8]) -> Option<Result<RecordHeader, String>> {
    if !is_sac_not_miniseed(bytes) {
        return None;
    }
    Some(read_sac_header(bytes).map(|(t, _, npts)| sac_record(t, npts, bytes.len())))
}

/// [`sac_file`] with the samples decoded (for the import's job).
pub(crate) fn sac_trace(bytes: &[u8]) -> Option<Result<(RecordHeader, Vec<f32>), String>> {
    if !is_sac_not_miniseed(bytes) {
        return None;
    }
    Some(read_sac(bytes).map(|mut t| {
        let samples = std::mem::take(&mut t.samples);
        let npts = samples.len();
        (sac_record(t, npts, bytes.len()), samples)
    }))
}

/// Whether `bytes` start with a SAC header and not with a miniSEED record.
fn is_sac_not_miniseed(bytes: &[u8]) -> bool {
    has_sac_header(bytes) && !starts_with_record(bytes)
}

fn sac_record(t: SacTrace, npts: usize, file_len: usize) -> RecordHeader {
    RecordHeader {
        offset: 0,
        length: file_len.min(u32::MAX as usize) as u32,
        network: t.network.into(),
        station: t.station.into(),
        location: t.location.into(),
        channel: t.channel.into(),
        publication: 0,
        start_ns: t.start_ns,
        sampling_rate: t.sampling_rate,
        samples: npts as i64,
        encoding: 4,
        format_version: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_expand_files_directories_and_globs() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("a/b")).unwrap();
        for f in ["a/x.mseed", "a/b/y.mseed", "a/b/z.sac", "a/.hidden"] {
            std::fs::write(d.join(f), b"").unwrap();
        }
        let got = expand_inputs(&[d.join("a")]).unwrap();
        let names: Vec<String> = got.iter().map(|(p, _)| p.strip_prefix(d).unwrap().display().to_string()).collect();
        assert_eq!(names, ["a/b/y.mseed", "a/b/z.sac", "a/x.mseed"]);
        let got = expand_inputs(&[d.join("a/*/*.mseed"), d.join("a/x.mseed")]).unwrap();
        assert_eq!(got, vec![(d.join("a/b/y.mseed"), Found::Walked), (d.join("a/x.mseed"), Found::Named)]);
        assert!(matches!(expand_inputs(&[d.join("nothing")]), Err(IngestError::Input { .. })));
        assert!(matches!(expand_inputs(&[d.join("a/*.none")]), Err(IngestError::Input { .. })));
    }

    #[test]
    fn sds_days_and_codes_select_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (sta, cha, doy) in [("A", "HHZ", 1), ("A", "HHZ", 2), ("A", "HHZ", 3), ("A", "LHZ", 2), ("B", "HHZ", 2)] {
            let d = root.join(format!("2020/XX/{sta}/{cha}.D"));
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join(format!("XX.{sta}..{cha}.D.2020.{doy:03}")), b"").unwrap();
        }
        let day2 = UtcTime::from_ymd_hms(2020, 1, 2, 0, 0, 0, 0).ns();
        let sel = Selection { stations: vec!["XX.A".into()], channels: vec!["HH?".into()], start_ns: Some(day2 + 1), end_ns: Some(day2 + 2) };
        let files = sds_files(root, &sel).unwrap();
        let names: Vec<String> = files.iter().map(|p| file_name(p)).collect();
        assert_eq!(names, ["XX.A..HHZ.D.2020.001", "XX.A..HHZ.D.2020.002"]);
        assert_eq!(sds_files(root, &Selection::default()).unwrap().len(), 5);
    }
}
