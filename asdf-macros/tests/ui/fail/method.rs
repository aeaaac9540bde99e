use asdf::prelude::*;

struct Job;

impl Job {
    #[asdf::station_processor(tag_map = { "raw" => "out" })]
    fn run(&self, st: Stream) -> Option<Stream> {
        Some(st)
    }
}

fn main() {}
