//! Reading: a waveform dataset's attributes, then its samples: stored chunks fetched raw under
//! the HDF5 lock and decoded on all cores, or kept as stored for a lazily decoded trace;
//! pipelines we cannot decode (LZF, szip) go through HDF5's own read path.

use std::sync::{Arc, OnceLock};

use crate::model::time::UtcTime;
use crate::model::trace::{AsdfStats, ByteOrder, Samples, Stats, Trace};

use super::super::codec::{can_decode, DecodeError, NumKind, Pipeline, FILTER_DEFLATE, FILTER_FLETCHER32, FILTER_SHUFFLE};
use super::super::error::{FormatError, Result};
use super::super::file::AsdfFile;
use super::super::h5::{self, AttrValue, Hid, NumType};
use super::super::names::WaveformName;
use super::encode::allowed_dtypes;
use super::stored::{decode_chunks_into, decode_failure, zeroed_samples, StoredChunks};

/// The attributes of one waveform dataset.
pub(crate) struct WaveformAttrs {
    pub(crate) starttime: UtcTime,
    pub(crate) sampling_rate: f64,
    pub(crate) asdf: AsdfStats,
}

pub(crate) fn read_waveform_attrs(file: &AsdfFile, ds: &Hid, obj: &str) -> Result<WaveformAttrs> {
    let missing = |attribute: &str| FormatError::MissingAttribute {
        path: file.path.clone(),
        object: obj.to_string(),
        attribute: attribute.to_string(),
    };
    let bad = |attribute: &str, found: &AttrValue| FormatError::BadAttribute {
        path: file.path.clone(),
        object: obj.to_string(),
        attribute: attribute.to_string(),
        found: format!("{found:?}"),
    };
    let names = h5::attr_names(ds).map_err(|m| file.err(obj, m))?;
    let get = |n: &str| -> Result<Option<AttrValue>> {
        if names.iter().any(|x| x == n) {
            h5::attr_read(ds, n).map(Some).map_err(|m| file.err(obj, m))
        } else {
            Ok(None)
        }
    };
    let starttime = match get("starttime")?.ok_or_else(|| missing("starttime"))? {
        AttrValue::Int(ns) => UtcTime::from_ns(ns),
        // pyasdf tolerates a float64 starttime (ns as float).
        AttrValue::Float(f) => UtcTime::from_ns(f.round() as i64),
        other => return Err(bad("starttime", &other)),
    };
    let sampling_rate = match get("sampling_rate")?.ok_or_else(|| missing("sampling_rate"))? {
        AttrValue::Float(f) => f,
        AttrValue::Int(i) => i as f64,
        other => return Err(bad("sampling_rate", &other)),
    };
    if !(sampling_rate > 0.0 && sampling_rate.is_finite()) {
        return Err(FormatError::Invalid {
            path: file.path.clone(),
            object: obj.to_string(),
            message: format!("attribute `sampling_rate` is {sampling_rate}; it must be a positive finite number of Hz"),
        });
    }
    let string = |n: &str| -> Result<Option<String>> {
        match get(n)? {
            None => Ok(None),
            Some(AttrValue::Str(s)) => Ok(Some(s)),
            Some(other) => Err(bad(n, &other)),
        }
    };
    let split = |s: Option<String>| -> Vec<String> {
        s.map(|s| s.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()).unwrap_or_default()
    };
    let asdf = AsdfStats {
        tag: String::new(),
        event_ids: split(string("event_id")?),
        origin_ids: split(string("origin_id")?),
        magnitude_ids: split(string("magnitude_id")?),
        focal_mechanism_ids: split(string("focal_mechanism_id")?),
        provenance_id: string("provenance_id")?,
        labels: split(string("labels")?),
        format_version: Some(file.version.as_str().to_string()),
    };
    Ok(WaveformAttrs { starttime, sampling_rate, asdf })
}

