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

fn check_adjoint(args: &[&str]) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/check_adjoint.py");
    let o = Command::new(python()).arg(script).args(args).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// The tomography pipeline: `asdf sample --synthetics`, `preprocess` (onto the synthetics'
/// grid, rotated to R/T), then `adjoint` over both files on threads and 1-3 ranks: identical
/// outputs and records, adjoint sources laid out as SPECFEM reads them (checked with pyasdf).
#[test]
fn preprocess_then_adjoint_give_sources_specfem_reads() {
    let dir = tempfile::tempdir().unwrap();
    let (obs, syn) = (dir.path().join("obs.h5"), dir.path().join("syn.h5"));
    let o = run(0, &bin("asdf"), &["sample", obs.to_str().unwrap(), "--synthetics", syn.to_str().unwrap(), "--stations", "4", "--seconds", "300"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let opts = asdf::testing::SampleOptions { stations: 4, seconds: 300.0, ..Default::default() };
    let (start, nstep) = asdf::testing::synthetic_grid(&opts).unwrap();

    let pre = run_both("preprocess", &obs, dir.path());
    let ds = asdf::AsdfFile::open(&pre).unwrap();
    for s in ds.stations().unwrap() {
        let st = s.stream("preprocessed").unwrap();
        let channels: Vec<&str> = st.iter().map(|t| t.stats.channel.as_str()).collect();
        assert_eq!(channels, ["HHR", "HHT", "HHZ"], "{}", s.name());
        assert!(st.iter().all(|t| t.stats.starttime == start && t.npts() == nstep && t.stats.sampling_rate == 10.0));
    }

    let reference = dir.path().join("adjoint.h5");
    let o = run(0, &bin("adjoint"), &[pre.to_str().unwrap(), syn.to_str().unwrap(), reference.to_str().unwrap(), "-q"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let records: Value = serde_json::from_slice(&std::fs::read(dir.path().join("adjoint.json")).unwrap()).unwrap();
    for ranks in [1, 2, 3] {
        let out = dir.path().join(format!("adjoint{ranks}.h5"));
        let o = run(ranks, &bin("adjoint"), &[pre.to_str().unwrap(), syn.to_str().unwrap(), out.to_str().unwrap(), "-q"], &[]);
        assert!(o.status.success(), "{ranks} ranks: {}", stderr(&o));
        assert!(h5diff_equal(&reference, &out), "{ranks} ranks: output differs");
        let r: Value = serde_json::from_slice(&std::fs::read(out.with_extension("json")).unwrap()).unwrap();
        assert_eq!(r["records"], records["records"], "{ranks} ranks: records differ");
    }
    let stations = records["records"].as_object().unwrap();
    assert_eq!(stations.len(), 4);
    assert!(stations.values().all(|r| r["misfit"].as_f64().unwrap() > 0.0 && r["windows"].as_array().unwrap().len() == 3));
    let layout = check_adjoint(&["layout", reference.to_str().unwrap(), &nstep.to_string()]);
    assert_eq!((layout["stations"].as_u64(), layout["sources"].as_u64()), (Some(4), Some(12)));
}

/// The L2 misfit and adjoint source against NumPy on inputs already on one grid: misfits to
/// 1e-10, the stored float32 sources equal to NumPy's rounded to float32.
#[test]
fn adjoint_matches_numpy() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("syn_a.h5"), dir.path().join("syn_b.h5"));
    let opts = asdf::testing::SampleOptions { stations: 3, seconds: 200.0, ..Default::default() };
    asdf::testing::write_synthetics(&a, &opts).unwrap();
    asdf::testing::write_synthetics(&b, &asdf::testing::SampleOptions { seed: 5, ..opts }).unwrap();
    let out = dir.path().join("adj.h5");
    let o = run(0, &bin("adjoint"), &[b.to_str().unwrap(), a.to_str().unwrap(), out.to_str().unwrap(), "-q"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json = dir.path().join("adj.json");
    let r = check_adjoint(&["formula", b.to_str().unwrap(), a.to_str().unwrap(), out.to_str().unwrap(), json.to_str().unwrap()]);
    assert_eq!(r["components"], 9);
    assert!(r["misfit_relative"].as_f64().unwrap() <= 1e-10, "{r}");
    assert!(r["source_relative_to_peak"].as_f64().unwrap() <= 1e-7, "{r}");
}
