//! Writing, the cheap half: creating the datasets with pyasdf's settings and attributes, and
//! storing ready chunks with direct chunk writes (one hold of the HDF5 lock per trace).

use rayon::prelude::*;

use crate::model::stream::Stream;
#[cfg(feature = "mpi")]
use crate::model::trace::Samples;
use crate::model::trace::AsdfStats;

use super::super::error::{FormatError, Result};
use super::super::file::AsdfFile;
use super::super::h5::{self, Hid, NumType};
use super::super::names::validate_tag;
use super::encode::{encode_trace, EncodedTrace};

impl AsdfFile {
    /// Adds the traces of a stream under `tag`. The ids, labels and provenance id of each trace
    /// come from its `stats.asdf` (as pyasdf does after `process()`). A trace whose dataset name
    /// already exists is an error (pyasdf silently skips it).
    ///
    /// ```no_run
    /// use asdf::{AsdfFile, Stream, Trace, UtcTime};
    /// let mut ds = AsdfFile::create("new.h5")?;
    /// let t0: UtcTime = "2020-01-01T00:00:00".parse().unwrap();
    /// let st: Stream = [Trace::new("XX.A..HHZ", t0, 100.0, vec![0i32; 6000])].into_iter().collect();
    /// ds.add_waveforms(&st, "raw_recording")?;
    /// # Ok::<(), asdf::Error>(())
    /// ```
    pub fn add_waveforms(&mut self, stream: &Stream, tag: &str) -> Result<()> {
        self.require_writable()?;
        if let Err(source) = validate_tag(tag) {
            return Err(FormatError::InvalidTag { path: self.path.clone(), source });
        }
        let encoded: Vec<EncodedTrace> = stream
            .traces
            .par_iter()
            .map(|tr| encode_trace(tr, tag, self.version, self.compression))
            .collect::<std::result::Result<_, _>>()
            .map_err(|message| FormatError::Invalid { path: self.path.clone(), object: "/Waveforms".into(), message })?;
        for e in &encoded {
            self.write_encoded(e)?;
        }
        Ok(())
    }

    /// Writes one encoded trace: creates the dataset with pyasdf's settings and attributes, and
    /// stores its chunks as they are.
    pub fn write_encoded(&mut self, e: &EncodedTrace) -> Result<()> {
        let chunks: Vec<&[u8]> = e.chunks.iter().map(Vec::as_slice).collect();
        self.write_encoded_chunks(e, &chunks).map(drop)
    }

    /// [`write_encoded`](Self::write_encoded) with the chunks held elsewhere (`e.chunks` unused).
    /// Returns the file offset of each chunk's bytes.
    pub(crate) fn write_encoded_chunks(&mut self, e: &EncodedTrace, chunks: &[&[u8]]) -> Result<Vec<u64>> {
        // One hold of the HDF5 lock for the whole trace: handing it back and forth with the
        // readers chunk by chunk costs more than the writes.
        h5::locked(|| {
            let (ds, obj) = self.create_trace_dataset(e)?;
            h5::chunks_write(&ds, &[e.chunk], chunks.iter().copied()).map_err(|m| self.err(&obj, m))
        })
    }

    /// Creates the dataset `e` describes, with its attributes; returns it and its path.
    fn create_trace_dataset(&mut self, e: &EncodedTrace) -> Result<(Hid, String)> {
        self.require_writable()?;
        let obj = format!("/Waveforms/{}/{}", e.station, e.name);
        let g = self.take_station_group(&e.station).map_err(|m| self.err(&obj, m))?;
        let spec = h5::NewDataset {
            name: &e.name,
            dtype: NumType { kind: e.kind, big_endian: e.big_endian },
            shape: &[e.npts],
            chunk: &[e.chunk],
            pipeline: e.pipeline,
        };
        // Creating fails when the name is taken; only then is it looked up, to say so.
        let created = h5::dataset_create(&g, &spec).map_err(|m| match h5::exists(&g, &e.name) {
            Ok(true) => FormatError::WaveformExists { path: self.path.clone(), station: e.station.clone(), name: e.name.clone() },
            _ => self.err(&obj, m),
        });
        self.station_group = Some((e.station.clone(), g));
        let ds = created?;
        write_waveform_attrs(&ds, e.starttime, e.sampling_rate, &e.asdf).map_err(|m| self.err(&obj, m))?;
        Ok((ds, obj))
    }

    /// Parallel HDF5: every rank calls this for every trace `e` of a round, in the same order;
    /// the rank holding the samples passes them, the others `None`. HDF5 creates the dataset
    /// collectively and compresses the samples with its own filters on the rank that has them.
    #[cfg(feature = "mpi")]
    pub(crate) fn write_trace_collectively(&mut self, e: &EncodedTrace, samples: Option<&Samples>) -> Result<()> {
        let (ds, obj) = self.create_trace_dataset(e)?;
        if samples.is_some_and(|s| s.len() as u64 != e.npts) {
            let why = format!("{} samples for a dataset of {}", samples.map_or(0, Samples::len), e.npts);
            return Err(self.err(&obj, h5::H5Error::shape("writing collectively", why)));
        }
        h5::dataset_write_collective(&ds, NumType::native(e.kind), samples.map(Samples::as_bytes)).map_err(|m| self.err(&obj, m))
    }
}

/// Attributes in pyasdf's order: starttime, sampling_rate, labels, ids, provenance_id.
fn write_waveform_attrs(ds: &Hid, starttime: i64, sampling_rate: f64, a: &AsdfStats) -> h5::H5Result<()> {
    h5::attr_write_i64(ds, "starttime", starttime)?;
    h5::attr_write_f64(ds, "sampling_rate", sampling_rate)?;
    if !a.labels.is_empty() {
        let labels: Vec<&str> = a.labels.iter().map(|l| l.trim()).collect();
        if let Some(bad) = labels.iter().find(|l| l.contains(',')) {
            return Err(h5::H5Error::shape("attribute labels", format!("label {bad:?} contains a comma")));
        }
        h5::attr_write_vlen_str(ds, "labels", &labels.join(","))?;
    }
    for (name, ids) in [
        ("event_id", &a.event_ids),
        ("origin_id", &a.origin_ids),
        ("magnitude_id", &a.magnitude_ids),
        ("focal_mechanism_id", &a.focal_mechanism_ids),
    ] {
        if !ids.is_empty() {
            h5::attr_write_fixed_str(ds, name, &ids.join(","))?;
        }
    }
    if let Some(p) = &a.provenance_id {
        h5::attr_write_fixed_str(ds, "provenance_id", p)?;
    }
    Ok(())
}

