use asdf::prelude::*;

#[asdf::station_processor]
fn job(st: Stream, _inv: Option<Inventory>) -> Option<Stream> {
    Some(st)
}
