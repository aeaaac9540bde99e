//! What a hostile or unlucky user would try: crafted objects, damaged and truncated files,
//! XML bombs, external links, a full disk, signals at any moment and a killed MPI rank. Each
//! has a clear outcome: a typed error naming the file and object, a failed job for the station
//! concerned (the rest written), or a run that stops and resumes; never a crash, a hang or a
//! runaway allocation. The crafted files are made here, with h5py.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use asdf::format::FormatError;
use asdf::AsdfFile;
use asdf_tests::{bin, command, ended_cleanly, h5diff_equal, h5py, run, sample, stderr};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A sample of `stations` stations with `edit` (h5py code, `f` the open file) applied to a copy.
fn crafted(dir: &Path, name: &str, stations: usize, edit: &str) -> PathBuf {
    let path = dir.join(name);
    sample(&path, stations, 20.0);
    h5py(&path, &format!("f = h5py.File(sys.argv[1], 'r+')\n{edit}\nf.close()"));
    path
}

fn first_waveform(path: &Path, station: &str) -> String {
    AsdfFile::open(path).unwrap().station(station).unwrap().waveform_names().unwrap()[0].clone()
}

/// Runs the band-pass job on `input` and checks that it ends cleanly with exit 1, naming
/// `station` and `needle` as the failure, with every other station written.
fn job_fails_only(input: &Path, station: &str, needle: &str, ranks: usize) {
    let out = input.with_extension(format!("out{ranks}.h5"));
    let o = run(ranks, &bin("bandpass"), &[s(input), s(&out), "-q"], &[]);
    let err = stderr(&o);
    assert!(ended_cleanly(&o), "{err}");
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("station {station}")) && err.contains(needle), "{err}");
    let ds = AsdfFile::open(&out).unwrap();
    for name in ds.station_names().unwrap() {
        let tags = ds.station(&name).unwrap().tags().unwrap();
        assert_eq!(tags.is_empty(), name == station, "{name}: {tags:?}");
    }
}

#[test]
fn a_two_dimensional_xml_blob_is_an_error_not_a_heap_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let f = crafted(
        dir.path(),
        "blob2d.h5",
        2,
        "g = f['Waveforms/XX.S0000']; del g['StationXML']\n\
         g.create_dataset('StationXML', data=np.zeros((16, 65536), dtype=np.int8))",
    );
    let e = AsdfFile::open(&f).unwrap().station("XX.S0000").unwrap().inventory().unwrap_err();
    assert!(e.to_string().contains("XX.S0000/StationXML") && e.to_string().contains("1-D"), "{e}");
    let o = run(0, &bin("asdf"), &["validate", s(&f)], &[]);
    assert!(ended_cleanly(&o), "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    job_fails_only(&f, "XX.S0000", "StationXML", 0);
    // The same for the file's QuakeML and a provenance document.
    let q = crafted(dir.path(), "quakeml2d.h5", 1, "del f['QuakeML']; f.create_dataset('QuakeML', data=np.zeros((4, 8), dtype=np.int8))");
    let e = AsdfFile::open(&q).unwrap().events().unwrap_err();
    assert!(e.to_string().contains("QuakeML"), "{e}");
    let o = run(0, &bin("asdf"), &["info", s(&q)], &[]);
    assert!(ended_cleanly(&o) && o.status.code() == Some(2), "{}", stderr(&o));
}

