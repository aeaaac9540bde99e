use asdf::prelude::*;

#[asdf::station_processor(tag_map = { "raw_recording" => "processed" })]
fn broken(st: Stream, _inv: Option<Inventory>) -> Option<Stream> {
    let x = ;
    Some(st)
}
