use asdf::prelude::*;

#[asdf::station_processor(tag_map = { "Raw" => "out__put", "raw" => "x" }, threads = 4, compression = "zstd")]
fn job(st: Stream, _inv: Option<Inventory>) -> Option<Stream> {
    Some(st)
}
