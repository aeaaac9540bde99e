//! `StationGroup`: one `/Waveforms/NET.STA` group, pyasdf's `WaveformAccessor`.

use crate::model::inventory::{Coordinates, Inventory};
use crate::model::stream::Stream;
use crate::model::time::UtcTime;

use super::error::{FormatError, Result};
use super::file::{summarize, trim_ascii, AsdfFile};
use super::h5::{self, Hid};
use super::names::WaveformName;
use super::waveforms::{read_document, read_trace, Document};

/// One station of a file: its waveforms by tag and its StationXML.
///
/// ```no_run
/// use asdf::AsdfFile;
/// let ds = AsdfFile::open("input.h5")?;
/// let sta = ds.station("XX.S0000")?;
/// let st = sta.stream("raw_recording")?;
/// let inv = sta.inventory()?;          // None without StationXML
/// println!("{} traces, coordinates {:?}", st.len(), sta.coordinates()?);
/// # Ok::<(), asdf::Error>(())
/// ```
#[derive(Debug)]
pub struct StationGroup<'a> {
    file: &'a AsdfFile,
    name: String,
    group: Hid,
}

impl<'a> StationGroup<'a> {
    pub(crate) fn open(file: &'a AsdfFile, name: &str) -> Result<Self> {
        let obj = format!("/Waveforms/{name}");
        let group = h5::group_open(file.h5(), &obj).map_err(|m| file.err(&obj, m))?;
        Ok(StationGroup { file, name: name.to_string(), group })
    }

