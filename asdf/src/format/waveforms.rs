//! Waveform datasets: reading them into [`Trace`]s and writing traces as pyasdf does.
//!
//! Writing is split in two so that the expensive part runs anywhere, in parallel: [`encode_trace`]
//! names the dataset, picks the chunk shape and runs shuffle + deflate + fletcher32 on every chunk
//! (no HDF5 call, on any thread or rank); [`AsdfFile::write_encoded`] then creates the dataset and
//! its attributes and stores the ready chunks with direct chunk writes.
//!
//! Reading does the reverse: stored chunks are fetched raw under the HDF5 lock and decoded on all
//! cores; pipelines we cannot decode (LZF, szip) go through HDF5's own read path.

use rayon::prelude::*;

use crate::model::time::UtcTime;
use crate::model::trace::{AsdfStats, ByteOrder, Samples, Stats, Trace};

use super::chunking::guess_chunk;
use super::codec::{can_decode, decode_chunk, decode_chunk_into, encode_chunk, DecodeError};
use super::error::{FormatError, Result};
use super::fanout;
use super::file::{AsdfFile, Compression};
use super::h5::{self, AttrValue, Hid, NumKind, NumType, Pipeline};
use super::names::{validate_tag, WaveformName};
use super::version::FormatVersion;

/// A trace made ready for writing: named, typed, chunked and with its chunks already filtered.
/// Moving one between threads or MPI ranks is cheap relative to compressing it.
#[derive(Debug, Clone, PartialEq)]
pub struct EncodedTrace {
    /// Station group, `NET.STA`.
    pub station: String,
    /// Dataset name inside the station group.
    pub name: String,
    pub(crate) kind: NumKind,
    pub(crate) big_endian: bool,
    pub(crate) npts: u64,
    pub(crate) chunk: u64,
    pub(crate) pipeline: Pipeline,
    pub(crate) starttime: i64,
    pub(crate) sampling_rate: f64,
    pub(crate) asdf: AsdfStats,
    pub(crate) chunks: Vec<Vec<u8>>,
}

impl EncodedTrace {
    /// Bytes held (compressed chunks), for memory accounting.
    pub fn stored_bytes(&self) -> usize {
        self.chunks.iter().map(Vec::len).sum()
    }

    /// Raw (uncompressed) sample bytes.
    pub fn raw_bytes(&self) -> usize {
        self.npts as usize * self.kind.size()
    }
}

fn allowed_dtypes(version: FormatVersion) -> &'static str {
    if version.allows_i16() {
        "i2, i4, i8, f4, f8"
    } else {
        "i4, i8, f4, f8"
    }
}

/// A trace's chunks exactly as stored in its input file, kept by
/// [`StationGroup::stream_keeping_chunks`](super::StationGroup) so that a trace a processing
/// function returns unchanged is written without decompressing and recompressing it.
#[derive(Debug, Clone)]
pub struct StoredChunks {
    kind: NumKind,
    big_endian: bool,
    npts: u64,
    chunk: u64,
    pipeline: Pipeline,
    chunks: Vec<Vec<u8>>,
    fingerprint: u64,
}

/// A fast 64-bit fingerprint of sample bytes (four multiply-rotate lanes); equal samples give
/// equal fingerprints, and any change is caught except with probability ~2^-64.
pub(crate) fn fingerprint(bytes: &[u8]) -> u64 {
    const K: [u64; 4] = [0x9E37_79B9_7F4A_7C15, 0xC2B2_AE3D_27D4_EB4F, 0x1656_67B1_9E37_79F9, 0x85EB_CA77_C2B2_AE63];
    let mut lanes = K;
    let mut blocks = bytes.chunks_exact(32);
    for b in &mut blocks {
        for (j, lane) in lanes.iter_mut().enumerate() {
            let w = u64::from_le_bytes(b[j * 8..j * 8 + 8].try_into().expect("32-byte block"));
            *lane = (*lane ^ w).wrapping_mul(K[j]).rotate_left(29);
        }
    }
    let mut h = bytes.len() as u64;
    for (j, lane) in lanes.iter().enumerate() {
        h = (h ^ lane.rotate_left(j as u32 * 16)).wrapping_mul(K[0]);
    }
    for (i, &byte) in blocks.remainder().iter().enumerate() {
        h = (h ^ ((byte as u64) << ((i % 8) * 8))).wrapping_mul(K[1]).rotate_left(23);
    }
    h ^ (h >> 31)
}

