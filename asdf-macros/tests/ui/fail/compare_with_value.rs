use asdf::StationGroup;

#[asdf::station_processor(compare = true)]
fn with_value(_a: &StationGroup<'_>, _b: &StationGroup<'_>) -> usize {
    0
}
