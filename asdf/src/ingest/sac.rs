//! SAC binary files (a solver's or a data centre's single traces), read as ObsPy reads them:
//! either byte order (told by the header version, 6), the codes from `knetwk`, `kstnm`, `khole`
//! and `kcmpnm`, the start from the reference time (`nz*`) plus `b`, the rate from `delta`
//! rounded to the microsecond (ObsPy's rule since 1.4), float32 samples.

use crate::model::time::UtcTime;

/// Header length: 70 floats, 40 integers, 24 strings (192 bytes).
const HEADER: usize = 632;
/// SAC's "undefined" for numbers.
const UNDEFINED: i32 = -12345;

/// One SAC file's trace.
#[derive(Debug, Clone, PartialEq)]
pub struct SacTrace {
    /// `knetwk`.
    pub network: String,
    /// `kstnm`.
    pub station: String,
    /// `khole`.
    pub location: String,
    /// `kcmpnm`.
    pub channel: String,
    /// Reference time plus `b`, ns since 1970.
    pub start_ns: i64,
    /// `1 / delta`, `delta` rounded to the microsecond.
    pub sampling_rate: f64,
    /// The samples.
    pub samples: Vec<f32>,
}

/// Whether `bytes` look like a SAC binary file of evenly spaced samples: header version 6 in
/// one byte order, and the length the header's sample count implies.
///
/// ```
/// assert!(!asdf::ingest::is_sac(b"not a SAC file"));
/// ```
pub fn is_sac(bytes: &[u8]) -> bool {
    byte_order(bytes).is_some_and(|be| {
        let npts = int(bytes, 9, be);
        npts >= 0 && bytes.len() == HEADER + 4 * npts as usize
    })
}

/// Reads a SAC binary file.
///
/// ```
/// assert!(asdf::ingest::read_sac(&[0u8; 700]).is_err());
/// ```
pub fn read_sac(bytes: &[u8]) -> Result<SacTrace, String> {
    let (mut trace, be, npts) = read_sac_header(bytes)?;
    trace.samples = bytes[HEADER..HEADER + 4 * npts]
        .chunks_exact(4)
        .map(|c| {
            let a = [c[0], c[1], c[2], c[3]];
            if be { f32::from_be_bytes(a) } else { f32::from_le_bytes(a) }
        })
        .collect();
    Ok(trace)
}

/// A SAC file's header checked and read (the trace without its samples), with its byte order
/// (`true`: big-endian) and sample count: what a scan needs, no sample decoded.
pub(crate) fn read_sac_header(bytes: &[u8]) -> Result<(SacTrace, bool, usize), String> {
    let be = byte_order(bytes).ok_or("not a SAC binary file (no header version 6 in either byte order)")?;
    let npts = int(bytes, 9, be);
    if npts < 0 {
        return Err(format!("npts is {npts}"));
    }
    let npts = npts as usize;
    // As ObsPy: a file longer or shorter than its header says is refused.
    if bytes.len() != HEADER + 4 * npts {
        return Err(format!("the header declares {npts} samples ({} bytes with the header), the file has {} bytes", HEADER + 4 * npts, bytes.len()));
    }
    if int(bytes, 15, be) != 1 && int(bytes, 15, be) != UNDEFINED {
        return Err(format!("iftype {}: not a time series (spectral and x-y files are not waveforms)", int(bytes, 15, be)));
    }
    if int(bytes, 35, be) == 0 {
        return Err("leven is false: unevenly spaced samples are not a waveform ASDF can hold".into());
    }
    let delta = float(bytes, 0, be);
    if !(delta.is_finite() && delta > 0.0) || delta == UNDEFINED as f32 {
        return Err(format!("delta {delta} is not a sample interval"));
    }
    // ObsPy: the interval rounded to microseconds, then inverted.
    let sampling_rate = 1.0 / ((f64::from(delta) * 1e6).round() / 1e6);
    let b = float(bytes, 5, be);
    let b = if b == UNDEFINED as f32 { 0.0 } else { f64::from(b) };
    // As ObsPy's `UTCDateTime + float`: the seconds to ns, rounded half to even.
    let start_ns = reference_ns(bytes, be).unwrap_or(0) + (b * 1e9).round_ties_even() as i64;
    let trace = SacTrace {
        network: string(bytes, 608, 8),
        station: string(bytes, 440, 8),
        location: string(bytes, 464, 8),
        channel: string(bytes, 600, 8),
        start_ns,
        sampling_rate,
        samples: Vec::new(),
    };
    Ok((trace, be, npts))
}