/// What [`read_samples`] found.
enum ReadSamples {
    /// The samples, decoded.
    Decoded(Samples),
    /// The chunks kept as stored, with the samples if they had to be decoded to be checked
    /// (no Fletcher-32 to verify them by).
    Stored { chunks: StoredChunks, decoded: Option<Samples> },
}

/// Reads the samples of an open waveform dataset, `[start, start+count)` or all of it. With
/// `keep`, a whole dataset stored chunk by chunk with a pipeline we write ourselves is also kept
/// as stored; it is then left undecoded when its checksums can be verified without decoding.
/// Returns the samples (or the kept chunks) and their stored byte order.
fn read_samples(
    file: &AsdfFile,
    ds: &Hid,
    obj: &str,
    range: Option<(u64, u64)>,
    keep: bool,
) -> Result<(ReadSamples, ByteOrder)> {
    let t = h5::dataset_type(ds).map_err(|m| file.err(obj, m))?;
    let shape = h5::dataset_shape(ds).map_err(|m| file.err(obj, m))?;
    if shape.len() != 1 {
        return Err(FormatError::Invalid { path: file.path.clone(), object: obj.into(), message: format!("waveform datasets are 1-D, this one has shape {shape:?}") });
    }
    let npts = shape[0];
    if !matches!(t.kind, NumKind::I16 | NumKind::I32 | NumKind::I64 | NumKind::F32 | NumKind::F64) {
        return Err(FormatError::BadDtype {
            path: file.path.clone(),
            object: obj.into(),
            dtype: t.kind.name().into(),
            version: file.version.to_string(),
            allowed: allowed_dtypes(file.version),
        });
    }
    let order = if t.big_endian { ByteOrder::Big } else { ByteOrder::Little };
    let (start, count) = range.unwrap_or((0, npts));
    let count = count.min(npts.saturating_sub(start));
    let whole = start == 0 && count == npts;
    if whole && count > 0 {
        if let Some(f) = fetch_chunks(file, ds, obj, npts)? {
            let elem = t.kind.size();
            let complete = f.chunks.iter().all(|c| matches!(c, Some((_, 0))));
            match pipeline_of(&f.filters).filter(|_| keep && complete) {
                Some(pipeline) => {
                    let stored = StoredChunks {
                        path: file.path.clone(),
                        object: obj.to_string(),
                        kind: t.kind,
                        big_endian: t.big_endian,
                        npts,
                        chunk: f.chunk,
                        filters: f.filters,
                        pipeline,
                        chunks: f.chunks.into_iter().map(|c| c.map(|(b, _)| b).unwrap_or_default()).collect(),
                        damage: OnceLock::new(),
                    };
                    if pipeline.fletcher32 {
                        stored.verify()?;
                        return Ok((ReadSamples::Stored { chunks: stored, decoded: None }, order));
                    }
                    let samples = stored.decode_once()?;
                    return Ok((ReadSamples::Stored { chunks: stored, decoded: Some(samples) }, order));
                }
                None => {
                    // Decoded straight into the samples' own memory.
                    let mut samples = samples_for(file, obj, t.kind, count)?;
                    let chunks: Vec<Option<(&[u8], u32)>> = f.chunks.iter().map(|c| c.as_ref().map(|(b, m)| (&b[..], *m))).collect();
                    match decode_chunks_into(&chunks, &f.filters, elem, f.chunk as usize * elem, t.big_endian, samples.as_bytes_mut()) {
                        Ok(()) => return Ok((ReadSamples::Decoded(samples), order)),
                        Err((_, DecodeError::Unsupported(_))) => {}
                        Err((i, e)) => return Err(decode_failure(&file.path, obj, i, e)),
                    }
                }
            }
        }
    }
    // HDF5's own read path.
    let mut samples = samples_for(file, obj, t.kind, count)?;
    if count > 0 {
        let mem = NumType::native(t.kind);
        let buf = samples.as_bytes_mut();
        let r = if whole { h5::dataset_read_into(ds, mem, buf) } else { h5::dataset_read_range(ds, mem, start, count, buf) };
        r.map_err(|m| file.err(obj, m))?;
    }
    Ok((ReadSamples::Decoded(samples), order))
}

