use asdf::prelude::*;

#[asdf::station_processor(tag_map = ["raw", "out"])]
fn job(st: Stream, _inv: Option<Inventory>) -> Option<Stream> {
    Some(st)
}
