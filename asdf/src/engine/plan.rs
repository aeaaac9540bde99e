//! Planning a `process` run: its jobs, one per (station, tag) whose tag the tag map names.

use std::collections::HashSet;

use crate::format::{validate_tag, AsdfFile, Shard};
use crate::model::stream::wildcard_match;

use super::options::ProcessOptions;
use super::EngineError;

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
    /// `NET.STA/tag`, or `NET.STA` for a multi-input job (no tag): the job's name (in the
    /// journal, for instance).
    pub fn key(&self) -> String {
        if self.tag.is_empty() {
            self.station.clone()
        } else {
            format!("{}/{}", self.station, self.tag)
        }
    }
}

/// Whether `station` is selected by the patterns (`NET.STA`, wildcards `*` `?`; none = all).
pub(crate) fn selected(patterns: &[String], station: &str) -> bool {
    patterns.is_empty() || patterns.iter().any(|p| wildcard_match(p, station))
}

/// The selected stations of `file` this run processes, sorted: all of them, or, in a job array,
/// the shard's share (see [`Shard::holds`]).
pub(crate) fn run_stations(file: &AsdfFile, patterns: &[String], shard: Option<Shard>) -> Result<Vec<String>, EngineError> {
    let mut names: Vec<String> = file.station_names()?.into_iter().filter(|n| selected(patterns, n)).collect();
    names.sort();
    Ok(match shard {
        None => names,
        Some(s) => names.into_iter().enumerate().filter(|(p, _)| s.holds(*p)).map(|(_, n)| n).collect(),
    })
}

/// Lists the jobs of `file`: every (station, tag) whose tag is a key of the tag map, stations
/// filtered by pattern (and shard), largest first then by name.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("in.h5");
/// asdf::testing::write_sample(&path, &asdf::testing::SampleOptions { stations: 3, seconds: 10.0, ..Default::default() })?;
/// let file = asdf::AsdfFile::open(&path)?;
/// let mut opts = asdf::engine::ProcessOptions::new([("raw_recording", "processed")]);
/// opts.stations = vec!["XX.S0002".into()];
/// let jobs = asdf::engine::plan_jobs(&file, &opts)?;
/// assert_eq!(jobs.len(), 1);
/// assert_eq!(jobs[0].key(), "XX.S0002/raw_recording");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn plan_jobs(file: &AsdfFile, opts: &ProcessOptions) -> Result<Vec<Job>, EngineError> {
    let keys: HashSet<&str> = opts.tag_map.iter().map(|(k, _)| k.as_str()).collect();
    let mut jobs = Vec::new();
    for name in run_stations(file, &opts.stations, opts.shard)? {
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

/// The tag map's rules: not empty, each input tag once, valid output tags.
pub(crate) fn check_tag_map(opts: &ProcessOptions) -> Result<(), EngineError> {
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