/// The stored chunks of a whole dataset, fetched still filtered, with each one's filter mask
/// (`None`: never written).
struct Fetched {
    chunk: u64,
    filters: Vec<h5::FilterInfo>,
    chunks: Vec<Option<(Vec<u8>, u32)>>,
}

/// Fetches every stored chunk of a dataset, or `None` when it is not chunked in one dimension
/// or its pipeline needs HDF5's own filters (LZF, szip).
fn fetch_chunks(file: &AsdfFile, ds: &Hid, obj: &str, npts: u64) -> Result<Option<Fetched>> {
    let Some(chunk) = h5::dataset_chunk(ds).map_err(|m| file.err(obj, m))? else { return Ok(None) };
    let filters = h5::dataset_filters(ds).map_err(|m| file.err(obj, m))?;
    if !can_decode(&filters) || chunk.len() != 1 || chunk[0] == 0 {
        return Ok(None);
    }
    let clen = chunk[0];
    let nchunks = npts.div_ceil(clen);
    // Every chunk written takes bytes in the file (its index entry at least); more chunks than
    // the file has bytes is a crafted extent, refused before listing them.
    let file_size = h5::backing_size(file.h5()).map_err(|m| file.err(obj, m))?;
    if nchunks > file_size {
        let message = format!("declares {nchunks} chunks of {clen} samples, more than a file of {file_size} bytes can hold");
        return Err(FormatError::Invalid { path: file.path.clone(), object: obj.into(), message });
    }
    let chunks = match &file.raw {
        // Located under the HDF5 lock, read outside it (so workers read in parallel).
        Some(raw) => h5::chunk_spans(ds, clen, nchunks).and_then(|spans| raw.chunks(&spans)).map_err(|m| file.err(obj, m))?,
        None => (0..nchunks).map(|i| h5::chunk_read(ds, &[i * clen])).collect::<h5::H5Result<_>>().map_err(|m| file.err(obj, m))?,
    };
    Ok(Some(Fetched { chunk: clen, filters, chunks }))
}

/// The write pipeline a stored filter list corresponds to, if it is one we write ourselves.
fn pipeline_of(filters: &[h5::FilterInfo]) -> Option<Pipeline> {
    let mut p = Pipeline { shuffle: false, deflate: None, fletcher32: false };
    let mut it = filters.iter().peekable();
    if it.peek().is_some_and(|f| f.id == FILTER_SHUFFLE) {
        p.shuffle = true;
        it.next();
    }
    if let Some(f) = it.peek().filter(|f| f.id == FILTER_DEFLATE) {
        p.deflate = Some(f.params.first().copied().unwrap_or(0));
        it.next();
    }
    if it.peek().is_some_and(|f| f.id == FILTER_FLETCHER32) {
        p.fletcher32 = true;
        it.next();
    }
    it.next().is_none().then_some(p)
}

/// Zeroed samples for `count` elements of a dataset in `file`, refused when the dataset declares
/// more than the file could hold even compressed (a crafted extent of 10^12 samples) or more
/// than can be allocated.
fn samples_for(file: &AsdfFile, obj: &str, kind: NumKind, count: u64) -> Result<Samples> {
    let invalid = |message: String| FormatError::Invalid { path: file.path.clone(), object: obj.into(), message };
    let file_size = h5::backing_size(file.h5()).map_err(|m| file.err(obj, m))?;
    let bytes = count.saturating_mul(kind.size() as u64);
    if bytes > file_size.saturating_mul(super::super::codec::MAX_INFLATION) {
        return Err(invalid(format!("declares {count} samples ({bytes} bytes), more than a file of {file_size} bytes can hold even compressed")));
    }
    usize::try_from(count)
        .ok()
        .and_then(|n| zeroed_samples(kind, n))
        .ok_or_else(|| invalid(format!("cannot allocate memory for {count} samples")))
}

