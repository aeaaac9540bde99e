//! `deconvolve`: instrument response removal to velocity, then a band-pass; the classic
//! pre-processing of a seismologist's archive. Stations without StationXML are skipped.
use asdf::prelude::*;

/// Deconvolve to velocity (pre-filter 0.05-25 Hz, water level 60 dB) and band-pass 1-10 Hz.
#[asdf::station_processor(tag_map = { "raw_recording" => "processed" })]
fn deconvolve(mut st: Stream, inv: Option<Inventory>) -> Result<Option<Stream>, SignalError> {
    let Some(inv) = inv else { return Ok(None) };
    st.detrend(Detrend::Linear).taper(0.05, Taper::Hann);
    st.remove_response(&inv, &RemoveResponse::velocity().pre_filt([0.05, 0.1, 20.0, 25.0]))?;
    st.bandpass(1.0, 10.0, 4, true)?;
    Ok(Some(st))
}

#[cfg(test)]
mod tests {
    use super::*;
    use asdf::testing as sample;

    #[test]
    fn converts_counts_to_velocity() {
        let t0 = UtcTime::from_ymd_hms(2020, 1, 1, 0, 0, 0, 0);
        let inv = sample::station_inventory("XX", "S0000", 0.0, 0.0, 100.0, t0);
        let opts = sample::SampleOptions { seconds: 120.0, ..Default::default() };
        let st = sample::station_stream("XX", "S0000", &opts, 7);
        let raw_peak = st[0].data().to_f64().iter().fold(0.0f64, |a, b| a.max(b.abs()));
        let out = deconvolve(st, Some(inv)).unwrap().unwrap();
        assert_eq!(out.len(), 3);
        let peak = out[0].data().as_f64().unwrap().iter().fold(0.0f64, |a, b| a.max(b.abs()));
        // Counts / (1500 V/(m/s) x 419430 counts/V): micrometres per second, not counts.
        assert!(peak > 0.0 && peak < raw_peak / 1e6, "{peak} vs raw {raw_peak}");
    }

    #[test]
    fn skips_stations_without_stationxml() {
        let st: Stream = [Trace::new("XX.A..HHZ", UtcTime::from_ns(0), 100.0, vec![0i32; 100])].into_iter().collect();
        assert!(deconvolve(st, None).unwrap().is_none());
    }
}
