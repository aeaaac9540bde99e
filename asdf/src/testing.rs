//! A realistic sample data set, made without any download: stations with three channels of
//! int32 counts, StationXML with a full response (poles & zeros, digitiser, FIR with decimation),
//! and one QuakeML event the waveforms refer to.

use std::path::Path;

use crate::model::event::Events;
use crate::model::inventory::{Channel, Inventory, Network, Station};
use crate::model::response::*;
use crate::model::stream::Stream;
use crate::model::time::UtcTime;
use crate::model::trace::Trace;

use crate::format::{AsdfFile, Compression, FormatError, FormatVersion, Result};

/// What to generate.
///
/// ```no_run
/// use asdf::testing::SampleOptions;
/// let opts = SampleOptions { stations: 4, seconds: 600.0, ..SampleOptions::default() };
/// asdf::testing::write_sample("sample.h5", &opts)?;
/// # Ok::<(), asdf::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SampleOptions {
    /// Number of stations (`XX.S0000`, `XX.S0001`, ...).
    pub stations: usize,
    /// Length of each trace in seconds.
    pub seconds: f64,
    /// Sampling rate in Hz.
    pub rate: f64,
    /// Random seed: the same seed gives the same file content.
    pub seed: u64,
    /// The waveforms' tag.
    pub tag: String,
    /// How waveforms are compressed.
    pub compression: Compression,
    /// Time of the first sample.
    pub start: UtcTime,
}

/// The most samples one sample trace may have (2^31: int32 indexing in HDF5 tools, about 250
/// days at 100 Hz).
const MAX_SAMPLES_PER_TRACE: f64 = (1u64 << 31) as f64;
/// The most stations a sample file may have.
const MAX_STATIONS: usize = 1_000_000;

impl SampleOptions {
    /// Checks the sizes: a positive finite rate and length, at most 2^31 samples a trace and a
    /// million stations.
    ///
    /// ```
    /// use asdf::testing::SampleOptions;
    /// assert!(SampleOptions::default().check().is_ok());
    /// assert!(SampleOptions { seconds: f64::INFINITY, ..Default::default() }.check().is_err());
    /// ```
    pub fn check(&self) -> std::result::Result<(), String> {
        if !(self.rate > 0.0 && self.rate.is_finite()) {
            return Err(format!("the sampling rate must be a positive number of Hz, got {}", self.rate));
        }
        if !(self.seconds > 0.0 && self.seconds.is_finite()) {
            return Err(format!("the trace length must be a positive number of seconds, got {}", self.seconds));
        }
        let samples = (self.seconds * self.rate).round();
        if samples > MAX_SAMPLES_PER_TRACE {
            return Err(format!("{samples} samples a trace ({} s at {} Hz) is more than the {MAX_SAMPLES_PER_TRACE} allowed", self.seconds, self.rate));
        }
        if self.stations > MAX_STATIONS {
            return Err(format!("{} stations is more than the {MAX_STATIONS} allowed", self.stations));
        }
        Ok(())
    }
}

impl Default for SampleOptions {
    fn default() -> Self {
        SampleOptions {
            stations: 10,
            seconds: 600.0,
            rate: 100.0,
            seed: 1,
            tag: "raw_recording".into(),
            compression: Compression::default(),
            start: UtcTime::from_ymd_hms(2020, 1, 1, 0, 0, 0, 0),
        }
    }
}

/// SplitMix64 with Box-Muller normals: small, deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let u1 = self.uniform().max(f64::MIN_POSITIVE);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

