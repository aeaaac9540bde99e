//! `Events` against ObsPy 1.5.1 on ObsPy's own QuakeML test files (`python/quakeml_reference.py`):
//! the same events, origins (time to the ns, latitude, longitude, depth), magnitudes (value,
//! type, origin) and preferred ids; and a trace's `event_id` resolving to its event.

use std::process::Command;

use asdf::Events;
use asdf_tests::{python, stderr};
use serde_json::Value;

fn opt_str(v: &Value) -> Option<&str> {
    v.as_str()
}

#[test]
fn the_same_events_as_obspy() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/python/quakeml_reference.py");
    let o = Command::new(python()).arg(script).output().expect("run python");
    assert!(o.status.success(), "{}", stderr(&o));
    let files: serde_json::Map<String, Value> = serde_json::from_slice(&o.stdout).expect("json");
    assert!(files.len() >= 10, "ObsPy read only {} files", files.len());
    let (mut n_events, mut n_origins, mut n_magnitudes) = (0, 0, 0);
    for (path, want) in &files {
        let name = path.rsplit('/').next().unwrap_or(path);
        let ev = Events::from_quakeml(std::fs::read(path).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let events = ev.events().unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = want.as_array().unwrap();
        // ObsPy drops an event whose type is not in QuakeML's list (usgs_event.xml's `quarry`);
        // it is kept here, and otherwise the events are the same, in the same order.
        let kept: Vec<_> = events.iter().filter(|e| want.iter().any(|w| w["resource_id"] == e.resource_id.as_str())).collect();
        for extra in events.iter().filter(|e| !kept.iter().any(|k| k.resource_id == e.resource_id)) {
            println!("{name}: {} (type {:?}) is dropped by ObsPy", extra.resource_id, extra.event_type);
            assert!(extra.event_type.is_some(), "{name}: ObsPy has no event {}", extra.resource_id);
        }
        assert_eq!(kept.len(), want.len(), "{name}: number of events");
        for (e, w) in kept.into_iter().zip(want) {
            let at = format!("{name} {}", e.resource_id);
            assert_eq!(e.resource_id, w["resource_id"].as_str().unwrap(), "{at}");
            // ObsPy drops an event type outside QuakeML's list (with a warning); we keep the text.
            if let Some(t) = opt_str(&w["event_type"]) {
                assert_eq!(e.event_type.as_deref(), Some(t), "{at}: type");
            }
            assert_eq!(e.preferred_origin_id.as_deref(), opt_str(&w["preferred_origin_id"]), "{at}: preferred origin");
            assert_eq!(e.preferred_magnitude_id.as_deref(), opt_str(&w["preferred_magnitude_id"]), "{at}: preferred magnitude");
            let wo = w["origins"].as_array().unwrap();
            assert_eq!(e.origins.len(), wo.len(), "{at}: origins");
            for (o, wo) in e.origins.iter().zip(wo) {
                assert_eq!(o.resource_id, wo["resource_id"].as_str().unwrap(), "{at}");
                assert_eq!(o.time.ns(), wo["time_ns"].as_i64().unwrap(), "{at}: origin time");
                assert_eq!(o.latitude, wo["latitude"].as_f64().unwrap(), "{at}: latitude");
                assert_eq!(o.longitude, wo["longitude"].as_f64().unwrap(), "{at}: longitude");
                assert_eq!(o.depth, wo["depth"].as_f64(), "{at}: depth");
                n_origins += 1;
            }
            let wm = w["magnitudes"].as_array().unwrap();
            assert_eq!(e.magnitudes.len(), wm.len(), "{at}: magnitudes");
            for (m, wm) in e.magnitudes.iter().zip(wm) {
                assert_eq!(m.resource_id, wm["resource_id"].as_str().unwrap(), "{at}");
                assert_eq!(m.mag, wm["mag"].as_f64().unwrap(), "{at}: mag");
                assert_eq!(m.magnitude_type.as_deref(), opt_str(&wm["magnitude_type"]), "{at}: magnitude type");
                assert_eq!(m.origin_id.as_deref(), opt_str(&wm["origin_id"]), "{at}: magnitude origin");
                n_magnitudes += 1;
            }
            n_events += 1;
        }
    }
    println!("{} files, {n_events} events, {n_origins} origins, {n_magnitudes} magnitudes: as ObsPy", files.len());
    assert!(n_origins >= 8 && n_magnitudes >= 5);
}

#[test]
fn a_trace_resolves_to_its_event_in_the_sample_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.h5");
    asdf_tests::sample(&path, 1, 10.0);
    let file = asdf::AsdfFile::open(&path).unwrap();
    let events = file.events().unwrap().expect("the sample has an event");
    let st = file.station("XX.S0000").unwrap().stream("raw_recording").unwrap();
    let event = events.event_of(&st.traces[0]).expect("the trace's event_id names the sample event");
    let origin = event.origin().expect("an origin");
    assert_eq!((origin.latitude, origin.longitude, origin.depth), (10.0, 20.0, Some(10000.0)));
    assert_eq!(origin.time, st.traces[0].stats.starttime + 30.0);
    assert_eq!(event.magnitude().map(|m| m.mag), Some(5.5));
}
