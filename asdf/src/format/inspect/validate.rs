//! `validate`: every rule pyasdf and the ASDF definition state, checked object by object.
//!
//! Errors break a rule (pyasdf cannot read the object, or the definition forbids it); warnings
//! are legal but worth knowing, as pyasdf's `validate()` reports them (stations without
//! StationXML or without waveforms).

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;

use crate::model::event::Events;
use crate::model::inventory::Inventory;

use crate::format::h5::{self, AttrValue, Hid, NumKind, ObjKind};
use crate::format::names::{is_valid_auxiliary_segment, is_valid_provenance_name, is_valid_station_name, validate_tag, WaveformName};
use crate::format::version::FormatVersion;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// pyasdf reads the file, but something is off (e.g. a waveform without StationXML).
    Warning,
    /// The file breaks the ASDF definition or pyasdf cannot read this part.
    Error,
}

/// One rule broken (or worth a warning), at an HDF5 path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// How serious it is.
    pub severity: Severity,
    /// The object concerned (an HDF5 path).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// The result of [`validate`]: every finding, plus what was looked at.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Everything found, in path order.
    pub findings: Vec<Finding>,
    /// Station groups checked.
    pub stations: usize,
    /// Waveform datasets checked.
    pub waveforms: usize,
    /// Provenance documents checked.
    pub provenance_documents: usize,
    /// Auxiliary datasets checked.
    pub auxiliary_datasets: usize,
}

impl Report {
    /// Number of errors (rules broken).
    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Error).count()
    }

    /// Number of warnings.
    pub fn warnings(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Warning).count()
    }

    fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.findings.push(Finding { severity: Severity::Error, path: path.into(), message: message.into() });
    }

    fn warning(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.findings.push(Finding { severity: Severity::Warning, path: path.into(), message: message.into() });
    }
}

/// Checks a file against pyasdf's reader and the ASDF definition. `Err` only when the file cannot
/// be examined at all (missing, not HDF5); everything else is a [`Finding`].
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("s.h5");
/// asdf::testing::write_sample(&path, &asdf::testing::SampleOptions { stations: 2, seconds: 10.0, ..Default::default() }).unwrap();
/// let report = asdf::format::validate(&path).unwrap();
/// assert_eq!(report.errors(), 0, "{:?}", report.findings);
/// assert_eq!(report.stations, 2);
/// ```
pub fn validate(path: impl AsRef<Path>) -> Result<Report, String> {
    let path = path.as_ref();
    let p = path.to_str().ok_or_else(|| format!("{}: the path is not valid UTF-8", path.display()))?;
    if !path.exists() {
        return Err(format!("{}: no such file", path.display()));
    }
    if !h5::is_hdf5(p) {
        return Err(format!("{}: not an HDF5 file, so not ASDF", path.display()));
    }
    let file = h5::file_open(p, false).map_err(|m| format!("{}: {m}", path.display()))?;
    let mut r = Report::default();
    let version = check_root(&file, &mut r);
    let provenance = check_provenance(&file, version, &mut r);
    check_quakeml(&file, &mut r);
    check_waveforms(&file, version, &provenance, &mut r);
    check_auxiliary(&file, version, &provenance, &mut r);
    Ok(r)
}

/// A string attribute that pyasdf requires fixed-length (`Some(false)`) or variable-length.
fn check_string_kind(obj: &Hid, path: &str, name: &str, want_vlen: bool, r: &mut Report) {
    match h5::attr_string_is_vlen(obj, name) {
        Ok(Some(v)) if v == want_vlen => {}
        Ok(Some(_)) => r.error(
            path,
            format!("attribute {name} is a {} string; pyasdf only reads a {} one", if want_vlen { "fixed-length" } else { "variable-length" }, if want_vlen { "variable-length" } else { "fixed-length" }),
        ),
        Ok(None) => r.error(path, format!("attribute {name} is not a string")),
        Err(m) => r.error(path, m.to_string()),
    }
}