/// What a waveform dataset holds, read from its metadata only (no samples).
#[derive(Debug, Clone, PartialEq)]
pub struct TraceHeader {
    /// The dataset's name, parsed.
    pub name: WaveformName,
    /// numpy's name of the stored sample type (`i4`, `f8`, ...).
    pub dtype: &'static str,
    /// Number of samples.
    pub npts: u64,
    /// Time of the first sample.
    pub starttime: UtcTime,
    /// Samples per second.
    pub sampling_rate: f64,
    /// The ASDF attributes (event and provenance ids, labels).
    pub asdf: AsdfStats,
    /// The filter pipeline, e.g. `shuffle+gzip-3+fletcher32` (`none` without filters).
    pub filters: String,
}

impl TraceHeader {
    /// Time of the last sample.
    pub fn endtime(&self) -> UtcTime {
        self.starttime + self.npts.saturating_sub(1) as f64 / self.sampling_rate
    }
}

/// A filter pipeline in words.
pub(crate) fn describe_filters(filters: &[h5::FilterInfo]) -> String {
    if filters.is_empty() {
        return "none".into();
    }
    let name = |f: &h5::FilterInfo| match f.id {
        FILTER_DEFLATE => format!("gzip-{}", f.params.first().copied().unwrap_or(0)),
        FILTER_SHUFFLE => "shuffle".into(),
        FILTER_FLETCHER32 => "fletcher32".into(),
        32000 => "lzf".into(),
        4 => "szip".into(),
        other => format!("filter-{other}"),
    };
    filters.iter().map(name).collect::<Vec<_>>().join("+")
}

/// Opens one waveform dataset: its path, parsed name, handle and attributes.
fn open_waveform(file: &AsdfFile, group: &Hid, station: &str, name: &str) -> Result<(String, WaveformName, Hid, WaveformAttrs)> {
    let obj = format!("/Waveforms/{station}/{name}");
    let wn = WaveformName::parse(name).map_err(|reason| FormatError::BadName {
        path: file.path.clone(),
        station: station.to_string(),
        name: name.to_string(),
        reason,
    })?;
    let ds = h5::dataset_open(group, name).map_err(|m| file.err(&obj, m))?;
    let attrs = read_waveform_attrs(file, &ds, &obj)?;
    Ok((obj, wn, ds, attrs))
}

/// Reads the metadata of one waveform dataset (attributes, shape, type, filters).
pub(crate) fn read_header(file: &AsdfFile, group: &Hid, station: &str, name: &str) -> Result<TraceHeader> {
    let (obj, wn, ds, attrs) = open_waveform(file, group, station, name)?;
    let npts = h5::dataset_shape(&ds).map_err(|m| file.err(&obj, m))?.first().copied().unwrap_or(0);
    let t = h5::dataset_type(&ds).map_err(|m| file.err(&obj, m))?;
    let filters = describe_filters(&h5::dataset_filters(&ds).map_err(|m| file.err(&obj, m))?);
    let tag = wn.tag.clone();
    Ok(TraceHeader {
        name: wn,
        dtype: t.kind.name(),
        npts,
        starttime: attrs.starttime,
        sampling_rate: attrs.sampling_rate,
        asdf: AsdfStats { tag, ..attrs.asdf },
        filters,
    })
}

/// Reads one waveform dataset of a station group into a trace.
pub(crate) fn read_trace(file: &AsdfFile, group: &Hid, station: &str, name: &str, range: Option<(u64, u64)>) -> Result<Trace> {
    read_trace_keeping(file, group, station, name, range, false)
}