/// The write pipeline a stored filter list corresponds to, if it is one we write ourselves.
fn pipeline_of(filters: &[h5::FilterInfo]) -> Option<Pipeline> {
    let mut p = Pipeline { shuffle: false, deflate: None, fletcher32: false };
    let mut it = filters.iter().peekable();
    if it.peek().is_some_and(|f| f.id == h5::FILTER_SHUFFLE) {
        p.shuffle = true;
        it.next();
    }
    if let Some(f) = it.peek().filter(|f| f.id == h5::FILTER_DEFLATE) {
        p.deflate = Some(f.params.first().copied().unwrap_or(0));
        it.next();
    }
    if it.peek().is_some_and(|f| f.id == h5::FILTER_FLETCHER32) {
        p.fletcher32 = true;
        it.next();
    }
    it.next().is_none().then_some(p)
}

/// Names, chunks and compresses a trace for writing under `tag` (see the module docs).
/// Checks the tag and the sample type against `version`.
pub fn encode_trace(
    tr: &Trace,
    tag: &str,
    version: FormatVersion,
    compression: Compression,
) -> std::result::Result<EncodedTrace, String> {
    encode_trace_reusing(tr, tag, version, compression, None)
}

/// The dataset a trace is written to under `tag`: name, layout, pipeline and attributes, with
/// no chunks yet. Checks the tag, the sample type against `version`, the rate and the codes.
pub(crate) fn describe_trace(tr: &Trace, tag: &str, version: FormatVersion, compression: Compression) -> std::result::Result<EncodedTrace, String> {
    validate_tag(tag).map_err(|e| e.to_string())?;
    if matches!(tr.data, Samples::I16(_)) && !version.allows_i16() {
        return Err(format!("{}: int16 samples need ASDF >= 1.0.1 (allowed: {})", tr.id(), allowed_dtypes(version)));
    }
    if !(tr.stats.sampling_rate.is_finite() && tr.stats.sampling_rate > 0.0) {
        return Err(format!("{}: sampling rate {} is not positive", tr.id(), tr.stats.sampling_rate));
    }
    if tr.stats.network.contains('.') || tr.stats.station.contains('.') || tr.stats.location.contains('.') || tr.stats.channel.contains('.') {
        return Err(format!("{}: SEED codes cannot contain `.`", tr.id()));
    }
    let kind = match tr.data {
        Samples::I16(_) => NumKind::I16,
        Samples::I32(_) => NumKind::I32,
        Samples::I64(_) => NumKind::I64,
        Samples::F32(_) => NumKind::F32,
        Samples::F64(_) => NumKind::F64,
    };
    let big_endian = tr.byte_order == ByteOrder::Big;
    let elem = kind.size();
    let npts = tr.npts() as u64;
    let chunk = guess_chunk(&[npts], elem)[0];
    let pipeline = compression.pipeline();
    Ok(EncodedTrace {
        station: format!("{}.{}", tr.stats.network, tr.stats.station),
        name: WaveformName::for_trace(tr, tag, version),
        kind,
        big_endian,
        npts,
        chunk,
        pipeline,
        starttime: tr.stats.starttime.pyasdf_quantized(),
        sampling_rate: tr.stats.sampling_rate,
        asdf: AsdfStats { tag: tag.to_string(), ..tr.stats.asdf.clone() },
        chunks: Vec::new(),
    })
}

