use asdf::prelude::*;

/// A tag map, and `compare`, do not go with `inputs`; nor does an unknown compression.
#[asdf::station_processor(inputs = 2, tag_map = { "raw_recording" => "processed" }, compare, compression = "zstd")]
fn mixed(a: &StationGroup<'_>, b: &StationGroup<'_>) -> JobOutput {
    let _ = (a, b);
    JobOutput::new()
}
