//! HDF5's Fletcher-32 checksum filter, computed outside HDF5.

/// HDF5's Fletcher-32 checksum (`H5_checksum_fletcher32`): 16-bit big-endian words, reduced every
/// 360 words, an odd trailing byte taken as the high byte of a last word.
pub(crate) fn fletcher32(data: &[u8]) -> u32 {
    let mut sum1: u32 = 0;
    let mut sum2: u32 = 0;
    let even = data.len() & !1;
    // Within a block of k <= 360 words neither sum overflows 32 bits, so the block's effect is
    // computed exactly and in any order: sum1 += sum(w_i), sum2 += k sum1 + sum((k - i) w_i).
    // Eight lanes keep running sums a_j (of words j, j + 8, ...) and sums of those b_j; then
    // sum((k - i) w_i) over them = sum(8 b_j + (k - j - 8 m) a_j), m words per lane: only
    // additions in the loop, which the compiler vectorises.
    for block in data[..even].chunks(720) {
        let k = (block.len() / 2) as i64;
        let (mut a, mut b) = ([0u32; 8], [0u32; 8]);
        let mut groups = block.chunks_exact(16);
        for g in &mut groups {
            for j in 0..8 {
                a[j] += u16::from_be_bytes([g[2 * j], g[2 * j + 1]]) as u32;
                b[j] += a[j];
            }
        }
        let m = (block.len() / 16) as i64;
        let (mut s, mut weighted) = (0i64, 0i64);
        for j in 0..8 {
            s += a[j] as i64;
            weighted += 8 * b[j] as i64 + (k - j as i64 - 8 * m) * a[j] as i64;
        }
        for (i, w) in groups.remainder().chunks_exact(2).enumerate() {
            let w = u16::from_be_bytes([w[0], w[1]]) as i64;
            s += w;
            weighted += (k - 8 * m - i as i64) * w;
        }
        sum2 = (sum2 as i64 + k * sum1 as i64 + weighted) as u32;
        sum1 = (sum1 as i64 + s) as u32;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fletcher32_matches_hdf5_reference_values() {
        // Values computed with HDF5's H5_checksum_fletcher32 definition.
        assert_eq!(fletcher32(&[]), 0);
        assert_eq!(fletcher32(&[0x01, 0x02]), 0x0102_0102);
        assert_eq!(fletcher32(&[0x01, 0x02, 0x03]), (0x0102 + 0x0102 + 0x0300) << 16 | (0x0102 + 0x0300));
    }

    /// HDF5's `H5_checksum_fletcher32` as written there: word by word, folded every 360 words.
    fn fletcher32_reference(data: &[u8]) -> u32 {
        let (mut sum1, mut sum2) = (0u32, 0u32);
        let mut words = data.chunks_exact(2);
        let mut len = data.len() / 2;
        while len > 0 {
            let tlen = len.min(360);
            len -= tlen;
            for w in words.by_ref().take(tlen) {
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

    #[test]
    fn fletcher32_blockwise_equals_wordwise() {
        let mut x: u32 = 12345;
        let data: Vec<u8> = (0..20_000).map(|_| { x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223); (x >> 24) as u8 }).collect();
        for len in [0, 1, 2, 3, 719, 720, 721, 1440, 5001, 20_000] {
            assert_eq!(fletcher32(&data[..len]), fletcher32_reference(&data[..len]), "{len} bytes");
        }
        let ones = vec![0xffu8; 30_001];
        assert_eq!(fletcher32(&ones), fletcher32_reference(&ones));
    }
}
