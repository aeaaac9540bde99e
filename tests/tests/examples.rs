//! Each example job end to end: its binary single-process (threads) and under `mpiexec -n 2`
//! on a generated data set; both outputs identical (h5diff), checked with the library and with
//! pyasdf.

use std::path::Path;
use std::process::Command;

use asdf_tests::{bin, h5diff_equal, python, run, sample, stderr};
use serde_json::Value;

fn pyasdf_summary(path: &Path) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/check_interop.py");
    let o = Command::new(python()).arg(script).arg("summary").arg(path).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// Runs `job` on threads and on 2 ranks; returns the threads output after checking both agree.
fn run_both(job: &str, input: &Path, dir: &Path) -> std::path::PathBuf {
    let (threads, ranks) = (dir.join(format!("{job}_threads.h5")), dir.join(format!("{job}_mpi.h5")));
    for (n, out) in [(0, &threads), (2, &ranks)] {
        let o = run(n, &bin(job), &[input.to_str().unwrap(), out.to_str().unwrap(), "-q"], &[]);
        assert!(o.status.success(), "{job} with {n} ranks: {}", stderr(&o));
    }
    assert!(h5diff_equal(&threads, &ranks), "{job}: threads and 2 ranks differ");
    threads
}

#[test]
fn deconvolve_and_bandpass_write_float64_per_channel() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.h5");
    sample(&input, 4, 120.0);
    for (job, tag) in [("deconvolve", "processed"), ("bandpass", "bandpassed")] {
        let out = run_both(job, &input, dir.path());
        // The library's view.
        let ds = asdf::AsdfFile::open(&out).unwrap();
        assert_eq!(ds.station_names().unwrap().len(), 4, "{job}");
        for s in ds.stations().unwrap() {
            let st = s.stream(tag).unwrap();
            assert_eq!(st.len(), 3, "{job} {}", s.name());
            assert!(st.iter().all(|t| t.dtype() == "f8" && t.npts() == 12_000 && t.stats.asdf.event_ids == ["smi:local/event/1"]));
            assert!(s.has_stationxml().unwrap(), "StationXML carried over");
        }
        assert_eq!(ds.events().unwrap().map(|e| e.len()), Some(1), "QuakeML carried over");
        // pyasdf's view agrees.
        let py = pyasdf_summary(&out);
        let traces = py["tags"][tag].as_array().unwrap();
        assert_eq!(traces.len(), 12, "{job}");
        assert!(traces.iter().all(|t| t["dtype"] == "f8" && t["npts"] == 12_000 && t["rate"] == 100.0));
    }
}

#[test]
fn decimate_z_keeps_the_vertical_at_one_hertz_with_gzip_6() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.h5");
    sample(&input, 3, 300.0);
    let out = run_both("decimate_z", &input, dir.path());
    let ds = asdf::AsdfFile::open(&out).unwrap();
    for s in ds.stations().unwrap() {
        let names = s.names_for_tag("vertical_1hz").unwrap();
        assert_eq!(names.len(), 1);
        let h = s.header(&names[0]).unwrap();
        assert_eq!((h.name.channel.as_str(), h.sampling_rate, h.npts), ("HHZ", 1.0, 300));
        assert_eq!(h.filters, "shuffle+gzip-6+fletcher32");
    }
    let py = pyasdf_summary(&out);
    let traces = py["tags"]["vertical_1hz"].as_array().unwrap();
    assert_eq!(traces.len(), 3);
    assert!(traces.iter().all(|t| t["id"].as_str().unwrap().ends_with("HHZ") && t["rate"] == 1.0 && t["npts"] == 300));
}

#[test]
fn misfit_gathers_the_same_json_on_threads_and_ranks() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.h5"), dir.path().join("b.h5"));
    sample(&a, 3, 60.0);
    let opts = asdf::testing::SampleOptions { stations: 4, seconds: 60.0, seed: 7, ..Default::default() };
    asdf::testing::write_sample(&b, &opts).unwrap();
    let mut results = Vec::new();
    for n in [0, 2] {
        let json = dir.path().join(format!("misfit_{n}.json"));
        let o = run(n, &bin("misfit"), &[a.to_str().unwrap(), b.to_str().unwrap(), "--output", json.to_str().unwrap(), "-q"], &[]);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
        results.push(v);
    }
    assert_eq!(results[0]["results"], results[1]["results"]);
    let r = &results[0];
    assert_eq!(r["results"].as_object().unwrap().len(), 3);
    assert_eq!(r["only_in_second"], serde_json::json!(["XX.S0003"]));
    let m = &r["results"]["XX.S0000"]["raw_recording/XX.S0000..HHZ"];
    assert!(m["relative_l2"].as_f64().unwrap() > 0.0 && m["samples"] == 6000, "{m}");
}

/// A three-argument station function: `rotate_rt` gets the event and the station's coordinates
/// from the engine and rotates with the back azimuth `gps2dist_azimuth` gives; same output on
/// threads and 2 ranks.
#[test]
fn rotate_rt_uses_the_event_and_the_station_coordinates() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.h5");
    sample(&input, 3, 60.0);
    let out = run_both("rotate_rt", &input, dir.path());
    let (src, ds) = (asdf::AsdfFile::open(&input).unwrap(), asdf::AsdfFile::open(&out).unwrap());
    let events = src.events().unwrap().unwrap();
    let origin = events.events().unwrap()[0].origin().unwrap().clone();
    for name in src.station_names().unwrap() {
        let inv = src.station(&name).unwrap().inventory().unwrap().unwrap();
        let c = inv.coordinates().unwrap();
        let (_, _, baz) = asdf::geodetics::gps2dist_azimuth(origin.latitude, origin.longitude, c.latitude, c.longitude).unwrap();
        // The same rotation done here on the input gives the job's output.
        let mut st = src.station(&name).unwrap().stream("raw_recording").unwrap();
        st.detrend(asdf::signal::Detrend::Demean).taper(0.05, asdf::signal::Taper::Hann);
        st.rotate_ne_rt(baz).unwrap();
        let got = ds.station(&name).unwrap().stream("rotated_rt").unwrap();
        let channels: Vec<&str> = got.iter().map(|t| t.stats.channel.as_str()).collect();
        assert_eq!(channels, ["HHR", "HHT", "HHZ"], "{name}");
        for t in got.iter() {
            let want = st.iter().find(|w| w.id() == t.id()).unwrap();
            assert_eq!(t.data().to_f64(), want.data().to_f64(), "{name} {}", t.id());
        }
    }
}
