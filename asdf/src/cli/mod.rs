//! Command lines: the `main` that `#[station_processor]` generates (`station.rs`) and the `asdf`
//! inspection tool ([`tool`]).
//!
//! Exit codes everywhere: 0 = everything done, 1 = some jobs failed (listed), 2 = usage or input
//! error (nothing, or nothing trustworthy, was produced).

mod allocator;
mod import;
pub(crate) mod station;
pub mod tool;

/// All jobs done.
pub const EXIT_OK: u8 = 0;
/// Some jobs failed; the others were written.
pub const EXIT_JOBS_FAILED: u8 = 1;
/// Usage or input error.
pub const EXIT_USAGE: u8 = 2;

/// The process-wide settings of a job binary, made once after the run's context is known and
/// before any job starts (a library call never makes them):
/// - glibc keeps freed job buffers for the next job ([`allocator`]);
/// - [`install_panic_hook`](crate::engine::install_panic_hook): a processing function's panic is
///   recorded quietly with its location; under MPI any other panic aborts every rank;
/// - rayon's global pool gets the run's thread count (it decodes and encodes chunks outside the
///   engine's workers).
pub(crate) fn process_settings(ctx: &crate::engine::Ctx) {
    allocator::keep_freed_buffers();
    crate::engine::install_panic_hook(ctx.size > 1);
    // Fails only when the pool already exists (a second run in one process): keep that one.
    let _ = rayon::ThreadPoolBuilder::new().num_threads(ctx.threads).build_global();
}
