use asdf::prelude::*;

#[asdf::station_processor(tag_map = { "raw" => "out" })]
fn job(st: Vec<f64>, _inv: Option<Inventory>) -> Option<Stream> {
    let _ = st;
    None
}
