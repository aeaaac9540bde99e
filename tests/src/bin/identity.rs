//! Returns every stream unchanged: measures the engine's own cost (read, compress, write).
use asdf::prelude::*;

/// Copy every `raw_recording` stream to `processed`.
#[asdf::station_processor(tag_map = { "raw_recording" => "processed" })]
fn identity(st: Stream, _inv: Option<Inventory>) -> Option<Stream> {
    Some(st)
}