/// Where a SAC file's station and sensor are, from its header (`stla`, `stlo`, `stel`, `stdp`,
/// `cmpaz`, `cmpinc`), in StationXML's terms: `dip` is `cmpinc - 90` (SAC measures inclination
/// from the vertical, StationXML dip from the horizontal, down positive).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SacCoordinates {
    /// `stla`, degrees.
    pub latitude: f64,
    /// `stlo`, degrees.
    pub longitude: f64,
    /// `stel`, m (0 when undefined).
    pub elevation: f64,
    /// `stdp`, m (0 when undefined).
    pub depth: f64,
    /// `cmpaz`, degrees from north, when defined.
    pub azimuth: Option<f64>,
    /// `cmpinc - 90`, degrees, when `cmpinc` is defined.
    pub dip: Option<f64>,
}

/// The station coordinates of a SAC file's header, `None` when `stla` or `stlo` is undefined or
/// `bytes` are not SAC.
///
/// ```
/// assert_eq!(asdf::ingest::sac_coordinates(b"not SAC"), None);
/// ```
pub fn sac_coordinates(bytes: &[u8]) -> Option<SacCoordinates> {
    let be = byte_order(bytes)?;
    let value = |i: usize| {
        let v = float(bytes, i, be);
        (v != UNDEFINED as f32 && v.is_finite()).then_some(f64::from(v))
    };
    let (latitude, longitude) = (value(31)?, value(32)?);
    if !(-90.0..=90.0).contains(&latitude) || !(-180.0..=360.0).contains(&longitude) {
        return None;
    }
    Some(SacCoordinates {
        latitude,
        longitude,
        elevation: value(33).unwrap_or(0.0),
        depth: value(34).unwrap_or(0.0),
        azimuth: value(57),
        dip: value(58).map(|inc| inc - 90.0),
    })
}

/// The event a SAC file's header names (`evla`, `evlo`, `evdp`, and `o` after the reference
/// time), as pyasdf's `sac2asdf` reads it: `evdp` taken as it is.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SacEvent {
    /// `evla`, degrees.
    pub latitude: f64,
    /// `evlo`, degrees.
    pub longitude: f64,
    /// `evdp`, as stored.
    pub depth: f64,
    /// Reference time + `o`, ns since 1970.
    pub origin_ns: i64,
}

/// The event of a SAC file's header, `None` unless `evla`, `evlo`, `evdp`, `o` and the reference
/// time are all defined.
///
/// ```
/// assert_eq!(asdf::ingest::sac_event(b"not SAC"), None);
/// ```
pub fn sac_event(bytes: &[u8]) -> Option<SacEvent> {
    let be = byte_order(bytes)?;
    let value = |i: usize| {
        let v = float(bytes, i, be);
        (v != UNDEFINED as f32 && v.is_finite()).then_some(f64::from(v))
    };
    let (latitude, longitude, depth, o) = (value(35)?, value(36)?, value(38)?, value(7)?);
    let origin_ns = reference_ns(bytes, be)? + (o * 1e9).round_ties_even() as i64;
    Some(SacEvent { latitude, longitude, depth, origin_ns })
}