/// A broadband channel response: STS-2-like seismometer (M/S -> V), 24-bit digitiser
/// (V -> COUNTS) and a symmetric FIR anti-alias stage that decimates by 1.
pub fn broadband_response(rate: f64) -> Response {
    let zeros = vec![Complex64::new(0.0, 0.0), Complex64::new(0.0, 0.0)];
    let poles = vec![Complex64::new(-0.037, 0.037), Complex64::new(-0.037, -0.037), Complex64::new(-251.3, 0.0)];
    // A0 normalises |H(2 pi i f)| to 1 at 1 Hz.
    let s = Complex64::new(0.0, 2.0 * std::f64::consts::PI);
    let h: Complex64 = zeros.iter().map(|z| s - z).product::<Complex64>() / poles.iter().map(|p| s - p).product::<Complex64>();
    let seismometer = Stage {
        number: 1,
        input_units: "M/S".into(),
        output_units: "V".into(),
        gain: Some((1500.0, 1.0)),
        decimation: None,
        kind: StageKind::PolesZeros(PolesZeros {
            transfer_function: PzTransferFunction::LaplaceRadians,
            normalization_factor: 1.0 / h.norm(),
            normalization_frequency: 1.0,
            zeros,
            poles,
        }),
        name: None,
    };
    let digitiser = Stage {
        number: 2,
        input_units: "V".into(),
        output_units: "COUNTS".into(),
        gain: Some((419_430.0, 1.0)),
        decimation: Some(Decimation { input_sample_rate: rate, factor: 1, offset: 0, delay: 0.0, correction: 0.0 }),
        kind: StageKind::Coefficients(Coefficients {
            transfer_function: CfTransferFunction::Digital,
            numerators: vec![1.0],
            denominators: vec![],
        }),
        name: None,
    };
    // A short half-band-free lowpass (Hann-windowed sinc at 0.4 x Nyquist), stored half (ODD).
    let taps = 11usize;
    let mid = (taps - 1) as f64 / 2.0;
    let fc = 0.4 * 0.5;
    let mut h: Vec<f64> = (0..taps)
        .map(|i| {
            let x = i as f64 - mid;
            let sinc = if x == 0.0 { 2.0 * fc } else { (2.0 * std::f64::consts::PI * fc * x).sin() / (std::f64::consts::PI * x) };
            let w = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / (taps - 1) as f64).cos();
            sinc * w
        })
        .collect();
    let sum: f64 = h.iter().sum();
    h.iter_mut().for_each(|x| *x /= sum);
    let fir = Stage {
        number: 3,
        input_units: "COUNTS".into(),
        output_units: "COUNTS".into(),
        gain: Some((1.0, 1.0)),
        decimation: Some(Decimation { input_sample_rate: rate, factor: 1, offset: 0, delay: mid / rate, correction: mid / rate }),
        kind: StageKind::Fir(Fir { symmetry: Symmetry::Odd, numerator_coefficients: h[..=taps / 2].to_vec() }),
        name: None,
    };
    Response {
        instrument_sensitivity: Some(Sensitivity {
            value: 1500.0 * 419_430.0,
            frequency: 1.0,
            input_units: "M/S".into(),
            output_units: "COUNTS".into(),
        }),
        instrument_polynomial: None,
        stages: vec![seismometer, digitiser, fir],
    }
}

/// The StationXML of one sample station: HHZ, HHN, HHE with [`broadband_response`].
pub fn station_inventory(net: &str, sta: &str, lat: f64, lon: f64, rate: f64, start: UtcTime) -> Inventory {
    let since = UtcTime::from_ymd_hms(2010, 1, 1, 0, 0, 0, 0).min(start);
    let channels = [("HHZ", 0.0, -90.0), ("HHN", 0.0, 0.0), ("HHE", 90.0, 0.0)]
        .into_iter()
        .map(|(code, az, dip)| Channel {
            code: code.into(),
            location_code: String::new(),
            start_date: Some(since),
            latitude: lat,
            longitude: lon,
            elevation: 100.0,
            depth: 0.0,
            azimuth: Some(az),
            dip: Some(dip),
            sample_rate: Some(rate),
            response: Some(broadband_response(rate)),
            ..Channel::default()
        })
        .collect();
    Inventory {
        source: "asdf sample".into(),
        schema_version: "1.1".into(),
        created: Some(since),
        networks: vec![Network {
            code: net.into(),
            stations: vec![Station {
                code: sta.into(),
                start_date: Some(since),
                latitude: lat,
                longitude: lon,
                elevation: 100.0,
                site_name: format!("Sample site {sta}"),
                channels,
                ..Station::default()
            }],
            ..Network::default()
        }],
        ..Inventory::default()
    }
}

/// The sample event (origin 30 s after `start`, M 5.5) as QuakeML 1.2.
pub fn sample_event(start: UtcTime) -> Events {
    let t = start + 30.0;
    let xml = format!(
        r#"<?xml version='1.0' encoding='utf-8'?>
<q:quakeml xmlns:q="http://quakeml.org/xmlns/quakeml/1.2" xmlns="http://quakeml.org/xmlns/bed/1.2">
  <eventParameters publicID="smi:local/catalog/asdf-sample">
    <event publicID="smi:local/event/1">
      <origin publicID="smi:local/origin/1">
        <time><value>{t}</value></time>
        <latitude><value>10.0</value></latitude>
        <longitude><value>20.0</value></longitude>
        <depth><value>10000.0</value></depth>
      </origin>
      <magnitude publicID="smi:local/magnitude/1">
        <mag><value>5.5</value></mag>
      </magnitude>
    </event>
  </eventParameters>
</q:quakeml>
"#
    );
    Events::from_quakeml(xml.into_bytes()).expect("the sample QuakeML is well-formed")
}