fn check_root(file: &Hid, r: &mut Report) -> FormatVersion {
    let names = h5::attr_names(file).unwrap_or_default();
    match names.iter().any(|n| n == "file_format").then(|| h5::attr_read(file, "file_format")) {
        None => r.error("/", "no file_format attribute: not an ASDF file"),
        Some(Ok(AttrValue::Str(s))) if s == "ASDF" => check_string_kind(file, "/", "file_format", false, r),
        Some(other) => r.error("/", format!("file_format is {other:?}, expected \"ASDF\"")),
    }
    let version = match names.iter().any(|n| n == "file_format_version").then(|| h5::attr_read(file, "file_format_version")) {
        None => {
            r.error("/", "no file_format_version attribute: pyasdf cannot open the file read-only");
            None
        }
        Some(Ok(AttrValue::Str(s))) => {
            check_string_kind(file, "/", "file_format_version", false, r);
            let v = FormatVersion::parse(&s);
            if v.is_none() {
                r.error("/", format!("file_format_version {s:?} is not one of 1.0.0, 1.0.1, 1.0.2, 1.0.3"));
            }
            v
        }
        Some(other) => {
            r.error("/", format!("file_format_version is {other:?}, expected a string"));
            None
        }
    };
    for g in ["Waveforms", "Provenance", "AuxiliaryData"] {
        match h5::kind_of(file, g) {
            Ok(ObjKind::Group) => {}
            Ok(_) => r.error(format!("/{g}"), "must be a group"),
            Err(_) => r.warning(format!("/{g}"), "group missing (pyasdf creates it when it opens the file for writing)"),
        }
    }
    version.unwrap_or(FormatVersion::V1_0_3)
}

fn xml_problem(bytes: &[u8]) -> Option<String> {
    match std::str::from_utf8(bytes) {
        Err(e) => Some(format!("not UTF-8 text: {e}")),
        Ok(text) => crate::xml::parse(text).err().map(|e| e.to_string()),
    }
}

/// Checks the provenance documents; returns what a `provenance_id` may refer to: the records
/// (`prov:id` local names) inside the documents, as pyasdf looks them up, and the documents' names.
fn check_provenance(file: &Hid, version: FormatVersion, r: &mut Report) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let Ok(group) = h5::group_open(file, "Provenance") else { return names };
    for name in h5::list(&group).unwrap_or_default() {
        let path = format!("/Provenance/{name}");
        r.provenance_documents += 1;
        if !is_valid_provenance_name(&name, version) {
            r.error(&path, format!("invalid provenance document name for format {version}"));
        }
        match h5::dataset_open(&group, &name).and_then(|ds| h5::bytes_dataset_read(&ds)) {
            Ok(bytes) => match xml_problem(&bytes) {
                Some(m) => r.error(&path, format!("SEIS-PROV document is {m}")),
                None => names.extend(record_ids(&bytes)),
            },
            Err(m) => r.error(&path, format!("not a readable byte dataset: {m}")),
        }
        names.insert(name);
    }
    names
}

/// The local names of the `id` attributes of a provenance document's records.
fn record_ids(bytes: &[u8]) -> Vec<String> {
    let Ok(text) = std::str::from_utf8(bytes) else { return Vec::new() };
    let Ok(doc) = crate::xml::parse(text) else { return Vec::new() };
    doc.descendants()
        .flat_map(|n| n.attributes())
        .filter(|a| a.name() == "id")
        .map(|a| a.value().rsplit(':').next().unwrap_or(a.value()).to_string())
        .collect()
}

fn check_quakeml(file: &Hid, r: &mut Report) {
    if !h5::exists(file, "QuakeML").unwrap_or(false) {
        return;
    }
    match h5::dataset_open(file, "QuakeML").and_then(|ds| h5::bytes_dataset_read(&ds)) {
        Ok(bytes) if bytes.iter().all(|&b| b == 0) => {}
        Ok(bytes) => {
            if let Err(e) = Events::from_quakeml(bytes) {
                r.error("/QuakeML", format!("cannot parse the QuakeML: {e}"));
            }
        }
        Err(m) => r.error("/QuakeML", format!("not a readable byte dataset: {m}")),
    }
}

/// `{namespace}local` names a document in /Provenance when `local` is one of them.
fn provenance_known(id: &str, provenance: &BTreeSet<String>) -> bool {
    let local = id.rsplit('}').next().unwrap_or(id);
    provenance.contains(local) || provenance.contains(id)
}

