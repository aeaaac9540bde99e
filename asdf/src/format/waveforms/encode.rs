//! Writing, the expensive half: naming a trace's dataset, choosing its chunks and compressing
//! them, with no HDF5 call (on any thread or rank).

use std::sync::Arc;

use crate::model::trace::{AsdfStats, ByteOrder, Trace};

use super::super::chunking::guess_chunk;
use super::super::codec::{encode_chunk, NumKind, Pipeline};
use super::super::file::Compression;
use super::super::names::{validate_tag, WaveformName};
use super::super::version::FormatVersion;
use super::stored::StoredChunks;

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

pub(super) fn allowed_dtypes(version: FormatVersion) -> &'static str {
    if version.allows_i16() {
        "i2, i4, i8, f4, f8"
    } else {
        "i4, i8, f4, f8"
    }
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
    if tr.stats.network.is_empty() && tr.stats.station.is_empty() {
        return Err(format!("{:?}: a trace needs a network or station code to be stored in ASDF (its group is NET.STA)", tr.id()));
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
        super::super::codec::swap_bytes(&mut v, elem);
        swapped = v;
        &swapped
    } else {
        data.as_bytes()
    };
    let chunk_bytes = chunk as usize * elem;
    let chunks: Vec<Vec<u8>> = super::super::codec::map_chunks(raw, chunk_bytes.max(1), |c| {
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

