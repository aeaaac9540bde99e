use asdf::StationGroup;

#[asdf::station_processor(compare)]
fn no_return(_a: &StationGroup<'_>, _b: &StationGroup<'_>) {}
