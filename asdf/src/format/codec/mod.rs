//! Chunk filters computed outside HDF5: shuffle, deflate and fletcher32, byte-compatible with
//! HDF5's own filters, so chunks can be compressed on every core and written with direct chunk
//! writes (HDF5's filters run under its global lock, on one core).

use libdeflater::{DecompressionError, Decompressor};

mod deflate;
mod fanout;
mod fletcher32;
mod planes;
mod shuffle;
mod types;

pub(crate) use fanout::{code_chunks_on_this_thread, map_chunks, map_chunks_mut, swap_bytes};
pub(crate) use fletcher32::fletcher32;
pub(crate) use types::{FilterInfo, NumKind, Pipeline, FILTER_DEFLATE, FILTER_FLETCHER32, FILTER_SHUFFLE};
use deflate::{leading_random_planes, zlib_compress};
use shuffle::{shuffle, unshuffle, unshuffle_into};

/// Applies a write pipeline to one chunk's raw bytes (element size `elem`), in HDF5's order.
pub(crate) fn encode_chunk(raw: &[u8], elem: usize, p: Pipeline) -> Vec<u8> {
    let mut buf = if p.shuffle { shuffle(raw, elem) } else { raw.to_vec() };
    if let Some(level) = p.deflate {
        buf = if p.shuffle && elem > 1 && (1..=5).contains(&level) {
            // The fast levels: each byte plane stored or Huffman-coded with its runs.
            planes::zlib_compress_planes(&buf, elem, level)
        } else {
            // After shuffling, the first byte planes of a noisy signal (low mantissa or low
            // integer bytes) are random: deflate cannot shrink them and only spends time searching.
            let stored = if p.shuffle && elem > 1 { leading_random_planes(&buf, elem) * (buf.len() / elem) } else { 0 };
            zlib_compress(&buf, stored, level)
        };
    }
    if p.fletcher32 {
        let sum = fletcher32(&buf);
        buf.extend_from_slice(&sum.to_le_bytes());
    }
    // Compressed chunks wait in the writer's queue: hold their size, not the raw size reserved
    // for the coder (shrinking is done in place by the allocator).
    buf.shrink_to_fit();
    buf
}

/// Why a stored chunk could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// The filter has no decoder here: fall back to HDF5's own read path.
    Unsupported(i32),
    Checksum,
    Corrupt(String),
}

/// Whether every filter of a pipeline can be decoded by [`decode_chunk`].
pub(crate) fn can_decode(filters: &[FilterInfo]) -> bool {
    filters.iter().all(|f| matches!(f.id, FILTER_SHUFFLE | FILTER_DEFLATE | FILTER_FLETCHER32))
}

thread_local! {
    /// Per-thread inflate buffer and decompressor, reused chunk after chunk.
    static INFLATE: std::cell::RefCell<(Vec<u8>, Decompressor)> = std::cell::RefCell::new((Vec::new(), Decompressor::new()));
}

/// Verifies a chunk's Fletcher-32 trailer and returns the bytes before it.
fn strip_fletcher32(buf: &[u8]) -> Result<&[u8], DecodeError> {
    if buf.len() < 4 {
        return Err(DecodeError::Corrupt("chunk shorter than its checksum".into()));
    }
    let n = buf.len() - 4;
    let stored = u32::from_le_bytes([buf[n], buf[n + 1], buf[n + 2], buf[n + 3]]);
    let sum = fletcher32(&buf[..n]);
    // Files written by HDF5 < 1.6.3 on little-endian machines hold the checksum with its two
    // halves swapped; HDF5 accepts both.
    let swapped = (sum >> 16) | (sum << 16);
    if stored != sum && stored.swap_bytes() != sum && stored != swapped {
        return Err(DecodeError::Checksum);
    }
    Ok(&buf[..n])
}

