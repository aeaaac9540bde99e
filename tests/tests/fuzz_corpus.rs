//! The fuzz targets' seed corpus (`fuzz/seeds/<target>`) and every input a fuzzer ever found
//! (`fuzz/regressions/<target>`), replayed through the same entry points on stable Rust, so that
//! a plain `cargo test` keeps each fixed finding fixed. ObsPy's own StationXML and QuakeML test
//! files, when the project's Python environment has them, go through the XML target too.

use std::path::{Path, PathBuf};

use asdf::engine::fuzzing as engine;
use asdf::format::fuzzing as format;

type Target = fn(&[u8]);

const TARGETS: &[(&str, Target)] = &[
    ("xml_documents", format::xml_documents),
    ("names", format::names),
    ("codec_round_trip", format::codec_round_trip),
    ("stored_chunks", stored_chunks),
    ("journal_and_wire", journal_and_wire),
    ("asdf_file", format::damaged_file),
];

fn stored_chunks(data: &[u8]) {
    if let Some((&head, rest)) = data.split_first() {
        format::decode_chunk(rest, head);
    }
}

fn journal_and_wire(data: &[u8]) {
    engine::journal(data);
    engine::wire(data);
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir).map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_file()).collect()).unwrap_or_default();
    v.sort();
    v
}

#[test]
fn seeds_and_past_findings_replay_cleanly() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut replayed = 0;
    for (name, target) in TARGETS {
        let inputs: Vec<PathBuf> = ["seeds", "regressions"].iter().flat_map(|kind| files(&fuzz.join(kind).join(name))).collect();
        assert!(!inputs.is_empty(), "no seeds for fuzz target {name}");
        for input in inputs {
            target(&std::fs::read(&input).unwrap());
            replayed += 1;
        }
    }
    assert!(replayed >= TARGETS.len());
}

#[test]
fn obspy_test_documents_parse_or_fail_cleanly() {
    let Ok(python) = std::env::var("ASDF_TEST_PYTHON") else {
        eprintln!("skipped: ASDF_TEST_PYTHON is not set (scripts/test.sh sets it)");
        return;
    };
    let out = std::process::Command::new(python).args(["-c", "import obspy, os; print(os.path.dirname(obspy.__file__))"]).output().unwrap();
    let root = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let mut n = 0;
    for sub in ["io/stationxml/tests/data", "io/quakeml/tests/data", "core/data"] {
        for f in files(&root.join(sub)).into_iter().filter(|p| p.extension().is_some_and(|e| e == "xml")) {
            format::xml_documents(&std::fs::read(&f).unwrap());
            n += 1;
        }
    }
    assert!(n > 20, "only {n} ObsPy XML files found under {}", root.display());
}
