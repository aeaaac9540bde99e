use asdf::prelude::*;

/// One input is not a multi-input job.
#[asdf::station_processor(inputs = 1)]
fn one(a: &StationGroup<'_>) -> JobOutput {
    let _ = a;
    JobOutput::new()
}
