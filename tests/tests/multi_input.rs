//! Multi-input jobs (`#[station_processor(inputs = 2)]`) end to end with the `faulty_pair` test
//! binary: the same output and records on threads and 1-3 ranks, stations missing from an input
//! listed, failures isolated, conflicting outputs refused per job, refusals, and resume.

use std::path::{Path, PathBuf};

use asdf_tests::{bin, h5diff_equal, run, sample, stderr};
use serde_json::Value;

/// Two inputs: six stations, and five of the same (seed 2).
fn inputs(dir: &Path) -> (PathBuf, PathBuf) {
    let (a, b) = (dir.join("a.h5"), dir.join("b.h5"));
    sample(&a, 6, 30.0);
    let opts = asdf::testing::SampleOptions { stations: 5, seconds: 20.0, seed: 2, ..Default::default() };
    asdf::testing::write_sample(&b, &opts).unwrap();
    (a, b)
}

fn records(json: &Path) -> Value {
    let v: Value = serde_json::from_slice(&std::fs::read(json).unwrap()).unwrap();
    v["records"].clone()
}

fn args<'a>(a: &'a Path, b: &'a Path, out: &'a Path) -> Vec<&'a str> {
    vec![a.to_str().unwrap(), b.to_str().unwrap(), out.to_str().unwrap()]
}

#[test]
fn same_output_and_records_on_threads_and_1_2_3_ranks() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = inputs(dir.path());
    let exe = bin("faulty_pair");
    let reference = dir.path().join("threads.h5");
    let o = run(0, &exe, &args(&a, &b, &reference), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("skipped XX.S0005: not in {}", b.display())), "{}", stderr(&o));
    let expected = records(&dir.path().join("threads.json"));
    assert_eq!(expected.as_object().unwrap().len(), 5);
    assert_eq!(expected["XX.S0004"], serde_json::json!([3, 3]));
    for ranks in [1, 2, 3] {
        let out = dir.path().join(format!("mpi{ranks}.h5"));
        let o = run(ranks, &exe, &args(&a, &b, &out), &[]);
        assert!(o.status.success(), "mpiexec -n {ranks}: {}", stderr(&o));
        assert!(h5diff_equal(&reference, &out), "mpiexec -n {ranks}: output differs");
        assert_eq!(records(&out.with_extension("json")), expected, "mpiexec -n {ranks}: records differ");
    }
    // What was written: waveforms, the int32 array with its parameter, StationXML and the event.
    let ds = asdf::AsdfFile::open(&reference).unwrap();
    assert_eq!(ds.station_names().unwrap().len(), 5);
    let st = ds.station("XX.S0002").unwrap();
    assert_eq!(st.tags().unwrap(), ["first_demeaned"]);
    assert_eq!(st.stream("first_demeaned").unwrap().len(), 3);
    assert!(st.inventory().unwrap().is_some());
    assert!(ds.events().unwrap().is_some());
    let counts = ds.auxiliary_data("TraceCounts/XX_S0002").unwrap();
    assert_eq!((counts.data, counts.shape), (vec![3.0, 3.0], vec![2]));
    assert_eq!(counts.parameters, [("station".to_string(), asdf::format::Parameter::Str("XX.S0002".into()))]);
    // The inputs were not touched.
    assert_eq!(asdf::AsdfFile::open(&a).unwrap().station("XX.S0002").unwrap().tags().unwrap(), ["raw_recording"]);
}

#[test]
fn failures_and_conflicts_fail_their_station_alone() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = inputs(dir.path());
    let exe = bin("faulty_pair");
    for ranks in [0, 2] {
        let out = dir.path().join(format!("failing{ranks}.h5"));
        let o = run(ranks, &exe, &args(&a, &b, &out), &[("ASDF_TEST_FAIL", "1")]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("station XX.S0001") && err.contains("deliberate panic"), "{err}");
        assert!(err.contains("station XX.S0002") && err.contains("deliberate error"), "{err}");
        assert!(err.contains("(2 written, 1 empty)"), "{err}");
        let ds = asdf::AsdfFile::open(&out).unwrap();
        assert!(ds.has_auxiliary_data("TraceCounts/XX_S0000") && !ds.has_auxiliary_data("TraceCounts/XX_S0001"));
        let rec = records(&out.with_extension("json"));
        assert_eq!(rec.as_object().unwrap().keys().collect::<Vec<_>>(), ["XX.S0000", "XX.S0004"]);
    }
    // Every station writes the same auxiliary path: the first written wins, the others fail
    // with the path named, and nothing of theirs is written.
    let out = dir.path().join("conflict.h5");
    let o = run(0, &exe, &args(&a, &b, &out), &[("ASDF_TEST_CONFLICT", "1")]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stderr(&o).matches("auxiliary data TraceCounts/shared is written twice").count(), 8, "{}", stderr(&o));
    let ds = asdf::AsdfFile::open(&out).unwrap();
    let with_waveforms = ds.stations().unwrap().iter().filter(|s| !s.tags().unwrap().is_empty()).count();
    assert_eq!(with_waveforms, 1, "only the job that wrote the path wrote its waveforms");
}

#[test]
fn refusals_name_the_problem_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = inputs(dir.path());
    let exe = bin("faulty_pair");
    let out = dir.path().join("out.h5");
    // The records file exists.
    std::fs::write(dir.path().join("out.json"), b"{}").unwrap();
    let o = run(0, &exe, &args(&a, &b, &out), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("out.json: the records file exists"), "{}", stderr(&o));
    std::fs::remove_file(dir.path().join("out.json")).unwrap();
    // No station in common.
    let other = dir.path().join("other.h5");
    let mut w = asdf::AsdfFile::create(&other).unwrap();
    w.add_waveforms(&asdf::testing::station_stream("YY", "Z", &Default::default(), 1), "raw_recording").unwrap();
    w.close().unwrap();
    for ranks in [0, 2] {
        let o = run(ranks, &exe, &args(&a, &other, &out), &[]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("no station is in every input"), "{}", stderr(&o));
    }
    // A missing input.
    let o = run(0, &exe, &args(&a, &dir.path().join("missing.h5"), &out), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("missing.h5"), "{}", stderr(&o));
    assert!(!out.exists() && !out.with_extension("json").exists());
}

#[test]
fn killed_run_resumes_to_the_same_output_and_records() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = inputs(dir.path());
    let exe = bin("faulty_pair");
    let clean = dir.path().join("clean.h5");
    let o = run(0, &exe, &args(&a, &b, &clean), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("out.h5");
    let mut killed = args(&a, &b, &out);
    killed.extend(["--threads", "1"]);
    let o = run(0, &exe, &killed, &[("ASDF_TEST_ABORT_AT", "S0003")]);
    assert!(!o.status.success());
    assert!(!out.exists() && !out.with_extension("json").exists(), "a killed run leaves no output as if complete");
    let o = run(0, &exe, &args(&a, &b, &out), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--resume"), "{}", stderr(&o));
    let mut resume = args(&a, &b, &out);
    resume.push("--resume");
    let o = run(2, &exe, &resume, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("from the journal"), "{}", stderr(&o));
    assert!(h5diff_equal(&clean, &out), "the resumed output differs from a clean run's");
    assert_eq!(records(&out.with_extension("json")), records(&clean.with_extension("json")));
}
