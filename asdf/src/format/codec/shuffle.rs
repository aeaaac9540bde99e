//! HDF5's shuffle filter and its inverse, byte-compatible with `H5Z_filter_shuffle`.
//!
//! Shuffling puts byte `j` of element `i` at position `j * n + i` (one plane per byte of the
//! element), so that deflate sees the slowly varying high bytes of a seismogram together.
//! Sixteen elements at a time are moved in registers: with one 16-byte register per plane (or per
//! 16 bytes of elements), a round of byte interleaves of the first half of the registers with the
//! second half rotates every byte's index left by one bit. An index is `plane * 16 + element`
//! one way and `element * size + plane` the other, so unshuffling 2-, 4- and 8-byte elements takes
//! 1, 2 and 3 rounds and shuffling takes 4. On x86-64 the registers are SSE2 (every x86-64 CPU
//! has it); elsewhere plain byte arrays.

/// HDF5's shuffle filter; trailing bytes that do not make a whole element are copied unchanged.
pub(crate) fn shuffle(data: &[u8], elem: usize) -> Vec<u8> {
    let mut out = vec![0u8; data.len()];
    if elem <= 1 || data.len() < elem {
        out.copy_from_slice(data);
        return out;
    }
    let n = data.len() / elem;
    let done = match elem {
        2 => shuffle_blocks::<Reg, 2>(&data[..n * 2], &mut out[..n * 2]),
        4 => shuffle_blocks::<Reg, 4>(&data[..n * 4], &mut out[..n * 4]),
        8 => shuffle_blocks::<Reg, 8>(&data[..n * 8], &mut out[..n * 8]),
        _ => 0,
    };
    for i in done..n {
        for j in 0..elem {
            out[j * n + i] = data[i * elem + j];
        }
    }
    out[n * elem..].copy_from_slice(&data[n * elem..]);
    out
}

/// HDF5's unshuffle: the inverse of [`shuffle`].
pub(crate) fn unshuffle(data: &[u8], elem: usize) -> Vec<u8> {
    let mut out = vec![0u8; data.len()];
    unshuffle_into(data, elem, &mut out);
    out
}

/// [`unshuffle`] into `out` (as long as `data`).
pub(crate) fn unshuffle_into(data: &[u8], elem: usize, out: &mut [u8]) {
    if elem <= 1 || data.len() < elem {
        out.copy_from_slice(data);
        return;
    }
    let n = data.len() / elem;
    let done = match elem {
        2 => unshuffle_blocks::<Reg, 2>(&data[..n * 2], &mut out[..n * 2]),
        4 => unshuffle_blocks::<Reg, 4>(&data[..n * 4], &mut out[..n * 4]),
        8 => unshuffle_blocks::<Reg, 8>(&data[..n * 8], &mut out[..n * 8]),
        _ => 0,
    };
    for i in done..n {
        for j in 0..elem {
            out[i * elem + j] = data[j * n + i];
        }
    }
    out[n * elem..].copy_from_slice(&data[n * elem..]);
}

/// A 16-byte register: load, store and the two halves of a byte interleave.
trait Lanes: Copy {
    const ZERO: Self;
    /// The first 16 bytes of `src`.
    fn load(src: &[u8]) -> Self;
    /// Into the first 16 bytes of `dst`.
    fn store(self, dst: &mut [u8]);
    /// `a0 b0 a1 b1 ... a7 b7` and `a8 b8 ... a15 b15`.
    fn zip(a: Self, b: Self) -> (Self, Self);
}

#[cfg(target_arch = "x86_64")]
type Reg = std::arch::x86_64::__m128i;
#[cfg(not(target_arch = "x86_64"))]
type Reg = [u8; 16];

#[cfg(target_arch = "x86_64")]
impl Lanes for std::arch::x86_64::__m128i {
    const ZERO: Self = unsafe { std::mem::transmute::<[u8; 16], Self>([0; 16]) };

    #[inline(always)]
    fn load(src: &[u8]) -> Self {
        let src = &src[..16];
        // SAFETY: `src` holds 16 bytes; unaligned loads are allowed.
        unsafe { std::arch::x86_64::_mm_loadu_si128(src.as_ptr().cast()) }
    }

    #[inline(always)]
    fn store(self, dst: &mut [u8]) {
        let dst = &mut dst[..16];
        // SAFETY: `dst` holds 16 bytes; unaligned stores are allowed.
        unsafe { std::arch::x86_64::_mm_storeu_si128(dst.as_mut_ptr().cast(), self) }
    }

    #[inline(always)]
    fn zip(a: Self, b: Self) -> (Self, Self) {
        use std::arch::x86_64::{_mm_unpackhi_epi8, _mm_unpacklo_epi8};
        // SAFETY: SSE2 is part of the x86-64 baseline, so every x86-64 CPU executes these.
        unsafe { (_mm_unpacklo_epi8(a, b), _mm_unpackhi_epi8(a, b)) }
    }
}

impl Lanes for [u8; 16] {
    const ZERO: Self = [0; 16];

