//! `preprocess`: the observed half of an adjoint-tomography pipeline (as pytomo3d's
//! `process_stream`): detrend, taper, remove the instrument to displacement inside the period
//! band, band-pass, cut and interpolate onto the synthetics' grid (from the event's origin time
//! at 10 Hz), and rotate N/E to R/T with the back azimuth from the station to the event.
//!
//! ```text
//! asdf sample obs.h5 --synthetics syn.h5
//! mpirun -n 4 preprocess obs.h5 obs_pre.h5
//! mpirun -n 4 adjoint obs_pre.h5 syn.h5 adjoint.h5
//! ```
use asdf::engine::JobContext;
use asdf::prelude::*;

/// The period band, in seconds.
pub const PERIODS: (f64, f64) = (2.0, 20.0);
/// The common grid's sampling rate (SPECFEM's time step of 0.1 s).
pub const RATE: f64 = 10.0;

/// Instrument-corrected displacement in the 2-20 s band on a 10 Hz grid from the event's
/// origin time, rotated to Z, R, T. A station without StationXML, or a file without an event
/// origin, fails with the reason.
#[asdf::station_processor(tag_map = { "raw_recording" => "preprocessed" })]
fn preprocess(mut st: Stream, inv: Option<Inventory>, ctx: &JobContext<'_>) -> Result<Option<Stream>, String> {
    let inv = inv.ok_or("no StationXML: the response cannot be removed")?;
    let origin = ctx.origin().ok_or("the file has no event with an origin: the cut is relative to the origin time")?;
    let geometry = ctx.geometry().ok_or("no station coordinates: cannot rotate towards the event")?;
    let (short, long) = PERIODS;
    let (fmin, fmax) = (1.0 / long, 1.0 / short);
    st.detrend(Detrend::Linear).detrend(Detrend::Demean).taper(0.05, Taper::Hann);
    let prefilter = [0.8 * fmin, fmin, fmax, 1.25 * fmax];
    st.remove_response(&inv, &RemoveResponse::displacement().pre_filt(prefilter)).map_err(|e| e.to_string())?;
    st.bandpass(fmin, fmax, 4, true).map_err(|e| e.to_string())?;
    // The grid: from the origin time to the last sample every component has.
    let end = st.iter().map(Trace::endtime).min().ok_or("no traces")?;
    if end - origin.time < 1.0 / RATE {
        return Err(format!("the data end at {end}, before the origin time {}", origin.time));
    }
    let npts = ((end - origin.time) * RATE + 1e-9).floor() as usize + 1;
    for tr in st.iter_mut() {
        tr.interpolate(RATE, Interpolation::WeightedAverageSlopes, Some(origin.time), Some(npts)).map_err(|e| e.to_string())?;
    }
    st.rotate_ne_rt(geometry.back_azimuth).map_err(|e| e.to_string())?;
    Ok(Some(st))
}

#[cfg(test)]
mod tests {
    use super::*;
    use asdf::testing::{sample_event, station_inventory, station_stream, synthetic_grid, SampleOptions};

    #[test]
    fn lands_on_the_synthetics_grid_rotated() {
        let opts = SampleOptions { seconds: 120.0, ..SampleOptions::default() };
        let inv = station_inventory("XX", "A", 12.0, 25.0, 100.0, opts.start);
        let events = sample_event(opts.start);
        let events = events.events().unwrap();
        let ctx = JobContext { station: "XX.A", tag: "raw_recording", events, event: events.first(), coordinates: inv.coordinates() };
        let out = preprocess(station_stream("XX", "A", &opts, 1), Some(inv.clone()), &ctx).unwrap().unwrap();
        let (start, nstep) = synthetic_grid(&opts).unwrap();
        let channels: Vec<&str> = out.iter().map(|t| t.stats.channel.as_str()).collect();
        assert_eq!(channels, ["HHZ", "HHR", "HHT"]);
        assert!(out.iter().all(|t| t.stats.starttime == start && t.npts() == nstep && t.stats.sampling_rate == RATE));
        // Without an event, or without StationXML, the station fails and says why.
        let none = JobContext { event: None, ..ctx.clone() };
        assert!(preprocess(station_stream("XX", "A", &opts, 1), Some(inv), &none).unwrap_err().contains("origin"));
        assert!(preprocess(station_stream("XX", "A", &opts, 1), None, &ctx).unwrap_err().contains("StationXML"));
    }
}
