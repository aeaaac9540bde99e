//! `diff`: whether two ASDF files hold the same stations, traces, attributes and data (within a
//! tolerance), and a short list of what differs.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;

use crate::format::error::Result;
use crate::format::file::AsdfFile;
use crate::model::trace::Trace;

/// One difference between file A and file B, at an HDF5 path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// The object that differs (an HDF5 path).
    pub path: String,
    /// How it differs.
    pub message: String,
}

/// The differences [`diff`] found, and how much it compared.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DiffReport {
    /// Every difference found, in path order.
    pub differences: Vec<Difference>,
    /// Stations present in both files.
    pub stations_compared: usize,
    /// Waveforms present in both files.
    pub traces_compared: usize,
    /// Largest sample difference relative to the peak of A's trace, over the traces compared.
    pub max_relative_difference: f64,
}

impl DiffReport {
    /// True when nothing differs.
    pub fn is_same(&self) -> bool {
        self.differences.is_empty()
    }

    fn add(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.differences.push(Difference { path: path.into(), message: message.into() });
    }
}

fn only_in(r: &mut DiffReport, prefix: &str, a: &BTreeSet<String>, b: &BTreeSet<String>) {
    for x in a.difference(b) {
        r.add(format!("{prefix}/{x}"), "only in A");
    }
    for x in b.difference(a) {
        r.add(format!("{prefix}/{x}"), "only in B");
    }
}

/// Compares two files: station groups, StationXML and QuakeML payloads, provenance documents,
/// auxiliary data paths, waveform names, sample types, attributes and samples. Samples differ
/// when `max |a - b| > rtol * max |a|` (`rtol = 0` asks for identical samples).
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let (a, b) = (dir.path().join("a.h5"), dir.path().join("b.h5"));
/// let opts = asdf::testing::SampleOptions { stations: 2, seconds: 10.0, ..Default::default() };
/// asdf::testing::write_sample(&a, &opts).unwrap();
/// asdf::testing::write_sample(&b, &opts).unwrap();
/// assert!(asdf::format::diff(&a, &b, 0.0).unwrap().is_same());
/// ```
pub fn diff(a: impl AsRef<Path>, b: impl AsRef<Path>, rtol: f64) -> Result<DiffReport> {
    let (fa, fb) = (AsdfFile::open(a)?, AsdfFile::open(b)?);
    let mut r = DiffReport::default();
    if fa.version_in_file() != fb.version_in_file() {
        r.add("/", format!("format version {:?} vs {:?}", fa.version_in_file(), fb.version_in_file()));
    }
    let bytes = |e: Option<crate::model::event::Events>| e.map(|e| e.as_bytes().to_vec());
    if bytes(fa.events()?) != bytes(fb.events()?) {
        r.add("/QuakeML", "QuakeML documents differ");
    }
    let set = |v: Vec<String>| v.into_iter().collect::<BTreeSet<_>>();
    let (pa, pb) = (set(fa.provenance_names()?), set(fb.provenance_names()?));
    only_in(&mut r, "/Provenance", &pa, &pb);
    for name in pa.intersection(&pb) {
        if fa.provenance(name)? != fb.provenance(name)? {
            r.add(format!("/Provenance/{name}"), "documents differ");
        }
    }
    only_in(&mut r, "/AuxiliaryData", &set(fa.auxiliary_paths()?), &set(fb.auxiliary_paths()?));
    let (sa, sb) = (set(fa.station_names()?), set(fb.station_names()?));
    only_in(&mut r, "/Waveforms", &sa, &sb);
    for station in sa.intersection(&sb) {
        r.stations_compared += 1;
        let (ga, gb) = (fa.station(station)?, fb.station(station)?);
        let spath = format!("/Waveforms/{station}");
        if ga.stationxml_bytes()? != gb.stationxml_bytes()? {
            r.add(format!("{spath}/StationXML"), "StationXML documents differ");
        }
        let (wa, wb) = (set(ga.waveform_names()?), set(gb.waveform_names()?));
        only_in(&mut r, &spath, &wa, &wb);
        for name in wa.intersection(&wb) {
            r.traces_compared += 1;
            compare_traces(&mut r, &format!("{spath}/{name}"), &ga.trace(name)?, &gb.trace(name)?, rtol);
        }
    }
    Ok(r)
}

fn compare_traces(r: &mut DiffReport, path: &str, a: &Trace, b: &Trace, rtol: f64) {
    if a.dtype() != b.dtype() {
        r.add(path, format!("sample type {} vs {}", a.dtype(), b.dtype()));
    }
    if a.npts() != b.npts() {
        return r.add(path, format!("{} vs {} samples", a.npts(), b.npts()));
    }
    if a.stats.starttime != b.stats.starttime {
        r.add(path, format!("starttime {} vs {}", a.stats.starttime, b.stats.starttime));
    }
    if a.stats.sampling_rate != b.stats.sampling_rate {
        r.add(path, format!("sampling_rate {} vs {}", a.stats.sampling_rate, b.stats.sampling_rate));
    }
    let (x, y) = (&a.stats.asdf, &b.stats.asdf);
    let fields: [(&str, &Vec<String>, &Vec<String>); 5] = [
        ("event_id", &x.event_ids, &y.event_ids),
        ("origin_id", &x.origin_ids, &y.origin_ids),
        ("magnitude_id", &x.magnitude_ids, &y.magnitude_ids),
        ("focal_mechanism_id", &x.focal_mechanism_ids, &y.focal_mechanism_ids),
        ("labels", &x.labels, &y.labels),
    ];
    for (name, u, v) in fields {
        if u != v {
            r.add(path, format!("{name} {u:?} vs {v:?}"));
        }
    }
    if x.provenance_id != y.provenance_id {
        r.add(path, format!("provenance_id {:?} vs {:?}", x.provenance_id, y.provenance_id));
    }
    let (u, v) = (a.data().to_f64(), b.data().to_f64());
    let peak = u.iter().fold(0.0f64, |m, s| m.max(s.abs()));
    let worst = u.iter().zip(&v).fold(0.0f64, |m, (p, q)| if p.is_nan() && q.is_nan() { m } else { m.max((p - q).abs()) });
    let relative = if peak > 0.0 { worst / peak } else { worst };
    r.max_relative_difference = r.max_relative_difference.max(relative);
    if worst > rtol * peak || worst.is_nan() {
        r.add(path, format!("samples differ: max |A - B| = {worst:e} ({relative:.3e} of A's peak)"));
    }
}