/// [`read_trace`]; with `keep` (whole traces only), the trace keeps its samples as stored and
/// may leave them undecoded until they are asked for (see [`StoredChunks`]).
pub(crate) fn read_trace_keeping(file: &AsdfFile, group: &Hid, station: &str, name: &str, range: Option<(u64, u64)>, keep: bool) -> Result<Trace> {
    let (obj, wn, ds, attrs) = open_waveform(file, group, station, name)?;
    let (samples, byte_order) = read_samples(file, &ds, &obj, range, keep)?;
    let mut starttime = attrs.starttime;
    if let Some((start, _)) = range {
        starttime = starttime + start as f64 / attrs.sampling_rate;
    }
    let stats = Stats {
        network: wn.network,
        station: wn.station,
        location: wn.location,
        channel: wn.channel,
        starttime,
        sampling_rate: attrs.sampling_rate,
        asdf: AsdfStats { tag: wn.tag, ..attrs.asdf },
    };
    Ok(match samples {
        ReadSamples::Stored { chunks, decoded } => Trace::from_stored(stats, Arc::new(chunks), decoded, byte_order),
        ReadSamples::Decoded(samples) => Trace::from_parts(stats, samples, byte_order),
    })
}


/// An XML document (a 1-D dataset of bytes: StationXML, QuakeML) as read by [`read_document`].
pub(crate) struct Document {
    /// The bytes, decoded.
    pub(crate) bytes: Vec<u8>,
    /// The chunks as stored, when they are written with a pipeline of ours: copied to another
    /// file with that pipeline, they are stored again as they are (no recompression).
    pub(crate) stored: Option<StoredDocument>,
}

/// A document's chunks as stored (each one whole, filtered, its checksum verified).
pub(crate) struct StoredDocument {
    pub(crate) chunk: u64,
    pub(crate) pipeline: Pipeline,
    pub(crate) chunks: Vec<Vec<u8>>,
}

/// Reads a document as waveforms are read: its chunks located under the HDF5 lock, read and
/// decoded outside it (so that the readers of many stations' StationXML hold the lock only
/// briefly), unless the caller holds the lock throughout (a job's input is read in one hold:
/// inflating a StationXML of a few kilobytes takes microseconds, fewer than handing the lock
/// over twice). Datasets this cannot read so (not chunked in one dimension, a chunk never written,
/// HDF5-only filters) go through HDF5's own read path, which checks the rest.
pub(crate) fn read_document(file: &AsdfFile, ds: &Hid, obj: &str) -> Result<Document> {
    let through_hdf5 = || h5::bytes_dataset_read(ds).map(|bytes| Document { bytes, stored: None }).map_err(|m| file.err(obj, m));
    let one_byte = h5::dataset_type(ds).is_ok_and(|t| t.kind.size() == 1);
    let len = match h5::dataset_shape(ds) {
        Ok(shape) if one_byte && shape.len() == 1 && shape[0] > 0 => shape[0],
        _ => return through_hdf5(),
    };
    let file_size = h5::backing_size(file.h5()).map_err(|m| file.err(obj, m))?;
    if len > file_size.saturating_mul(super::super::codec::MAX_INFLATION) {
        return through_hdf5();
    }
    let Some(f) = fetch_chunks(file, ds, obj, len)? else { return through_hdf5() };
    // A chunk longer than the document is not one h5py or we write: HDF5's path checks it.
    if f.chunk > len || !f.chunks.iter().all(|c| matches!(c, Some((_, 0)))) {
        return through_hdf5();
    }
    let Ok(n) = usize::try_from(len) else { return through_hdf5() };
    let mut bytes = Vec::new();
    if bytes.try_reserve_exact(n).is_err() {
        return through_hdf5();
    }
    bytes.resize(n, 0);
    let chunks: Vec<Option<(&[u8], u32)>> = f.chunks.iter().map(|c| c.as_ref().map(|(b, m)| (&b[..], *m))).collect();
    decode_chunks_into(&chunks, &f.filters, 1, f.chunk as usize, false, &mut bytes).map_err(|(i, e)| decode_failure(&file.path, obj, i, e))?;
    let stored = pipeline_of(&f.filters).map(|pipeline| StoredDocument {
        chunk: f.chunk,
        pipeline,
        chunks: f.chunks.into_iter().map(|c| c.map(|(b, _)| b).unwrap_or_default()).collect(),
    });
    Ok(Document { bytes, stored })
}