/// Verifies a chunk's Fletcher-32 trailer (computed over the compressed bytes, so no decoding).
pub(crate) fn verify_fletcher32(buf: &[u8]) -> Result<(), DecodeError> {
    strip_fletcher32(buf).map(|_| ())
}

/// Decodes one whole chunk straight into `out` (its unfiltered size) when the pipeline is the one
/// h5py and we write (shuffle?, deflate, fletcher32?): checksum on the stored bytes, inflate into
/// a reused buffer, unshuffle into place. Other pipelines go through [`decode_chunk`].
pub(crate) fn decode_chunk_into(stored: &[u8], filters: &[FilterInfo], mask: u32, elem: usize, out: &mut [u8]) -> Result<(), DecodeError> {
    let active: Vec<&FilterInfo> = filters.iter().enumerate().filter(|(i, _)| mask & (1 << i) == 0).map(|(_, f)| f).collect();
    let ids: Vec<i32> = active.iter().map(|f| f.id).collect();
    let (shuffle, fletcher) = match ids.as_slice() {
        [FILTER_DEFLATE] => (None, false),
        [FILTER_DEFLATE, FILTER_FLETCHER32] => (None, true),
        [FILTER_SHUFFLE, FILTER_DEFLATE] => (Some(active[0]), false),
        [FILTER_SHUFFLE, FILTER_DEFLATE, FILTER_FLETCHER32] => (Some(active[0]), true),
        _ => {
            let decoded = decode_chunk(stored.to_vec(), filters, mask, elem, out.len())?;
            if decoded.len() < out.len() {
                return Err(DecodeError::Corrupt(format!("decodes to {} bytes, expected {}", decoded.len(), out.len())));
            }
            out.copy_from_slice(&decoded[..out.len()]);
            return Ok(());
        }
    };
    let data = if fletcher { strip_fletcher32(stored)? } else { stored };
    INFLATE.with(|cell| {
        let (scratch, d) = &mut *cell.borrow_mut();
        if scratch.len() < out.len() {
            scratch.resize(out.len(), 0);
        }
        let n = d.zlib_decompress(data, &mut scratch[..out.len()]).map_err(|e| match e {
            DecompressionError::InsufficientSpace => DecodeError::Corrupt(format!("inflates to more than the chunk's {} bytes", out.len())),
            e => DecodeError::Corrupt(format!("deflate: {e}")),
        })?;
        if n != out.len() {
            return Err(DecodeError::Corrupt(format!("inflates to {n} bytes, expected {}", out.len())));
        }
        match shuffle {
            Some(f) => unshuffle_into(&scratch[..n], f.params.first().map(|&s| s as usize).unwrap_or(elem), out),
            None => out.copy_from_slice(&scratch[..n]),
        }
        Ok(())
    })
}

/// The most deflate can expand its input: about 1032:1 (258-byte matches in 2 bits). Every
/// bound on what a compressed size may claim to decode to starts from this.
pub(crate) const MAX_INFLATION: u64 = 1032;

