//! h5py's chunk-shape heuristic (`h5py._hl.filters.guess_chunk`), ported exactly so that our
//! datasets get the chunk shapes pyasdf's get.

const CHUNK_BASE: f64 = 16.0 * 1024.0;
const CHUNK_MIN: f64 = 8.0 * 1024.0;
const CHUNK_MAX: f64 = 1024.0 * 1024.0;

/// The chunk shape h5py picks for a resizable dataset of `shape` with elements of `typesize`
/// bytes. A zero dimension counts as 1024, as in h5py.
///
/// ```
/// # use asdf::format::guess_chunk;
/// assert_eq!(guess_chunk(&[3000], 8), vec![1500]);
/// assert_eq!(guess_chunk(&[0], 1), vec![1024]);
/// ```
pub fn guess_chunk(shape: &[u64], typesize: usize) -> Vec<u64> {
    let mut chunks: Vec<f64> = shape.iter().map(|&x| if x == 0 { 1024.0 } else { x as f64 }).collect();
    if chunks.is_empty() {
        return Vec::new();
    }
    let ts = typesize as f64;
    let product = |c: &[f64]| c.iter().product::<f64>();
    let dset_size = product(&chunks) * ts;
    let target = (CHUNK_BASE * 2f64.powf((dset_size / (1024.0 * 1024.0)).log10())).clamp(CHUNK_MIN, CHUNK_MAX);
    let mut idx = 0usize;
    loop {
        let chunk_bytes = product(&chunks) * ts;
        if (chunk_bytes < target || (chunk_bytes - target).abs() / target < 0.5) && chunk_bytes < CHUNK_MAX {
            break;
        }
        if product(&chunks) == 1.0 {
            break;
        }
        let i = idx % chunks.len();
        chunks[i] = (chunks[i] / 2.0).ceil();
        idx += 1;
    }
    chunks.into_iter().map(|x| x as u64).collect()
}

#[cfg(test)]
mod tests {
    use super::guess_chunk;

    #[test]
    fn matches_observed_pyasdf_chunks() {
        assert_eq!(guess_chunk(&[3000], 4), [3000]);
        assert_eq!(guess_chunk(&[3000], 8), [1500]);
        assert_eq!(guess_chunk(&[5000], 8), [1250]);
        assert_eq!(guess_chunk(&[100], 2), [100]);
        assert_eq!(guess_chunk(&[1], 8), [1]);
        assert_eq!(guess_chunk(&[0], 8), [1024]);
        assert_eq!(guess_chunk(&[188_860], 1), [11804]);
        assert_eq!(guess_chunk(&[2, 3], 4), [2, 3]);
    }
}
