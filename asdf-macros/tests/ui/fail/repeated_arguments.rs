use asdf::prelude::*;

#[asdf::station_processor(tag_map = { "raw" => "a" }, tag_map = { "raw" => "b" }, compression = "gzip-3", compression = "gzip-03")]
fn job(st: Stream, _inv: Option<Inventory>) -> Option<Stream> {
    Some(st)
}
