//! Deflate for shuffled chunks, one block per byte plane.
//!
//! After HDF5's shuffle a chunk of `n` samples of `elem` bytes is `elem` planes of `n` bytes:
//! the low bytes of noisy samples are random, the high ones (sign, exponent, sign extension)
//! take few values and come in runs. On such planes an LZ77 search finds almost nothing but
//! runs, so each plane is coded as the cheaper of a stored block and a dynamic-Huffman block of
//! literals and runs (matches at distance 1). Measured on band-passed float64 output: the same
//! size as zlib level 3 on the middle planes, 15 % smaller on the top plane, at a fraction of
//! the time. The result is one ordinary zlib stream that any inflater reads.

use std::sync::OnceLock;

/// Symbols of the literal/length alphabet: 256 literals, end of block, 29 length codes.
const LITLEN_SYMBOLS: usize = 286;
const END_OF_BLOCK: usize = 256;
/// Longest code of the literal/length and distance alphabets, and of the code-length alphabet.
const MAX_CODE_BITS: u8 = 15;
const MAX_CL_BITS: u8 = 7;
/// The order in which a dynamic block lists the code-length code's lengths (RFC 1951, 3.2.7).
const CL_ORDER: [usize; 19] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
/// Base length and extra bits of length codes 257..=285.
const LENGTH_BASE: [u16; 29] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA: [u8; 29] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
/// A run shorter than this is cheaper as literals.
const MIN_RUN: usize = 3;
const MAX_RUN: usize = 258;
/// Stored blocks hold at most this many bytes.
const MAX_STORED: usize = 65_535;

/// The length code (index into [`LENGTH_BASE`]) of every run length 0..=258.
fn length_codes() -> &'static [u8; MAX_RUN + 1] {
    static TABLE: OnceLock<[u8; MAX_RUN + 1]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [0u8; MAX_RUN + 1];
        for (code, &base) in LENGTH_BASE.iter().enumerate() {
            let span = if code == 28 { 1 } else { 1usize << LENGTH_EXTRA[code] };
            for len in base as usize..base as usize + span {
                if len <= MAX_RUN {
                    t[len] = code as u8;
                }
            }
        }
        t
    })
}

/// LSB-first bit output, as deflate packs it.
struct BitWriter<'a> {
    out: &'a mut Vec<u8>,
    acc: u64,
    bits: u32,
}

impl<'a> BitWriter<'a> {
    fn new(out: &'a mut Vec<u8>) -> Self {
        BitWriter { out, acc: 0, bits: 0 }
    }

    /// Appends the low `len` bits of `value` (`len` <= 32, no bits above `len` set).
    #[inline]
    fn put(&mut self, value: u32, len: u32) {
        self.acc |= (value as u64) << self.bits;
        self.bits += len;
        if self.bits >= 32 {
            self.out.extend_from_slice(&(self.acc as u32).to_le_bytes());
            self.acc >>= 32;
            self.bits -= 32;
        }
    }

    /// Pads with zero bits to a byte boundary and flushes.
    fn align(&mut self) {
        while self.bits > 0 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.bits = self.bits.saturating_sub(8);
        }
        self.acc = 0;
    }
}

