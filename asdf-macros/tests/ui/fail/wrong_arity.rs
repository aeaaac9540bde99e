use asdf::prelude::*;

#[asdf::station_processor(tag_map = { "raw" => "out" })]
fn job(st: Stream) -> Option<Stream> {
    Some(st)
}
