use asdf::StationGroup;

#[asdf::station_processor(compare, tag_map = { "raw" => "out" })]
fn cmp(a: &StationGroup<'_>, _b: &StationGroup<'_>) -> usize {
    a.name().len()
}