/// Length-limited Huffman code lengths for `freq` (0 for unused symbols). The code is always
/// complete, as zlib's inflater demands: a single used symbol gets a one-bit code next to an
/// unused partner.
fn code_lengths(freq: &[u32], limit: u8) -> Vec<u8> {
    assert!(freq.len() <= LITLEN_SYMBOLS, "a deflate alphabet has at most {LITLEN_SYMBOLS} symbols");
    let mut lengths = vec![0u8; freq.len()];
    // The used symbols by ascending frequency (ties by symbol), packed as frequency << 16 | symbol.
    let mut keys = [0u64; LITLEN_SYMBOLS];
    let mut m = 0;
    for (s, &f) in freq.iter().enumerate().filter(|(_, &f)| f > 0) {
        keys[m] = (f as u64) << 16 | s as u64;
        m += 1;
    }
    let leaves = &mut keys[..m];
    let symbol = |key: u64| (key & 0xffff) as usize;
    match m {
        0 => return lengths,
        1 => {
            let s = symbol(leaves[0]);
            lengths[s] = 1;
            lengths[if s == 0 { 1 } else { 0 }] = 1;
            return lengths;
        }
        _ => {}
    }
    leaves.sort_unstable();
    // Two-queue Huffman construction: leaves in weight order, internal nodes in creation
    // order (also weight order). Nodes 0..m are leaves, m.. internal; `parent` links them.
    let mut weight = [0u64; 2 * LITLEN_SYMBOLS];
    let mut parent = [0u16; 2 * LITLEN_SYMBOLS];
    for (w, &key) in weight.iter_mut().zip(leaves.iter()) {
        *w = key >> 16;
    }
    let (mut next_leaf, mut next_node, mut nodes) = (0, m, m);
    for _ in 0..m - 1 {
        let mut take = || {
            // The lighter of the next leaf and the next internal node.
            let leaf_first = next_leaf < m && (next_node >= nodes || weight[next_leaf] <= weight[next_node]);
            let next = if leaf_first { &mut next_leaf } else { &mut next_node };
            *next += 1;
            *next - 1
        };
        let (a, b) = (take(), take());
        weight[nodes] = weight[a] + weight[b];
        parent[a] = nodes as u16;
        parent[b] = nodes as u16;
        nodes += 1;
    }
    // Depths top-down: the root (last node) has depth 0, every node is deeper than its parent
    // (at most 46 with 32-bit counts: a deeper tree needs Fibonacci-growing weights).
    let mut depth = [0u8; 2 * LITLEN_SYMBOLS];
    for node in (0..nodes - 1).rev() {
        depth[node] = depth[parent[node] as usize] + 1;
    }
    for (&d, &key) in depth.iter().zip(leaves.iter()) {
        lengths[symbol(key)] = d.min(limit);
    }
    if depth[..m].iter().any(|&d| d > limit) {
        let by_frequency: Vec<usize> = leaves.iter().map(|&k| symbol(k)).collect();
        limit_lengths(&mut lengths, &by_frequency, limit);
    }
    lengths
}

/// Restores a complete prefix code after lengths were clamped to `limit`: lengthens the
/// least frequent codes below the limit until the Kraft sum fits, then shortens the longest
/// codes while room is left. `leaves` are the used symbols by ascending frequency.
fn limit_lengths(lengths: &mut [u8], leaves: &[usize], limit: u8) {
    let cap = 1u64 << limit;
    let unit = |l: u8| 1u64 << (limit - l);
    let mut kraft: u64 = leaves.iter().map(|&s| unit(lengths[s])).sum();
    while kraft > cap {
        // The longest code below the limit costs least to lengthen; among equals the rarest.
        let s = leaves
            .iter()
            .rev()
            .copied()
            .filter(|&s| lengths[s] < limit)
            .max_by_key(|&s| lengths[s])
            .unwrap_or(leaves[0]);
        lengths[s] += 1;
        kraft -= unit(lengths[s]);
    }
    while kraft < cap {
        // Every term is a multiple of the longest code's unit, so that code can always shorten;
        // among equals the most frequent gains most.
        let Some(s) = leaves.iter().copied().filter(|&s| lengths[s] > 1 && kraft + unit(lengths[s]) <= cap).max_by_key(|&s| lengths[s]) else {
            break;
        };
        kraft += unit(lengths[s]);
        lengths[s] -= 1;
    }
}

/// Canonical codes for `lengths`, bit-reversed for LSB-first output.
fn canonical_codes(lengths: &[u8]) -> Vec<u32> {
    let mut count = [0u32; 16];
    for &l in lengths {
        count[l as usize] += 1;
    }
    count[0] = 0;
    let mut next = [0u32; 16];
    let mut code = 0u32;
    for bits in 1..16 {
        code = (code + count[bits - 1]) << 1;
        next[bits] = code;
    }
    lengths
        .iter()
        .map(|&l| {
            if l == 0 {
                return 0;
            }
            let c = next[l as usize];
            next[l as usize] += 1;
            c.reverse_bits() >> (32 - l as u32)
        })
        .collect()
}

