//! `decimate_z`: keep only the vertical channel and reduce it to 1 sample per second, e.g. to
//! build a long-period archive.
use asdf::prelude::*;

/// Keep `??Z`, low-pass at 0.4 Hz (zero-phase, 8 corners) and decimate to 1 Hz.
#[asdf::station_processor(tag_map = { "raw_recording" => "vertical_1hz" }, compression = "gzip-6")]
fn decimate_z(mut st: Stream, _inv: Option<Inventory>) -> Result<Option<Stream>, SignalError> {
    st.retain(|t| t.stats.channel.ends_with('Z'));
    for tr in st.iter_mut() {
        let factor = tr.stats.sampling_rate.round() as usize;
        if factor <= 1 {
            continue;
        }
        tr.detrend(Detrend::Demean);
        tr.lowpass(0.4, 8, true)?;
        tr.decimate_no_filter(factor)?;
    }
    Ok(Some(st))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_vertical_at_one_hertz() {
        let t0 = UtcTime::from_ns(0);
        let st: Stream = ["XX.A..HHZ", "XX.A..HHN"].iter().map(|id| Trace::new(id, t0, 100.0, vec![1.0f64; 10_000])).collect();
        let out = decimate_z(st, None).unwrap().unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].stats.channel, "HHZ");
        assert_eq!(out[0].stats.sampling_rate, 1.0);
        assert_eq!(out[0].npts(), 100);
    }
}