#[test]
fn deeply_nested_xml_is_refused_with_the_dataset_named() {
    let dir = tempfile::tempdir().unwrap();
    let nest = "x = b'<a>' * 300000 + b'</a>' * 300000";
    let f = crafted(
        dir.path(),
        "deep.h5",
        3,
        &format!("{nest}\ng = f['Waveforms/XX.S0001']; del g['StationXML']; g['StationXML'] = np.frombuffer(x, dtype=np.int8)"),
    );
    let o = run(0, &bin("asdf"), &["validate", s(&f)], &[]);
    assert!(ended_cleanly(&o) && o.status.code() == Some(1), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("nested more than"), "{}", String::from_utf8_lossy(&o.stdout));
    for ranks in [0, 2] {
        job_fails_only(&f, "XX.S0001", "nested more than", ranks);
    }
    // In the file's QuakeML: the tools and the jobs stop before writing anything.
    let q = crafted(dir.path(), "deepq.h5", 2, &format!("{nest}\ndel f['QuakeML']; f['QuakeML'] = np.frombuffer(x, dtype=np.int8)"));
    let o = run(0, &bin("asdf"), &["info", s(&q)], &[]);
    assert!(ended_cleanly(&o) && o.status.code() == Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("QuakeML") && stderr(&o).contains("nested"), "{}", stderr(&o));
    for ranks in [0, 2] {
        let out = dir.path().join(format!("q{ranks}.h5"));
        let o = run(ranks, &bin("bandpass"), &[s(&q), s(&out), "-q"], &[]);
        assert!(ended_cleanly(&o) && o.status.code() == Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("QuakeML"), "{}", stderr(&o));
        assert!(!out.exists());
    }
}

#[test]
fn entity_declarations_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><FDSNStationXML>&c;</FDSNStationXML>";
    let f = crafted(
        dir.path(),
        "bomb.h5",
        2,
        &format!("g = f['Waveforms/XX.S0000']; del g['StationXML']; g['StationXML'] = np.frombuffer({bomb:?}.encode(), dtype=np.int8)"),
    );
    let e = AsdfFile::open(&f).unwrap().station("XX.S0000").unwrap().inventory().unwrap_err();
    assert!(matches!(e, FormatError::StationXml { .. }) && e.to_string().to_lowercase().contains("dtd"), "{e}");
    job_fails_only(&f, "XX.S0000", "StationXML", 0);
}

#[test]
fn a_non_finite_sampling_rate_is_refused_before_any_operation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nan.h5");
    sample(&path, 2, 20.0);
    let name = first_waveform(&path, "XX.S0000");
    h5py(&path, &format!("f = h5py.File(sys.argv[1], 'r+'); f['Waveforms/XX.S0000/{name}'].attrs['sampling_rate'] = np.float64('nan')"));
    let e = AsdfFile::open(&path).unwrap().station("XX.S0000").unwrap().trace(&name).unwrap_err();
    assert!(e.to_string().contains(&name) && e.to_string().contains("sampling_rate"), "{e}");
    for ranks in [0, 2] {
        job_fails_only(&path, "XX.S0000", "sampling_rate", ranks);
    }
}

#[test]
fn absurd_shapes_are_errors_naming_the_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shapes.h5");
    sample(&path, 3, 20.0);
    let (a, b) = (first_waveform(&path, "XX.S0000"), first_waveform(&path, "XX.S0001"));
    h5py(&path, &format!(
        "f = h5py.File(sys.argv[1], 'r+')\n\
         g = f['Waveforms/XX.S0000']; del g['{a}']\n\
         g.create_dataset('{a}', shape=(10**12,), maxshape=(None,), chunks=(4096,), dtype='i4', compression='gzip', fletcher32=True)\n\
         g['{a}'].attrs['starttime'] = 0; g['{a}'].attrs['sampling_rate'] = 100.0\n\
         g = f['Waveforms/XX.S0001']; del g['{b}']\n\
         g.create_dataset('{b}', data=np.zeros((3, 100), dtype='i4'))\n\
         g['{b}'].attrs['starttime'] = 0; g['{b}'].attrs['sampling_rate'] = 100.0"
    ));
    let ds = AsdfFile::open(&path).unwrap();
    let e = ds.station("XX.S0000").unwrap().trace(&a).unwrap_err();
    assert!(e.to_string().contains(&a) && e.to_string().contains("declares"), "{e}");
    let e = ds.station("XX.S0001").unwrap().trace(&b).unwrap_err();
    assert!(e.to_string().contains(&b) && e.to_string().contains("1-D"), "{e}");
    let out = dir.path().join("out.h5");
    let o = run(0, &bin("bandpass"), &[s(&path), s(&out), "-q"], &[]);
    assert!(ended_cleanly(&o) && o.status.code() == Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("2 job(s) failed"), "{}", stderr(&o));
    let o = run(0, &bin("asdf"), &["validate", s(&path)], &[]);
    assert!(ended_cleanly(&o), "{}", stderr(&o));
}

