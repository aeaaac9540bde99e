//! `rotate_rt`: rotate the horizontals to radial and transverse with the back azimuth from the
//! file's event to each station (a three-argument station function: the engine passes the event,
//! the station's coordinates and the geometry in a [`JobContext`]).
use asdf::engine::JobContext;
use asdf::prelude::*;

/// Demean, taper and rotate N/E to R/T towards the event; stations without StationXML
/// coordinates or an event with an origin are skipped.
#[asdf::station_processor(tag_map = { "raw_recording" => "rotated_rt" })]
fn rotate_rt(mut st: Stream, _inv: Option<Inventory>, ctx: &JobContext<'_>) -> Result<Option<Stream>, SignalError> {
    let Some(geometry) = ctx.geometry() else { return Ok(None) };
    st.detrend(Detrend::Demean).taper(0.05, Taper::Hann);
    st.rotate_ne_rt(geometry.back_azimuth)?;
    Ok(Some(st))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotates_towards_the_event() {
        let t0 = UtcTime::from_ymd_hms(2020, 1, 1, 0, 0, 0, 0);
        let inv = asdf::testing::station_inventory("XX", "A", 0.0, 0.0, 100.0, t0);
        let events = asdf::testing::sample_event(t0);
        let events = events.events().unwrap();
        let ctx = JobContext { station: "XX.A", tag: "raw_recording", events, event: events.first(), coordinates: inv.coordinates() };
        let st = asdf::testing::station_stream("XX", "A", &Default::default(), 1);
        let out = rotate_rt(st, Some(inv), &ctx).unwrap().unwrap();
        let channels: Vec<&str> = out.iter().map(|t| t.stats.channel.as_str()).collect();
        assert_eq!(channels, ["HHZ", "HHR", "HHT"]);
        // Without an event there is nothing to rotate towards.
        let none = JobContext { event: None, ..ctx.clone() };
        let st = asdf::testing::station_stream("XX", "A", &Default::default(), 1);
        assert!(rotate_rt(st, None, &none).unwrap().is_none());
    }
}
