//! Interop with pyasdf and ObsPy (the project's virtualenv): they read what we write, we read
//! what they write; and with HDF5's own tools.

use std::path::Path;
use std::process::Command;

use asdf_tests::{bin, python, run, sample, stderr};

fn script() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("python/check_interop.py")
}

#[test]
fn pyasdf_reads_our_output_and_obspy_agrees_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.h5");
    sample(&input, 3, 300.0);
    let out = dir.path().join("out.h5");
    let o = run(2, &bin("deconvolve"), &[input.to_str().unwrap(), out.to_str().unwrap(), "-q"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(0, &bin("asdf"), &["validate", out.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    let o = Command::new(python()).arg(script()).arg("read-ours").arg(&out).arg(&input).output().unwrap();
    assert!(o.status.success(), "{}\n{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["stations"], 3);
    assert!(v["max_relative_difference"].as_f64().unwrap() < 1e-6);
}

/// One pyasdf-written file per format version, with the compressions pyasdf offers.
const PYASDF_FILES: &[(&str, &str)] = &[("1.0.0", "gzip-3"), ("1.0.1", "none"), ("1.0.2", "lzf"), ("1.0.3", "gzip-3")];

#[test]
fn we_read_what_pyasdf_writes() {
    let dir = tempfile::tempdir().unwrap();
    for (version, compression) in PYASDF_FILES {
        let path = dir.path().join(format!("py_{version}_{compression}.h5"));
        let o = Command::new(python()).arg(script()).arg("write-pyasdf").arg(&path).arg(version).arg(compression).output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        let desc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        check_pyasdf_file(&path, version, &desc);
        // Our validator finds nothing wrong in pyasdf's own output.
        let o = run(0, &bin("asdf"), &["validate", path.to_str().unwrap()], &[]);
        assert!(o.status.success(), "{version} {compression}:\n{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    }
}

fn check_pyasdf_file(path: &Path, version: &str, desc: &serde_json::Value) {
    let ds = asdf::AsdfFile::open(path).unwrap();
    assert_eq!(ds.version_in_file(), Some(version));
    let prov_id = desc["provenance_id"].as_str().unwrap();
    for t in desc["traces"].as_array().unwrap() {
        let sta = ds.station(t["station"].as_str().unwrap()).unwrap();
        let st = sta.stream("raw").unwrap();
        assert_eq!(st.len(), 1);
        let tr = &st[0];
        let dtype = t["dtype"].as_str().unwrap();
        assert_eq!(tr.dtype(), &dtype[1..], "{dtype}");
        assert_eq!(tr.byte_order == asdf::ByteOrder::Big, dtype.starts_with('>'), "{dtype}");
        let d = tr.data().to_f64();
        assert_eq!(d[0], t["first"].as_f64().unwrap());
        assert_eq!(*d.last().unwrap(), t["last"].as_f64().unwrap());
        assert_eq!(d.iter().sum::<f64>(), t["sum"].as_f64().unwrap());
        assert_eq!(tr.stats.asdf.labels, ["a", "b c"]);
        assert_eq!(tr.stats.asdf.provenance_id.as_deref(), Some(prov_id));
        assert_eq!(tr.stats.starttime.ns(), desc["starttime_attr"].as_i64().unwrap());
        assert_eq!((tr.stats.location.as_str(), tr.stats.channel.as_str(), tr.stats.sampling_rate), ("00", "BHZ", 20.0));
    }
    // The provenance record, the event and its ids.
    assert_eq!(ds.provenance_names().unwrap(), ["processing"]);
    assert!(String::from_utf8(ds.provenance("processing").unwrap()).unwrap().contains("sp001_wf_c17dd1f"));
    let events = ds.events().unwrap().expect("QuakeML");
    assert_eq!(events.event_ids(), ["smi:local/event/quake"]);
    assert_eq!(events.origin_ids(), ["smi:local/origin/1"]);
    // StationXML merged per station, parsed with its responses.
    let inv = ds.station("GR.FUR").unwrap().inventory().unwrap().expect("StationXML");
    let ch = inv.channel("GR.FUR..HHZ", "2012-04-04T00:00:00".parse().unwrap()).expect("channel");
    assert!(ch.response.as_ref().is_some_and(|r| !r.stages.is_empty()));
    // A gappy channel reads as two traces.
    let gappy = ds.station("GR.FUR").unwrap().stream("gappy").unwrap();
    assert_eq!(gappy.len(), 2);
    assert_eq!(gappy[1].stats.starttime.ns() - gappy[0].stats.starttime.ns(), 100_000_000_000);
    // A sub-second trace gets nanosecond names from 1.0.2 on.
    let s0 = ds.station("XX.S0").unwrap();
    let short = s0.names_for_tag("short").unwrap();
    if version >= "1.0.2" {
        assert_eq!(short, ["XX.S0..BHN__2012-04-04T14:21:42.360000000__2012-04-04T14:21:42.760000000__short"]);
    } else {
        assert_eq!(short, ["XX.S0..BHN__2012-04-04T14:21:42__2012-04-04T14:21:42__short"]);
    }
    let aux = ds.auxiliary_data("Windows/XX_S0/first").unwrap();
    assert_eq!((aux.shape.clone(), aux.data.clone()), (vec![2, 3], vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]));
    assert!(aux.parameters.contains(&("note".into(), asdf::format::Parameter::Str("hi".into()))));
    assert!(aux.parameters.contains(&("n".into(), asdf::format::Parameter::Int(3))));
}

#[test]
fn a_file_with_a_user_block_reads_the_same() {
    // HDF5 addresses count from the end of a user block (h5jam prepends one); chunks read
    // directly from the file must be found there, and the job's output must not change.
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.h5");
    sample(&plain, 2, 60.0);
    let block = dir.path().join("block.txt");
    std::fs::write(&block, "a user block: text before the HDF5 superblock\n").unwrap();
    let jammed = dir.path().join("jammed.h5");
    let ok = Command::new("h5jam").args(["-i", plain.to_str().unwrap(), "-u", block.to_str().unwrap(), "-o", jammed.to_str().unwrap()]).status();
    assert!(ok.map(|s| s.success()).unwrap_or(false), "h5jam (hdf5-tools) failed or is missing");
    let (a, b) = (asdf::AsdfFile::open(&plain).unwrap(), asdf::AsdfFile::open(&jammed).unwrap());
    for name in a.station_names().unwrap() {
        let (sa, sb) = (a.station(&name).unwrap().stream("raw_recording").unwrap(), b.station(&name).unwrap().stream("raw_recording").unwrap());
        assert_eq!(sa.traces.len(), 3);
        assert_eq!(sa, sb, "{name}");
    }
    let (out_plain, out_jammed) = (dir.path().join("out_plain.h5"), dir.path().join("out_jammed.h5"));
    for (input, out) in [(&plain, &out_plain), (&jammed, &out_jammed)] {
        let o = run(0, &bin("bandpass"), &[input.to_str().unwrap(), out.to_str().unwrap(), "-q"], &[]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert!(asdf_tests::h5diff_equal(&out_plain, &out_jammed));
}

/// Adjoint sources as SPECFEM reads them: pyasdf finds them under `AdjointSources`, 1-D float32
/// of NSTEP samples named `NET_STA_MX{Z,N,E}` (the missing components as zeros), with pytomo3d's
/// attributes, and the file passes pyasdf's `validate()`.
#[test]
fn pyasdf_reads_our_adjoint_sources_as_specfem_does() {
    use asdf::format::AdjointSource;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("adjoint.h5");
    let mut ds = asdf::AsdfFile::create(&path).unwrap();
    let nstep = 2000;
    let mut z = AdjointSource::new("II", "AAK", 'Z', 0.15, asdf::UtcTime::from_ns(1_000_000_000), (0..nstep).map(|i| (i as f64 * 0.01).sin()).collect());
    z.misfit = 0.25;
    z.adjoint_source_type = "cc_traveltime_misfit".into();
    z.min_period = 27.0;
    z.max_period = 60.0;
    z.coordinates = Some(asdf::Coordinates { latitude: 42.6, longitude: 74.5, elevation_in_m: 1645.0 });
    let e = AdjointSource { component: 'E', data: vec![1e-9; nstep], ..z.clone() };
    ds.add_adjoint_sources(&[z, e]).unwrap();
    ds.close().unwrap();
    let code = r#"
import sys, json, pyasdf, numpy as np
ds = pyasdf.ASDFDataSet(sys.argv[1], mode="r")
out = {}
for name in ds.auxiliary_data.AdjointSources.list():
    a = ds.auxiliary_data.AdjointSources[name]
    out[name] = {"dtype": str(a.data.dtype), "shape": list(a.data.shape), "sum": float(np.sum(np.abs(a.data[:]))), "dt": a.parameters["dt"], "component": a.parameters["component"], "station_id": a.parameters["station_id"], "misfit": a.parameters["misfit"]}
ds.validate()
print(json.dumps(out))
"#;
    let o = Command::new(python()).arg("-c").arg(code).arg(&path).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(o.stdout.rsplit(|&b| b == b'\n').find(|l| !l.is_empty()).unwrap()).unwrap();
    let names: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(names, ["II_AAK_MXE", "II_AAK_MXN", "II_AAK_MXZ"]);
    for (name, a) in v.as_object().unwrap() {
        assert_eq!(a["dtype"], "float32", "{name}");
        assert_eq!(a["shape"], serde_json::json!([nstep]), "{name}");
        assert_eq!(a["dt"], 0.15, "{name}");
        assert_eq!(a["station_id"], "II.AAK", "{name}");
    }
    assert_eq!(v["II_AAK_MXN"]["sum"], 0.0, "the missing component is zeros");
    assert_eq!(v["II_AAK_MXN"]["misfit"], 0.0);
    assert_eq!(v["II_AAK_MXZ"]["misfit"], 0.25);
    assert_eq!(v["II_AAK_MXZ"]["component"], "MXZ");
}

/// Auxiliary arrays of every numeric type, 1-D to 3-D (several chunks along each dimension),
/// with parameters of each kind: pyasdf reads back the same values, dtypes, shapes and
/// parameters, and h5py the same chunk shapes h5py itself would choose.
#[test]
fn pyasdf_reads_our_auxiliary_arrays_of_every_type_and_shape() {
    use asdf::format::{AuxiliaryArray, AuxiliaryValues};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("aux.h5");
    let mut ds = asdf::AsdfFile::create(&path).unwrap();
    let n = 3 * 50 * 70;
    let values: Vec<(&str, AuxiliaryValues)> = vec![
        ("i1", (0..n).map(|i| (i % 251) as i8).collect::<Vec<_>>().into()),
        ("i2", (0..n).map(|i| i as i16 - 5000).collect::<Vec<_>>().into()),
        ("i4", (0..n).map(|i| i as i32 * -7).collect::<Vec<_>>().into()),
        ("i8", (0..n).map(|i| i as i64 * 1_000_000_007).collect::<Vec<_>>().into()),
        ("u1", (0..n).map(|i| (i % 256) as u8).collect::<Vec<_>>().into()),
        ("u2", (0..n).map(|i| i as u16).collect::<Vec<_>>().into()),
        ("u4", (0..n).map(|i| i as u32 * 3).collect::<Vec<_>>().into()),
        ("u8", (0..n).map(|i| (i as u64) << 20).collect::<Vec<_>>().into()),
        ("f4", (0..n).map(|i| i as f32 * 0.5).collect::<Vec<_>>().into()),
        ("f8", (0..n).map(|i| (i as f64).sqrt()).collect::<Vec<_>>().into()),
    ];
    for (dtype, v) in values {
        for shape in [vec![n as u64], vec![150, 70], vec![3, 50, 70]] {
            let a = AuxiliaryArray { shape: shape.clone(), ..AuxiliaryArray::new("Types", &format!("{dtype}/d{}", shape.len()), v.clone()) }
                .with_parameter("int", 7i64)
                .with_parameter("float", 0.5)
                .with_parameter("text", "a b");
            ds.add_auxiliary_array(&a).unwrap();
        }
    }
    ds.close().unwrap();
    let code = r#"
import sys, json, pyasdf, h5py, numpy as np
from h5py._hl.filters import guess_chunk
ds = pyasdf.ASDFDataSet(sys.argv[1], mode="r")
n = 3 * 50 * 70
i = np.arange(n)
expected = {"i1": (i % 251).astype(np.int8), "i2": (i - 5000).astype(np.int16), "i4": (i * -7).astype(np.int32),
            "i8": i.astype(np.int64) * 1000000007, "u1": (i % 256).astype(np.uint8), "u2": i.astype(np.uint16),
            "u4": (i * 3).astype(np.uint32), "u8": i.astype(np.uint64) << np.uint64(20), "f4": i.astype(np.float32) * np.float32(0.5),
            "f8": np.sqrt(i.astype(np.float64))}
checked = 0
with h5py.File(sys.argv[1], "r") as f:
    for dtype, want in expected.items():
        for shape in [(n,), (150, 70), (3, 50, 70)]:
            a = ds.auxiliary_data.Types[dtype]["d%d" % len(shape)]
            assert a.data.dtype.str[1:] == dtype and a.data.shape == shape, (dtype, a.data.dtype, a.data.shape)
            assert np.array_equal(a.data[()], want.reshape(shape)), dtype
            assert dict(a.parameters) == {"int": 7, "float": 0.5, "text": "a b"}, a.parameters
            d = f["AuxiliaryData/Types/%s/d%d" % (dtype, len(shape))]
            assert d.chunks == guess_chunk(shape, None, want.dtype.itemsize), (dtype, shape, d.chunks)
            checked += 1
ds.validate()
print(json.dumps({"checked": checked}))
"#;
    let o = Command::new(python()).arg("-c").arg(code).arg(&path).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let last = o.stdout.rsplit(|&b| b == b'\n').find(|l| !l.is_empty()).unwrap();
    let v: serde_json::Value = serde_json::from_slice(last).unwrap();
    assert_eq!(v["checked"], 30);
}
