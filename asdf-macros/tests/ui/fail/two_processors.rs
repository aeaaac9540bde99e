use asdf::prelude::*;

#[asdf::station_processor(tag_map = { "raw" => "out" })]
fn first(st: Stream, _inv: Option<Inventory>) -> Option<Stream> {
    Some(st)
}

#[asdf::station_processor(tag_map = { "raw" => "other" })]
fn second(st: Stream, _inv: Option<Inventory>) -> Option<Stream> {
    Some(st)
}
