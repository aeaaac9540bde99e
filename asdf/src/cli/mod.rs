//! Command lines: the `main` that `#[station_processor]` generates ([`station`]) and the `asdf`
//! inspection tool ([`tool`]).
//!
//! Exit codes everywhere: 0 = everything done, 1 = some jobs failed (listed), 2 = usage or input
//! error (nothing, or nothing trustworthy, was produced).

pub mod station;
pub mod tool;

/// All jobs done.
pub const EXIT_OK: u8 = 0;
/// Some jobs failed; the others were written.
pub const EXIT_JOBS_FAILED: u8 = 1;
/// Usage or input error.
pub const EXIT_USAGE: u8 = 2;
