//! The job binaries end to end: single process, under `mpiexec` with 1, 2 and 3 ranks, failures,
//! refusals and resume.

use std::path::PathBuf;

use asdf_tests::{bin, h5diff_equal, run, sample, stderr};

#[test]
fn same_output_for_threads_and_1_2_3_ranks() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.h5");
    sample(&input, 5, 120.0);
    let exe = bin("deconvolve");
    let reference = dir.path().join("threads.h5");
    let o = run(0, &exe, &[input.to_str().unwrap(), reference.to_str().unwrap(), "--quiet"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let one_thread = dir.path().join("one_thread.h5");
    let o = run(0, &exe, &[input.to_str().unwrap(), one_thread.to_str().unwrap(), "--threads", "1", "-q"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(h5diff_equal(&reference, &one_thread));
    // A budget smaller than any station: every job runs alone, same result.
    for ranks in [0, 2] {
        let out = dir.path().join(format!("budget{ranks}.h5"));
        let o = run(ranks, &exe, &[input.to_str().unwrap(), out.to_str().unwrap(), "--memory-budget", "1K", "-q"], &[]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(h5diff_equal(&reference, &out), "--memory-budget 1K on {ranks} ranks: output differs");
    }
    for ranks in [1, 2, 3] {
        let out = dir.path().join(format!("mpi{ranks}.h5"));
        let o = run(ranks, &exe, &[input.to_str().unwrap(), out.to_str().unwrap()], &[]);
        assert!(o.status.success(), "mpiexec -n {ranks}: {}", stderr(&o));
        assert!(stderr(&o).contains(&format!("on {ranks} rank(s)")), "{}", stderr(&o));
        assert!(h5diff_equal(&reference, &out), "mpiexec -n {ranks} output differs");
    }
    // The output holds every station's processed traces and the StationXML and events.
    let ds = asdf::AsdfFile::open(&reference).unwrap();
    assert_eq!(ds.station_names().unwrap().len(), 5);
    let st = ds.station("XX.S0003").unwrap();
    assert_eq!(st.tags().unwrap(), ["processed"]);
    assert!(st.inventory().unwrap().is_some());
    assert_eq!(ds.events().unwrap().unwrap().event_ids(), ["smi:local/event/1"]);
    let tr = &st.stream("processed").unwrap()[0];
    assert_eq!(tr.stats.asdf.event_ids, ["smi:local/event/1"]);
    // The input was not touched.
    assert!(asdf::AsdfFile::open(&input).unwrap().station("XX.S0003").unwrap().tags().unwrap() == ["raw_recording"]);
}

#[test]
fn failing_jobs_are_reported_and_the_rest_written() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.h5");
    sample(&input, 4, 20.0);
    for ranks in [0, 2] {
        let out = dir.path().join(format!("out{ranks}.h5"));
        let o = run(ranks, &bin("faulty"), &[input.to_str().unwrap(), out.to_str().unwrap(), "-q"], &[("ASDF_TEST_FAIL", "1")]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("station XX.S0001 tag raw_recording") && err.contains("deliberate panic in S0001"), "{err}");
        assert!(err.contains("station XX.S0002 tag raw_recording") && err.contains("deliberate error in S0002"), "{err}");
        let ds = asdf::AsdfFile::open(&out).unwrap();
        for (sta, has) in [("XX.S0000", true), ("XX.S0001", false), ("XX.S0002", false), ("XX.S0003", true)] {
            let tags = ds.station(sta).unwrap().tags().unwrap();
            assert_eq!(tags.contains(&"processed".to_string()), has, "{sta}");
        }
    }
}

#[test]
fn bad_input_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.h5");
    sample(&input, 1, 10.0);
    let exe = bin("bandpass");
    let exists = dir.path().join("exists.h5");
    std::fs::write(&exists, b"keep me").unwrap();
    let o = run(0, &exe, &[input.to_str().unwrap(), exists.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&exists).unwrap(), b"keep me");

    let out = dir.path().join("out.h5");
    let o = run(2, &exe, &[input.to_str().unwrap(), out.to_str().unwrap(), "--tag-map", "synthetic=processed"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no data matching the tag map") && stderr(&o).contains("raw_recording"), "{}", stderr(&o));
    assert!(!out.exists());

    let missing = dir.path().join("missing.h5");
    let o = run(0, &exe, &[missing.to_str().unwrap(), out.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("missing.h5: no such file"), "{}", stderr(&o));

    let not_hdf5 = dir.path().join("text.h5");
    std::fs::write(&not_hdf5, b"hello").unwrap();
    let o = run(0, &exe, &[not_hdf5.to_str().unwrap(), out.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not an HDF5 file"), "{}", stderr(&o));
    assert!(!out.exists());

    let o = run(0, &exe, &[input.to_str().unwrap(), out.to_str().unwrap(), "--tag-map", "raw_recording=Bad"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("invalid tag \"Bad\""), "{}", stderr(&o));

    let o = run(0, &exe, &[input.to_str().unwrap(), out.to_str().unwrap(), "--memory-budget", "lots"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--memory-budget \"lots\""), "{}", stderr(&o));
    assert!(!out.exists());
}

/// A clean run of `faulty` over six stations, and a run into `out.h5` killed at station S0004:
/// (dir, input, faulty, clean output, interrupted output).
fn killed_run() -> (tempfile::TempDir, PathBuf, PathBuf, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.h5");
    sample(&input, 6, 30.0);
    let exe = bin("faulty");
    let clean = dir.path().join("clean.h5");
    let o = run(0, &exe, &[input.to_str().unwrap(), clean.to_str().unwrap(), "-q"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));

    let out = dir.path().join("out.h5");
    let o = run(0, &exe, &[input.to_str().unwrap(), out.to_str().unwrap(), "-q", "--threads", "1"], &[("ASDF_TEST_ABORT_AT", "S0004")]);
    assert!(!o.status.success());
    (dir, input, exe, clean, out)
}

#[test]
fn killed_run_resumes_to_the_same_result() {
    let (dir, input, exe, clean, out) = killed_run();
    assert!(!out.exists(), "an interrupted run must not leave the output in place");
    let journal = dir.path().join("out.h5.journal");
    assert!(journal.exists());
    // Without --resume the unfinished run is pointed out.
    let o = run(0, &exe, &[input.to_str().unwrap(), out.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--resume"), "{}", stderr(&o));
    let o = run(2, &exe, &[input.to_str().unwrap(), out.to_str().unwrap(), "--resume"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("from the journal"), "{}", stderr(&o));
    assert!(!journal.exists());
    assert!(h5diff_equal(&clean, &out));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).filter(|n| n.to_string_lossy().contains("out.h5.")).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn interrupted_resume_and_damaged_chunks_still_resume_to_the_same_result() {
    let (dir, input, exe, clean, out) = killed_run();
    let p = |suffix: &str| dir.path().join(format!("out.h5{suffix}"));
    // Some bytes of the interrupted output go bad: the jobs whose chunks they hit run again.
    let mut bytes = std::fs::read(p(".partial")).unwrap();
    for i in (4096..bytes.len()).step_by(65_536) {
        bytes[i] ^= 0x5a;
    }
    std::fs::write(p(".partial"), &bytes).unwrap();
    // As a resume killed half-way leaves things: the sources under .prev, half-built copies.
    std::fs::rename(p(".partial"), p(".partial.prev")).unwrap();
    std::fs::rename(p(".journal"), p(".journal.prev")).unwrap();
    std::fs::write(p(".partial"), b"half-built").unwrap();
    std::fs::write(p(".journal"), b"half-built").unwrap();
    let o = run(0, &exe, &[input.to_str().unwrap(), out.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(2), "an unfinished resume is pointed out too");
    assert!(stderr(&o).contains("out.h5.journal.prev"), "{}", stderr(&o));
    let o = run(0, &exe, &[input.to_str().unwrap(), out.to_str().unwrap(), "--resume"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(h5diff_equal(&clean, &out));
    for suffix in [".partial", ".journal", ".partial.prev", ".journal.prev"] {
        assert!(!p(suffix).exists(), "{suffix} left behind");
    }
}

#[test]
fn compare_gathers_results_with_and_without_mpi() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.h5"), dir.path().join("b.h5"));
    sample(&a, 3, 10.0);
    let opts = asdf::testing::SampleOptions { stations: 4, seconds: 10.0, seed: 9, ..Default::default() };
    asdf::testing::write_sample(&b, &opts).unwrap();
    let exe = bin("misfit");
    let mut results = Vec::new();
    for ranks in [0, 2, 3] {
        let out = dir.path().join(format!("r{ranks}.json"));
        let o = run(ranks, &exe, &[a.to_str().unwrap(), b.to_str().unwrap(), "--output", out.to_str().unwrap(), "-q"], &[]);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        assert_eq!(v["results"].as_object().unwrap().len(), 3);
        assert_eq!(v["only_in_second"], serde_json::json!(["XX.S0003"]));
        results.push(v["results"].clone());
    }
    assert!(results.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn parallel_output_equals_the_default_writer_on_1_2_3_ranks() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.h5");
    sample(&input, 5, 60.0);
    let exe = bin("deconvolve");
    let reference = dir.path().join("threads.h5");
    let o = run(0, &exe, &[input.to_str().unwrap(), reference.to_str().unwrap(), "-q"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    for ranks in [1, 2, 3] {
        let out = dir.path().join(format!("parallel{ranks}.h5"));
        let o = run(ranks, &exe, &[input.to_str().unwrap(), out.to_str().unwrap(), "--parallel-output"], &[]);
        assert!(o.status.success(), "mpiexec -n {ranks} --parallel-output: {}", stderr(&o));
        assert!(stderr(&o).contains(&format!("on {ranks} rank(s)")), "{}", stderr(&o));
        assert!(h5diff_equal(&reference, &out), "--parallel-output on {ranks} ranks: output differs");
        assert!(!dir.path().join(format!("parallel{ranks}.h5.partial")).exists());
    }
    // Refused: without an MPI launch, and with --resume (there is no journal).
    let out = dir.path().join("refused.h5");
    let o = run(0, &exe, &[input.to_str().unwrap(), out.to_str().unwrap(), "--parallel-output"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--parallel-output needs an MPI run"), "{}", stderr(&o));
    let o = run(2, &exe, &[input.to_str().unwrap(), out.to_str().unwrap(), "--parallel-output", "--resume"], &[]);
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("cannot --resume"), "{}", stderr(&o));
    assert!(!out.exists());
}


/// The library makes no process-wide settings: `process` called twice in one program, with
/// different thread counts, gives the same output each time, and a panicking function is that
/// station's failure both times (no panic hook needed).
#[test]
fn the_library_called_twice_in_one_program() {
    use asdf::engine::{process, ProcessOptions};
    use asdf::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.h5");
    sample(&input, 3, 20.0);
    let job = |mut st: Stream, _inv: Option<Inventory>| -> Result<Option<Stream>, SignalError> {
        if st.traces[0].stats.station == "S0001" {
            panic!("no good station");
        }
        st.detrend(Detrend::Linear);
        Ok(Some(st))
    };
    let mut outputs = Vec::new();
    for threads in [1, 3] {
        let out = dir.path().join(format!("out{threads}.h5"));
        let mut opts = ProcessOptions::new([("raw_recording", "processed")]);
        opts.threads = Some(threads);
        opts.quiet = true;
        let s = process(&input, &out, &opts, job).unwrap();
        assert_eq!((s.jobs, s.written, s.threads), (3, 2, threads));
        assert_eq!(s.failed.len(), 1);
        assert!(s.failed[0].message.contains("panicked: no good station"), "{}", s.failed[0].message);
        outputs.push(out);
    }
    assert!(h5diff_equal(&outputs[0], &outputs[1]));
}
