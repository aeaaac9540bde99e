//! A multi-input job that misbehaves on purpose, for the engine's tests of `inputs = N`: for
//! each station it writes the first input's traces demeaned under `first_demeaned`, an int32
//! auxiliary array of the two inputs' trace counts, and a record; it panics on `XX.S0001`,
//! returns an error on `XX.S0002` and nothing on `XX.S0003` (with `ASDF_TEST_FAIL`), writes the
//! same auxiliary path for every station (with `ASDF_TEST_CONFLICT`), and aborts the process on
//! the station named by `ASDF_TEST_ABORT_AT` (a killed run).
use asdf::prelude::*;

/// Trace counts of the two inputs, and the first input demeaned.
#[asdf::station_processor(inputs = 2)]
fn faulty_pair(first: &StationGroup<'_>, second: &StationGroup<'_>) -> Result<Option<JobOutput>, String> {
    let station = first.name().split('.').nth(1).unwrap_or_default().to_string();
    if std::env::var("ASDF_TEST_ABORT_AT").is_ok_and(|s| s == station) {
        std::process::abort();
    }
    if std::env::var("ASDF_TEST_FAIL").is_ok() {
        match station.as_str() {
            "S0001" => panic!("deliberate panic in {station}"),
            "S0002" => return Err(format!("deliberate error in {station}")),
            "S0003" => return Ok(None),
            _ => {}
        }
    }
    let count = |g: &StationGroup<'_>| -> Result<i32, String> { Ok(g.waveform_names().map_err(|e| e.to_string())?.len() as i32) };
    let counts = vec![count(first)?, count(second)?];
    let mut st = first.stream("raw_recording").map_err(|e| e.to_string())?;
    st.detrend(Detrend::Demean);
    let path = if std::env::var("ASDF_TEST_CONFLICT").is_ok() { "shared".to_string() } else { first.name().replace('.', "_") };
    let counts_array = AuxiliaryArray::new("TraceCounts", &path, counts.clone()).with_parameter("station", first.name());
    Ok(Some(JobOutput::new().with_waveforms("first_demeaned", st).with_auxiliary(counts_array).with_record(&counts)))
}