    #[inline(always)]
    fn load(src: &[u8]) -> Self {
        src[..16].try_into().expect("16 bytes")
    }

    #[inline(always)]
    fn store(self, dst: &mut [u8]) {
        dst[..16].copy_from_slice(&self);
    }

    #[inline(always)]
    fn zip(a: Self, b: Self) -> (Self, Self) {
        let (mut lo, mut hi) = ([0; 16], [0; 16]);
        for i in 0..8 {
            (lo[2 * i], lo[2 * i + 1]) = (a[i], b[i]);
            (hi[2 * i], hi[2 * i + 1]) = (a[8 + i], b[8 + i]);
        }
        (lo, hi)
    }
}

/// One round: register `k` of the first half interleaved with register `k` of the second half
/// gives registers `2k` and `2k + 1` (every byte index rotated left by one bit).
#[inline(always)]
fn interleave<V: Lanes, const R: usize>(v: [V; R]) -> [V; R] {
    let mut out = [V::ZERO; R];
    for k in 0..R / 2 {
        (out[2 * k], out[2 * k + 1]) = V::zip(v[k], v[k + R / 2]);
    }
    out
}

/// Shuffles the first `16 * (n / 16)` of the `n` elements of `R` bytes in `data`; returns how many.
fn shuffle_blocks<V: Lanes, const R: usize>(data: &[u8], out: &mut [u8]) -> usize {
    let n = data.len() / R;
    let blocks = n / 16;
    for (b, block) in data[..blocks * 16 * R].chunks_exact(16 * R).enumerate() {
        let mut v = [V::ZERO; R];
        for (r, x) in v.iter_mut().enumerate() {
            *x = V::load(&block[16 * r..]);
        }
        for _ in 0..4 {
            v = interleave(v);
        }
        for (j, x) in v.into_iter().enumerate() {
            x.store(&mut out[j * n + 16 * b..]);
        }
    }
    blocks * 16
}

/// The inverse of [`shuffle_blocks`].
fn unshuffle_blocks<V: Lanes, const R: usize>(data: &[u8], out: &mut [u8]) -> usize {
    let n = data.len() / R;
    let blocks = n / 16;
    for (b, block) in out[..blocks * 16 * R].chunks_exact_mut(16 * R).enumerate() {
        let mut v = [V::ZERO; R];
        for (j, x) in v.iter_mut().enumerate() {
            *x = V::load(&data[j * n + 16 * b..]);
        }
        for _ in 0..R.trailing_zeros() {
            v = interleave(v);
        }
        for (r, x) in v.into_iter().enumerate() {
            x.store(&mut block[16 * r..]);
        }
    }
    blocks * 16
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Byte `j` of element `i` to `j * n + i`, one byte at a time.
    fn bytewise(data: &[u8], elem: usize) -> Vec<u8> {
        let n = data.len() / elem;
        let mut out = data.to_vec();
        for i in 0..n {
            for j in 0..elem {
                out[j * n + i] = data[i * elem + j];
            }
        }
        out
    }

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 31 % 251) as u8 ^ (i >> 8) as u8).collect()
    }

    #[test]
    fn planes_then_the_unshuffled_tail() {
        let data: Vec<u8> = (0..23).collect();
        let s = shuffle(&data, 4);
        assert_eq!(&s[..5], &[0, 4, 8, 12, 16]);
        assert_eq!(&s[5..10], &[1, 5, 9, 13, 17]);
        assert_eq!(&s[20..], &[20, 21, 22]);
        assert_eq!(unshuffle(&s, 4), data);
    }

    #[test]
    fn shuffle_equals_the_bytewise_definition_and_round_trips() {
        for len in [0usize, 1, 3, 8, 56, 64, 72, 127, 128, 1000, 4096, 4104, 22_500, 22_503] {
            let data = pattern(len);
            for elem in [1usize, 2, 3, 4, 8, 16] {
                let got = shuffle(&data, elem);
                assert_eq!(got, bytewise(&data, elem), "{len} bytes, {elem}-byte elements");
                assert_eq!(unshuffle(&got, elem), data, "{len} bytes, {elem}-byte elements");
            }
        }
    }

    #[test]
    fn portable_registers_agree_with_the_native_ones() {
        fn check<const R: usize>(data: &[u8]) {
            let (mut native, mut portable) = (vec![0u8; data.len()], vec![0u8; data.len()]);
            let done = shuffle_blocks::<Reg, R>(data, &mut native);
            assert_eq!(done, shuffle_blocks::<[u8; 16], R>(data, &mut portable));
            assert_eq!(native, portable);
            let (mut back, mut back_portable) = (vec![0u8; data.len()], vec![0u8; data.len()]);
            unshuffle_blocks::<Reg, R>(&native, &mut back);
            unshuffle_blocks::<[u8; 16], R>(&portable, &mut back_portable);
            assert_eq!(back, back_portable);
            assert_eq!(&back[..done * R], &data[..done * R]);
        }
        let data = pattern(16 * 8 * 37);
        check::<2>(&data);
        check::<4>(&data);
        check::<8>(&data);
    }
}