/// HDF5's Fletcher-32, as appended to a chunk (little-endian), in Python.
const FLETCHER32_PY: &str = r#"
def fl(d):
    s1 = s2 = 0; i = 0; n = len(d) // 2
    while n:
        t = min(n, 360); n -= t
        for _ in range(t):
            s1 += (d[i] << 8) | d[i + 1]; s2 += s1; i += 2
        s1 = (s1 & 0xffff) + (s1 >> 16); s2 = (s2 & 0xffff) + (s2 >> 16)
    if len(d) % 2:
        s1 += d[i] << 8; s2 += s1; s1 = (s1 & 0xffff) + (s1 >> 16); s2 = (s2 & 0xffff) + (s2 >> 16)
    s1 = (s1 & 0xffff) + (s1 >> 16); s2 = (s2 & 0xffff) + (s2 >> 16)
    return d + ((s2 << 16) | s1).to_bytes(4, 'little')
"#;

#[test]
fn chunks_that_pass_their_checksum_but_do_not_decode_fail_their_job() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chunks.h5");
    sample(&path, 3, 20.0);
    let (a, b) = (first_waveform(&path, "XX.S0000"), first_waveform(&path, "XX.S0001"));
    // S0000: a deflate stream that inflates to 64x the chunk's size; S0001: bytes that are not
    // deflate at all. Both with a valid checksum, so only decoding finds them.
    h5py(&path, &format!(
        "import zlib{FLETCHER32_PY}\n\
         f = h5py.File(sys.argv[1], 'r+')\n\
         ds = f['Waveforms/XX.S0000/{a}']\n\
         ds.id.write_direct_chunk((0,), fl(zlib.compress(bytes(ds.chunks[0] * 4 * 64))))\n\
         ds = f['Waveforms/XX.S0001/{b}']\n\
         ds.id.write_direct_chunk((0,), fl(b'not deflate at all' * 10))"
    ));
    let ds = AsdfFile::open(&path).unwrap();
    let e = ds.station("XX.S0000").unwrap().trace(&a).unwrap_err();
    assert!(e.to_string().contains(&a) && e.to_string().contains("more than the chunk"), "{e}");
    assert!(ds.station("XX.S0001").unwrap().trace(&b).is_err());
    // The engine reads lazily: the decode happens inside the function, and the job still fails.
    for ranks in [0, 2] {
        let out = dir.path().join(format!("out{ranks}.h5"));
        let o = run(ranks, &bin("bandpass"), &[s(&path), s(&out), "-q"], &[]);
        let err = stderr(&o);
        assert!(ended_cleanly(&o) && o.status.code() == Some(1), "{err}");
        assert!(err.contains(&a) && err.contains(&b) && err.contains("2 job(s) failed"), "{err}");
        assert!(AsdfFile::open(&out).unwrap().station("XX.S0002").unwrap().tags().unwrap() == ["bandpassed"]);
    }
}

#[test]
fn truncated_and_corrupted_files_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.h5");
    sample(&good, 3, 60.0);
    let bytes = std::fs::read(&good).unwrap();
    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    for keep in [100, 4096, bytes.len() / 3, bytes.len() / 2, bytes.len() - 100] {
        cases.push((format!("truncated at {keep}"), bytes[..keep].to_vec()));
    }
    // Bytes flipped across the metadata at the start and the chunks after it.
    for (k, at) in [800, 1500, 3000, 6000, 12_000, bytes.len() / 2, bytes.len() - 2000].into_iter().enumerate() {
        let mut b = bytes.clone();
        for j in 0..64 {
            b[(at + j * 7) % bytes.len()] ^= 0xA5;
        }
        cases.push((format!("corrupted {k} at {at}"), b));
    }
    for (i, (what, content)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("bad{i}.h5"));
        std::fs::write(&path, content).unwrap();
        for args in [vec!["validate", s(&path)], vec!["info", s(&path)], vec!["ls", s(&path)]] {
            let o = run(0, &bin("asdf"), &args, &[]);
            assert!(ended_cleanly(&o), "asdf {args:?} on a file {what}: {}", stderr(&o));
        }
        let out = dir.path().join(format!("out{i}.h5"));
        let o = run(0, &bin("bandpass"), &[s(&path), s(&out), "-q"], &[]);
        assert!(ended_cleanly(&o), "bandpass on a file {what}: {}", stderr(&o));
        if !o.status.success() {
            assert!(stderr(&o).contains(&format!("bad{i}.h5")), "{what}: {}", stderr(&o));
        }
        assert_eq!(std::fs::read(&path).unwrap(), *content, "the input is never modified");
    }
}

