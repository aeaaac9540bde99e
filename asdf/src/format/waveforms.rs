//! Waveform datasets: reading them into [`Trace`]s and writing traces as pyasdf does.
//!
//! Writing is split in two so that the expensive part runs anywhere, in parallel: [`encode_trace`]
//! names the dataset, picks the chunk shape and runs shuffle + deflate + fletcher32 on every chunk
//! (no HDF5 call, on any thread or rank); [`AsdfFile::write_encoded`] then creates the dataset and
//! its attributes and stores the ready chunks with direct chunk writes.
//!
//! Reading does the reverse: stored chunks are fetched raw under the HDF5 lock and decoded on all
//! cores; pipelines we cannot decode (LZF, szip) go through HDF5's own read path.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::Arc;

use rayon::prelude::*;

use crate::model::time::UtcTime;
use crate::model::trace::{AsdfStats, ByteOrder, Samples, Stats, Trace};
use crate::model::stored::{StoredSamples, UndecodableSamples};

use super::chunking::guess_chunk;
use super::codec::{can_decode, decode_chunk, decode_chunk_into, encode_chunk, verify_fletcher32, DecodeError};
use super::error::{FormatError, Result};

use super::file::{AsdfFile, Compression};
use super::h5::{self, AttrValue, Hid, NumKind, NumType, Pipeline};
use super::names::{validate_tag, WaveformName};
use super::version::FormatVersion;

/// A trace made ready for writing: named, typed, chunked and with its chunks already filtered.
/// Moving one between threads or MPI ranks is cheap relative to compressing it.
///
/// Its serde form is the description alone: the chunks (`#[serde(skip)]`) travel beside it
/// where they are needed (an MPI result carries them, a journal record only where they are).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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
    #[serde(skip)]
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

/// A trace's samples exactly as stored in its input file: its filtered chunks (every one present,
/// each with the whole pipeline applied) and what decoding them takes. The engine reads traces
/// this way ([`Trace::data`] decodes them on first use), so that a trace a processing function
/// returns unchanged is written without decompressing and recompressing it.
#[derive(Debug, Clone)]
pub(crate) struct StoredChunks {
    /// The input file and the dataset, for messages.
    path: PathBuf,
    object: String,
    kind: NumKind,
    big_endian: bool,
    npts: u64,
    chunk: u64,
    filters: Vec<h5::FilterInfo>,
    pipeline: Pipeline,
    chunks: Vec<Vec<u8>>,
    /// Why decoding failed, once it has: shared by every trace made from these chunks, so the
    /// engine learns of it whatever the function did with the trace.
    damage: OnceLock<FormatError>,
}

impl StoredChunks {
    /// Whether these chunks are what `described` (type, byte order, length, chunking, pipeline)
    /// would be written with.
    fn fits(&self, described: &EncodedTrace) -> bool {
        let d = described;
        self.kind == d.kind && self.big_endian == d.big_endian && self.npts == d.npts && self.chunk == d.chunk && self.pipeline == d.pipeline
    }

    /// The stored chunks of a trace, if they are ours and what `described` would be written with.
    fn of_trace(tr: &Trace, described: &EncodedTrace) -> Option<Arc<StoredChunks>> {
        let ours = Arc::clone(tr.stored()?).into_any().downcast::<StoredChunks>().ok()?;
        ours.fits(described).then_some(ours)
    }

    /// Checks every chunk's Fletcher-32 checksum, which covers the compressed bytes, so that a
    /// corrupt chunk is found at reading time even if it is never decoded.
    fn verify(&self) -> Result<()> {
        match self.chunks.iter().position(|c| verify_fletcher32(c).is_err()) {
            None => Ok(()),
            Some(_) => Err(FormatError::Checksum { path: self.path.clone(), object: self.object.clone() }),
        }
    }

    fn decode_once(&self) -> Result<Samples> {
        let mut samples = usize::try_from(self.npts).ok().and_then(|n| zeroed_samples(self.kind, n)).ok_or_else(|| FormatError::Invalid {
            path: self.path.clone(),
            object: self.object.clone(),
            message: format!("cannot allocate memory for {} samples", self.npts),
        })?;
        let elem = self.kind.size();
        let chunks: Vec<Option<(&[u8], u32)>> = self.chunks.iter().map(|c| Some((&c[..], 0))).collect();
        decode_chunks_into(&chunks, &self.filters, elem, self.chunk as usize * elem, self.big_endian, samples.as_bytes_mut())
            .map_err(|(i, e)| decode_failure(&self.path, &self.object, i, e))?;
        Ok(samples)
    }
}