/// The byte counts of `plane`, and how many bytes repeat their predecessor.
pub(crate) fn byte_histogram(plane: &[u8]) -> ([u32; 256], usize) {
    // Four tables, so that runs of one byte value do not stall on one counter.
    let mut hist = [[0u32; 256]; 4];
    let mut quads = plane.chunks_exact(4);
    for q in &mut quads {
        for (h, &b) in hist.iter_mut().zip(q) {
            h[b as usize] += 1;
        }
    }
    for &b in quads.remainder() {
        hist[0][b as usize] += 1;
    }
    // A byte-wise compare of the plane with itself shifted by one: vectorised by the compiler.
    let repeats = plane.iter().skip(1).zip(plane).filter(|(a, b)| a == b).count();
    let mut total = [0u32; 256];
    for (i, t) in total.iter_mut().enumerate() {
        *t = hist[0][i] + hist[1][i] + hist[2][i] + hist[3][i];
    }
    (total, repeats)
}

/// The order-0 entropy of `n` bytes with counts `hist`, in bytes.
pub(crate) fn entropy_bytes(hist: &[u32; 256], n: usize) -> f64 {
    // n log2 n - sum c log2 c, with c log2 c from a table for small counts.
    let table = c_log2_c_table();
    let sum: f64 = hist.iter().map(|&c| table.get(c as usize).copied().unwrap_or_else(|| c as f64 * (c as f64).log2())).sum();
    let n = n as f64;
    if n == 0.0 {
        return 0.0;
    }
    (n * n.log2() - sum) / 8.0
}

/// `c log2 c` for c < 4096 (0 for c = 0).
fn c_log2_c_table() -> &'static [f64] {
    static TABLE: OnceLock<Vec<f64>> = OnceLock::new();
    TABLE.get_or_init(|| (0..4096).map(|c| if c == 0 { 0.0 } else { c as f64 * (c as f64).log2() }).collect())
}

/// Bytes of a plane looked at to tell whether it is random.
const SAMPLE: usize = 512;

/// Whether a plane is not worth tokenizing: judged on its first [`SAMPLE`] bytes, few repeats
/// and an order-0 entropy (with the Miller-Madow correction for the sample's size) that leaves
/// no room once a Huffman table is paid for.
fn looks_random(plane: &[u8]) -> bool {
    let sample = &plane[..plane.len().min(SAMPLE)];
    let (hist, repeats) = byte_histogram(sample);
    let distinct = hist.iter().filter(|&&c| c > 0).count();
    let bits = 8.0 * entropy_bytes(&hist, sample.len()) / sample.len().max(1) as f64 + (distinct as f64 - 1.0) / (2.0 * sample.len().max(1) as f64 * std::f64::consts::LN_2);
    let n = plane.len() as f64;
    repeats * 32 < sample.len() && n * bits.min(8.0) / 8.0 * 1.01 + 100.0 >= n
}

/// One plane as literals and runs: token `t < 256` is a literal byte, `256 + len` a run of
/// `len` copies of the previous byte. Also returns the literal/length symbol counts.
#[inline(never)]
fn tokenize(plane: &[u8], tokens: &mut Vec<u16>) -> [u32; LITLEN_SYMBOLS] {
    let codes = length_codes();
    let mut freq = [0u32; LITLEN_SYMBOLS];
    let n = plane.len();
    tokens.clear();
    tokens.resize(n + 1, 0);
    let (mut i, mut t) = (0, 0);
    while i < n {
        let b = plane[i];
        tokens[t] = b as u16;
        t += 1;
        freq[b as usize] += 1;
        i += 1;
        if i + MIN_RUN <= n && plane[i] == b && plane[i + 1] == b && plane[i + 2] == b {
            let run = MIN_RUN + plane[i + MIN_RUN..n.min(i + MAX_RUN)].iter().take_while(|&&x| x == b).count();
            tokens[t] = (256 + run) as u16;
            t += 1;
            freq[257 + codes[run] as usize] += 1;
            i += run;
        }
    }
    tokens.truncate(t);
    freq[END_OF_BLOCK] = 1;
    freq
}

/// The code-length sequence of a dynamic block, run-length coded with symbols 16 (repeat the
/// previous length 3-6 times), 17 (3-10 zeros) and 18 (11-138 zeros): (symbol, extra value).
fn code_length_symbols(seq: &[u8]) -> Vec<(u8, u8)> {
    let mut out = Vec::with_capacity(seq.len());
    let mut i = 0;
    while i < seq.len() {
        let l = seq[i];
        let mut run = seq[i..].iter().take_while(|&&x| x == l).count();
        i += run;
        if l == 0 {
            while run >= 11 {
                let k = run.min(138);
                out.push((18, (k - 11) as u8));
                run -= k;
            }
            if run >= 3 {
                out.push((17, (run - 3) as u8));
                run = 0;
            }
        } else {
            out.push((l, 0));
            run -= 1;
            while run >= 3 {
                let k = run.min(6);
                out.push((16, (k - 3) as u8));
                run -= k;
            }
        }
        out.extend(std::iter::repeat_n((l, 0), run));
    }
    out
}