fn check_waveforms(file: &Hid, version: FormatVersion, provenance: &BTreeSet<String>, r: &mut Report) {
    let Ok(wf) = h5::group_open(file, "Waveforms") else { return };
    for station in h5::list(&wf).unwrap_or_default() {
        let spath = format!("/Waveforms/{station}");
        r.stations += 1;
        if !is_valid_station_name(&station) {
            r.error(&spath, "station group name must be NET.STA (1-2 and 1-5 upper-case letters or digits)");
        }
        let Ok(group) = h5::group_open(&wf, &station) else {
            r.error(&spath, "must be a group");
            continue;
        };
        let items = h5::list(&group).unwrap_or_default();
        let mut waveforms = 0;
        for item in &items {
            let path = format!("{spath}/{item}");
            if item == "StationXML" {
                check_stationxml(&group, &station, &path, r);
            } else {
                waveforms += 1;
                check_waveform(&group, item, &station, &path, version, provenance, r);
            }
        }
        if !items.iter().any(|i| i == "StationXML") {
            r.warning(&spath, "no StationXML (legal, but instrument responses cannot be removed)");
        }
        if waveforms == 0 {
            r.warning(&spath, "no waveforms");
        }
    }
}

fn check_stationxml(group: &Hid, station: &str, path: &str, r: &mut Report) {
    let bytes = match h5::dataset_open(group, "StationXML").and_then(|ds| h5::bytes_dataset_read(&ds)) {
        Ok(b) => b,
        Err(m) => return r.error(path, format!("not a readable byte dataset: {m}")),
    };
    match Inventory::from_stationxml(&bytes) {
        Err(e) => r.error(path, format!("cannot parse the StationXML: {e}")),
        Ok(inv) => {
            let codes = inv.station_codes();
            if !codes.iter().any(|(n, s)| format!("{n}.{s}") == station) {
                r.error(path, format!("describes {:?}, not {station}", codes.iter().map(|(n, s)| format!("{n}.{s}")).collect::<Vec<_>>()));
            }
        }
    }
}

fn check_waveform(group: &Hid, name: &str, station: &str, path: &str, version: FormatVersion, provenance: &BTreeSet<String>, r: &mut Report) {
    r.waveforms += 1;
    let parsed = match WaveformName::parse(name) {
        Ok(w) => Some(w),
        Err(e) => {
            r.error(path, format!("invalid waveform name: {e}"));
            None
        }
    };
    if let Some(w) = &parsed {
        if format!("{}.{}", w.network, w.station) != station {
            r.error(path, format!("the name's station {}.{} is not the group's {station}", w.network, w.station));
        }
        if let Err(e) = validate_tag(&w.tag) {
            r.error(path, e.to_string());
        }
        let codes_ok = w.location.len() <= 2 && w.channel.len() == 3 && (w.location.clone() + &w.channel).bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if !codes_ok {
            r.error(path, format!("location {:?} / channel {:?}: the definition wants [A-Z0-9]{{0,2}} and [A-Z0-9]{{3}}", w.location, w.channel));
        }
    }
    let ds = match h5::kind_of(group, name) {
        Ok(ObjKind::Dataset) => match h5::dataset_open(group, name) {
            Ok(ds) => ds,
            Err(m) => return r.error(path, m.to_string()),
        },
        _ => return r.error(path, "waveforms must be datasets"),
    };
    let npts = match h5::dataset_shape(&ds) {
        Ok(s) if s.len() == 1 => s[0],
        Ok(s) => return r.error(path, format!("waveforms are 1-D; shape is {s:?}")),
        Err(m) => return r.error(path, m.to_string()),
    };
    match h5::dataset_type(&ds) {
        Ok(t) => match t.kind {
            NumKind::I32 | NumKind::I64 | NumKind::F32 | NumKind::F64 => {}
            NumKind::I16 if version.allows_i16() => {}
            other => r.error(path, format!("sample type {} is not allowed in format {version}", other.name())),
        },
        Err(m) => r.error(path, m.to_string()),
    }
    let attrs = h5::attr_names(&ds).unwrap_or_default();
    let read = |n: &str| attrs.iter().any(|a| a == n).then(|| h5::attr_read(&ds, n));
    let start = match read("starttime") {
        None => {
            r.error(path, "attribute starttime missing");
            None
        }
        Some(Ok(AttrValue::Int(ns))) => Some(ns),
        Some(Ok(AttrValue::Float(f))) => {
            r.warning(path, "starttime is a float; pyasdf writes an int64 (and reads both)");
            Some(f.round() as i64)
        }
        Some(other) => {
            r.error(path, format!("starttime is {other:?}, expected int64 nanoseconds"));
            None
        }
    };
    let rate = match read("sampling_rate") {
        None => {
            r.error(path, "attribute sampling_rate missing");
            None
        }
        Some(Ok(AttrValue::Float(f))) if f > 0.0 && f.is_finite() => Some(f),
        Some(other) => {
            r.error(path, format!("sampling_rate is {other:?}, expected a positive float64"));
            None
        }
    };
    for id in ["event_id", "origin_id", "magnitude_id", "focal_mechanism_id", "provenance_id"] {
        if attrs.iter().any(|a| a == id) {
            check_string_kind(&ds, path, id, false, r);
        }
    }
    if attrs.iter().any(|a| a == "labels") {
        check_string_kind(&ds, path, "labels", true, r);
    }
    if let Some(Ok(AttrValue::Str(p))) = read("provenance_id") {
        if !provenance_known(&p, provenance) {
            r.error(path, format!("provenance_id {p:?} refers to no record in /Provenance"));
        }
    }
    let known = ["starttime", "sampling_rate", "labels", "event_id", "origin_id", "magnitude_id", "focal_mechanism_id", "provenance_id"];
    for a in attrs.iter().filter(|a| !known.contains(&a.as_str())) {
        r.warning(path, format!("attribute {a} is not part of the definition"));
    }
    // The times in the name must agree with the attributes to within a second.
    if let (Some(w), Some(start), Some(rate)) = (&parsed, start, rate) {
        let end = start as f64 + (npts.max(1) - 1) as f64 / rate * 1e9;
        match (w.start_time(), w.end_time()) {
            (Some(a), Some(b)) => {
                if (a.ns() as f64 - start as f64).abs() > 1e9 {
                    r.error(path, format!("the name starts at {a}, the starttime attribute at {}", crate::UtcTime::from_ns(start)));
                }
                if (b.ns() as f64 - end).abs() > 1e9 {
                    r.error(path, format!("the name ends at {b}, starttime + (npts - 1) / sampling_rate at {}", crate::UtcTime::from_ns(end as i64)));
                }
            }
            _ => r.error(path, "the start or end time in the name is not a time"),
        }
    }
}

