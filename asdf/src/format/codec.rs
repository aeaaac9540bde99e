//! Chunk filters computed outside HDF5: shuffle, deflate and fletcher32, byte-compatible with
//! HDF5's own filters, so chunks can be compressed on every core and written with direct chunk
//! writes (HDF5's filters run under its global lock, on one core).

use libdeflater::{CompressionLvl, Compressor, DecompressionError, Decompressor};

use super::h5::{FilterInfo, Pipeline, FILTER_DEFLATE, FILTER_FLETCHER32, FILTER_SHUFFLE};

/// HDF5's shuffle filter: byte `j` of element `i` goes to position `j * n + i`; trailing bytes
/// that do not make a whole element are copied unchanged.
pub(crate) fn shuffle(data: &[u8], elem: usize) -> Vec<u8> {
    if elem <= 1 || data.len() < elem {
        return data.to_vec();
    }
    let n = data.len() / elem;
    let mut out = vec![0u8; data.len()];
    match elem {
        2 => shuffle_fixed::<2>(&data[..n * 2], &mut out[..n * 2]),
        4 => shuffle_fixed::<4>(&data[..n * 4], &mut out[..n * 4]),
        8 => shuffle_fixed::<8>(&data[..n * 8], &mut out[..n * 8]),
        _ => {
            for (i, e) in data[..n * elem].chunks_exact(elem).enumerate() {
                for (j, &b) in e.iter().enumerate() {
                    out[j * n + i] = b;
                }
            }
        }
    }
    out[n * elem..].copy_from_slice(&data[n * elem..]);
    out
}

/// Byte `j` of every element goes to plane `j` (element size `E` known at compile time).
fn shuffle_fixed<const E: usize>(data: &[u8], out: &mut [u8]) {
    let n = data.len() / E;
    let mut planes: Vec<&mut [u8]> = out.chunks_exact_mut(n).collect();
    for (i, e) in data.chunks_exact(E).enumerate() {
        for (plane, &b) in planes.iter_mut().zip(e) {
            plane[i] = b;
        }
    }
}

/// Inverse of [`shuffle_fixed`].
fn unshuffle_fixed<const E: usize>(data: &[u8], out: &mut [u8]) {
    let n = data.len() / E;
    let planes: Vec<&[u8]> = data.chunks_exact(n).collect();
    for (i, e) in out.chunks_exact_mut(E).enumerate() {
        for (b, plane) in e.iter_mut().zip(&planes) {
            *b = plane[i];
        }
    }
}

/// HDF5's unshuffle: the inverse of [`shuffle`].
pub(crate) fn unshuffle(data: &[u8], elem: usize) -> Vec<u8> {
    if elem <= 1 || data.len() < elem {
        return data.to_vec();
    }
    let n = data.len() / elem;
    let mut out = vec![0u8; data.len()];
    match elem {
        2 => unshuffle_fixed::<2>(&data[..n * 2], &mut out[..n * 2]),
        4 => unshuffle_fixed::<4>(&data[..n * 4], &mut out[..n * 4]),
        8 => unshuffle_fixed::<8>(&data[..n * 8], &mut out[..n * 8]),
        _ => {
            for (i, e) in out[..n * elem].chunks_exact_mut(elem).enumerate() {
                for (j, b) in e.iter_mut().enumerate() {
                    *b = data[j * n + i];
                }
            }
        }
    }
    out[n * elem..].copy_from_slice(&data[n * elem..]);
    out
}