impl StoredSamples for StoredChunks {
    fn npts(&self) -> usize {
        self.npts as usize
    }

    fn dtype(&self) -> &'static str {
        self.kind.name()
    }

    /// The samples, decoded (in native byte order); a failure is also kept as the damage.
    fn decode(&self) -> std::result::Result<Samples, UndecodableSamples> {
        if let Some(e) = self.damage.get() {
            return Err(UndecodableSamples::new(e.clone()));
        }
        self.decode_once().map_err(|e| UndecodableSamples::new(self.damage.get_or_init(|| e).clone()))
    }

    fn damage(&self) -> Option<UndecodableSamples> {
        self.damage.get().map(|e| UndecodableSamples::new(e.clone()))
    }

    fn into_any(self: Arc<Self>) -> Arc<dyn std::any::Any + Send + Sync> {
        self
    }
}

/// The error for chunk `i` of `object` failing to decode.
fn decode_failure(path: &Path, object: &str, i: usize, e: DecodeError) -> FormatError {
    match e {
        DecodeError::Checksum => FormatError::Checksum { path: path.to_path_buf(), object: object.into() },
        DecodeError::Unsupported(id) => FormatError::Invalid { path: path.to_path_buf(), object: object.into(), message: format!("chunk {i}: filter {id} cannot be decoded here") },
        DecodeError::Corrupt(m) => FormatError::Invalid { path: path.to_path_buf(), object: object.into(), message: format!("chunk {i}: {m}") },
    }
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
    let described = describe_trace(tr, tag, version, compression)?;
    match StoredChunks::of_trace(tr, &described) {
        Some(s) => Ok(EncodedTrace { chunks: s.chunks.clone(), ..described }),
        None => compress_samples(tr, described),
    }
}