fn check_auxiliary(file: &Hid, version: FormatVersion, provenance: &BTreeSet<String>, r: &mut Report) {
    let Ok(aux) = h5::group_open(file, "AuxiliaryData") else { return };
    for data_type in h5::list(&aux).unwrap_or_default() {
        let path = format!("/AuxiliaryData/{data_type}");
        if !is_valid_auxiliary_segment(&data_type, version) {
            r.error(&path, format!("invalid auxiliary data type name for format {version}"));
        }
        match h5::group_open(&aux, &data_type) {
            Ok(g) => walk_auxiliary(&g, &path, version, provenance, r),
            Err(_) => r.error(&path, "an auxiliary data type must be a group holding datasets"),
        }
    }
}

fn walk_auxiliary(group: &Hid, path: &str, version: FormatVersion, provenance: &BTreeSet<String>, r: &mut Report) {
    for item in h5::list(group).unwrap_or_default() {
        let p = format!("{path}/{item}");
        if !is_valid_auxiliary_segment(&item, version) {
            r.error(&p, format!("invalid auxiliary path segment for format {version}"));
        }
        match h5::kind_of(group, &item) {
            Ok(ObjKind::Group) => match h5::group_open(group, &item) {
                Ok(g) => walk_auxiliary(&g, &p, version, provenance, r),
                Err(m) => r.error(&p, m.to_string()),
            },
            Ok(ObjKind::Dataset) => {
                r.auxiliary_datasets += 1;
                if let Ok(ds) = h5::dataset_open(group, &item) {
                    let attrs = h5::attr_names(&ds).unwrap_or_default();
                    if attrs.iter().any(|a| a == "provenance_id") {
                        check_string_kind(&ds, &p, "provenance_id", false, r);
                        if let Ok(AttrValue::Str(id)) = h5::attr_read(&ds, "provenance_id") {
                            if !provenance_known(&id, provenance) {
                                r.error(&p, format!("provenance_id {id:?} refers to no record in /Provenance"));
                            }
                        }
                    }
                }
            }
            _ => r.error(&p, "neither a group nor a dataset"),
        }
    }
}
