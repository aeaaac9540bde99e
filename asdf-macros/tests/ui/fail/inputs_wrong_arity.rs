use asdf::prelude::*;

/// Three inputs need three groups (and at most a context after them), and a return type.
#[asdf::station_processor(inputs = 3)]
fn too_few(a: &StationGroup<'_>, b: &StationGroup<'_>) {
    let _ = (a, b);
}
