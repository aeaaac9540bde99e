//! Used by code that `#[station_processor]` generates. Not public API; may change in any release.
pub use crate::cli::station::{run_compare_main, run_inputs_main, run_station_main, CompareSpec, InputsSpec, StationSpec};
pub use crate::engine::JobContext;
pub use crate::engine::{CompareReturn, FallibleReturn, PlainReturn};