/// The dataset a trace is written to under `tag`: name, layout, pipeline and attributes, with
/// no chunks yet. Checks the tag, the sample type against `version`, the rate and the codes.
pub(crate) fn describe_trace(tr: &Trace, tag: &str, version: FormatVersion, compression: Compression) -> std::result::Result<EncodedTrace, String> {
    validate_tag(tag).map_err(|e| e.to_string())?;
    if tr.dtype() == "i2" && !version.allows_i16() {
        return Err(format!("{}: int16 samples need ASDF >= 1.0.1 (allowed: {})", tr.id(), allowed_dtypes(version)));
    }
    if !(tr.stats.sampling_rate.is_finite() && tr.stats.sampling_rate > 0.0) {
        return Err(format!("{}: sampling rate {} is not positive", tr.id(), tr.stats.sampling_rate));
    }
    if tr.stats.network.contains('.') || tr.stats.station.contains('.') || tr.stats.location.contains('.') || tr.stats.channel.contains('.') {
        return Err(format!("{}: SEED codes cannot contain `.`", tr.id()));
    }
    let kind = match tr.dtype() {
        "i2" => NumKind::I16,
        "i4" => NumKind::I32,
        "i8" => NumKind::I64,
        "f4" => NumKind::F32,
        _ => NumKind::F64,
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

/// [`encode_trace`] of a trace it may consume: a trace whose samples are still as stored in its
/// input file ([`Trace::stored`]), with the input's pipeline and chunking also the output's, is
/// written with its stored chunks (moved, not copied): exactly the bytes compressing it would
/// give, for free.
pub(crate) fn encode_trace_reusing(mut tr: Trace, tag: &str, version: FormatVersion, compression: Compression) -> std::result::Result<EncodedTrace, String> {
    let described = describe_trace(&tr, tag, version, compression)?;
    if let Some(s) = StoredChunks::of_trace(&tr, &described) {
        // Moved out when this trace held the only reference (the usual case), else copied.
        drop(tr.take_stored());
        let chunks = Arc::try_unwrap(s).map_or_else(|shared| shared.chunks.clone(), |s| s.chunks);
        return Ok(EncodedTrace { chunks, ..described });
    }
    compress_samples(&tr, described)
}

/// The chunks of `described` made from the trace's samples.
fn compress_samples(tr: &Trace, described: EncodedTrace) -> std::result::Result<EncodedTrace, String> {
    let EncodedTrace { kind, big_endian, chunk, pipeline, .. } = described;
    let elem = kind.size();
    let data = tr.try_data().map_err(|e| e.to_string())?;
    // The samples are encoded where they are, unless their byte order must change first.
    let swapped: Vec<u8>;
    let raw: &[u8] = if big_endian != cfg!(target_endian = "big") {
        let mut v = data.as_bytes().to_vec();
        super::codec::swap_bytes(&mut v, elem);
        swapped = v;
        &swapped
    } else {
        data.as_bytes()
    };
    let chunk_bytes = chunk as usize * elem;
    let chunks: Vec<Vec<u8>> = super::codec::map_chunks(raw, chunk_bytes.max(1), |c| {
        if c.len() == chunk_bytes {
            encode_chunk(c, elem, pipeline)
        } else {
            // HDF5 stores edge chunks full-size; the tail is never read.
            let mut full = c.to_vec();
            full.resize(chunk_bytes, 0);
            encode_chunk(&full, elem, pipeline)
        }
    });
    Ok(EncodedTrace { chunks, ..described })
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
        // One hold of the HDF5 lock for the whole trace: handing it back and forth with the
        // readers chunk by chunk costs more than the writes.
        h5::locked(|| {
            let (ds, obj) = self.create_trace_dataset(e)?;
            h5::chunks_write(&ds, e.chunk, chunks.iter().copied()).map_err(|m| self.err(&obj, m))
        })
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
            let why = format!("{} samples for a dataset of {}", samples.map_or(0, Samples::len), e.npts);
            return Err(self.err(&obj, h5::H5Error::shape("writing collectively", why)));
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

/// Reads the samples of an open waveform dataset, `[start, start+count)` or all of it. With
/// `keep`, a whole dataset stored chunk by chunk with a pipeline we write ourselves is also kept
/// as stored; it is then left undecoded when its checksums can be verified without decoding.
/// Returns the samples (unless left undecoded), their stored byte order and the kept chunks.
fn read_samples(
    file: &AsdfFile,
    ds: &Hid,
    obj: &str,
    range: Option<(u64, u64)>,
    keep: bool,
) -> Result<(Option<Samples>, ByteOrder, Option<StoredChunks>)> {
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
                        return Ok((None, order, Some(stored)));
                    }
                    let samples = stored.decode_once()?;
                    return Ok((Some(samples), order, Some(stored)));
                }
                None => {
                    // Decoded straight into the samples' own memory.
                    let mut samples = samples_for(file, obj, t.kind, count)?;
                    let chunks: Vec<Option<(&[u8], u32)>> = f.chunks.iter().map(|c| c.as_ref().map(|(b, m)| (&b[..], *m))).collect();
                    match decode_chunks_into(&chunks, &f.filters, elem, f.chunk as usize * elem, t.big_endian, samples.as_bytes_mut()) {
                        Ok(()) => return Ok((Some(samples), order, None)),
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
    Ok((Some(samples), order, None))
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

/// Decodes stored chunks (`None`: never written, so zeros) into `out`, the samples in native
/// byte order: whole chunks straight into place and in parallel, a last partial one through a
/// buffer. On failure, the index of the chunk and why.
fn decode_chunks_into(
    chunks: &[Option<(&[u8], u32)>],
    filters: &[h5::FilterInfo],
    elem: usize,
    raw_len: usize,
    big_endian: bool,
    out: &mut [u8],
) -> std::result::Result<(), (usize, DecodeError)> {
    let full = out.len() / raw_len;
    let (head, tail) = out.split_at_mut(full * raw_len);
    let decoded: Vec<std::result::Result<(), DecodeError>> = super::codec::map_chunks_mut(head, raw_len, &chunks[..full], |dst, c| match c {
        None => {
            dst.fill(0);
            Ok(())
        }
        Some((bytes, mask)) => decode_chunk_into(bytes, filters, *mask, elem, dst),
    });
    let last = match chunks.get(full) {
        Some(Some((bytes, mask))) if !tail.is_empty() => Some(decode_chunk(bytes.to_vec(), filters, *mask, elem, raw_len).and_then(|b| {
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
    if let Some((i, e)) = decoded.into_iter().chain(last).enumerate().find_map(|(i, d)| d.err().map(|e| (i, e))) {
        return Err((i, e));
    }
    if big_endian != cfg!(target_endian = "big") && elem > 1 {
        super::codec::swap_bytes(out, elem);
    }
    Ok(())
}

fn zeroed_samples(kind: NumKind, n: usize) -> Option<Samples> {
    fn zeros<T: Clone + Default>(n: usize) -> Option<Vec<T>> {
        let mut v = Vec::new();
        v.try_reserve_exact(n).ok()?;
        v.resize(n, T::default());
        Some(v)
    }
    Some(match kind {
        NumKind::I16 => Samples::I16(zeros(n)?),
        NumKind::I32 => Samples::I32(zeros(n)?),
        NumKind::I64 => Samples::I64(zeros(n)?),
        NumKind::F32 => Samples::F32(zeros(n)?),
        _ => Samples::F64(zeros(n)?),
    })
}


/// Zeroed samples for `count` elements of a dataset in `file`, refused when the dataset declares
/// more than the file could hold even compressed (a crafted extent of 10^12 samples) or more
/// than can be allocated.
fn samples_for(file: &AsdfFile, obj: &str, kind: NumKind, count: u64) -> Result<Samples> {
    let invalid = |message: String| FormatError::Invalid { path: file.path.clone(), object: obj.into(), message };
    let file_size = h5::backing_size(file.h5()).map_err(|m| file.err(obj, m))?;
    let bytes = count.saturating_mul(kind.size() as u64);
    if bytes > file_size.saturating_mul(super::codec::MAX_INFLATION) {
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
    read_trace_keeping(file, group, station, name, range, false)
}

/// [`read_trace`]; with `keep` (whole traces only), the trace keeps its samples as stored and
/// may leave them undecoded until they are asked for (see [`StoredChunks`]).
pub(crate) fn read_trace_keeping(file: &AsdfFile, group: &Hid, station: &str, name: &str, range: Option<(u64, u64)>, keep: bool) -> Result<Trace> {
    let (obj, wn, ds, attrs) = open_waveform(file, group, station, name)?;
    let (data, byte_order, stored) = read_samples(file, &ds, &obj, range, keep)?;
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
    Ok(match (stored, data) {
        (Some(stored), data) => Trace::from_stored(stats, Arc::new(stored), data, byte_order),
        (None, Some(data)) => Trace::from_parts(stats, data, byte_order),
        (None, None) => unreachable!("read_samples returns samples unless it keeps the stored chunks"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{write_sample, SampleOptions};

    #[test]
    fn a_lazily_read_trace_decodes_to_the_samples_and_is_written_with_its_stored_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.h5");
        write_sample(&path, &SampleOptions { stations: 1, seconds: 150.0, ..Default::default() }).unwrap();
        let file = AsdfFile::open(&path).unwrap();
        let sta = file.station("XX.S0000").unwrap();
        let lazy = sta.stream_keeping_chunks("raw_recording").unwrap();
        let eager = sta.stream("raw_recording").unwrap();
        assert_eq!(lazy.len(), 3);
        for (l, e) in lazy.traces.iter().zip(&eager.traces) {
            // Length and type are known before anything is decoded.
            assert!(!l.is_decoded() && l.stored().is_some());
            assert_eq!((l.npts(), l.dtype()), (e.npts(), e.dtype()));
            let (v, c) = (FormatVersion::V1_0_3, Compression::default());
            let fresh = encode_trace(e, "raw_recording", v, c).unwrap();
            let reused = encode_trace_reusing(l.clone(), "raw_recording", v, c).unwrap();
            assert!(!l.is_decoded(), "writing an unchanged trace decodes nothing");
            assert_eq!(reused, fresh);
            assert_eq!(l.data(), e.data());
        }
        // A changed trace is compressed afresh.
        let mut t = lazy.traces[0].clone();
        t.data_mut();
        assert!(t.stored().is_none());
        if let Samples::I32(v) = t.data_mut() {
            v[0] += 1;
        }
        let e = encode_trace_reusing(t.clone(), "raw_recording", FormatVersion::V1_0_3, Compression::default()).unwrap();
        assert_eq!(e, encode_trace(&t, "raw_recording", FormatVersion::V1_0_3, Compression::default()).unwrap());
        assert_ne!(e.chunks[0], encode_trace(&eager.traces[0], "raw_recording", FormatVersion::V1_0_3, Compression::default()).unwrap().chunks[0]);
    }
}