    /// `NET.STA`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file this station belongs to.
    pub fn file(&self) -> &'a AsdfFile {
        self.file
    }

    /// All member names, sorted (waveform datasets and `StationXML`).
    pub fn list(&self) -> Result<Vec<String>> {
        h5::list(&self.group).map_err(|m| self.file.err(format!("/Waveforms/{}", self.name), m))
    }

    /// Waveform dataset names, sorted (everything but `StationXML`).
    pub fn waveform_names(&self) -> Result<Vec<String>> {
        Ok(self.list()?.into_iter().filter(|n| n != "StationXML").collect())
    }

    /// The waveform names parsed, with malformed names reported as errors.
    pub fn waveforms(&self) -> Result<Vec<(String, WaveformName)>> {
        self.waveform_names()?
            .into_iter()
            .map(|n| {
                WaveformName::parse(&n).map(|w| (n.clone(), w)).map_err(|reason| FormatError::BadName {
                    path: self.file.path.clone(),
                    station: self.name.clone(),
                    name: n,
                    reason,
                })
            })
            .collect()
    }

    /// Sorted unique tags of this station's waveforms.
    pub fn tags(&self) -> Result<Vec<String>> {
        let mut tags: Vec<String> = self.waveforms()?.into_iter().map(|(_, w)| w.tag).collect();
        tags.sort();
        tags.dedup();
        Ok(tags)
    }

    /// Dataset names with tag `tag`, sorted.
    pub fn names_for_tag(&self, tag: &str) -> Result<Vec<String>> {
        Ok(self.waveforms()?.into_iter().filter(|(_, w)| w.tag == tag).map(|(n, _)| n).collect())
    }

    /// Every trace with tag `tag`, ordered by dataset name (pyasdf's `station[tag]`).
    pub fn stream(&self, tag: &str) -> Result<Stream> {
        let names = self.stream_names_checked(tag)?;
        names.iter().map(|n| read_trace(self.file, &self.group, &self.name, n, None)).collect()
    }

    /// [`StationGroup::stream`] for a processing function: each trace keeps its samples as
    /// stored and decodes them only when asked (see [`StoredSamples`](crate::model::stored::StoredSamples)), so
    /// the traces it returns unchanged are written without decoding or recompressing them.
    pub(crate) fn stream_keeping_chunks(&self, tag: &str) -> Result<Stream> {
        let names = self.stream_names_checked(tag)?;
        names.iter().map(|n| super::waveforms::read_trace_keeping(self.file, &self.group, &self.name, n, None, true)).collect()
    }

    fn stream_names_checked(&self, tag: &str) -> Result<Vec<String>> {
        let names = self.names_for_tag(tag)?;
        if names.is_empty() {
            return Err(FormatError::NoSuchTag {
                path: self.file.path.clone(),
                station: self.name.clone(),
                tag: tag.to_string(),
                available: summarize(&self.tags()?),
            });
        }
        Ok(names)
    }

    /// Traces with tag `tag` overlapping `[start, end]`, cut to that window (whole samples
    /// inside it; pyasdf may include one more sample at each end).
    pub fn stream_window(&self, tag: &str, start: UtcTime, end: UtcTime) -> Result<Stream> {
        let mut out = Stream::new();
        for n in self.names_for_tag(tag)? {
            let head = read_trace(self.file, &self.group, &self.name, &n, Some((0, 0)))?;
            let sr = head.stats.sampling_rate;
            let t0 = head.stats.starttime;
            let npts = self.npts(&n)?;
            let first = ((start - t0) * sr).ceil().max(0.0) as u64;
            let last = ((end - t0) * sr).floor().min(npts as f64 - 1.0);
            if last < first as f64 {
                continue;
            }
            let count = last as u64 - first + 1;
            out.push(read_trace(self.file, &self.group, &self.name, &n, Some((first, count)))?);
        }
        Ok(out)
    }

    /// Number of samples of one dataset (metadata only).
    pub fn npts(&self, name: &str) -> Result<u64> {
        let obj = format!("/Waveforms/{}/{name}", self.name);
        let ds = h5::dataset_open(&self.group, name).map_err(|m| self.file.err(&obj, m))?;
        Ok(h5::dataset_shape(&ds).map_err(|m| self.file.err(&obj, m))?.first().copied().unwrap_or(0))
    }

    /// The sampling rate of one trace (one attribute read).
    pub fn sampling_rate(&self, name: &str) -> Result<f64> {
        let obj = format!("/Waveforms/{}/{name}", self.name);
        let ds = h5::dataset_open(&self.group, name).map_err(|m| self.file.err(&obj, m))?;
        match h5::attr_read(&ds, "sampling_rate").map_err(|m| self.file.err(&obj, m))? {
            h5::AttrValue::Float(f) => Ok(f),
            h5::AttrValue::Int(i) => Ok(i as f64),
            other => Err(FormatError::BadAttribute { path: self.file.path.clone(), object: obj, attribute: "sampling_rate".into(), found: format!("{other:?}") }),
        }
    }

    /// The metadata of one trace (attributes, type, length, filters) without reading samples.
    pub fn header(&self, name: &str) -> Result<super::waveforms::TraceHeader> {
        super::waveforms::read_header(self.file, &self.group, &self.name, name)
    }

    /// One trace by dataset name.
    pub fn trace(&self, name: &str) -> Result<crate::model::trace::Trace> {
        read_trace(self.file, &self.group, &self.name, name, None)
    }

    /// Total stored samples for `tag` (metadata only; used to order jobs largest first).
    pub fn samples_for_tag(&self, tag: &str) -> Result<u64> {
        self.names_for_tag(tag)?.iter().map(|n| self.npts(n)).sum()
    }

    /// Whether the station has a StationXML document.
    pub fn has_stationxml(&self) -> Result<bool> {
        h5::exists(&self.group, "StationXML").map_err(|m| self.file.err(format!("/Waveforms/{}", self.name), m))
    }

    /// The StationXML bytes as stored (whitespace-trimmed), if any.
    pub fn stationxml_bytes(&self) -> Result<Option<Vec<u8>>> {
        Ok(self.stationxml_document()?.map(|d| trim_ascii(d.bytes)))
    }

    /// The StationXML document with its stored chunks, if any (for copying it as it is).
    pub(crate) fn stationxml_document(&self) -> Result<Option<Document>> {
        if !self.has_stationxml()? {
            return Ok(None);
        }
        let obj = format!("/Waveforms/{}/StationXML", self.name);
        let ds = h5::dataset_open(&self.group, "StationXML").map_err(|m| self.file.err(&obj, m))?;
        read_document(self.file, &ds, &obj).map(Some)
    }

    /// The parsed StationXML, or `None` when the station has none.
    pub fn inventory(&self) -> Result<Option<Inventory>> {
        self.stationxml_bytes()?.map(|b| self.parse_inventory(&b)).transpose()
    }

    /// This station's StationXML document `bytes`, parsed.
    pub(crate) fn parse_inventory(&self, bytes: &[u8]) -> Result<Inventory> {
        Inventory::from_stationxml(bytes).map_err(|source| FormatError::StationXml { path: self.file.path.clone(), station: self.name.clone(), source })
    }

    /// What a processing job reads of this station: the traces under `tag` (samples kept as
    /// stored) and the StationXML bytes (to parse with [`parse_inventory`](Self::parse_inventory)).
    /// Read in one hold of the HDF5 lock: taking it back and forth from the writer for each of
    /// the station's few dozen HDF5 calls costs more than the calls themselves.
    pub(crate) fn job_input(&self, tag: &str) -> Result<(Stream, Option<Vec<u8>>)> {
        h5::locked(|| Ok((self.stream_keeping_chunks(tag)?, self.stationxml_bytes()?)))
    }

    /// Station coordinates from the StationXML, or `None` when the station has none.
    pub fn coordinates(&self) -> Result<Option<Coordinates>> {
        Ok(self.inventory()?.and_then(|i| i.coordinates()))
    }
}
