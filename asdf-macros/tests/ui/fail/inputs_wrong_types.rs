use asdf::prelude::*;

/// A multi-input function returns a `JobOutput` (or an `Option`/`Result` of one), not a stream.
#[asdf::station_processor(inputs = 2)]
fn returns_a_stream(a: &StationGroup<'_>, b: &StationGroup<'_>) -> Option<Stream> {
    let _ = (a, b);
    None
}
