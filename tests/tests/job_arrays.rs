//! Job arrays: `--shard I/N` (or a Slurm array's variables) runs a deterministic share of the
//! stations into a complete output of its own, and `asdf merge` joins the shards into the file
//! a single run writes (h5diff-identical); a missing, duplicated or foreign shard is named.

use std::path::{Path, PathBuf};

use asdf_tests::{bin, h5diff_equal, run, sample, stderr};

fn shards(exe: &Path, inputs: &[&Path], dir: &Path, name: &str, n: usize, ranks: usize) -> Vec<PathBuf> {
    (1..=n)
        .map(|i| {
            let out = dir.join(format!("{name}_{i}.h5"));
            let mut args: Vec<&str> = inputs.iter().map(|p| p.to_str().unwrap()).collect();
            let shard = format!("{i}/{n}");
            args.extend([out.to_str().unwrap(), "--shard", &shard, "-q"]);
            let o = run(ranks, exe, &args, &[]);
            assert!(o.status.success(), "shard {shard}: {}", stderr(&o));
            out
        })
        .collect()
}

fn merge(dir: &Path, name: &str, parts: &[PathBuf]) -> (std::process::Output, PathBuf) {
    let out = dir.join(name);
    let mut args = vec!["merge".to_string(), out.to_str().unwrap().to_string()];
    args.extend(parts.iter().map(|p| p.to_str().unwrap().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    (run(0, &bin("asdf"), &args, &[]), out)
}

#[test]
fn shards_merge_into_the_single_run_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.h5");
    sample(&input, 7, 60.0);
    let exe = bin("deconvolve");
    let single = dir.path().join("single.h5");
    let o = run(0, &exe, &[input.to_str().unwrap(), single.to_str().unwrap(), "-q"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Three shards on threads, and three under mpiexec -n 2; eight shards for seven stations
    // (one shard has none and still writes its output).
    for (n, ranks) in [(3, 0), (3, 2), (8, 0)] {
        let parts = shards(&exe, &[&input], dir.path(), &format!("s{n}r{ranks}"), n, ranks);
        let (o, merged) = merge(dir.path(), &format!("merged{n}r{ranks}.h5"), &parts);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(h5diff_equal(&single, &merged), "{n} shards on {ranks} ranks: merged output differs from a single run");
    }
    // Each shard holds its share only: stations 1, 4, 7 of the sorted list in shard 1/3.
    let first = asdf::AsdfFile::open(dir.path().join("s3r0_1.h5")).unwrap();
    assert_eq!(first.station_names().unwrap(), ["XX.S0000", "XX.S0003", "XX.S0006"]);
    assert_eq!(first.shard().unwrap(), Some(asdf::format::Shard { index: 1, count: 3 }));
    // A Slurm array task: ID 5 of an array starting at 4 with 3 tasks is shard 2/3.
    let slurm = dir.path().join("slurm.h5");
    let o = run(0, &exe, &[input.to_str().unwrap(), slurm.to_str().unwrap(), "-q"], &[("SLURM_ARRAY_TASK_ID", "5"), ("SLURM_ARRAY_TASK_MIN", "4"), ("SLURM_ARRAY_TASK_COUNT", "3")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(h5diff_equal(&slurm, &dir.path().join("s3r0_2.h5")));
    let o = run(0, &exe, &[input.to_str().unwrap(), dir.path().join("bad.h5").to_str().unwrap()], &[("SLURM_ARRAY_TASK_ID", "9"), ("SLURM_ARRAY_TASK_COUNT", "3")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("SLURM_ARRAY_TASK_ID=9"), "{}", stderr(&o));
}

#[test]
fn a_missing_duplicated_or_foreign_shard_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.h5");
    sample(&input, 4, 30.0);
    let parts = shards(&bin("bandpass"), &[&input], dir.path(), "part", 3, 0);
    let (o, out) = merge(dir.path(), "m1.h5", &parts[..2]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("shard(s) 3/3 missing"), "{}", stderr(&o));
    let (o, _) = merge(dir.path(), "m2.h5", &[parts[0].clone(), parts[1].clone(), parts[0].clone()]);
    assert!(stderr(&o).contains("shard 1/3 is given twice"), "{}", stderr(&o));
    let (o, _) = merge(dir.path(), "m3.h5", &[parts[0].clone(), input.clone()]);
    assert!(stderr(&o).contains("in.h5") && stderr(&o).contains("not the output of a --shard run"), "{}", stderr(&o));
    let other = shards(&bin("bandpass"), &[&input], dir.path(), "other", 2, 0);
    let (o, _) = merge(dir.path(), "m4.h5", &[parts[0].clone(), other[1].clone()]);
    assert!(stderr(&o).contains("a run in 2 shards"), "{}", stderr(&o));
    assert!(!out.exists() && !dir.path().join("m2.h5").exists(), "nothing is written when the shards do not make a run");
    let o = run(0, &bin("bandpass"), &[input.to_str().unwrap(), dir.path().join("x.h5").to_str().unwrap(), "--shard", "4/3"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--shard \"4/3\""), "{}", stderr(&o));
}

#[test]
fn multi_input_shards_resume_and_merge() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.h5"), dir.path().join("b.h5"));
    sample(&a, 6, 30.0);
    asdf::testing::write_sample(&b, &asdf::testing::SampleOptions { stations: 6, seconds: 20.0, seed: 2, ..Default::default() }).unwrap();
    let exe = bin("faulty_pair");
    let single = dir.path().join("single.h5");
    let o = run(0, &exe, &[a.to_str().unwrap(), b.to_str().unwrap(), single.to_str().unwrap(), "-q"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Shard 1/2 runs through; shard 2/2 is killed at its second station, then resumed.
    let first = dir.path().join("half_1.h5");
    let o = run(0, &exe, &[a.to_str().unwrap(), b.to_str().unwrap(), first.to_str().unwrap(), "--shard", "1/2", "-q"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut parts = vec![first];
    let second = dir.path().join("half_2.h5");
    let args = [a.to_str().unwrap(), b.to_str().unwrap(), second.to_str().unwrap(), "--shard", "2/2", "--threads", "1", "-q"];
    let o = run(0, &exe, &args, &[("ASDF_TEST_ABORT_AT", "S0003")]);
    assert!(!o.status.success() && !second.exists());
    let o = run(0, &exe, &[&args[..], &["--resume"]].concat(), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    parts.push(second);
    let (o, merged) = merge(dir.path(), "merged.h5", &parts);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(h5diff_equal(&single, &merged), "merged multi-input shards differ from a single run");
    // The shards' records join into merged.json, the single run's records.
    let records = |p: &Path| -> serde_json::Value { serde_json::from_slice::<serde_json::Value>(&std::fs::read(p).unwrap()).unwrap()["records"].clone() };
    assert_eq!(records(&merged.with_extension("json")), records(&single.with_extension("json")));
    // Without one shard's records, nothing is merged.
    std::fs::remove_file(parts[0].with_extension("json")).unwrap();
    let (o, again) = merge(dir.path(), "again.h5", &parts);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("half_1.json: missing"), "{}", stderr(&o));
    assert!(!again.exists());
}
