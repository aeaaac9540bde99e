//! Job arrays: a run split into N shards, each a complete ASDF file holding the results of its
//! share of the stations and marked with the shard it is (`asdf_shard = "I/N"`, a root
//! attribute pyasdf ignores), and [`merge_shards`], which joins them by object copies (the
//! chunks as stored, no recompression) into the file one run would have written.

use std::path::{Path, PathBuf};

use super::error::{FormatError, Result};
use super::file::AsdfFile;
use super::h5;

/// The root attribute that marks a shard's output.
const SHARD_ATTRIBUTE: &str = "asdf_shard";

/// Shard `index` (from 1) of `count`: the stations at positions `index - 1`, `index - 1 + count`,
/// ... of the run's sorted station list.
///
/// ```
/// use asdf::format::Shard;
/// let s: Shard = "2/3".parse()?;
/// let mine: Vec<usize> = (0..7).filter(|&p| s.holds(p)).collect();
/// assert_eq!(mine, [1, 4]);
/// assert!("0/3".parse::<Shard>().is_err() && "4/3".parse::<Shard>().is_err());
/// # Ok::<(), String>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    /// Which shard, from 1.
    pub index: usize,
    /// How many shards the run has.
    pub count: usize,
}

impl Shard {
    /// Whether the station at `position` of the sorted station list is this shard's.
    pub fn holds(&self, position: usize) -> bool {
        position % self.count == self.index - 1
    }

    /// The shard of a Slurm job array task: `SLURM_ARRAY_TASK_ID` minus `SLURM_ARRAY_TASK_MIN`
    /// (0 when unset), plus 1, of `SLURM_ARRAY_TASK_COUNT`. `None` outside a job array; an
    /// error when the variables do not give a shard (an array with a step, say).
    pub fn from_slurm(var: impl Fn(&str) -> Option<String>) -> std::result::Result<Option<Shard>, String> {
        let (Some(id), Some(count)) = (var("SLURM_ARRAY_TASK_ID"), var("SLURM_ARRAY_TASK_COUNT")) else { return Ok(None) };
        let min = var("SLURM_ARRAY_TASK_MIN").unwrap_or_else(|| "0".into());
        let num = |name: &str, v: &str| v.trim().parse::<usize>().map_err(|_| format!("{name}={v:?} is not a task number"));
        let (id, count, min) = (num("SLURM_ARRAY_TASK_ID", &id)?, num("SLURM_ARRAY_TASK_COUNT", &count)?, num("SLURM_ARRAY_TASK_MIN", &min)?);
        match id.checked_sub(min) {
            Some(i) if i < count => Ok(Some(Shard { index: i + 1, count })),
            _ => Err(format!(
                "SLURM_ARRAY_TASK_ID={id}, SLURM_ARRAY_TASK_MIN={min}, SLURM_ARRAY_TASK_COUNT={count} give no shard: use an array of consecutive tasks (e.g. --array=0-{}) or pass --shard I/N",
                count.saturating_sub(1)
            )),
        }
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let parsed = s.split_once('/').and_then(|(i, n)| Some((i.trim().parse::<usize>().ok()?, n.trim().parse::<usize>().ok()?)));
        match parsed {
            Some((index, count)) if count >= 1 && (1..=count).contains(&index) => Ok(Shard { index, count }),
            _ => Err(format!("{s:?} is not a shard: expected I/N with 1 <= I <= N, e.g. 2/8")),
        }
    }
}

impl AsdfFile {
    /// Marks this file as the output of `shard`.
    pub(crate) fn mark_shard(&mut self, shard: Shard) -> Result<()> {
        self.require_writable()?;
        h5::attr_write_fixed_str(self.h5(), SHARD_ATTRIBUTE, &shard.to_string()).map_err(|m| self.err("/", m))
    }

    /// The shard this file is the output of, if it is one.
    pub fn shard(&self) -> Result<Option<Shard>> {
        match h5::attr_read(self.h5(), SHARD_ATTRIBUTE) {
            Ok(h5::AttrValue::Str(s)) => s.parse().map(Some).map_err(|message| FormatError::Invalid { path: self.path.clone(), object: format!("/@{SHARD_ATTRIBUTE}"), message }),
            Ok(_) => Err(FormatError::Invalid { path: self.path.clone(), object: format!("/@{SHARD_ATTRIBUTE}"), message: "not a string".into() }),
            Err(_) => Ok(None),
        }
    }
}