/// The three traces of one sample station (int32 counts: a random walk, noise and a 0.2 Hz sine).
pub fn station_stream(net: &str, sta: &str, opts: &SampleOptions, rng_seed: u64) -> Stream {
    let mut rng = Rng(rng_seed);
    let npts = (opts.seconds * opts.rate).round() as usize;
    ["HHZ", "HHN", "HHE"]
        .iter()
        .map(|cha| {
            let mut walk = 0.0;
            let data: Vec<i32> = (0..npts)
                .map(|i| {
                    walk += rng.normal() * 50.0;
                    let t = i as f64 / opts.rate;
                    (walk * 0.01 + rng.normal() * 200.0 + 1000.0 * (2.0 * std::f64::consts::PI * 0.2 * t).sin()) as i32
                })
                .collect();
            let mut tr = Trace::new(&format!("{net}.{sta}..{cha}"), opts.start, opts.rate, data);
            tr.stats.asdf.event_ids = vec!["smi:local/event/1".into()];
            tr
        })
        .collect()
}

/// The stations of a sample data set: `(network, station, latitude, longitude, seed of its
/// traces)`, the same for the same options. Station codes have at most five characters, so
/// every 10,000 stations take the next network: `XX.S0000`-`XX.S9999`, then `AA.S0000`, ...
fn sample_stations(opts: &SampleOptions) -> Vec<(String, String, f64, f64, u64)> {
    let mut rng = Rng(opts.seed);
    (0..opts.stations)
        .map(|i| {
            let lat = -60.0 + 120.0 * rng.uniform();
            let lon = -180.0 + 360.0 * rng.uniform();
            (sample_network(i / 10_000), format!("S{:04}", i % 10_000), lat, lon, rng.next_u64())
        })
        .collect()
}

/// The network code of the `k`-th block of 10,000 sample stations: `XX`, then `AA`, `AB`, ...
fn sample_network(k: usize) -> String {
    match k {
        0 => "XX".into(),
        k => [b'A' + ((k - 1) / 26 % 26) as u8, b'A' + ((k - 1) % 26) as u8].iter().map(|&b| b as char).collect(),
    }
}

/// Writes the sample data set to a new file (refusing to overwrite one).
pub fn write_sample(path: impl AsRef<Path>, opts: &SampleOptions) -> Result<()> {
    let path = path.as_ref();
    opts.check().map_err(|message| FormatError::Invalid { path: path.into(), object: "sample options".into(), message })?;
    let mut ds = AsdfFile::create_with(path, FormatVersion::V1_0_3, opts.compression)?;
    ds.expect_stations(opts.stations as u64);
    ds.add_quakeml(&sample_event(opts.start))?;
    for (net, sta, lat, lon, seed) in sample_stations(opts) {
        ds.add_stationxml(&station_inventory(&net, &sta, lat, lon, opts.rate, opts.start))?;
        let st = station_stream(&net, &sta, opts, seed);
        ds.add_waveforms(&st, &opts.tag)?;
    }
    ds.close()
}

/// The synthetics' sampling rate (a time step of 0.1 s: SPECFEM's band code `BX`).
pub const SYNTHETIC_RATE: f64 = 10.0;

/// The time grid of the synthetics that match a sample data set: they start at the event's
/// origin (30 s after the data) and end at the last sample of the data, at [`SYNTHETIC_RATE`].
/// Returns the start and the number of samples (NSTEP).
///
/// ```
/// use asdf::testing::{synthetic_grid, SampleOptions};
/// let (start, nstep) = synthetic_grid(&SampleOptions::default()).unwrap();
/// assert_eq!(nstep, 5700); // 600 s of data at 100 Hz: the last sample at 599.99 s
/// assert_eq!(start, SampleOptions::default().start + 30.0);
/// ```
pub fn synthetic_grid(opts: &SampleOptions) -> std::result::Result<(UtcTime, usize), String> {
    let data_end = ((opts.seconds * opts.rate).round() - 1.0) / opts.rate;
    let after_origin = data_end - 30.0;
    if after_origin < 1.0 / SYNTHETIC_RATE {
        return Err(format!("synthetics start at the event origin, 30 s after the data: the data ({} s) must be longer", opts.seconds));
    }
    Ok((opts.start + 30.0, (after_origin * SYNTHETIC_RATE + 1e-9).floor() as usize + 1))
}