/// HDF5's Fletcher-32 checksum (`H5_checksum_fletcher32`): 16-bit big-endian words, reduced every
/// 360 words, an odd trailing byte taken as the high byte of a last word.
pub(crate) fn fletcher32(data: &[u8]) -> u32 {
    let mut sum1: u32 = 0;
    let mut sum2: u32 = 0;
    let even = data.len() & !1;
    // Blocks of 360 big-endian 16-bit words cannot overflow the 32-bit sums before folding.
    for block in data[..even].chunks(720) {
        for w in block.chunks_exact(2) {
            sum1 += u16::from_be_bytes([w[0], w[1]]) as u32;
            sum2 += sum1;
        }
        sum1 = (sum1 & 0xffff) + (sum1 >> 16);
        sum2 = (sum2 & 0xffff) + (sum2 >> 16);
    }
    if data.len() % 2 == 1 {
        sum1 += (data[data.len() - 1] as u32) << 8;
        sum2 += sum1;
        sum1 = (sum1 & 0xffff) + (sum1 >> 16);
        sum2 = (sum2 & 0xffff) + (sum2 >> 16);
    }
    sum1 = (sum1 & 0xffff) + (sum1 >> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >> 16);
    (sum2 << 16) | sum1
}

/// Applies a write pipeline to one chunk's raw bytes (element size `elem`), in HDF5's order.
pub(crate) fn encode_chunk(raw: &[u8], elem: usize, p: Pipeline) -> Vec<u8> {
    let mut buf = if p.shuffle { shuffle(raw, elem) } else { raw.to_vec() };
    if let Some(level) = p.deflate {
        let lvl = CompressionLvl::new(level.clamp(0, 12) as i32).unwrap_or_default();
        let mut c = Compressor::new(lvl);
        let mut out = vec![0u8; c.zlib_compress_bound(buf.len())];
        let n = c.zlib_compress(&buf, &mut out).unwrap_or(0);
        out.truncate(n);
        buf = out;
    }
    if p.fletcher32 {
        let sum = fletcher32(&buf);
        buf.extend_from_slice(&sum.to_le_bytes());
    }
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
                if buf.len() < 4 {
                    return Err(DecodeError::Corrupt("chunk shorter than its checksum".into()));
                }
                let n = buf.len() - 4;
                let stored = u32::from_le_bytes([buf[n], buf[n + 1], buf[n + 2], buf[n + 3]]);
                let sum = fletcher32(&buf[..n]);
                // Files written by HDF5 < 1.6.3 on little-endian machines hold the checksum with its
                // two halves swapped; HDF5 accepts both.
                let swapped = (sum >> 16) | (sum << 16);
                if stored != sum && stored.swap_bytes() != sum && stored != swapped {
                    return Err(DecodeError::Checksum);
                }
                buf.truncate(n);
                buf
            }
            FILTER_DEFLATE => {
                let mut out = vec![0u8; raw_len];
                let mut d = Decompressor::new();
                match d.zlib_decompress(&buf, &mut out) {
                    Ok(n) => {
                        out.truncate(n);
                        out
                    }
                    Err(DecompressionError::InsufficientSpace) => {
                        // More than one chunk's worth: decode with a growing buffer.
                        let mut size = raw_len.max(1024) * 2;
                        loop {
                            let mut out = vec![0u8; size];
                            match d.zlib_decompress(&buf, &mut out) {
                                Ok(n) => {
                                    out.truncate(n);
                                    break out;
                                }
                                Err(DecompressionError::InsufficientSpace) if size < (1 << 34) => size *= 2,
                                Err(e) => return Err(DecodeError::Corrupt(format!("deflate: {e}"))),
                            }
                        }
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
    fn shuffle_round_trip_with_tail() {
        let data: Vec<u8> = (0..23).collect();
        let s = shuffle(&data, 4);
        assert_eq!(&s[..5], &[0, 4, 8, 12, 16]);
        assert_eq!(&s[20..], &[20, 21, 22]);
        assert_eq!(unshuffle(&s, 4), data);
    }

    #[test]
    fn fletcher32_matches_hdf5_reference_values() {
        // Values computed with HDF5's H5_checksum_fletcher32 definition.
        assert_eq!(fletcher32(&[]), 0);
        assert_eq!(fletcher32(&[0x01, 0x02]), 0x0102_0102);
        assert_eq!(fletcher32(&[0x01, 0x02, 0x03]), (0x0102 + 0x0102 + 0x0300) << 16 | (0x0102 + 0x0300));
    }

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
        let mut bad = enc;
        bad[10] ^= 1;
        assert!(decode_chunk(bad, &filters, 0, 8, raw.len()).is_err());
    }
}