/// What [`merge_shards`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeSummary {
    /// Shards joined.
    pub shards: usize,
    /// Objects copied (waveforms, StationXML, auxiliary and provenance datasets).
    pub objects: usize,
}

/// Joins the outputs of every shard of a run into `output` (which must not exist): every
/// waveform, StationXML, auxiliary and provenance dataset copied as stored, the events once.
/// Refuses, naming them, a file that is not a shard, shards of different runs' sizes, a shard
/// given twice, a missing shard, and an object found in two shards. Writes `output.partial` and
/// renames it when complete.
///
/// ```no_run
/// let s = asdf::format::merge_shards("out.h5".as_ref(), &["out_1.h5".into(), "out_2.h5".into()])?;
/// println!("{} shards, {} objects", s.shards, s.objects);
/// # Ok::<(), asdf::FormatError>(())
/// ```
pub fn merge_shards(output: &Path, shards: &[PathBuf]) -> Result<MergeSummary> {
    let invalid = |path: &Path, message: String| FormatError::Invalid { path: path.to_path_buf(), object: "/".into(), message };
    if output.exists() {
        return Err(FormatError::Exists { path: output.to_path_buf() });
    }
    let files = shards.iter().map(AsdfFile::open).collect::<Result<Vec<_>>>()?;
    let first = files.first().ok_or_else(|| invalid(output, "no shards to merge".into()))?;
    let mut seen: Vec<Option<&Path>> = Vec::new();
    for f in &files {
        let shard = f.shard()?.ok_or_else(|| invalid(f.path(), "not the output of a --shard run (no asdf_shard attribute)".into()))?;
        if seen.is_empty() {
            seen = vec![None; shard.count];
        }
        if shard.count != seen.len() {
            return Err(invalid(f.path(), format!("shard {shard} of a run in {} shards, but {} is shard {} of {}", shard.count, first.path().display(), first.shard()?.map_or(0, |s| s.index), seen.len())));
        }
        if let Some(other) = seen[shard.index - 1] {
            return Err(invalid(f.path(), format!("shard {shard} is given twice: {} and {}", other.display(), f.path().display())));
        }
        seen[shard.index - 1] = Some(f.path());
    }
    let missing: Vec<String> = seen.iter().enumerate().filter(|(_, s)| s.is_none()).map(|(i, _)| format!("{}/{}", i + 1, seen.len())).collect();
    if !missing.is_empty() {
        return Err(invalid(output, format!("shard(s) {} missing: every shard of the run is needed", missing.join(", "))));
    }

    let mut partial = output.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    if partial.exists() {
        std::fs::remove_file(&partial).map_err(|e| invalid(&partial, e.to_string()))?;
    }
    let mut out = AsdfFile::create_with(&partial, first.version(), first.compression())?;
    out.expect_stations(files.iter().map(AsdfFile::station_count).sum());
    if let Some(ev) = first.events()? {
        if !ev.as_bytes().is_empty() {
            out.put_quakeml_bytes(ev.as_bytes())?;
        }
    }
    let mut objects = 0;
    for f in &files {
        let mut paths: Vec<String> = Vec::new();
        for station in f.station_names()? {
            for name in f.station(&station)?.list()? {
                paths.push(format!("Waveforms/{station}/{name}"));
            }
        }
        paths.extend(f.auxiliary_paths()?.into_iter().map(|p| format!("AuxiliaryData/{p}")));
        paths.extend(f.provenance_names()?.into_iter().map(|p| format!("Provenance/{p}")));
        for p in paths {
            if out.has_object(&p) {
                return Err(invalid(f.path(), format!("/{p} is also in another shard: the shards overlap")));
            }
            h5::object_copy(f.h5(), &p, out.h5(), &p).map_err(|m| f.err(format!("/{p}"), m))?;
            objects += 1;
        }
    }
    out.close()?;
    std::fs::rename(&partial, output).map_err(|e| invalid(output, e.to_string()))?;
    Ok(MergeSummary { shards: files.len(), objects })
}
