//! Deflate at levels 6-9 (and any level without shuffle): libdeflate, with the random leading
//! byte planes of a shuffled chunk put in stored blocks.

use libdeflater::{CompressionLvl, Compressor};

/// How many leading byte planes of a shuffled chunk go into stored blocks: those deflate could
/// not shrink (their byte histogram leaves no room once a Huffman table is paid for), allowing an
/// estimated size loss of at most 0.5 % of the chunk for planes that are nearly random.
pub(super) fn leading_random_planes(shuffled: &[u8], elem: usize) -> usize {
    let n = shuffled.len() / elem;
    if n < 256 {
        return 0;
    }
    let budget = 0.005 * shuffled.len() as f64;
    let mut loss = 0.0;
    shuffled
        .chunks_exact(n)
        .take_while(|plane| {
            loss += (n as f64 - deflated_size_estimate(plane)).max(0.0);
            loss <= budget
        })
        .count()
}

/// Deflate's output size for `plane` from its order-0 entropy, with a 1 % coding loss and ~100
/// bytes for a dynamic Huffman table over the full byte alphabet.
fn deflated_size_estimate(plane: &[u8]) -> f64 {
    let (hist, _) = super::planes::byte_histogram(plane);
    super::planes::entropy_bytes(&hist, plane.len()) * 1.01 + 100.0
}

thread_local! {
    /// One compressor per thread and level (libdeflate's are costly to allocate per chunk).
    static COMPRESSORS: std::cell::RefCell<Vec<(u32, Compressor)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A zlib stream (what HDF5's deflate filter stores) of `data` whose first `stored` bytes go in
/// stored blocks and the rest through libdeflate at `level`. Any inflater reads it as one stream.
pub(super) fn zlib_compress(data: &[u8], stored: usize, level: u32) -> Vec<u8> {
    let level = level.min(12);
    COMPRESSORS.with(|cell| {
        let mut cache = cell.borrow_mut();
        let i = match cache.iter().position(|(l, _)| *l == level) {
            Some(i) => i,
            None => {
                let lvl = CompressionLvl::new(level as i32).expect("levels 0-12 are libdeflate's");
                cache.push((level, Compressor::new(lvl)));
                cache.len() - 1
            }
        };
        let c = &mut cache[i].1;
        if stored == 0 {
            let mut out = vec![0u8; c.zlib_compress_bound(data.len())];
            let n = c.zlib_compress(data, &mut out).expect("libdeflate output fits its own bound");
            out.truncate(n);
            return out;
        }
        let (head, rest) = data.split_at(stored.min(data.len()));
        let mut out = Vec::with_capacity(data.len() + data.len() / 1000 + 64);
        out.extend_from_slice(&super::planes::zlib_header(level));
        // Stored blocks end byte-aligned, so the compressed blocks of the rest follow directly.
        super::planes::stored_blocks(&mut out, head);
        let at = out.len();
        out.resize(at + c.deflate_compress_bound(rest.len()), 0);
        let n = c.deflate_compress(rest, &mut out[at..]).expect("libdeflate output fits its own bound");
        out.truncate(at + n);
        out.extend_from_slice(&libdeflater::adler32(data).to_be_bytes());
        out
    })
}