fn cl_extra_bits(sym: u8) -> u32 {
    match sym {
        16 => 2,
        17 => 3,
        18 => 7,
        _ => 0,
    }
}

/// A dynamic-Huffman block ready to emit, with its exact size in bits.
struct HuffmanBlock {
    lit_len: Vec<u8>,
    lit_code: Vec<u32>,
    hlit: usize,
    cl_syms: Vec<(u8, u8)>,
    cl_len: Vec<u8>,
    cl_code: Vec<u32>,
    hclen: usize,
    bits: u64,
}

/// Distance alphabet: every run is at distance 1 (code 0); code 1 is an unused partner that
/// keeps the distance code complete.
const DIST_LENGTHS: [u8; 2] = [1, 1];

impl HuffmanBlock {
    fn plan(freq: &[u32; LITLEN_SYMBOLS]) -> Self {
        let lit_len = code_lengths(freq, MAX_CODE_BITS);
        let hlit = (lit_len.iter().rposition(|&l| l > 0).unwrap_or(0) + 1).max(257);
        let mut seq = lit_len[..hlit].to_vec();
        seq.extend_from_slice(&DIST_LENGTHS);
        let cl_syms = code_length_symbols(&seq);
        let mut cl_freq = [0u32; 19];
        for &(s, _) in &cl_syms {
            cl_freq[s as usize] += 1;
        }
        let cl_len = code_lengths(&cl_freq, MAX_CL_BITS);
        let hclen = (CL_ORDER.iter().rposition(|&s| cl_len[s] > 0).unwrap_or(0) + 1).max(4);
        let runs: u64 = freq[257..].iter().map(|&f| f as u64).sum();
        let data_bits: u64 = freq
            .iter()
            .enumerate()
            .map(|(s, &f)| f as u64 * (lit_len[s] as u64 + if s > 256 { LENGTH_EXTRA[s - 257] as u64 } else { 0 }))
            .sum::<u64>()
            + runs * DIST_LENGTHS[0] as u64;
        let header_bits = 3 + 14 + 3 * hclen as u64 + cl_syms.iter().map(|&(s, _)| (cl_len[s as usize] as u32 + cl_extra_bits(s)) as u64).sum::<u64>();
        HuffmanBlock {
            lit_code: canonical_codes(&lit_len),
            lit_len,
            hlit,
            cl_code: canonical_codes(&cl_len),
            cl_len,
            cl_syms,
            hclen,
            bits: header_bits + data_bits,
        }
    }

    #[inline(never)]
    fn emit(&self, tokens: &[u16], last: bool, w: &mut BitWriter<'_>) {
        w.put(last as u32, 1);
        w.put(2, 2);
        w.put((self.hlit - 257) as u32, 5);
        w.put((DIST_LENGTHS.len() - 1) as u32, 5);
        w.put((self.hclen - 4) as u32, 4);
        for &s in &CL_ORDER[..self.hclen] {
            w.put(self.cl_len[s] as u32, 3);
        }
        for &(s, extra) in &self.cl_syms {
            w.put(self.cl_code[s as usize], self.cl_len[s as usize] as u32);
            w.put(extra as u32, cl_extra_bits(s));
        }
        // Every token's whole bit pattern (a run: length code, extra bits, distance code, at
        // most 21 bits) and its width, looked up once per token.
        let codes = length_codes();
        let dist_code = canonical_codes(&DIST_LENGTHS)[0];
        let mut pattern = [(0u32, 0u32); 256 + MAX_RUN + 1];
        for (b, p) in pattern.iter_mut().enumerate().take(256) {
            *p = (self.lit_code[b], self.lit_len[b] as u32);
        }
        for len in MIN_RUN..=MAX_RUN {
            let c = codes[len] as usize;
            let (code, bits) = (self.lit_code[257 + c], self.lit_len[257 + c] as u32);
            let extra = LENGTH_EXTRA[c] as u32;
            let value = code | ((len - LENGTH_BASE[c] as usize) as u32) << bits | dist_code << (bits + extra);
            pattern[256 + len] = (value, bits + extra + DIST_LENGTHS[0] as u32);
        }
        for &t in tokens {
            let (value, bits) = pattern[t as usize];
            w.put(value, bits);
        }
        w.put(self.lit_code[END_OF_BLOCK], self.lit_len[END_OF_BLOCK] as u32);
    }
}

