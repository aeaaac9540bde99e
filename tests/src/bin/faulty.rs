//! A station processor that misbehaves on purpose, for the engine's failure tests:
//! it panics on station `XX.S0001`, returns an error on `XX.S0002`, aborts the whole
//! process on the station named by `ASDF_TEST_ABORT_AT` (to simulate a killed run), and takes
//! `ASDF_TEST_SLEEP_MS` milliseconds per station (so that a test can kill a run mid-way; with
//! `ASDF_TEST_ONLY_SLEEP` set it then returns the stream unchanged, a function that costs only
//! time, for measuring what the single writer sustains: `docs/scaling.md`).
use asdf::prelude::*;

/// Demean, except on the stations the tests pick to fail.
#[asdf::station_processor(tag_map = { "raw_recording" => "processed" })]
fn faulty(mut st: Stream, _inv: Option<Inventory>) -> Result<Option<Stream>, String> {
    let station = st[0].stats.station.clone();
    if let Some(ms) = std::env::var("ASDF_TEST_SLEEP_MS").ok().and_then(|v| v.parse().ok()) {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
    if std::env::var("ASDF_TEST_ABORT_AT").is_ok_and(|s| s == station) {
        std::process::abort();
    }
    if std::env::var("ASDF_TEST_FAIL").is_ok() {
        if station == "S0001" {
            panic!("deliberate panic in {station}");
        }
        if station == "S0002" {
            return Err(format!("deliberate error in {station}"));
        }
    }
    if std::env::var("ASDF_TEST_ONLY_SLEEP").is_err() {
        st.detrend(Detrend::Demean);
    }
    Ok(Some(st))
}