/// A QuakeML document of `events` (each with its resource id): one origin each, as pyasdf's
/// `sac2asdf` writes them.
pub(crate) fn events_quakeml(events: &[(String, SacEvent)]) -> Vec<u8> {
    use std::fmt::Write as _;
    let mut w = String::from("<?xml version='1.0' encoding='utf-8'?>\n<q:quakeml xmlns:q=\"http://quakeml.org/xmlns/quakeml/1.2\" xmlns=\"http://quakeml.org/xmlns/bed/1.2\">\n  <eventParameters publicID=\"smi:local/asdf-import/sac-events\">\n");
    for (id, e) in events {
        let t = UtcTime::from_ns(e.origin_ns);
        let _ = write!(
            w,
            "    <event publicID=\"{id}\">\n      <origin publicID=\"{id}/origin\">\n        <time>\n          <value>{t}</value>\n        </time>\n        <latitude>\n          <value>{}</value>\n        </latitude>\n        <longitude>\n          <value>{}</value>\n        </longitude>\n        <depth>\n          <value>{}</value>\n        </depth>\n      </origin>\n    </event>\n",
            e.latitude, e.longitude, e.depth
        );
    }
    w.push_str("  </eventParameters>\n</q:quakeml>\n");
    w.into_bytes()
}

/// One trace as a little-endian SAC binary file, as ObsPy writes it: the reference time is the
/// start truncated to the millisecond (`nz*`, `iztype` IB) and `b` the rest, `delta` = 1/rate,
/// `e`, `depmin`/`depmax`/`depmen`, evenly spaced float32 samples (`iftype` ITIME, `leven`).
///
/// ```
/// use asdf::ingest::{read_sac, write_sac, SacTrace};
/// let t = SacTrace { network: "IU".into(), station: "ANMO".into(), location: "00".into(), channel: "BHZ".into(),
///                    start_ns: 1_577_836_801_500_250_000, sampling_rate: 40.0, samples: vec![1.0, 2.0] };
/// assert_eq!(read_sac(&write_sac(&t)).unwrap(), t);
/// ```
pub fn write_sac(t: &SacTrace) -> Vec<u8> {
    let mut b = vec![0u8; HEADER];
    let put_f = |b: &mut Vec<u8>, i: usize, v: f32| b[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
    let put_i = |b: &mut Vec<u8>, i: usize, v: i32| b[280 + 4 * i..284 + 4 * i].copy_from_slice(&v.to_le_bytes());
    let put_s = |b: &mut Vec<u8>, at: usize, len: usize, v: &str| {
        let mut field = vec![b' '; len];
        let text = if v.is_empty() { "-12345" } else { v };
        let n = text.len().min(len);
        field[..n].copy_from_slice(&text.as_bytes()[..n]);
        b[at..at + len].copy_from_slice(&field);
    };
    for i in 0..70 {
        put_f(&mut b, i, UNDEFINED as f32);
    }
    for i in 0..40 {
        put_i(&mut b, i, UNDEFINED);
    }
    for at in (440..HEADER).step_by(8) {
        put_s(&mut b, at, 8, "");
    }
    put_s(&mut b, 448, 16, "");
    let delta = (1.0 / t.sampling_rate) as f32;
    let ms = t.start_ns.div_euclid(1_000_000);
    let rest_ns = t.start_ns - ms * 1_000_000;
    let begin = (rest_ns as f64 / 1e9) as f32;
    put_f(&mut b, 0, delta);
    let (lo, hi, sum) = t.samples.iter().fold((f32::INFINITY, f32::NEG_INFINITY, 0f64), |(lo, hi, s), &v| (lo.min(v), hi.max(v), s + f64::from(v)));
    if !t.samples.is_empty() {
        put_f(&mut b, 1, lo);
        put_f(&mut b, 2, hi);
        put_f(&mut b, 56, (sum / t.samples.len() as f64) as f32);
    }
    put_f(&mut b, 3, 1.0);
    put_f(&mut b, 5, begin);
    put_f(&mut b, 6, (f64::from(begin) + (t.samples.len().max(1) - 1) as f64 * f64::from(delta)) as f32);
    let reference = UtcTime::from_ns(ms * 1_000_000);
    let (year, jday) = reference.year_day();
    let (_, _, _, hour, min, sec, _) = reference.components();
    for (i, v) in [year, jday as i32, hour as i32, min as i32, sec as i32, ms.rem_euclid(1000) as i32, 6].into_iter().enumerate() {
        put_i(&mut b, i, v);
    }
    put_i(&mut b, 9, t.samples.len() as i32);
    put_i(&mut b, 15, 1); // iftype: ITIME
    put_i(&mut b, 17, 9); // iztype: IB
    put_i(&mut b, 35, 1); // leven
    put_i(&mut b, 36, 0); // lpspol
    put_i(&mut b, 37, 1); // lovrok
    put_i(&mut b, 38, 0); // lcalda
    put_s(&mut b, 440, 8, &t.station);
    put_s(&mut b, 464, 8, &t.location);
    put_s(&mut b, 600, 8, &t.channel);
    put_s(&mut b, 608, 8, &t.network);
    b.reserve(4 * t.samples.len());
    for v in &t.samples {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b
}

/// Whether `bytes` start with what reads as a SAC header (version 6 in one byte order), whether
/// or not the rest of the file agrees with it.
pub(crate) fn has_sac_header(bytes: &[u8]) -> bool {
    byte_order(bytes).is_some()
}

/// `Some(big_endian)` when the header version reads 6 in that byte order.
fn byte_order(bytes: &[u8]) -> Option<bool> {
    if bytes.len() < HEADER {
        return None;
    }
    [false, true].into_iter().find(|&be| int(bytes, 6, be) == 6)
}

fn int(bytes: &[u8], i: usize, be: bool) -> i32 {
    let at = 280 + 4 * i;
    let a = [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]];
    if be { i32::from_be_bytes(a) } else { i32::from_le_bytes(a) }
}

fn float(bytes: &[u8], i: usize, be: bool) -> f32 {
    let at = 4 * i;
    let a = [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]];
    if be { f32::from_be_bytes(a) } else { f32::from_le_bytes(a) }
}

