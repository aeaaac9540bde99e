use asdf::StationGroup;

#[asdf::station_processor(compare, compression = "none")]
fn with_compression(_a: &StationGroup<'_>, _b: &StationGroup<'_>) -> usize {
    0
}
