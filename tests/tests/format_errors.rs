//! Bad input to the format layer: each case is a typed error naming the file and the object,
//! never a panic. Broken files are made with h5py the way real ones break.

use std::path::Path;

use asdf::format::FormatError;
use asdf::{AsdfFile, Stream, Trace, UtcTime};
use asdf_tests::{bin, h5py, run, sample, stderr};

fn first_waveform(path: &Path) -> String {
    let ds = AsdfFile::open(path).unwrap();
    ds.station("XX.S0000").unwrap().waveform_names().unwrap()[0].clone()
}

#[test]
fn files_that_are_not_asdf() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.h5");
    assert!(matches!(AsdfFile::open(&missing), Err(FormatError::NotFound { .. })));
    let text = dir.path().join("text.h5");
    std::fs::write(&text, "not hdf5").unwrap();
    let e = AsdfFile::open(&text).unwrap_err();
    assert!(matches!(e, FormatError::NotHdf5 { .. }) && e.to_string().contains("text.h5"), "{e}");
    let other = dir.path().join("other.h5");
    h5py(&other, "h5py.File(sys.argv[1], 'w').attrs['file_format'] = np.bytes_(b'NOTASDF')");
    assert!(matches!(AsdfFile::open(&other), Err(FormatError::NotAsdf { .. })));
    let future = dir.path().join("future.h5");
    h5py(&future, "f = h5py.File(sys.argv[1], 'w'); f.attrs['file_format'] = np.bytes_(b'ASDF'); f.attrs['file_format_version'] = np.bytes_(b'9.9.9')");
    let e = AsdfFile::open(&future).unwrap_err();
    assert!(matches!(e, FormatError::UnsupportedVersion { .. }) && e.to_string().contains("9.9.9"), "{e}");
}

#[test]
fn broken_objects_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.h5");
    sample(&f, 1, 10.0);
    let name = first_waveform(&f);
    h5py(&f, &format!(
        "f = h5py.File(sys.argv[1], 'r+'); g = f['Waveforms/XX.S0000']\n\
         del g['{name}'].attrs['sampling_rate']\n\
         g['XX.S0000.HHZ__bad'] = np.zeros(3, dtype='i4')\n\
         del g['StationXML']; g['StationXML'] = np.frombuffer(b'<FDSNStationXML>', dtype=np.int8)"
    ));
    let ds = AsdfFile::open(&f).unwrap();
    let sta = ds.station("XX.S0000").unwrap();
    let e = sta.trace(&name).unwrap_err();
    assert!(matches!(&e, FormatError::MissingAttribute { attribute, .. } if attribute == "sampling_rate"), "{e}");
    assert!(e.to_string().contains(&name) && e.to_string().contains("s.h5"), "{e}");
    let e = sta.trace("XX.S0000.HHZ__bad").unwrap_err();
    assert!(matches!(e, FormatError::BadName { .. }), "{e}");
    let e = sta.inventory().unwrap_err();
    assert!(matches!(e, FormatError::StationXml { .. }) && e.to_string().contains("XX.S0000/StationXML"), "{e}");
    // Listing the station's traces names the malformed one rather than guessing around it.
    let e = sta.stream("raw_recording").unwrap_err();
    assert!(e.to_string().contains("XX.S0000.HHZ__bad"), "{e}");
    assert!(matches!(ds.station("YY.NONE"), Err(FormatError::NoSuchStation { .. })));
    // An unknown tag lists the ones there are.
    let clean = dir.path().join("clean.h5");
    sample(&clean, 1, 10.0);
    let ds = AsdfFile::open(&clean).unwrap();
    let e = ds.station("XX.S0000").unwrap().stream("nope").unwrap_err();
    assert!(matches!(e, FormatError::NoSuchTag { .. }) && e.to_string().contains("raw_recording"), "{e}");
}

#[test]
fn writes_refuse_bad_tags_and_collisions() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("new.h5");
    let mut ds = AsdfFile::create(&f).unwrap();
    let t0: UtcTime = "2020-01-01T00:00:00".parse().unwrap();
    let st: Stream = [Trace::new("XX.A..HHZ", t0, 100.0, vec![1i32; 100])].into_iter().collect();
    for bad in ["Raw", "a__b", "stationxml", "with space", ""] {
        assert!(matches!(ds.add_waveforms(&st, bad), Err(FormatError::InvalidTag { .. })), "{bad:?}");
    }
    ds.add_waveforms(&st, "raw").unwrap();
    let e = ds.add_waveforms(&st, "raw").unwrap_err();
    assert!(matches!(e, FormatError::WaveformExists { .. }) && e.to_string().contains("XX.A..HHZ__"), "{e}");
    drop(ds);
    assert!(matches!(AsdfFile::create(&f), Err(FormatError::Exists { .. })));
}

/// Flips a byte inside the first stored chunk of `name` in station `XX.S0000`.
fn corrupt_first_chunk(f: &Path, name: &str) {
    h5py(f, &format!(
        "f = h5py.File(sys.argv[1], 'r'); ds = f['Waveforms/XX.S0000/{name}']\n\
         off = ds.id.get_chunk_info(0).byte_offset; f.close()\n\
         b = bytearray(open(sys.argv[1], 'rb').read()); b[off + 20] ^= 0xFF; open(sys.argv[1], 'wb').write(b)"
    ));
}

#[test]
fn a_corrupt_chunk_fails_its_job_even_when_the_trace_is_passed_through_undecoded() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.h5");
    sample(&f, 3, 60.0);
    let name = first_waveform(&f);
    corrupt_first_chunk(&f, &name);
    let out = dir.path().join("out.h5");
    let o = run(0, &bin("identity"), &[f.to_str().unwrap(), out.to_str().unwrap(), "-q"], &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("station XX.S0000 tag raw_recording") && err.contains("checksum") && err.contains(&name), "{err}");
    let ds = AsdfFile::open(&out).unwrap();
    assert!(ds.station("XX.S0000").unwrap().tags().unwrap().is_empty());
    assert_eq!(ds.station("XX.S0002").unwrap().tags().unwrap(), ["processed"]);
}

#[test]
fn a_corrupt_chunk_is_a_checksum_error() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.h5");
    sample(&f, 1, 60.0);
    let name = first_waveform(&f);
    corrupt_first_chunk(&f, &name);
    let ds = AsdfFile::open(&f).unwrap();
    let e = ds.station("XX.S0000").unwrap().trace(&name).unwrap_err();
    assert!(matches!(e, FormatError::Checksum { .. } | FormatError::Invalid { .. }) && e.to_string().contains(&name), "{e}");
}
