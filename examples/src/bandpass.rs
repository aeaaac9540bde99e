//! `bandpass`: detrend, taper and band-pass every station; no StationXML needed.
//!
//! ```text
//! cargo build --release
//! ./target/release/bandpass in.h5 out.h5
//! mpirun -n 4 ./target/release/bandpass in.h5 out.h5
//! ```
use asdf::prelude::*;

/// Linear detrend, 5 % Hann taper and a 1-10 Hz zero-phase Butterworth band-pass (4 corners).
#[asdf::station_processor(tag_map = { "raw_recording" => "bandpassed" })]
fn bandpass(mut st: Stream, _inv: Option<Inventory>) -> Result<Option<Stream>, SignalError> {
    st.detrend(Detrend::Linear).taper(0.05, Taper::Hann);
    st.bandpass(1.0, 10.0, 4, true)?;
    Ok(Some(st))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_out_of_band_energy() {
        let t0 = UtcTime::from_ymd_hms(2020, 1, 1, 0, 0, 0, 0);
        // 0.05 Hz (out of band) + 5 Hz (in band).
        let data: Vec<f64> = (0..60_000)
            .map(|i| {
                let t = i as f64 / 100.0;
                100.0 * (2.0 * std::f64::consts::PI * 0.05 * t).sin() + (2.0 * std::f64::consts::PI * 5.0 * t).sin()
            })
            .collect();
        let st: Stream = [Trace::new("XX.A..HHZ", t0, 100.0, data)].into_iter().collect();
        let out = bandpass(st, None).unwrap().unwrap();
        let d = out[0].data().as_f64().unwrap();
        let peak = d[10_000..50_000].iter().fold(0.0f64, |a, b| a.max(b.abs()));
        assert!((peak - 1.0).abs() < 0.05, "in-band sine kept, low frequency removed: peak {peak}");
    }

    #[test]
    fn reports_bad_input_instead_of_panicking() {
        let t0 = UtcTime::from_ns(0);
        let st: Stream = [Trace::new("XX.A..HHZ", t0, 100.0, vec![f64::NAN; 100])].into_iter().collect();
        let err = bandpass(st, None).unwrap_err();
        assert!(err.to_string().contains("XX.A..HHZ"), "{err}");
    }
}
