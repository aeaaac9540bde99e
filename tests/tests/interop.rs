//! Interop with pyasdf and ObsPy (the project's virtualenv): they read what we write, we read
//! what they write.

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
    let o = Command::new(python()).arg(script()).arg("read-ours").arg(&out).arg(&input).output().unwrap();
    assert!(o.status.success(), "{}\n{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["stations"], 3);
    assert!(v["max_relative_difference"].as_f64().unwrap() < 1e-6);
}

#[test]
fn we_read_what_pyasdf_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("py.h5");
    let o = Command::new(python()).arg(script()).arg("write-pyasdf").arg(&path).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let desc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ds = asdf::AsdfFile::open(&path).unwrap();
    for t in desc["traces"].as_array().unwrap() {
        let sta = ds.station(t["station"].as_str().unwrap()).unwrap();
        let st = sta.stream("raw").unwrap();
        assert_eq!(st.len(), 1);
        let tr = &st[0];
        let dtype = t["dtype"].as_str().unwrap();
        assert_eq!(tr.data.dtype(), &dtype[1..], "{dtype}");
        assert_eq!(tr.byte_order == asdf::ByteOrder::Big, dtype.starts_with('>'), "{dtype}");
        let d = tr.data.to_f64();
        assert_eq!(d[0], t["first"].as_f64().unwrap());
        assert_eq!(*d.last().unwrap(), t["last"].as_f64().unwrap());
        assert_eq!(d.iter().sum::<f64>(), t["sum"].as_f64().unwrap());
        assert_eq!(tr.stats.asdf.labels, ["a", "b c"]);
        assert_eq!(tr.stats.starttime.ns(), desc["starttime_attr"].as_i64().unwrap());
        assert_eq!((tr.stats.location.as_str(), tr.stats.channel.as_str(), tr.stats.sampling_rate), ("00", "BHZ", 20.0));
    }
    // A sub-second trace gets nanosecond names (ASDF >= 1.0.2).
    let s0 = ds.station("XX.S0").unwrap();
    let short = s0.names_for_tag("short").unwrap();
    assert_eq!(short, ["XX.S0..BHN__2012-04-04T14:21:42.360000000__2012-04-04T14:21:42.760000000__short"]);
    let aux = ds.auxiliary_data("Windows/XX_S0/first").unwrap();
    assert_eq!((aux.shape.clone(), aux.data.clone()), (vec![2, 3], vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]));
    assert!(aux.parameters.contains(&("note".into(), asdf::format::Parameter::Str("hi".into()))));
    assert!(aux.parameters.contains(&("n".into(), asdf::format::Parameter::Int(3))));
}
