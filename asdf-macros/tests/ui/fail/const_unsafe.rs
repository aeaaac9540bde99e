use asdf::prelude::*;

#[asdf::station_processor(tag_map = { "raw" => "out" })]
const unsafe fn job(st: Stream, _inv: ()) -> Option<Stream> {
    Some(st)
}