#[test]
fn external_and_dangling_links_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("links.h5");
    sample(&path, 2, 20.0);
    h5py(&path, "f = h5py.File(sys.argv[1], 'r+')\n\
        f['Waveforms/XX.S0000/XX.S0000..HHX__2020-01-01T00:00:00__2020-01-01T00:00:19__raw_recording'] = h5py.ExternalLink('/nonexistent.h5', '/x')\n\
        f['Waveforms/XX.S0001/XX.S0001..HHY__2020-01-01T00:00:00__2020-01-01T00:00:19__raw_recording'] = h5py.SoftLink('/nowhere')");
    let o = run(0, &bin("asdf"), &["validate", s(&path)], &[]);
    assert!(ended_cleanly(&o), "{}", stderr(&o));
    let out = dir.path().join("out.h5");
    let o = run(0, &bin("bandpass"), &[s(&path), s(&out), "-q"], &[]);
    assert!(ended_cleanly(&o) && o.status.code() == Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("2 job(s) failed") && stderr(&o).contains("HHX") && stderr(&o).contains("HHY"), "{}", stderr(&o));
}

#[test]
fn sample_sizes_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.h5");
    for args in [["--hours", "inf"], ["--hours", "1e12"], ["--rate", "0"], ["--seconds", "nan"]] {
        let o = run(0, &bin("asdf"), &["sample", s(&out), args[0], args[1]], &[]);
        assert!(ended_cleanly(&o) && o.status.code() == Some(2), "{args:?}: {}", stderr(&o));
        assert!(!out.exists());
    }
}