/// [`encode_trace`], reusing `stored` chunks when the trace's samples are still the ones they
/// hold (same type, byte order, length and fingerprint) and the output pipeline and chunking are
/// the input's: the output bytes are then exactly what compressing would give, for free.
pub(crate) fn encode_trace_reusing(
    tr: &Trace,
    tag: &str,
    version: FormatVersion,
    compression: Compression,
    stored: Option<StoredChunks>,
) -> std::result::Result<EncodedTrace, String> {
    let described = describe_trace(tr, tag, version, compression)?;
    let EncodedTrace { kind, big_endian, npts, chunk, pipeline, .. } = described;
    let elem = kind.size();
    let header = |chunks: Vec<Vec<u8>>| EncodedTrace { chunks, ..described.clone() };
    if let Some(s) = stored {
        let same_layout = s.kind == kind && s.big_endian == big_endian && s.npts == npts && s.chunk == chunk && s.pipeline == pipeline;
        if same_layout && s.fingerprint == fingerprint(tr.data.as_bytes()) {
            return Ok(header(s.chunks));
        }
    }
    // The samples are encoded where they are, unless their byte order must change first.
    let swapped: Vec<u8>;
    let raw: &[u8] = if big_endian != cfg!(target_endian = "big") {
        let mut v = tr.data.as_bytes().to_vec();
        fanout::swap_bytes(&mut v, elem);
        swapped = v;
        &swapped
    } else {
        tr.data.as_bytes()
    };
    let chunk_bytes = chunk as usize * elem;
    let chunks: Vec<Vec<u8>> = fanout::map_chunks(raw, chunk_bytes.max(1), |c| {
        if c.len() == chunk_bytes {
            encode_chunk(c, elem, pipeline)
        } else {
            // HDF5 stores edge chunks full-size; the tail is never read.
            let mut full = c.to_vec();
            full.resize(chunk_bytes, 0);
            encode_chunk(&full, elem, pipeline)
        }
    });
    Ok(header(chunks))
}

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
        let (ds, obj) = self.create_trace_dataset(e)?;
        let mut at = Vec::with_capacity(chunks.len());
        for (i, c) in chunks.iter().enumerate() {
            at.push(h5::chunk_write(&ds, &[i as u64 * e.chunk], c).map_err(|m| self.err(&obj, m))?);
        }
        Ok(at)
    }

    /// Creates the dataset `e` describes, with its attributes; returns it and its path.
    fn create_trace_dataset(&mut self, e: &EncodedTrace) -> Result<(Hid, String)> {
        self.require_writable()?;
        let obj = format!("/Waveforms/{}/{}", e.station, e.name);
        let g = h5::group_require(self.h5(), &format!("Waveforms/{}", e.station)).map_err(|m| self.err(&obj, m))?;
        if h5::exists(&g, &e.name).map_err(|m| self.err(&obj, m))? {
            return Err(FormatError::WaveformExists { path: self.path.clone(), station: e.station.clone(), name: e.name.clone() });
        }
        let spec = h5::NewDataset {
            name: &e.name,
            dtype: NumType { kind: e.kind, big_endian: e.big_endian },
            shape: &[e.npts],
            chunk: &[e.chunk],
            pipeline: e.pipeline,
        };
        let ds = h5::dataset_create(&g, &spec).map_err(|m| self.err(&obj, m))?;
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
            return Err(self.err(&obj, format!("{} samples for a dataset of {}", samples.map_or(0, Samples::len), e.npts)));
        }
        h5::dataset_write_collective(&ds, NumType::native(e.kind), samples.map(Samples::as_bytes)).map_err(|m| self.err(&obj, m))
    }
}

use crate::model::stream::Stream;

