//! `asdf import` against ObsPy + pyasdf: ObsPy's own miniSEED test files and an SDS archive
//! ObsPy writes (six encodings, three record lengths, a gap, an overlap, a rate change), with
//! StationXML and QuakeML; selection; damaged, foreign and existing files; `--append`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use asdf_tests::{bin, python, run, stderr};
use serde_json::Value;

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("python/import_reference.py")
}

fn reference(args: &[&str]) -> Value {
    let o = Command::new(python()).arg(script()).args(args).output().unwrap();
    assert!(o.status.success(), "import_reference.py {args:?}: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

fn import(args: &[&str]) -> Output {
    run(0, &bin("asdf"), &[&["import"], args].concat(), &[])
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// Files of ObsPy's corpus where we knowingly differ from ObsPy, and why.
const KNOWN_DEVIATIONS: &[(&str, &str)] = &[
    ("three_records_zero_data_in_middle.mseed", "a record without samples is left out; ObsPy makes it an empty float64 trace (which pyasdf stores as an empty dataset) and splits the trace there"),
    ("mseed_data_offset_0.mseed", "the same: its record without samples sits between two continuous ones, which we join"),
    ("microsecond_wrap.mseed", "Blockette 1001 carries the time into the next second: libmseed 3 refuses the record (reported, exit 1), ObsPy's libmseed 2 adds it"),
    ("infinite-loop.mseed", "one record does not decode: ObsPy refuses the whole file, we import the records that decode and report the file (exit 1)"),
    ("gecko_non_ascii_header.ms", "a non-ASCII byte in the location code: libmseed 3 makes the code empty, ObsPy keeps the ASCII letter after it"),
];

#[test]
fn obspy_miniseed_test_files_import_as_obspy_reads_them() {
    let corpus = PathBuf::from(String::from_utf8(Command::new(python()).arg(script()).arg("corpus-dir").output().unwrap().stdout).unwrap().trim());
    let files = files_under(&corpus);
    assert!(files.len() > 50, "ObsPy's miniSEED test files not found in {}", corpus.display());
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<&str> = files.iter().map(|p| p.to_str().unwrap()).collect();
    let py_dir = dir.path().join("pyasdf");
    std::fs::create_dir_all(&py_dir).unwrap();
    let obspy = reference(&[&["via-pyasdf", py_dir.to_str().unwrap(), "MSEED"], names.as_slice()].concat());

    let mut outputs = BTreeMap::new();
    let mut failures = BTreeMap::new();
    for (i, f) in names.iter().enumerate() {
        let out = dir.path().join(format!("{i}.h5"));
        let o = import(&[out.to_str().unwrap(), f, "-q"]);
        assert!(asdf_tests::ended_cleanly(&o), "{f}: {}", stderr(&o));
        if out.exists() {
            outputs.insert(f.to_string(), out);
        } else {
            failures.insert(f.to_string(), stderr(&o));
        }
    }
    let out_names: Vec<&str> = outputs.values().map(|p| p.to_str().unwrap()).collect();
    let ours = reference(&[&["ours", "raw_recording"], out_names.as_slice()].concat());

    let (mut same, mut both_refuse, mut deviations) = (0, 0, Vec::new());
    for f in &names {
        let theirs = &obspy[*f];
        let mine = outputs.get(*f).map(|p| &ours[p.to_str().unwrap()]);
        let verdict = match (theirs.get("traces"), mine) {
            (Some(t), Some(m)) if m.get("traces") == Some(t) && m.get("validate") == theirs.get("validate") => Ok(()),
            (Some(t), Some(m)) => Err(format!("ObsPy {t}\nours {m}")),
            (Some(t), None) if t.as_array().is_some_and(Vec::is_empty) => Ok(()),
            (Some(t), None) => Err(format!("ObsPy read {} traces; we refused: {}", t.as_array().map_or(0, Vec::len), failures[*f])),
            (None, None) => {
                both_refuse += 1;
                continue;
            }
            (None, Some(m)) => Err(format!("ObsPy refused ({}); we read {m}", theirs["error"])),
        };
        match verdict {
            Ok(()) => same += 1,
            Err(why) => {
                let name = Path::new(f).file_name().unwrap().to_str().unwrap();
                if !KNOWN_DEVIATIONS.iter().any(|(k, _)| *k == name) {
                    deviations.push(format!("{name}: {why}"));
                }
            }
        }
    }
    eprintln!("{same} files identical to ObsPy, {both_refuse} refused by both, of {}", names.len());
    assert!(deviations.is_empty(), "{} files differ from ObsPy:\n{}", deviations.len(), deviations.join("\n\n"));
    assert!(same >= 40, "only {same} files identical");
}

/// An SDS tree written by ObsPy, imported whole with its metadata.
#[test]
fn an_sds_archive_imports_as_obspy_reads_it_with_metadata_and_event() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("sds");
    std::fs::create_dir_all(&root).unwrap();
    reference(&["make-archive", root.to_str().unwrap()]);
    let data: Vec<PathBuf> = files_under(&root).into_iter().filter(|p| p.extension().is_none_or(|e| e != "xml")).collect();
    let before: Vec<Vec<u8>> = data.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let r = |p: &str| root.join(p).to_str().unwrap().to_string();
    let out = dir.path().join("out.h5");
    let o = import(&[out.to_str().unwrap(), "--sds", &r(""), "--stationxml", &r("a.xml"), "--stationxml", &r("b.xml"), "--events", &r("events.xml"), "--event-id", "smi:local/event/import"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stderr(&o);
    assert!(text.contains("3 stations") && text.contains("9 traces"), "{text}");

    let names: Vec<&str> = data.iter().map(|p| p.to_str().unwrap()).collect();
    let expected = reference(&[&["obspy-joined"], names.as_slice()].concat());
    let ours = reference(&["ours", "raw_recording", out.to_str().unwrap()]);
    let ours = &ours[out.to_str().unwrap()];
    assert_eq!(ours["traces"], expected["traces"]);
    assert_eq!(ours["traces"].as_array().unwrap().len(), 9);
    assert!(ours["validate"].as_str().unwrap().contains("3 good station(s)"), "{}", ours["validate"]);
    assert_eq!(ours["stationxml_channels"], serde_json::json!({"XX.S0": 2, "XX.S1": 2, "XX.S2": 2}));
    assert_eq!(ours["events"], 1);
    // StationXML as given: a file of one station byte for byte, a file of two cut in two (every
    // line of each part is a line of the file, the other station's lines left out).
    let exact = "import h5py, sys\nh = h5py.File(sys.argv[1])\nd = lambda s: bytes(h[f'Waveforms/{s}/StationXML'][()])\na = open(sys.argv[2], 'rb').read()\nb = open(sys.argv[3], 'rb').read()\nlines = set(a.splitlines())\nprint(d('XX.S2') == b, all(l in lines for l in d('XX.S0').splitlines()), b'S1' not in d('XX.S0'), b'S0' not in d('XX.S1'))";
    let o = Command::new(python()).arg("-c").arg(exact).arg(&out).arg(r("a.xml")).arg(r("b.xml")).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "True True True True", "{}", stderr(&o));
    assert!(ours["event_ids"].as_object().unwrap().values().all(|v| v == &serde_json::json!(["smi:local/event/import"])));
    // The inputs are untouched.
    assert!(data.iter().zip(&before).all(|(p, b)| std::fs::read(p).unwrap() == *b));

    // A selection: one channel, one hour, trimmed to the nearest samples.
    let sel = dir.path().join("sel.h5");
    let o = import(&[sel.to_str().unwrap(), "--sds", &r(""), "--stations", "XX.S0", "--channels", "HH?", "--start", "2020-01-01T06:00:00", "--end", "2020-01-01T07:00:00", "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let got = reference(&["ours", "raw_recording", sel.to_str().unwrap()]);
    let traces = got[sel.to_str().unwrap()]["traces"].as_array().unwrap().clone();
    assert_eq!(traces.len(), 2);
    for t in &traces {
        assert_eq!(t["npts"], 72_001);
        assert_eq!(t["start_ns"], 1_577_858_400_000_000_000i64);
    }

    // The existing output is refused; --append adds another tag to it, keeping what it holds.
    let o = import(&[out.to_str().unwrap(), "--sds", &r(""), "-q"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    let o = import(&[out.to_str().unwrap(), "--sds", &r(""), "--stations", "XX.S2", "--tag", "copy", "--append", "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let both = reference(&["ours", "raw_recording", out.to_str().unwrap()]);
    assert_eq!(both[out.to_str().unwrap()]["traces"], expected["traces"]);
    let copy = reference(&["ours", "copy", out.to_str().unwrap()]);
    assert_eq!(copy[out.to_str().unwrap()]["traces"].as_array().unwrap().len(), 2);
    assert!(!dir.path().join("out.h5.partial").exists());
}

#[test]
fn damaged_foreign_and_missing_inputs_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("sds");
    std::fs::create_dir_all(&root).unwrap();
    reference(&["make-archive", root.to_str().unwrap()]);
    let day = root.join("2020/XX/S2/HHZ.D/XX.S2..HHZ.D.2020.001");
    let mut bytes = std::fs::read(&day).unwrap();
    let reclen = 4096;
    // Record 3's header overwritten: ObsPy stops reading there, and so do we.
    bytes[3 * reclen..3 * reclen + 48].fill(0x55);
    let damaged = dir.path().join("damaged.mseed");
    std::fs::write(&damaged, &bytes).unwrap();
    let out = dir.path().join("out.h5");
    let o = import(&[out.to_str().unwrap(), damaged.to_str().unwrap(), "-q"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = stderr(&o);
    assert!(text.contains("damaged.mseed: record at byte 12288"), "{text}");
    // The records before the damage are there, as ObsPy reads them.
    let theirs = reference(&["obspy", damaged.to_str().unwrap()]);
    let ours = reference(&["ours", "raw_recording", out.to_str().unwrap()]);
    assert_eq!(ours[out.to_str().unwrap()]["traces"], theirs[damaged.to_str().unwrap()]["traces"]);

    // A file that is not miniSEED: named, it is an error; found in a directory, passed over.
    let foreign = dir.path().join("notes.txt");
    std::fs::write(&foreign, "not a seismogram, but long enough to look at as a record header").unwrap();
    let out2 = dir.path().join("out2.h5");
    let o = import(&[out2.to_str().unwrap(), foreign.to_str().unwrap(), day.to_str().unwrap(), "-q"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("notes.txt: record at byte 0"), "{}", stderr(&o));
    let walked = dir.path().join("walked");
    std::fs::create_dir_all(&walked).unwrap();
    std::fs::copy(&foreign, walked.join("notes.txt")).unwrap();
    std::fs::copy(&day, walked.join("day.mseed")).unwrap();
    let out3 = dir.path().join("out3.h5");
    let o = import(&[out3.to_str().unwrap(), walked.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("notes.txt: neither miniSEED nor SAC, passed over"), "{}", stderr(&o));

    // Missing input, unknown event, bad StationXML: refused before anything is written.
    let out4 = dir.path().join("out4.h5");
    let o = import(&[out4.to_str().unwrap(), dir.path().join("nothing.mseed").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nothing.mseed: no such file or directory"), "{}", stderr(&o));
    let o = import(&[out4.to_str().unwrap(), day.to_str().unwrap(), "--events", root.join("events.xml").to_str().unwrap(), "--event-id", "smi:other"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--event-id smi:other: no such event"), "{}", stderr(&o));
    let o = import(&[out4.to_str().unwrap(), day.to_str().unwrap(), "--stationxml", foreign.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("notes.txt: not valid StationXML"), "{}", stderr(&o));
    assert!(!out4.exists());
}

/// An import killed at several moments continues with `--resume` to the same file as an
/// uninterrupted one; an output in place is always whole.
#[test]
fn a_killed_import_resumes_to_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("sds");
    std::fs::create_dir_all(&root).unwrap();
    reference(&["make-archive", root.to_str().unwrap()]);
    let root = root.to_str().unwrap();
    let reference_out = dir.path().join("ref.h5");
    assert!(import(&[reference_out.to_str().unwrap(), "--sds", root, "-q"]).status.success());
    for (case, delay_ms) in [30u64, 150, 300, 600].into_iter().enumerate() {
        let out = dir.path().join(format!("out{case}.h5"));
        let mut child = Command::new(bin("asdf"))
            .args(["import", out.to_str().unwrap(), "--sds", root, "-q", "--threads", "1"])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let o = child.wait_with_output().unwrap();
        if out.exists() {
            assert!(asdf_tests::h5diff_equal(&reference_out, &out), "killed at {delay_ms} ms: an output in place differs");
            continue;
        }
        assert!(!o.status.success());
        // Killed after its journal was made (not during the scan), a new run without --resume
        // is refused.
        if dir.path().join(format!("out{case}.h5.journal")).exists() {
            let o = import(&[out.to_str().unwrap(), "--sds", root, "-q"]);
            assert_eq!(o.status.code(), Some(2), "a second run without --resume is refused: {}", stderr(&o));
            assert!(stderr(&o).contains("--resume"), "{}", stderr(&o));
        }
        let o = import(&[out.to_str().unwrap(), "--sds", root, "--resume", "-q"]);
        assert!(o.status.success(), "resume after a kill at {delay_ms} ms: {}", stderr(&o));
        assert!(asdf_tests::h5diff_equal(&reference_out, &out), "killed at {delay_ms} ms: the resumed output differs");
    }
}

/// import -> export -> import gives the same traces, and ObsPy reads the exported files as the
/// traces they came from.
#[test]
fn import_export_import_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("sds");
    std::fs::create_dir_all(&root).unwrap();
    reference(&["make-archive", root.to_str().unwrap()]);
    let first = dir.path().join("first.h5");
    assert!(import(&[first.to_str().unwrap(), "--sds", root.to_str().unwrap(), "-q"]).status.success());
    let exported = dir.path().join("exported");
    let o = run(0, &bin("asdf"), &["export", first.to_str().unwrap(), exported.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let files = files_under(&exported);
    assert_eq!(files.len(), 3, "one file per station and tag: {files:?}");
    assert!(files.iter().all(|f| f.file_name().unwrap().to_str().unwrap().ends_with(".raw_recording.mseed")));
    // Refused the second time: nothing is overwritten.
    let o = run(0, &bin("asdf"), &["export", first.to_str().unwrap(), exported.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));

    let second = dir.path().join("second.h5");
    assert!(import(&[second.to_str().unwrap(), exported.to_str().unwrap(), "-q"]).status.success());
    let a = reference(&["ours", "raw_recording", first.to_str().unwrap(), second.to_str().unwrap()]);
    assert_eq!(a[first.to_str().unwrap()]["traces"], a[second.to_str().unwrap()]["traces"]);
    assert_eq!(a[first.to_str().unwrap()]["traces"].as_array().unwrap().len(), 9);
    // ObsPy reads the exported files as those traces.
    let names: Vec<&str> = files.iter().map(|p| p.to_str().unwrap()).collect();
    let theirs = reference(&[&["obspy"], names.as_slice()].concat());
    let mut traces: Vec<Value> = names.iter().flat_map(|n| theirs[*n]["traces"].as_array().unwrap().clone()).collect();
    traces.sort_by_key(|t| (t["id"].as_str().unwrap().to_string(), t["start_ns"].as_i64().unwrap()));
    let mut ours: Vec<Value> = a[first.to_str().unwrap()]["traces"].as_array().unwrap().clone();
    ours.sort_by_key(|t| (t["id"].as_str().unwrap().to_string(), t["start_ns"].as_i64().unwrap()));
    assert_eq!(traces, ours);

    // SAC: one file per trace; imported back, the same traces in float32.
    let sac = dir.path().join("sac");
    let o = run(0, &bin("asdf"), &["export", first.to_str().unwrap(), sac.to_str().unwrap(), "--format", "sac"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(files_under(&sac).len(), 9);
    let third = dir.path().join("third.h5");
    let o = import(&[third.to_str().unwrap(), sac.to_str().unwrap(), "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let b = reference(&["ours", "raw_recording", third.to_str().unwrap()]);
    let key = |t: &Value| (t["id"].clone(), t["start_ns"].clone(), t["npts"].clone(), t["rate"].clone());
    let from_sac: Vec<_> = b[third.to_str().unwrap()]["traces"].as_array().unwrap().iter().map(key).collect();
    let from_first: Vec<_> = a[first.to_str().unwrap()]["traces"].as_array().unwrap().iter().map(key).collect();
    assert_eq!(from_sac, from_first);
    assert!(b[third.to_str().unwrap()]["traces"].as_array().unwrap().iter().all(|t| t["dtype"] == "float32"));

    // One channel, trimmed, in 512-byte records.
    let part = dir.path().join("part");
    let o = run(0, &bin("asdf"), &["export", first.to_str().unwrap(), part.to_str().unwrap(), "--stations", "XX.S1", "--channels", "HHZ", "--start", "2020-01-01T01:00:00", "--end", "2020-01-01T02:00:00", "--record-length", "512"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let f = part.join("XX.S1.raw_recording.mseed");
    let got = reference(&["obspy", f.to_str().unwrap()]);
    let t = &got[f.to_str().unwrap()]["traces"][0];
    assert_eq!((t["id"].as_str(), t["npts"].as_i64(), t["start_ns"].as_i64()), (Some("XX.S1..HHZ"), Some(72_001), Some(1_577_840_400_000_000_000)));
    assert_eq!(std::fs::metadata(&f).unwrap().len() % 512, 0);
}

/// ObsPy's SAC test files: what ObsPy's read + pyasdf's add_waveforms store, we store.
#[test]
fn obspy_sac_test_files_import_as_obspy_reads_them() {
    let corpus = PathBuf::from(String::from_utf8(Command::new(python()).arg(script()).arg("corpus-dir").arg("sac").output().unwrap().stdout).unwrap().trim());
    let files: Vec<PathBuf> = files_under(&corpus).into_iter().filter(|p| {
        let name = p.file_name().unwrap().to_str().unwrap();
        name.ends_with(".sac") || name.ends_with(".SAC") || name.ends_with(".swap") || name.ends_with("_short")
    }).collect();
    assert!(files.len() >= 12, "ObsPy's SAC test files not found in {}", corpus.display());
    let dir = tempfile::tempdir().unwrap();
    let py_dir = dir.path().join("pyasdf");
    std::fs::create_dir_all(&py_dir).unwrap();
    let names: Vec<&str> = files.iter().map(|p| p.to_str().unwrap()).collect();
    let theirs = reference(&[&["via-pyasdf", py_dir.to_str().unwrap(), "SAC"], names.as_slice()].concat());
    let mut compared = 0;
    let mut differ = Vec::new();
    for (i, f) in names.iter().enumerate() {
        // A file of no samples: ObsPy makes an empty trace (pyasdf stores an empty dataset);
        // we import nothing, as for miniSEED records without samples.
        if f.ends_with("non_ascii.sac") {
            continue;
        }
        let out = dir.path().join(format!("{i}.h5"));
        let o = import(&[out.to_str().unwrap(), f, "-q"]);
        let t = &theirs[*f];
        match (t.get("traces"), out.exists()) {
            (Some(t), true) => {
                let ours = reference(&["ours", "raw_recording", out.to_str().unwrap()]);
                if ours[out.to_str().unwrap()]["traces"] != *t {
                    differ.push(format!("{f}: ObsPy {t}\nours {}", ours[out.to_str().unwrap()]["traces"]));
                }
                compared += 1;
            }
            (None, false) => {}
            (Some(_), false) => differ.push(format!("{f}: ObsPy read it, we refused: {}", stderr(&o))),
            (None, true) => differ.push(format!("{f}: ObsPy refused ({}), we imported it", t["error"])),
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n\n"));
    // The others are refused by both: no codes at all (3 interpolation files and
    // sample_spacing_rounding_issue.sac), sizes that disagree with the header (seism-longer,
    // seism-shorter), an x-y file (testxy.sac).
    assert!(compared >= 7, "only {compared} files compared");
}

/// Under `mpiexec -n 2` the ranks share the stations and rank 0 writes: the same file as a run
/// on threads, one summary.
#[test]
fn an_import_under_mpiexec_writes_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("sds");
    std::fs::create_dir_all(&root).unwrap();
    reference(&["make-archive", root.to_str().unwrap()]);
    let threads = dir.path().join("threads.h5");
    assert!(import(&[threads.to_str().unwrap(), "--sds", root.to_str().unwrap(), "-q"]).status.success());
    let ranks = dir.path().join("ranks.h5");
    let o = run(2, &bin("asdf"), &["import", ranks.to_str().unwrap(), "--sds", root.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stderr(&o).matches("import: ").count(), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("3 stations (3 written"), "{}", stderr(&o));
    assert!(asdf_tests::h5diff_equal(&threads, &ranks));
}

/// SAC files with station coordinates and an event, and no StationXML or QuakeML: the import
/// makes the station's StationXML and the event from the headers (as pyasdf's sac2asdf), which
/// pyasdf reads back with the traces referring to the event.
#[test]
fn sac_headers_give_stationxml_and_events_where_none_are_given() {
    let dir = tempfile::tempdir().unwrap();
    let make = "import sys, numpy as np\nfrom obspy.io.sac import SACTrace\nfor cha, inc, az in (('HHZ', 0.0, 0.0), ('HHE', 90.0, 90.0)):\n    t = SACTrace(data=np.arange(500, dtype='f4'), delta=0.01, kstnm='ABC', knetwk='XX', kcmpnm=cha, stla=10.5, stlo=-20.25, stel=100.0, stdp=5.0, cmpaz=az, cmpinc=inc, evla=1.5, evlo=2.5, evdp=10.0, o=-30.0, nzyear=2020, nzjday=1, nzhour=0, nzmin=0, nzsec=0, nzmsec=0, b=0.0)\n    t.write(f'{sys.argv[1]}/XX.ABC.{cha}.sac')";
    let o = Command::new(python()).arg("-c").arg(make).arg(dir.path()).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("out.h5");
    let sacs = format!("{}/*.sac", dir.path().display());
    let o = import(&[out.to_str().unwrap(), &sacs]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("XX.ABC: StationXML made from SAC headers"), "{}", stderr(&o));
    let read = "import sys, pyasdf\nds = pyasdf.ASDFDataSet(sys.argv[1], mode='r')\nsta = ds.waveforms['XX.ABC']\nc = sta.coordinates\ninv = sta.StationXML\nch = {x.code: (x.dip, x.azimuth, x.depth, x.sample_rate) for x in inv[0][0]}\no = ds.events[0].origins[0]\nids = sorted({str(e) for tr in sta.raw_recording for e in tr.stats.asdf.event_ids})\nprint(c['latitude'], c['longitude'], c['elevation_in_m'], ch['HHZ'], ch['HHE'], len(sta.raw_recording), len(ds.events), o.time, o.latitude, o.longitude, o.depth, ids)";
    let o = Command::new(python()).arg("-c").arg(read).arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        "10.5 -20.25 100.0 (-90.0, 0.0, 5.0, 100.0) (0.0, 90.0, 5.0, 100.0) 2 1 2019-12-31T23:59:30.000000Z 1.5 2.5 10.0 ['smi:local/asdf-import/sac-event/1']"
    );
}
