//! StationXML and QuakeML documents of any bytes: a typed error or a model, never a panic, a
//! stack overflow or a runaway allocation.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = asdf::Inventory::from_stationxml(data);
    let _ = asdf::Events::from_quakeml(data.to_vec());
});