/// Stored blocks for `bytes` (none is written for an empty non-final segment).
fn emit_stored(bytes: &[u8], last: bool, w: &mut BitWriter<'_>) {
    let blocks = bytes.len().div_ceil(MAX_STORED).max(1);
    for (i, block) in bytes.chunks(MAX_STORED).chain(bytes.is_empty().then_some(&bytes[..0])).enumerate() {
        w.put((last && i + 1 == blocks) as u32, 1);
        w.put(0, 2);
        w.align();
        let len = block.len() as u16;
        w.out.extend_from_slice(&len.to_le_bytes());
        w.out.extend_from_slice(&(!len).to_le_bytes());
        w.out.extend_from_slice(block);
    }
}

/// Non-final stored blocks for `bytes`, appended to a stream that is at a byte boundary (as it is
/// after the zlib header): the one stored-block writer, shared with the libdeflate path.
pub(super) fn stored_blocks(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut w = BitWriter::new(out);
    emit_stored(bytes, false, &mut w);
    w.align();
}

/// The zlib header HDF5's deflate filter would write for `level`.
pub(super) fn zlib_header(level: u32) -> [u8; 2] {
    let flevel: u16 = match level {
        0 | 1 => 0,
        2..=5 => 1,
        6 => 2,
        _ => 3,
    };
    let header = 0x7800u16 | (flevel << 6);
    (header + 31 - header % 31).to_be_bytes()
}

thread_local! {
    static TOKENS: std::cell::RefCell<Vec<u16>> = const { std::cell::RefCell::new(Vec::new()) };
    /// The last run-dominated block planned on this thread, with the symbol counts it was
    /// planned for.
    static LAST_PLAN: std::cell::RefCell<Option<([u32; LITLEN_SYMBOLS], std::rc::Rc<HuffmanBlock>)>> = const { std::cell::RefCell::new(None) };
}

/// The block for the symbol counts of a plane that is nearly all runs (64 bytes a token or more):
/// such planes repeat from chunk to chunk (the zeros around a windowed signal), so the last one
/// planned on this thread is reused when the counts are the same.
fn planned_runs(freq: &[u32; LITLEN_SYMBOLS]) -> std::rc::Rc<HuffmanBlock> {
    LAST_PLAN.with(|cell| {
        let mut last = cell.borrow_mut();
        match &*last {
            Some((f, block)) if f == freq => block.clone(),
            _ => {
                let block = std::rc::Rc::new(HuffmanBlock::plan(freq));
                *last = Some((*freq, block.clone()));
                block
            }
        }
    })
}