/// Attributes in pyasdf's order: starttime, sampling_rate, labels, ids, provenance_id.
fn write_waveform_attrs(ds: &Hid, starttime: i64, sampling_rate: f64, a: &AsdfStats) -> h5::H5Result<()> {
    h5::attr_write_i64(ds, "starttime", starttime)?;
    h5::attr_write_f64(ds, "sampling_rate", sampling_rate)?;
    if !a.labels.is_empty() {
        let labels: Vec<&str> = a.labels.iter().map(|l| l.trim()).collect();
        if let Some(bad) = labels.iter().find(|l| l.contains(',')) {
            return Err(format!("label {bad:?} contains a comma"));
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

/// Reads the samples of an open waveform dataset, `[start, start+count)` or all of it; with
/// `keep`, also the stored chunks when the whole dataset was read chunk by chunk with a pipeline
/// we write ourselves.
fn read_samples(
    file: &AsdfFile,
    ds: &Hid,
    obj: &str,
    range: Option<(u64, u64)>,
    keep: bool,
) -> Result<(Samples, ByteOrder, Option<StoredChunks>)> {
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
    let (start, count) = range.unwrap_or((0, npts));
    let count = count.min(npts.saturating_sub(start));
    // Decoded straight into the samples' own memory.
    let mut samples = zeroed_samples(t.kind, count as usize);
    let buf = samples.as_bytes_mut();
    let whole = start == 0 && count == npts;
    let (direct, kept) = if whole && count > 0 { read_direct(file, ds, obj, t, npts, buf, keep)? } else { (false, None) };
    if !direct && count > 0 {
        let mem = NumType::native(t.kind);
        let r = if whole { h5::dataset_read_into(ds, mem, buf) } else { h5::dataset_read_range(ds, mem, start, count, buf) };
        r.map_err(|m| if m.contains("checksum") || m.contains("fletcher") {
            FormatError::Checksum { path: file.path.clone(), object: obj.into() }
        } else {
            file.err(obj, m)
        })?;
    }
    let order = if t.big_endian { ByteOrder::Big } else { ByteOrder::Little };
    let stored = kept.map(|(chunk, pipeline, chunks)| StoredChunks {
        kind: t.kind,
        big_endian: t.big_endian,
        npts,
        chunk,
        pipeline,
        chunks,
        fingerprint: fingerprint(samples.as_bytes()),
    });
    Ok((samples, order, stored))
}

/// Direct chunk read + parallel decode. Returns false when the pipeline needs HDF5's own filters.
type Kept = Option<(u64, Pipeline, Vec<Vec<u8>>)>;

fn read_direct(file: &AsdfFile, ds: &Hid, obj: &str, t: NumType, npts: u64, out: &mut [u8], keep: bool) -> Result<(bool, Kept)> {
    let Some(chunk) = h5::dataset_chunk(ds).map_err(|m| file.err(obj, m))? else { return Ok((false, None)) };
    let filters = h5::dataset_filters(ds).map_err(|m| file.err(obj, m))?;
    if !can_decode(&filters) || chunk.len() != 1 || chunk[0] == 0 {
        return Ok((false, None));
    }
    let elem = t.kind.size();
    let clen = chunk[0];
    let nchunks = npts.div_ceil(clen);
    let stored: Vec<Option<(Vec<u8>, u32)>> = match &file.raw {
        // Located under the HDF5 lock, read outside it (so workers read in parallel).
        Some(raw) => h5::chunk_spans(ds, clen, nchunks)
            .and_then(|spans| spans.into_iter().map(|s| s.map(|s| raw.chunk(s).map(|b| (b, s.mask))).transpose()).collect())
            .map_err(|m| file.err(obj, m))?,
        None => (0..nchunks).map(|i| h5::chunk_read(ds, &[i * clen])).collect::<h5::H5Result<_>>().map_err(|m| file.err(obj, m))?,
    };
    let raw_len = clen as usize * elem;
    // Whole chunks decode straight into place, in parallel; a last partial chunk through a buffer.
    let full = out.len() / raw_len;
    let (head, tail) = out.split_at_mut(full * raw_len);
    let decoded: Vec<std::result::Result<(), DecodeError>> = fanout::map_chunks_mut(head, raw_len, &stored[..full], |dst, c| match c {
        None => {
            dst.fill(0);
            Ok(())
        }
        Some((bytes, mask)) => decode_chunk_into(bytes, &filters, *mask, elem, dst),
    });
    let last = match stored.get(full) {
        Some(Some((bytes, mask))) if !tail.is_empty() => Some(decode_chunk(bytes.clone(), &filters, *mask, elem, raw_len).and_then(|b| {
            if b.len() < tail.len() {
                return Err(DecodeError::Corrupt(format!("decodes to {} bytes, expected {}", b.len(), tail.len())));
            }
            tail.copy_from_slice(&b[..tail.len()]);
            Ok(())
        })),
        _ => {
            tail.fill(0);
            None
        }
    };
    for (i, d) in decoded.into_iter().chain(last).enumerate() {
        match d {
            Ok(()) => {}
            Err(DecodeError::Checksum) => return Err(FormatError::Checksum { path: file.path.clone(), object: obj.into() }),
            Err(DecodeError::Unsupported(_)) => return Ok((false, None)),
            Err(DecodeError::Corrupt(m)) => return Err(FormatError::Invalid { path: file.path.clone(), object: obj.into(), message: format!("chunk {i}: {m}") }),
        }
    }
    // Kept (moved, not copied) only when every chunk exists with its full pipeline applied.
    let kept = match pipeline_of(&filters) {
        Some(p) if keep && stored.iter().all(|c| matches!(c, Some((_, 0)))) => {
            Some((clen, p, stored.into_iter().map(|c| c.map(|(b, _)| b).unwrap_or_default()).collect()))
        }
        _ => None,
    };
    let swap = t.big_endian != cfg!(target_endian = "big");
    if swap && elem > 1 {
        fanout::swap_bytes(out, elem);
    }
    Ok((true, kept))
}

fn zeroed_samples(kind: NumKind, n: usize) -> Samples {
    match kind {
        NumKind::I16 => Samples::I16(vec![0; n]),
        NumKind::I32 => Samples::I32(vec![0; n]),
        NumKind::I64 => Samples::I64(vec![0; n]),
        NumKind::F32 => Samples::F32(vec![0.0; n]),
        _ => Samples::F64(vec![0.0; n]),
    }
}

/// What a waveform dataset holds, read from its metadata only (no samples).
#[derive(Debug, Clone, PartialEq)]
pub struct TraceHeader {
    pub name: WaveformName,
    /// numpy's name of the stored sample type (`i4`, `f8`, ...).
    pub dtype: &'static str,
    pub npts: u64,
    pub starttime: UtcTime,
    pub sampling_rate: f64,
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
        h5::FILTER_DEFLATE => format!("gzip-{}", f.params.first().copied().unwrap_or(0)),
        h5::FILTER_SHUFFLE => "shuffle".into(),
        h5::FILTER_FLETCHER32 => "fletcher32".into(),
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
    read_trace_keeping(file, group, station, name, range, false).map(|(t, _)| t)
}

/// [`read_trace`], also returning the stored chunks when `keep` is set (whole traces only).
pub(crate) fn read_trace_keeping(
    file: &AsdfFile,
    group: &Hid,
    station: &str,
    name: &str,
    range: Option<(u64, u64)>,
    keep: bool,
) -> Result<(Trace, Option<StoredChunks>)> {
    let (obj, wn, ds, attrs) = open_waveform(file, group, station, name)?;
    let (data, byte_order, stored) = read_samples(file, &ds, &obj, range, keep)?;
    let mut starttime = attrs.starttime;
    if let Some((start, _)) = range {
        starttime = starttime + start as f64 / attrs.sampling_rate;
    }
    let trace = Trace {
        stats: Stats {
            network: wn.network,
            station: wn.station,
            location: wn.location,
            channel: wn.channel,
            starttime,
            sampling_rate: attrs.sampling_rate,
            asdf: AsdfStats { tag: wn.tag, ..attrs.asdf },
        },
        data,
        byte_order,
    };
    Ok((trace, stored))
}