/// Reverses a stored pipeline on one chunk. `mask` bit `i` set means filter `i` was skipped when
/// the chunk was written. `raw_len` is the chunk's unfiltered size in bytes.
pub(crate) fn decode_chunk(
    stored: Vec<u8>,
    filters: &[FilterInfo],
    mask: u32,
    elem: usize,
    raw_len: usize,
) -> Result<Vec<u8>, DecodeError> {
    let mut buf = stored;
    for (i, f) in filters.iter().enumerate().rev() {
        if mask & (1 << i) != 0 {
            continue;
        }
        buf = match f.id {
            FILTER_FLETCHER32 => {
                let n = strip_fletcher32(&buf)?.len();
                buf.truncate(n);
                buf
            }
            FILTER_DEFLATE => {
                // A chunk never holds more than its shape: inflating past `raw_len` means a
                // corrupt (or hostile) chunk, and nothing larger is allocated for it.
                if raw_len as u64 > (buf.len() as u64).saturating_mul(MAX_INFLATION) + 1024 {
                    return Err(DecodeError::Corrupt(format!("{} stored bytes cannot inflate to the chunk's {raw_len}", buf.len())));
                }
                let mut out = vec![0u8; raw_len];
                match Decompressor::new().zlib_decompress(&buf, &mut out) {
                    Ok(n) => {
                        out.truncate(n);
                        out
                    }
                    Err(DecompressionError::InsufficientSpace) => {
                        return Err(DecodeError::Corrupt(format!("inflates to more than the chunk's {raw_len} bytes")));
                    }
                    Err(e) => return Err(DecodeError::Corrupt(format!("deflate: {e}"))),
                }
            }
            FILTER_SHUFFLE => {
                let size = f.params.first().map(|&s| s as usize).unwrap_or(elem);
                unshuffle(&buf, size)
            }
            other => return Err(DecodeError::Unsupported(other)),
        };
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_decode_full_pipeline() {
        let raw: Vec<u8> = (0..4000u32).flat_map(|i| ((i as f64).sin()).to_le_bytes()).collect();
        let p = Pipeline { shuffle: true, deflate: Some(3), fletcher32: true };
        let enc = encode_chunk(&raw, 8, p);
        let filters = vec![
            FilterInfo { id: FILTER_SHUFFLE, params: vec![8] },
            FilterInfo { id: FILTER_DEFLATE, params: vec![3] },
            FilterInfo { id: FILTER_FLETCHER32, params: vec![] },
        ];
        assert_eq!(decode_chunk(enc.clone(), &filters, 0, 8, raw.len()).unwrap(), raw);
        let mut direct = vec![0u8; raw.len()];
        decode_chunk_into(&enc, &filters, 0, 8, &mut direct).unwrap();
        assert_eq!(direct, raw);
        let mut bad = enc.clone();
        bad[10] ^= 1;
        assert!(decode_chunk(bad, &filters, 0, 8, raw.len()).is_err());
    }

    /// A noisy float64 signal (random sign and mantissa, magnitudes 1-16): its six low mantissa
    /// planes are random, the two top ones are not.
    fn noisy_f64(n: usize) -> Vec<u8> {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        (0..n)
            .flat_map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let exponent = 1023 + (x >> 60) % 4;
                f64::from_bits((x & (1 << 63)) | exponent << 52 | (x & ((1 << 52) - 1))).to_le_bytes()
            })
            .collect()
    }

    #[test]
    fn random_planes_are_stored_and_the_stream_inflates_with_any_inflater() {
        let raw = noisy_f64(20_000);
        let shuffled = shuffle(&raw, 8);
        let planes = leading_random_planes(&shuffled, 8);
        assert_eq!(planes, 6);
        let z = zlib_compress(&shuffled, planes * 20_000, 3);
        assert_eq!((u16::from(z[0]) << 8 | u16::from(z[1])) % 31, 0, "zlib header check bits");
        let mut d = Decompressor::new();
        let mut out = vec![0u8; shuffled.len()];
        assert_eq!(d.zlib_decompress(&z, &mut out).unwrap(), shuffled.len());
        assert_eq!(out, shuffled);
        // Within the 0.5 % allowed of deflating everything (random planes gain nothing either way).
        let whole = zlib_compress(&shuffled, 0, 3);
        assert!(z.len() as f64 <= whole.len() as f64 * 1.005, "{} vs {}", z.len(), whole.len());
    }

    #[test]
    fn constant_and_tiny_chunks_are_deflated_whole() {
        assert_eq!(leading_random_planes(&shuffle(&vec![0u8; 8 * 4000], 8), 8), 0);
        assert_eq!(leading_random_planes(&shuffle(&noisy_f64(100), 8), 8), 0);
        let raw = vec![7u8; 100_000];
        let enc = encode_chunk(&raw, 4, Pipeline { shuffle: true, deflate: Some(3), fletcher32: false });
        assert!(enc.len() < 1_000);
    }
}