/// A zlib stream of the shuffled chunk `data` (`elem` planes of `data.len() / elem` bytes; a
/// tail shorter than one element rides with the last plane), each plane one block.
pub(crate) fn zlib_compress_planes(data: &[u8], elem: usize, level: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 64 + 64);
    out.extend_from_slice(&zlib_header(level));
    let n = data.len() / elem.max(1);
    let mut segments: Vec<&[u8]> = if n == 0 { vec![data] } else { data[..n * (elem - 1)].chunks(n).collect() };
    if n > 0 {
        segments.push(&data[n * (elem - 1)..]);
    }
    TOKENS.with(|cell| {
        let tokens = &mut *cell.borrow_mut();
        let mut w = BitWriter::new(&mut out);
        for (i, seg) in segments.iter().enumerate() {
            let last = i + 1 == segments.len();
            if looks_random(seg) {
                emit_stored(seg, last, &mut w);
                continue;
            }
            let freq = tokenize(seg, tokens);
            let (cached, fresh);
            let block: &HuffmanBlock = if tokens.len() * 64 < seg.len() {
                cached = planned_runs(&freq);
                &cached
            } else {
                fresh = HuffmanBlock::plan(&freq);
                &fresh
            };
            // A stored block costs its bytes, 4 length bytes and up to 10 bits of header and padding.
            let stored_bits = 8 * (seg.len() as u64 + 4 * seg.len().div_ceil(MAX_STORED).max(1) as u64) + 10;
            if block.bits < stored_bits {
                block.emit(tokens, last, &mut w);
            } else {
                emit_stored(seg, last, &mut w);
            }
        }
        w.align();
    });
    out.extend_from_slice(&libdeflater::adler32(data).to_be_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use libdeflater::Decompressor;

    fn inflate(z: &[u8], len: usize) -> Vec<u8> {
        let mut out = vec![0u8; len];
        let n = Decompressor::new().zlib_decompress(z, &mut out).expect("a valid zlib stream");
        out.truncate(n);
        out
    }

    fn xorshift(seed: u64) -> impl FnMut() -> u64 {
        let mut x = seed;
        move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        }
    }

    #[test]
    fn round_trips_random_constant_runs_and_tails() {
        let mut rnd = xorshift(0x9e37_79b9_7f4a_7c15);
        let random: Vec<u8> = (0..9_003).map(|_| rnd() as u8).collect();
        let constant = vec![0xffu8; 8 * 4096];
        let mut runs = Vec::new();
        while runs.len() < 40_000 {
            let b = (rnd() % 4) as u8;
            runs.extend(std::iter::repeat_n(b, (rnd() % 300) as usize + 1));
        }
        for (data, elem) in [(&random[..], 8), (&random, 4), (&constant, 8), (&runs, 2), (&runs, 8), (&random[..5], 8), (&random[..0], 8)] {
            let z = zlib_compress_planes(data, elem, 3);
            assert_eq!(inflate(&z, data.len() + 16), *data, "elem {elem}, {} bytes", data.len());
        }
        assert!(zlib_compress_planes(&constant, 8, 3).len() < 200);
        assert!(zlib_compress_planes(&random, 8, 3).len() <= random.len() + 8 * 5 + 10);
    }

    #[test]
    fn planes_larger_than_a_stored_block_split() {
        let mut rnd = xorshift(7);
        let data: Vec<u8> = (0..8 * 131_072).map(|_| rnd() as u8).collect();
        let z = zlib_compress_planes(&data, 8, 3);
        assert_eq!(inflate(&z, data.len()), data);
    }

    #[test]
    fn skewed_frequencies_are_limited_to_fifteen_bits_and_stay_complete() {
        // Fibonacci counts give a Huffman tree as deep as the alphabet.
        let mut freq = vec![0u32; 40];
        let (mut a, mut b) = (1u32, 1u32);
        for f in freq.iter_mut().take(30) {
            *f = a;
            (a, b) = (b, a + b);
        }
        let lengths = code_lengths(&freq, MAX_CODE_BITS);
        assert!(lengths.iter().all(|&l| l <= MAX_CODE_BITS));
        let kraft: f64 = lengths.iter().filter(|&&l| l > 0).map(|&l| 0.5f64.powi(l as i32)).sum();
        assert_eq!(kraft, 1.0);
        // And such a distribution round-trips.
        let mut data = Vec::new();
        for (s, &f) in freq.iter().enumerate().take(24) {
            data.extend(std::iter::repeat_n(s as u8 * 7 + 1, f.min(3000) as usize).flat_map(|b| [b, b ^ 0x55]));
        }
        let z = zlib_compress_planes(&data, 2, 3);
        assert_eq!(inflate(&z, data.len()), data);
    }

    #[test]
    fn histogram_counts_bytes_and_repeats() {
        let plane: Vec<u8> = (0..1001u32).map(|i| (i / 10) as u8).collect();
        let (hist, repeats) = byte_histogram(&plane);
        assert_eq!(hist[0], 10);
        assert_eq!(hist[100], 1);
        assert_eq!(hist.iter().sum::<u32>(), 1001);
        assert_eq!(repeats, 900);
    }

    #[test]
    fn single_symbol_codes_are_complete() {
        let mut freq = vec![0u32; 19];
        freq[8] = 5;
        let l = code_lengths(&freq, MAX_CL_BITS);
        assert_eq!(l.iter().filter(|&&x| x == 1).count(), 2);
    }

    #[test]
    fn header_is_what_zlib_writes_at_level_three() {
        assert_eq!(zlib_header(3), [0x78, 0x5e]);
        assert_eq!(zlib_header(6), [0x78, 0x9c]);
    }
}
