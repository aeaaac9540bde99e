//! Allocator settings for a run.
//!
//! Every job allocates the same few multi-megabyte buffers (samples, filter scratch, compressed
//! chunks) and frees them again. glibc's defaults give such blocks back to the kernel as soon as
//! they are freed (each in its own `mmap`, or by trimming the heap), so the next job faults the
//! same amount of memory in again, zeroed page by page: that was a fifth of a band-pass run's
//! CPU time. With a fixed mmap threshold and a high trim threshold, freed buffers stay in the
//! process and are reused; peak memory is unchanged, as the peak is the same buffers in use.
//!
//! glibc also gives each thread that meets contention a heap of its own (up to eight per core);
//! buffers made on one thread and freed on another (a result the writer drops) fragment those
//! heaps, and the process grew with the run (band-pass: 100 MB on 50 stations, 125 MB on 200).
//! Two heaps for all threads keep it flat (95 / 104 MB) at the same speed: a job allocates a few
//! large buffers per station, so the heaps' locks are rarely contended.

/// Blocks up to this size come from the heap (glibc's largest allowed threshold on 64-bit).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: i32 = 32 << 20;
/// Free memory a heap may keep before it is returned to the kernel.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TRIM_THRESHOLD: i32 = 256 << 20;
/// Heaps (glibc arenas) shared by all threads.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const ARENAS: i32 = 2;

/// Applies the settings above (glibc only; elsewhere the system allocator is left as it is).
/// Called once by [`process_settings`](super::process_settings), before any worker starts.
pub(crate) fn keep_freed_buffers() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::ffi::c_int;
        const M_TRIM_THRESHOLD: c_int = -1;
        const M_MMAP_THRESHOLD: c_int = -3;
        const M_ARENA_MAX: c_int = -8;
        unsafe extern "C" {
            fn mallopt(param: c_int, value: c_int) -> c_int;
        }
        // SAFETY: mallopt only changes glibc's tuning parameters; it is thread-safe and a
        // refused value leaves the default in place.
        unsafe {
            mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
            mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD);
            mallopt(M_ARENA_MAX, ARENAS);
        }
    }
}