/// A header string as ObsPy cleans it: cut at a NUL, bytes outside ASCII as `?`, blanks
/// trimmed, `-12345` as empty.
fn string(bytes: &[u8], at: usize, len: usize) -> String {
    let raw = &bytes[at..at + len];
    let raw = &raw[..raw.iter().position(|&b| b == 0).unwrap_or(len)];
    let s: String = raw.iter().map(|&b| if b.is_ascii() { b as char } else { '?' }).collect();
    let s = s.trim().to_string();
    if s == "-12345" { String::new() } else { s }
}

/// The reference time (`nzyear`, `nzjday`, `nzhour`, `nzmin`, `nzsec`, `nzmsec`) in ns, `None`
/// when a field is undefined or out of range (ObsPy then counts from 1970).
fn reference_ns(bytes: &[u8], be: bool) -> Option<i64> {
    let f: Vec<i32> = (0..6).map(|i| int(bytes, i, be)).collect();
    if f.contains(&UNDEFINED) {
        return None;
    }
    let (mut year, jday, hour, min, sec, msec) = (f[0], f[1], f[2], f[3], f[4], f[5]);
    if (0..=99).contains(&year) {
        year += 1900;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if !(1..=if leap { 366 } else { 365 }).contains(&jday) || !(0..24).contains(&hour) || !(0..60).contains(&min) || !(0..60).contains(&sec) || !(0..1000).contains(&msec) {
        return None;
    }
    Some(UtcTime::from_year_day(year, jday as u32, hour as u32, min as u32, sec as u32, msec as u32 * 1_000_000).ns())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A SAC file of `samples` at 100 Hz starting 2020-001T00:00:01.5 (b = 0.5 after 1.000 s).
    fn sac_file(be: bool, samples: &[f32]) -> Vec<u8> {
        let mut b = vec![0u8; HEADER];
        let put_f = |b: &mut Vec<u8>, i: usize, v: f32| b[4 * i..4 * i + 4].copy_from_slice(&if be { v.to_be_bytes() } else { v.to_le_bytes() });
        let put_i = |b: &mut Vec<u8>, i: usize, v: i32| b[280 + 4 * i..284 + 4 * i].copy_from_slice(&if be { v.to_be_bytes() } else { v.to_le_bytes() });
        for i in 0..70 {
            put_f(&mut b, i, -12345.0);
        }
        for i in 0..40 {
            put_i(&mut b, i, -12345);
        }
        put_f(&mut b, 0, 0.01);
        put_f(&mut b, 5, 0.5);
        for (i, v) in [2020, 1, 0, 0, 1, 0, 6].into_iter().enumerate() {
            put_i(&mut b, i, v);
        }
        put_i(&mut b, 9, samples.len() as i32);
        put_i(&mut b, 15, 1);
        put_i(&mut b, 35, 1);
        for at in (440..HEADER).step_by(8) {
            b[at..at + 8].copy_from_slice(b"-12345  ");
        }
        b[440..448].copy_from_slice(b"ANMO    ");
        b[600..608].copy_from_slice(b"BHZ\0\0\0\0\0");
        b[608..616].copy_from_slice(b"IU      ");
        for v in samples {
            b.extend_from_slice(&if be { v.to_be_bytes() } else { v.to_le_bytes() });
        }
        b
    }

    #[test]
    fn both_byte_orders_read_alike() {
        for be in [false, true] {
            let f = sac_file(be, &[1.0, -2.5, 3.0]);
            assert!(is_sac(&f));
            let t = read_sac(&f).unwrap();
            assert_eq!((t.network.as_str(), t.station.as_str(), t.location.as_str(), t.channel.as_str()), ("IU", "ANMO", "", "BHZ"));
            assert_eq!(t.start_ns, 1_577_836_801_500_000_000);
            assert_eq!(t.sampling_rate, 100.0);
            assert_eq!(t.samples, vec![1.0, -2.5, 3.0]);
        }
        let mut short = sac_file(false, &[1.0, 2.0]);
        short.truncate(HEADER + 4);
        assert!(!is_sac(&short));
        assert!(read_sac(&short).unwrap_err().contains("declares 2 samples"));
        let mut long = sac_file(false, &[1.0, 2.0]);
        long.extend([0; 8]);
        assert!(!is_sac(&long) && read_sac(&long).is_err());
        let mut f = sac_file(true, &[1.0]);
        assert_eq!(sac_coordinates(&f), None);
        for (i, v) in [(31, 10.5f32), (32, -20.25), (34, 5.0), (57, 90.0), (58, 90.0)] {
            f[4 * i..4 * i + 4].copy_from_slice(&v.to_be_bytes());
        }
        let c = sac_coordinates(&f).unwrap();
        assert_eq!((c.latitude, c.longitude, c.elevation, c.depth, c.azimuth, c.dip), (10.5, -20.25, 0.0, 5.0, Some(90.0), Some(0.0)));
    }

    #[test]
    fn written_files_read_back() {
        for start_ns in [0i64, 951_782_400_123_456_000, -1_000_000_000, 1_577_836_800_999_999_000] {
            let t = SacTrace { network: String::new(), station: "A".into(), location: String::new(), channel: "HHZ".into(), start_ns, sampling_rate: 100.0, samples: vec![0.5; 3] };
            let back = read_sac(&write_sac(&t)).unwrap();
            assert_eq!(back, t, "start {start_ns}");
        }
    }

    #[test]
    fn event_headers_make_a_quakeml_event() {
        let mut f = sac_file(false, &[1.0]);
        assert_eq!(sac_event(&f), None);
        for (i, v) in [(35, 1.5f32), (36, -2.25), (38, 10.0), (7, -30.5)] {
            f[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
        }
        let e = sac_event(&f).unwrap();
        assert_eq!((e.latitude, e.longitude, e.depth, e.origin_ns), (1.5, -2.25, 10.0, 1_577_836_801_000_000_000 - 30_500_000_000));
        let q = events_quakeml(&[("smi:local/x".into(), e)]);
        let parsed = crate::model::event::Events::from_quakeml(q).unwrap();
        let ev = &parsed.events().unwrap()[0];
        assert_eq!(ev.resource_id, "smi:local/x");
        assert_eq!(ev.origins[0].time.ns(), e.origin_ns);
        assert_eq!((ev.origins[0].latitude, ev.origins[0].longitude), (1.5, -2.25));
    }
}
