//! Whether the chunks of one trace are coded in rayon's pool or on the calling thread.
//!
//! A library call (`AsdfFile::add_waveforms`, `StationGroup::trace`) spreads a trace's chunks
//! over the cores. The engine's workers already keep every core busy with whole jobs; there,
//! handing chunks to the pool only adds wake-ups, spinning and context switches (about 7 % of a
//! band-pass run), so each worker thread codes its own chunks.

use std::cell::Cell;

use rayon::prelude::*;

thread_local! {
    static ON_THIS_THREAD: Cell<bool> = const { Cell::new(false) };
}

/// Marks the current thread as one of several that keep the cores busy with whole jobs: chunk
/// coding here stays on this thread from now on.
pub(crate) fn code_chunks_on_this_thread() {
    ON_THIS_THREAD.with(|c| c.set(true));
}

fn fan_out() -> bool {
    !ON_THIS_THREAD.with(Cell::get)
}

/// `f` over the `size`-byte pieces of `data` (the last may be shorter), results in order.
pub(crate) fn map_chunks<R: Send>(
    data: &[u8],
    size: usize,
    f: impl Fn(&[u8]) -> R + Sync + Send,
) -> Vec<R> {
    if fan_out() {
        data.par_chunks(size).map(f).collect()
    } else {
        data.chunks(size).map(f).collect()
    }
}

/// `f` over the `size`-byte pieces of `out` paired with `items`, results in order.
pub(crate) fn map_chunks_mut<T: Sync, R: Send>(
    out: &mut [u8],
    size: usize,
    items: &[T],
    f: impl Fn(&mut [u8], &T) -> R + Sync + Send,
) -> Vec<R> {
    if fan_out() {
        out.par_chunks_mut(size)
            .zip(items.par_iter())
            .map(|(o, t)| f(o, t))
            .collect()
    } else {
        out.chunks_mut(size)
            .zip(items)
            .map(|(o, t)| f(o, t))
            .collect()
    }
}

/// Reverses the byte order of every `elem`-byte value of `data`.
pub(crate) fn swap_bytes(data: &mut [u8], elem: usize) {
    if fan_out() {
        data.par_chunks_mut(elem).for_each(<[u8]>::reverse);
    } else {
        data.chunks_mut(elem).for_each(<[u8]>::reverse);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_results_on_this_thread_and_in_the_pool() {
        let data: Vec<u8> = (0..=255).cycle().take(10_000).collect();
        let sums = |d: &[u8]| map_chunks(d, 333, |c| c.iter().map(|&b| b as u32).sum::<u32>());
        let pooled = sums(&data);
        let mut swapped = data.clone();
        swap_bytes(&mut swapped, 4);
        let local = std::thread::spawn(move || {
            code_chunks_on_this_thread();
            let mut s = data.clone();
            swap_bytes(&mut s, 4);
            (sums(&data), s)
        })
        .join()
        .unwrap();
        assert_eq!(pooled, local.0);
        assert_eq!(pooled.len(), 10_000usize.div_ceil(333));
        assert_eq!(swapped, local.1);
        assert_eq!(&swapped[..4], &[3, 2, 1, 0]);
    }
}