/// The three synthetic traces of one sample station, `BXZ`, `BXN`, `BXE` at location `S3`
/// (as SPECFEM names them) in float32 metres on [`synthetic_grid`]: the 0.2 Hz ground motion of
/// the sample's data as a sensor-free displacement, 0.9 times as large and shifted by a random
/// fraction of a second (-0.4 to 0.4 s, from `seed`), plus a pulse (a Ricker wavelet at 0.2 Hz)
/// at a time after the origin that grows with the distance (from 10 % of the record at the
/// epicentre to 90 % at the antipode), on the vertical, and split between the horizontals by the
/// back azimuth.
pub fn synthetic_stream(net: &str, sta: &str, seed: u64, lat: f64, lon: f64, opts: &SampleOptions) -> std::result::Result<Stream, String> {
    let (start, nstep) = synthetic_grid(opts)?;
    let origin = sample_event(opts.start);
    let o = origin.events().map_err(|e| e.to_string())?.first().and_then(|e| e.origin()).cloned().ok_or("the sample event has no origin")?;
    let (_, _, back_azimuth) = crate::geodetics::gps2dist_azimuth(o.latitude, o.longitude, lat, lon).map_err(|e| e.to_string())?;
    let degrees = crate::geodetics::locations2degrees(o.latitude, o.longitude, lat, lon);
    // The sample's 1000-count sine through the sensitivity, as displacement.
    let f = 0.2;
    let amplitude = 1000.0 / (1500.0 * 419_430.0) / (2.0 * std::f64::consts::PI * f);
    let shift = 0.8 * (Rng(seed).uniform() - 0.5);
    let arrival = (0.1 + 0.8 * degrees / 180.0) * (nstep - 1) as f64 / SYNTHETIC_RATE;
    let ricker = |t: f64| {
        let a = (std::f64::consts::PI * f * t).powi(2);
        (1.0 - 2.0 * a) * (-a).exp()
    };
    let (sin, cos) = back_azimuth.to_radians().sin_cos();
    let traces = [("BXZ", 1.0), ("BXN", -cos), ("BXE", -sin)]
        .into_iter()
        .map(|(cha, pulse_weight)| {
            let data: Vec<f32> = (0..nstep)
                .map(|i| {
                    let after_origin = i as f64 / SYNTHETIC_RATE;
                    let since_data = 30.0 + after_origin;
                    let wave = -0.9 * amplitude * (2.0 * std::f64::consts::PI * f * (since_data - shift)).cos();
                    (wave + 3.0 * amplitude * pulse_weight * ricker(after_origin - arrival)) as f32
                })
                .collect();
            let mut tr = Trace::new(&format!("{net}.{sta}.S3.{cha}"), start, SYNTHETIC_RATE, data);
            tr.stats.asdf.event_ids = vec!["smi:local/event/1".into()];
            tr
        })
        .collect();
    Ok(traces)
}

/// Writes synthetics matching the sample data set of the same options (same stations,
/// StationXML and event) under the tag `synthetic`: see [`synthetic_stream`].
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// use asdf::testing::{write_synthetics, SampleOptions};
/// let opts = SampleOptions { stations: 2, seconds: 120.0, ..Default::default() };
/// write_synthetics(dir.path().join("syn.h5"), &opts)?;
/// let syn = asdf::AsdfFile::open(dir.path().join("syn.h5"))?;
/// let st = syn.station("XX.S0001")?.stream("synthetic")?;
/// assert_eq!((st.len(), st[0].npts(), st[0].dtype()), (3, 900, "f4"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_synthetics(path: impl AsRef<Path>, opts: &SampleOptions) -> Result<()> {
    let path = path.as_ref();
    let invalid = |message: String| FormatError::Invalid { path: path.into(), object: "sample options".into(), message };
    opts.check().map_err(invalid)?;
    synthetic_grid(opts).map_err(invalid)?;
    let mut ds = AsdfFile::create_with(path, FormatVersion::V1_0_3, opts.compression)?;
    ds.expect_stations(opts.stations as u64);
    ds.add_quakeml(&sample_event(opts.start))?;
    for (net, sta, lat, lon, seed) in sample_stations(opts) {
        ds.add_stationxml(&station_inventory(&net, &sta, lat, lon, opts.rate, opts.start))?;
        let st = synthetic_stream(&net, &sta, seed, lat, lon, opts).map_err(invalid)?;
        ds.add_waveforms(&st, "synthetic")?;
    }
    ds.close()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_station_codes_stay_valid_past_ten_thousand_stations() {
        assert_eq!([0, 1, 2, 26, 27, 99].map(sample_network), ["XX", "AA", "AB", "AZ", "BA", "DU"].map(String::from));
        let stations = sample_stations(&SampleOptions { stations: 10_002, ..Default::default() });
        let ids: Vec<String> = [0, 9_999, 10_000, 10_001].iter().map(|&i| format!("{}.{}", stations[i].0, stations[i].1)).collect();
        assert_eq!(ids, ["XX.S0000", "XX.S9999", "AA.S0000", "AA.S0001"]);
        assert!(stations.iter().all(|(n, s, ..)| crate::format::is_valid_station_name(&format!("{n}.{s}"))));
    }
}
