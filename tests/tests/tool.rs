//! The `asdf` tool on real files: info, ls, validate (clean and broken files), diff, and bad input.

use std::process::Command;

use asdf_tests::{bin, python, run, sample, stderr};

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn asdf(args: &[&str]) -> std::process::Output {
    run(0, &bin("asdf"), args, &[])
}

#[test]
fn info_and_ls_describe_a_sample() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.h5");
    sample(&f, 2, 30.0);
    let o = asdf(&["info", f.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((v["stations"].as_u64(), v["traces"].as_u64(), v["events"].as_u64()), (Some(2), Some(6), Some(1)));
    assert_eq!(v["compression"][0], "shuffle+gzip-3+fletcher32");
    assert_eq!(v["format_version"], "1.0.3");
    let o = asdf(&["ls", f.to_str().unwrap()]);
    let out = stdout(&o);
    assert!(out.contains("XX.S0001") && out.contains("HHE,HHN,HHZ") && out.contains("raw_recording"), "{out}");
    let o = asdf(&["ls", f.to_str().unwrap(), "XX.S0000"]);
    let out = stdout(&o);
    assert!(out.contains("i4 3000 samples at 100 Hz") && out.contains("StationXML: yes"), "{out}");
    let o = asdf(&["ls", f.to_str().unwrap(), "XX.NOPE"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("XX.NOPE"), "{}", stderr(&o));
}

#[test]
fn validate_reports_each_broken_rule_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.h5");
    sample(&f, 2, 30.0);
    let o = asdf(&["validate", f.to_str().unwrap()]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    // Break it the ways real files are broken, with h5py.
    let script = r#"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r+") as f:
    g = f["Waveforms/XX.S0000"]
    names = sorted(k for k in g if k != "StationXML")
    del g[names[0]].attrs["starttime"]
    g[names[1]].attrs["event_id"] = "smi:local/event/1"          # variable-length: pyasdf cannot read it
    g[names[2]].attrs["provenance_id"] = np.bytes_("{http://x.org/#}nothing\x00")
    del g["StationXML"]
    g.create_dataset("StationXML", data=np.frombuffer(b"<not xml", dtype=np.int8))
    f["Waveforms"].create_group("bad_station")
"#;
    let o = Command::new(python()).arg("-c").arg(script).arg(&f).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let o = asdf(&["validate", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    for expected in [
        "attribute starttime missing",
        "attribute event_id is a variable-length string",
        "refers to no record in /Provenance",
        "/Waveforms/XX.S0000/StationXML: cannot parse the StationXML",
        "/Waveforms/bad_station: station group name must be NET.STA",
        "warning: /Waveforms/bad_station: no waveforms",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in\n{out}");
    }
    let o = asdf(&["validate", f.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["findings"].as_array().unwrap().len() >= 6);
}

#[test]
fn diff_exit_codes_and_tolerance() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (dir.path().join("a.h5"), dir.path().join("b.h5"), dir.path().join("c.h5"));
    sample(&a, 2, 20.0);
    sample(&b, 2, 20.0);
    sample(&c, 3, 20.0);
    let s = |p: &std::path::Path| p.to_str().unwrap().to_string();
    assert_eq!(asdf(&["diff", &s(&a), &s(&b)]).status.code(), Some(0));
    let o = asdf(&["diff", &s(&a), &s(&c)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("/Waveforms/XX.S0002: only in B"), "{}", stdout(&o));
    // The identity job writes the input's traces back unchanged (their stored chunks reused).
    let same = dir.path().join("same.h5");
    let o = run(2, &bin("identity"), &[&s(&a), &s(&same), "-q", "--tag-map", "raw_recording=raw_recording"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = asdf(&["diff", &s(&a), &s(&same)]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // A processing job's output differs in type and samples.
    let out = dir.path().join("out.h5");
    let o = run(0, &bin("bandpass"), &[&s(&a), &s(&out), "-q", "--tag-map", "raw_recording=raw_recording"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = asdf(&["diff", &s(&a), &s(&out)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("samples differ") && stdout(&o).contains("sample type i4 vs f8"), "{}", stdout(&o));
    let o = asdf(&["diff", &s(&a), "/nonexistent.h5"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/nonexistent.h5"), "{}", stderr(&o));
}

#[test]
fn bad_input_is_exit_2_with_the_file_named() {
    let dir = tempfile::tempdir().unwrap();
    let not_h5 = dir.path().join("text.h5");
    std::fs::write(&not_h5, "hello").unwrap();
    for cmd in ["info", "ls", "validate"] {
        let o = asdf(&[cmd, not_h5.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{cmd}");
        assert!(stderr(&o).contains("text.h5"), "{cmd}: {}", stderr(&o));
    }
    let o = asdf(&["info"]);
    assert_eq!(o.status.code(), Some(2));
}
