//! The signal operations against ObsPy 1.5.1: `python/obspy_reference.py` runs ObsPy on fixed
//! inputs (seeded synthetics and StationXML files shipped inside ObsPy) and saves inputs and
//! outputs; here the same operations run on the same inputs and are compared.
//!
//! Bars (from the issue): detrend, taper, filters, resample, decimate, interpolate, trim, merge
//! and rotation within 1e-9 of the peak of ObsPy's result; `remove_response` within 1e-6;
//! response evaluation within 1e-6 of evalresp's peak across the band.
//!
//! Every case runs on float64 samples and again on float32, int16 and int64 ones (merge on
//! float32 and int32), as do the chains detrend + taper + band-pass and detrend + taper +
//! remove_response; our result must also have ObsPy's sample type. Where ObsPy computes in
//! float32 with a library whose rounding cannot be reproduced, the case is a known deviation:
//! `resample` of float32 samples (scipy's float32 FFT) must be within 1e-9 of ObsPy's result on
//! the same samples as float64 (checked as the bar plus ObsPy's own float32 error, which the
//! reference script measures), and `detrend('linear')` of float32 samples within the bound
//! below (scipy's float32 least squares).
//! `cargo test -p asdf-tests --test obspy_reference -- --nocapture` prints every case's figure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use asdf::signal::response::{evaluate, Quantity};
use asdf::signal::{Decimate, Detrend, Fill, Interpolation, Merge, MergeMethod, RemoveResponse, Resample, ResponseOutput, Side, Taper, Trim};
use asdf::{Inventory, Samples, Stream, Trace, UtcTime};
use asdf_tests::python;
use serde_json::Value;

fn read_f64(dir: &Path, name: &str) -> Vec<f64> {
    let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    bytes.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes"))).collect()
}

fn trace(dir: &Path, d: &Value) -> Trace {
    let data = read_f64(dir, d["data"].as_str().unwrap());
    let samples: Samples = match d["dtype"].as_str().unwrap() {
        "i2" => Samples::I16(data.iter().map(|&v| v as i16).collect()),
        "i4" => Samples::I32(data.iter().map(|&v| v as i32).collect()),
        "i8" => Samples::I64(data.iter().map(|&v| v as i64).collect()),
        "f4" => Samples::F32(data.iter().map(|&v| v as f32).collect()),
        "f8" => Samples::F64(data),
        other => panic!("dtype {other} not used by the reference script"),
    };
    let t0 = UtcTime::from_ns(d["starttime_ns"].as_i64().unwrap());
    Trace::new(d["id"].as_str().unwrap(), t0, d["sampling_rate"].as_f64().unwrap(), samples)
}

fn f(p: &Value, key: &str) -> f64 {
    p[key].as_f64().unwrap_or_else(|| panic!("parameter {key} missing in {p}"))
}

fn time(p: &Value, key: &str) -> Option<UtcTime> {
    p[key].as_i64().map(UtcTime::from_ns)
}

fn taper_kind(name: &str) -> Taper {
    match name {
        "hann" => Taper::Hann,
        "hamming" => Taper::Hamming,
        "cosine" => Taper::Cosine,
        "blackman" => Taper::Blackman,
        "bartlett" => Taper::Bartlett,
        "triang" => Taper::Triang,
        other => panic!("window {other}"),
    }
}