/// A tmpfs of `size` mounted at a new directory, unmounted on drop; `None` where mounting is
/// not allowed (not root, no tmpfs).
struct SmallDisk(PathBuf, #[allow(dead_code)] /* removed after the unmount */ tempfile::TempDir);

impl SmallDisk {
    fn mount(size: &str) -> Option<Self> {
        let dir = tempfile::tempdir().ok()?;
        let ok = Command::new("mount").args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"]).arg(dir.path()).status().ok()?.success();
        ok.then(|| SmallDisk(dir.path().to_path_buf(), dir))
    }

    fn grow(&self, size: &str) {
        let ok = Command::new("mount").args(["-o", &format!("remount,size={size}")]).arg(&self.0).status().unwrap().success();
        assert!(ok, "cannot grow the tmpfs at {}", self.0.display());
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_stops_every_rank_cleanly_and_the_run_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.h5");
    sample(&input, 12, 600.0);
    let exe = bin("bandpass");
    let reference = dir.path().join("ref.h5");
    assert!(run(0, &exe, &[s(&input), s(&reference), "-q"], &[]).status.success());
    for ranks in [0, 2] {
        let Some(disk) = SmallDisk::mount("3m") else {
            eprintln!("skipped: cannot mount a small tmpfs here (needs root)");
            return;
        };
        let out = disk.0.join("out.h5");
        let o = run(ranks, &exe, &[s(&input), s(&out), "-q"], &[]);
        let err = stderr(&o);
        assert!(ended_cleanly(&o), "{ranks} ranks: {err}");
        assert_eq!(o.status.code(), Some(2), "{ranks} ranks: {err}");
        assert!(err.contains("No space left on device"), "{err}");
        assert!(!out.exists(), "no output left behind as if complete");
        disk.grow("64m");
        let o = run(ranks, &exe, &[s(&input), s(&out), "--resume", "-q"], &[]);
        assert!(o.status.success(), "{ranks} ranks, resume: {}", stderr(&o));
        assert!(h5diff_equal(&reference, &out), "{ranks} ranks: the resumed output differs");
    }
}

/// Starts `bandpass` (under `mpiexec -n ranks` when ranks > 0) and sends `signal` to it, or to
/// its first rank, after `delay`.
fn signalled_run(ranks: usize, input: &Path, out: &Path, signal: &str, delay: Duration) -> Output {
    let mut cmd = command(ranks, &bin("bandpass"), &[s(input), s(out), "-q", "--threads", "1"]);
    cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let child = cmd.spawn().unwrap();
    std::thread::sleep(delay);
    // Without MPI the job itself; under mpiexec one of its ranks (a `bandpass` below it).
    let target = descendants(child.id()).into_iter().find(|&p| {
        std::fs::read_to_string(format!("/proc/{p}/comm")).is_ok_and(|c| c.trim() == "bandpass")
    });
    if let Some(pid) = target {
        let _ = Command::new("kill").args([format!("-{signal}"), pid.to_string()]).status();
    }
    child.wait_with_output().unwrap()
}

/// `pid` and the processes below it.
fn descendants(pid: u32) -> Vec<u32> {
    let mut all = vec![pid];
    let mut i = 0;
    while i < all.len() {
        let children = std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", all[i])).unwrap_or_default();
        all.extend(children.split_whitespace().filter_map(|c| c.parse::<u32>().ok()));
        i += 1;
    }
    all
}

#[test]
fn signals_at_any_moment_and_a_killed_rank_leave_a_resumable_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.h5");
    sample(&input, 16, 600.0);
    let exe = bin("bandpass");
    let reference = dir.path().join("ref.h5");
    assert!(run(0, &exe, &[s(&input), s(&reference), "-q"], &[]).status.success());
    let mut case = 0;
    for (ranks, signal) in [(0, "KILL"), (0, "TERM"), (2, "KILL"), (2, "TERM")] {
        for delay_ms in [50, 200, 500] {
            case += 1;
            let out = dir.path().join(format!("out{case}.h5"));
            let started = std::time::Instant::now();
            let o = signalled_run(ranks, &input, &out, signal, Duration::from_millis(delay_ms));
            assert!(started.elapsed() < Duration::from_secs(60), "a run with a signalled rank must end, not hang");
            if out.exists() {
                // The output appears only once complete: the signal came after it was renamed
                // into place (the run may still report the killed rank), so it must be whole.
                assert!(h5diff_equal(&reference, &out), "SIG{signal} at {delay_ms} ms on {ranks} ranks: an output in place differs");
                continue;
            }
            assert!(!o.status.success(), "a run that succeeded left no output");
            let o = run(ranks, &exe, &[s(&input), s(&out), "--resume", "-q"], &[]);
            assert!(o.status.success(), "resume after SIG{signal} at {delay_ms} ms on {ranks} ranks: {}", stderr(&o));
            assert!(h5diff_equal(&reference, &out), "SIG{signal} at {delay_ms} ms on {ranks} ranks: the resumed output differs");
        }
    }
}

/// Files the fuzzer (`fuzz/`, target `asdf_file`) found, kept as they were found.
#[test]
fn files_found_by_fuzzing() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    // The StationXML dataset's chunk dimension damaged to 3,092,239,388: HDF5 allocated a
    // 3 GB chunk buffer to read it. Now refused before HDF5 reads.
    let f = data.join("fuzz-chunk-dims.h5");
    let e = AsdfFile::open(&f).unwrap().station("XX.S0000").unwrap().inventory().unwrap_err();
    assert!(e.to_string().contains("chunks of [3092239388] elements"), "{e}");
    let o = run(0, &bin("asdf"), &["validate", s(&f)], &[]);
    assert!(ended_cleanly(&o) && o.status.code() == Some(1), "{}", stderr(&o));
}
