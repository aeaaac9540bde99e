#[asdf::station_processor(tag_map = { "raw" => "out" })]
struct Job;

fn main() {}
