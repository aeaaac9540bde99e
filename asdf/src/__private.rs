//! Used by code that `#[station_processor]` generates. Not public API; may change in any release.
pub use crate::cli::station::{run_compare_main, run_station_main, CompareSpec, StationSpec};
pub use crate::engine::{CompareReturn, FallibleReturn, PlainReturn};
