//! A trace's samples kept as stored in its input file, decoded only when asked for.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::model::stored::{StoredSamples, UndecodableSamples};
use crate::model::trace::Samples;

use super::super::codec::{decode_chunk, decode_chunk_into, verify_fletcher32, DecodeError, FilterInfo, NumKind, Pipeline};
use super::super::error::{FormatError, Result};
use super::encode::EncodedTrace;
use crate::model::trace::Trace;

/// A trace's samples exactly as stored in its input file: its filtered chunks (every one present,
/// each with the whole pipeline applied) and what decoding them takes. The engine reads traces
/// this way ([`Trace::data`] decodes them on first use), so that a trace a processing function
/// returns unchanged is written without decompressing and recompressing it.
#[derive(Debug, Clone)]
pub(crate) struct StoredChunks {
    /// The input file and the dataset, for messages.
    pub(super) path: PathBuf,
    pub(super) object: String,
    pub(super) kind: NumKind,
    pub(super) big_endian: bool,
    pub(super) npts: u64,
    pub(super) chunk: u64,
    pub(super) filters: Vec<FilterInfo>,
    pub(super) pipeline: Pipeline,
    pub(super) chunks: Vec<Vec<u8>>,
    /// Why decoding failed, once it has: shared by every trace made from these chunks, so the
    /// engine learns of it whatever the function did with the trace.
    pub(super) damage: OnceLock<FormatError>,
}

impl StoredChunks {
    /// Whether these chunks are what `described` (type, byte order, length, chunking, pipeline)
    /// would be written with.
    pub(super) fn fits(&self, described: &EncodedTrace) -> bool {
        let d = described;
        self.kind == d.kind && self.big_endian == d.big_endian && self.npts == d.npts && self.chunk == d.chunk && self.pipeline == d.pipeline
    }

    /// The stored chunks of a trace, if they are ours and what `described` would be written with.
    pub(super) fn of_trace(tr: &Trace, described: &EncodedTrace) -> Option<Arc<StoredChunks>> {
        let ours = Arc::clone(tr.stored()?).into_any().downcast::<StoredChunks>().ok()?;
        ours.fits(described).then_some(ours)
    }

    /// Checks every chunk's Fletcher-32 checksum, which covers the compressed bytes, so that a
    /// corrupt chunk is found at reading time even if it is never decoded.
    pub(super) fn verify(&self) -> Result<()> {
        match self.chunks.iter().position(|c| verify_fletcher32(c).is_err()) {
            None => Ok(()),
            Some(_) => Err(FormatError::Checksum { path: self.path.clone(), object: self.object.clone() }),
        }
    }

    pub(super) fn decode_once(&self) -> Result<Samples> {
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
pub(super) fn decode_failure(path: &Path, object: &str, i: usize, e: DecodeError) -> FormatError {
    match e {
        DecodeError::Checksum => FormatError::Checksum { path: path.to_path_buf(), object: object.into() },
        DecodeError::Unsupported(id) => FormatError::Invalid { path: path.to_path_buf(), object: object.into(), message: format!("chunk {i}: filter {id} cannot be decoded here") },
        DecodeError::Corrupt(m) => FormatError::Invalid { path: path.to_path_buf(), object: object.into(), message: format!("chunk {i}: {m}") },
    }
}

/// Decodes stored chunks (`None`: never written, so zeros) into `out`, the samples in native
/// byte order: whole chunks straight into place and in parallel, a last partial one through a
/// buffer. On failure, the index of the chunk and why.
pub(super) fn decode_chunks_into(
    chunks: &[Option<(&[u8], u32)>],
    filters: &[FilterInfo],
    elem: usize,
    raw_len: usize,
    big_endian: bool,
    out: &mut [u8],
) -> std::result::Result<(), (usize, DecodeError)> {
    let full = out.len() / raw_len;
    let (head, tail) = out.split_at_mut(full * raw_len);
    let decoded: Vec<std::result::Result<(), DecodeError>> = super::super::codec::map_chunks_mut(head, raw_len, &chunks[..full], |dst, c| match c {
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
        super::super::codec::swap_bytes(out, elem);
    }
    Ok(())
}

/// No samples, or `n` zeroed samples of `kind` (`None` when they cannot be allocated).
pub(super) fn zeroed_samples(kind: NumKind, n: usize) -> Option<Samples> {
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