fn inventory(path: &Path) -> Inventory {
    Inventory::from_stationxml(&std::fs::read(path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs one case's operation with our library.
fn apply(dir: &Path, op: &str, p: &Value, mut st: Stream) -> Result<Stream, asdf::signal::SignalError> {
    if op == "chain" {
        for step in p["steps"].as_array().unwrap() {
            st = apply(dir, step["op"].as_str().unwrap(), step, st)?;
        }
        return Ok(st);
    }
    let corners = p["corners"].as_u64().unwrap_or(4) as usize;
    let zerophase = p["zerophase"].as_bool().unwrap_or(false);
    match op {
        "detrend" => {
            let kind = match p["type"].as_str().unwrap() {
                "simple" => Detrend::Simple,
                "linear" => Detrend::Linear,
                "demean" | "constant" => Detrend::Demean,
                "polynomial" => Detrend::Polynomial(p["order"].as_u64().unwrap() as usize),
                other => panic!("detrend {other}"),
            };
            st.detrend(kind);
        }
        "taper" => {
            let side = match p["side"].as_str().unwrap() {
                "both" => Side::Both,
                "left" => Side::Left,
                _ => Side::Right,
            };
            for t in st.iter_mut() {
                t.taper_with(p["max_percentage"].as_f64(), p["max_length"].as_f64(), taper_kind(p["type"].as_str().unwrap()), side);
            }
        }
        "bandpass" => drop(st.bandpass(f(p, "freqmin"), f(p, "freqmax"), corners, zerophase)?),
        "bandstop" => drop(st.bandstop(f(p, "freqmin"), f(p, "freqmax"), corners, zerophase)?),
        "lowpass" => drop(st.lowpass(f(p, "freq"), corners, zerophase)?),
        "highpass" => drop(st.highpass(f(p, "freq"), corners, zerophase)?),
        "resample" => {
            let opts = Resample { window: p["window"].as_str().map(taper_kind), no_filter: p["no_filter"].as_bool().unwrap_or(true), strict_length: false };
            for t in st.iter_mut() {
                t.resample_with(f(p, "sampling_rate"), opts)?;
            }
        }
        "decimate" => {
            let opts = Decimate { no_filter: p["no_filter"].as_bool().unwrap(), strict_length: false };
            for t in st.iter_mut() {
                t.decimate_with(p["factor"].as_u64().unwrap() as usize, opts)?;
            }
        }
        "interpolate" => {
            let method = match p["method"].as_str().unwrap() {
                "linear" => Interpolation::Linear,
                _ => Interpolation::WeightedAverageSlopes,
            };
            for t in st.iter_mut() {
                t.interpolate(f(p, "sampling_rate"), method, time(p, "starttime_ns"), p["npts"].as_u64().map(|n| n as usize))?;
            }
        }
        "trim" => {
            let opts = Trim { nearest_sample: p["nearest_sample"].as_bool().unwrap_or(true), pad: p["pad"].as_f64() };
            st.trim_with(time(p, "starttime_ns"), time(p, "endtime_ns"), opts)?;
        }
        "merge" => {
            let fill = match &p["fill_value"] {
                Value::Null => Fill::Split,
                Value::String(s) if s == "latest" => Fill::Latest,
                Value::String(_) => Fill::Interpolate,
                v => Fill::Value(v.as_f64().unwrap()),
            };
            let method = match (p["method"].as_u64().unwrap(), p["interpolation_samples"].as_i64().unwrap()) {
                (0, _) => MergeMethod::Discard,
                (_, -1) => MergeMethod::Interpolate { samples: None },
                (_, n) => MergeMethod::Interpolate { samples: Some(n as usize) },
            };
            st.merge(Merge { method, fill, ..Merge::default() })?;
        }
        "rotate_ne_rt" => drop(st.rotate_ne_rt(f(p, "back_azimuth"))?),
        "rotate_rt_ne" => drop(st.rotate_rt_ne(f(p, "back_azimuth"))?),
        "rotate_to_zne" => {
            let inv = inventory(&dir.join(p["inventory"].as_str().unwrap()));
            let sets: Vec<&str> = p["components"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
            st.rotate_to_zne(&inv, &sets)?;
        }
        "remove_response" => {
            let inv = inventory(Path::new(p["inventory"].as_str().unwrap()));
            let output = match p["output"].as_str().unwrap() {
                "DISP" => ResponseOutput::Disp,
                "VEL" => ResponseOutput::Vel,
                _ => ResponseOutput::Acc,
            };
            let mut opts = RemoveResponse { output, ..RemoveResponse::default() }.water_level(p["water_level"].as_f64());
            if let Some(pf) = p["pre_filt"].as_array() {
                let v: Vec<f64> = pf.iter().map(|x| x.as_f64().unwrap()).collect();
                opts = opts.pre_filt([v[0], v[1], v[2], v[3]]);
            }
            st.remove_response(&inv, &opts)?;
        }
        "remove_sensitivity" => drop(st.remove_sensitivity(&inventory(Path::new(p["inventory"].as_str().unwrap())))?),
        other => panic!("unknown operation {other}"),
    }
    Ok(st)
}

/// Largest difference relative to the peak of the expected samples, or a reason they differ.
fn compare(ours: &Stream, theirs: &[Trace]) -> Result<f64, String> {
    if ours.len() != theirs.len() {
        return Err(format!("{} traces, ObsPy has {}", ours.len(), theirs.len()));
    }
    let key = |t: &Trace| (t.id(), t.stats.starttime);
    let mut ours: Vec<&Trace> = ours.iter().collect();
    let mut theirs: Vec<&Trace> = theirs.iter().collect();
    ours.sort_by_key(|t| key(t));
    theirs.sort_by_key(|t| key(t));
    let mut worst = 0.0f64;
    for (a, b) in ours.iter().zip(&theirs) {
        if a.id() != b.id() || a.npts() != b.npts() {
            return Err(format!("{} with {} samples, ObsPy: {} with {}", a.id(), a.npts(), b.id(), b.npts()));
        }
        if (a.stats.starttime.ns() - b.stats.starttime.ns()).abs() > 1 {
            return Err(format!("{} starts at {}, ObsPy: {}", a.id(), a.stats.starttime, b.stats.starttime));
        }
        if a.dtype() != b.dtype() {
            return Err(format!("{} comes out as {}, ObsPy's as {}", a.id(), a.dtype(), b.dtype()));
        }
        if (a.stats.sampling_rate - b.stats.sampling_rate).abs() > 1e-12 * b.stats.sampling_rate {
            return Err(format!("{} at {} Hz, ObsPy: {} Hz", a.id(), a.stats.sampling_rate, b.stats.sampling_rate));
        }
        let (x, y) = (a.data().to_f64(), b.data().to_f64());
        let peak = y.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(f64::MIN_POSITIVE);
        let diff = x.iter().zip(&y).fold(0.0f64, |m, (p, q)| m.max((p - q).abs()));
        worst = worst.max(diff / peak);
    }
    Ok(worst)
}

fn quantity(name: &str) -> Quantity {
    match name {
        "DISP" => Quantity::Displacement,
        "VEL" => Quantity::Velocity,
        "ACC" => Quantity::Acceleration,
        _ => Quantity::Default,
    }
}

/// Where we knowingly differ from ObsPy/evalresp: the channel, the largest difference allowed
/// (`None`: we refuse with an error where evalresp returns a result), and why.
const KNOWN_DEVIATIONS: &[(&str, Option<f64>, &str)] = &[
    ("3F.MRO01..HDH", None, "input in Pa: evalresp returns the unconverted response for VEL/DISP/ACC; we refuse (no motion can be derived from pressure)"),
    ("detrend_linear_f4", Some(5e-7), LINEAR_F32),
    ("chain_linear_taper_bandpass_f4", Some(5e-7), LINEAR_F32),
    ("trim_pad_i2", None, INTEGER_FILL),
    ("trim_pad_i8", None, INTEGER_FILL),
    ("merge_m0_00_i0_i4", None, INTEGER_FILL),
    ("merge_m1_00_i0_i4", None, INTEGER_FILL),
    ("merge_m1_00_i-1_i4", None, INTEGER_FILL),
    ("merge_m1_00_i5_i4", None, INTEGER_FILL),
];

/// Why float32 `detrend('linear')` cannot equal ObsPy's bit for bit.
const LINEAR_F32: &str = "scipy fits float32 samples with LAPACK's float32 sgelsd, whose rounding depends on the \
    OpenBLAS kernel: on this very input its Haswell, SkylakeX and Sandybridge kernels differ from one another by up to \
    2e-7 of the peak; we fit in float64 and round the coefficients (1-2 float32 steps of the intercept from scipy's)";

/// Why we accept a whole-number fill on integer samples where ObsPy refuses.
const INTEGER_FILL: &str = "ObsPy under NumPy 2 refuses any float fill value on integer samples, even 0.0 \
    (`temp *= fill_value` cannot cast back), and accepts the integer 0; we take whole numbers and refuse the rest";

/// The known deviation that covers a case, if any.
fn known(name: &str) -> Option<(Option<f64>, &'static str)> {
    KNOWN_DEVIATIONS.iter().find(|(id, _, _)| name.contains(id)).map(|(_, bound, why)| (*bound, *why))
}

/// Checks one result against its bar or its known deviation; returns a failure message.
fn judge(name: &str, result: Result<f64, String>, bar: f64) -> Option<String> {
    match (result, known(name)) {
        (Ok(d), None) | (Ok(d), Some((None, _))) if d <= bar => None,
        (Ok(d), None) => Some(format!("{name}: differs by {d:.3e} of the peak (bar {bar:e})")),
        (Ok(d), Some((Some(bound), why))) if d <= bound => {
            eprintln!("{name:60} {d:.2e}  known deviation: {why}");
            None
        }
        (Err(e), Some((None, why))) => {
            eprintln!("{name:60} refused ({e}); known deviation: {why}");
            None
        }
        (Ok(d), Some(_)) => Some(format!("{name}: differs by {d:.3e}, beyond its known deviation")),
        (Err(e), _) => Some(format!("{name}: {e}")),
    }
}

fn reference_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/obspy_reference.py");
    let o = Command::new(python()).arg(&script).arg(dir.path()).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let path = dir.path().to_path_buf();
    (dir, path)
}

#[test]
fn signal_operations_match_obspy() {
    let (_keep, dir) = reference_dir();
    let spec: Value = serde_json::from_slice(&std::fs::read(dir.join("cases.json")).unwrap()).unwrap();
    let mut failures = Vec::new();
    let mut worst_by_op: BTreeMap<String, f64> = BTreeMap::new();
    for c in spec["cases"].as_array().unwrap() {
        let (name, op) = (c["name"].as_str().unwrap(), c["op"].as_str().unwrap());
        let input: Stream = c["inputs"].as_array().unwrap().iter().map(|d| trace(&dir, d)).collect();
        let expected: Vec<Trace> = c["outputs"].as_array().unwrap().iter().map(|d| trace(&dir, d)).collect();
        let mut bar = if op == "remove_response" || name.contains("remove_response") { 1e-6 } else { 1e-9 };
        if op == "resample" && c["inputs"][0]["dtype"] == "f4" {
            // scipy's FFT of float32 samples runs in float32: we compare with ObsPy's result on
            // the same samples as float64, via ObsPy's own float32 error measured beside it.
            bar += c["float32_error"].as_f64().unwrap_or(0.0);
        }
        let result = apply(&dir, op, &c["params"], input);
        match (result, c.get("error")) {
            (Err(_), Some(_)) => eprintln!("{name:60} refused, as ObsPy"),
            (Ok(_), Some(e)) => match known(name) {
                Some((None, why)) => eprintln!("{name:60} ObsPy refuses, we do not; known deviation: {why}"),
                _ => failures.push(format!("{name}: ObsPy refuses ({e}), we did not")),
            },
            (result, None) => {
                let outcome = result.map_err(|e| e.to_string()).and_then(|ours| compare(&ours, &expected));
                if let (Ok(d), None) = (&outcome, known(name)) {
                    eprintln!("{name:60} {d:.2e}");
                    let w = worst_by_op.entry(op.to_string()).or_default();
                    *w = w.max(*d);
                }
                failures.extend(judge(name, outcome, bar));
            }
        }
    }
    eprintln!("worst relative difference per operation: {worst_by_op:#?}");
    assert!(failures.is_empty(), "{} of {} cases differ from ObsPy:\n{}", failures.len(), spec["cases"].as_array().unwrap().len(), failures.join("\n"));
}

#[test]
fn response_evaluation_matches_evalresp() {
    let (_keep, dir) = reference_dir();
    let spec: Value = serde_json::from_slice(&std::fs::read(dir.join("cases.json")).unwrap()).unwrap();
    let mut failures = Vec::new();
    let responses = spec["responses"].as_array().unwrap();
    assert!(responses.len() >= 20, "the reference script found only {} responses", responses.len());
    for r in responses {
        let name = r["name"].as_str().unwrap();
        let inv = inventory(Path::new(r["file"].as_str().unwrap()));
        let t = UtcTime::from_ns(r["time_ns"].as_i64().unwrap());
        let id = r["id"].as_str().unwrap();
        let Some(resp) = inv.channel(id, t).and_then(|c| c.response.as_ref()) else {
            failures.push(format!("{name}: no response for {id} at {t}"));
            continue;
        };
        let freqs = read_f64(&dir, r["freqs"].as_str().unwrap());
        let (re, im) = (read_f64(&dir, r["re"].as_str().unwrap()), read_f64(&dir, r["im"].as_str().unwrap()));
        let outcome = evaluate(resp, &freqs, quantity(r["output"].as_str().unwrap())).map(|h| {
            let peak = re.iter().zip(&im).fold(0.0f64, |m, (a, b)| m.max(a.hypot(*b)));
            let diff = h.iter().zip(re.iter().zip(&im)).fold(0.0f64, |m, (c, (a, b))| m.max((c.re - a).hypot(c.im - b)));
            diff / peak
        });
        if let (Ok(d), None) = (&outcome, known(name)) {
            eprintln!("{name:70} {d:.2e}");
        }
        failures.extend(judge(name, outcome, 1e-6));
    }
    assert!(failures.is_empty(), "{} of {} responses differ from evalresp:\n{}", failures.len(), responses.len(), failures.join("\n"));
}
