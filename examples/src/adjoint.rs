//! `adjoint`: the measurement half of an adjoint-tomography pipeline. For each station in both
//! files (observed, synthetic), per component: a time window around the synthetic's largest
//! swing, a waveform-difference (L2) misfit and its adjoint source, written as SPECFEM reads
//! them (`AuxiliaryData/AdjointSources/NET_STA_BX{Z,N,E}`: 1-D float32, NSTEP samples, forward
//! time, all three components); the windows also as auxiliary data, and the windows and
//! misfits as JSON (`OUTPUT.json`).
//!
//! Each input holds one waveform tag per station (e.g. `preprocessed` from the `preprocess`
//! example and `synthetic` from `asdf sample --synthetics`). Observed traces are interpolated
//! onto the synthetics' grid when theirs differs. When the observed data are rotated to R/T
//! (and the synthetics are not), the synthetics are rotated with the back azimuth to the event,
//! and the R/T adjoint sources rotated back to N/E, as pytomo3d does.
//!
//! For a window `[left, right)` with taper `w` (Hann, 15 % of the window in all), synthetic
//! `s` and observed `d`: misfit `chi = 1/2 * trapezoid((w (s - d))^2, dt)`, adjoint source
//! `w^2 (s - d)` inside the window and 0 outside. (pyadjoint integrates with Simpson's rule and
//! applies the taper once to the adjoint source; the trapezoid rule and `w^2`, the exact
//! derivative of the discrete misfit, are this example's choice.)
use std::borrow::Cow;

use asdf::prelude::*;

/// Half the window length, in seconds.
pub const HALF_WINDOW: f64 = 20.0;
/// The window taper's share of the window (Hann, half at each end).
pub const TAPER: f64 = 0.15;
/// The period band of the data (as `preprocess`), recorded with the adjoint sources.
pub const PERIODS: (f64, f64) = (2.0, 20.0);

/// Windows, L2 misfits and adjoint sources of observed (first input) against synthetic
/// (second input) data.
#[asdf::station_processor(inputs = 2)]
fn adjoint(obs: &StationGroup<'_>, syn: &StationGroup<'_>, ctx: &JobContext<'_>) -> Result<JobOutput, String> {
    let observed = only_stream(obs)?;
    let mut synthetic = only_stream(syn)?;
    // Measure in the observed data's frame.
    let rotated = has(&observed, 'R') && !has(&synthetic, 'R');
    let back_azimuth = match rotated {
        true => Some(ctx.geometry().ok_or("the observed data are rotated to R/T, but the event or the station's coordinates are unknown")?.back_azimuth),
        false => None,
    };
    if let Some(ba) = back_azimuth {
        synthetic.rotate_ne_rt(ba).map_err(|e| e.to_string())?;
    }
    let mut record = StationRecord::default();
    let mut output = JobOutput::new();
    let mut sources = Stream::default();
    let components: &[char] = if rotated { &['Z', 'R', 'T'] } else { &['Z', 'N', 'E'] };
    let first = synthetic.traces.first().ok_or("no synthetic traces")?.clone();
    for &c in components {
        let Some(s) = synthetic.iter().find(|t| component(t) == c) else {
            // A missing component gets a zero adjoint source (the solver needs all three).
            sources.traces.push(zeros_like(&first, c));
            continue;
        };
        let Some(d) = observed.iter().find(|t| component(t) == c) else {
            sources.traces.push(zeros_like(s, c));
            continue;
        };
        let d = on_grid_of(d, s)?;
        let m = measure(&samples(&d), &samples(s), 1.0 / s.stats.sampling_rate);
        let window = Window::new(s, &m);
        output = output.with_auxiliary(
            AuxiliaryArray::new("MisfitWindows", &format!("{}_{}_{}", s.stats.network, s.stats.station, s.stats.channel), vec![window.relative_starttime, window.relative_endtime])
                .with_shape(vec![1, 2])
                .with_parameter("channel_id", s.id())
                .with_parameter("misfit", m.misfit)
                .with_parameter("time_of_first_sample", s.stats.starttime.to_string()),
        );
        record.misfit += m.misfit;
        record.windows.push(window);
        sources.traces.push(Trace::new(&s.id(), s.stats.starttime, s.stats.sampling_rate, m.adjoint));
    }
    if let Some(ba) = back_azimuth {
        sources.rotate_rt_ne(ba).map_err(|e| e.to_string())?;
    }
    let measured = |c: char| record.windows.iter().filter(|w| w.channel_id.ends_with(c) || (c != 'Z' && rotated && !w.channel_id.ends_with('Z'))).map(|w| w.misfit).sum::<f64>();
    let adjoint_sources = sources
        .traces
        .into_iter()
        .map(|mut tr| {
            let data = std::mem::take(tr.data_f64_mut());
            AdjointSource {
                location: tr.stats.location.clone(),
                misfit: measured(component(&tr)),
                adjoint_source_type: "waveform_misfit".into(),
                min_period: PERIODS.0,
                max_period: PERIODS.1,
                coordinates: ctx.coordinates,
                ..AdjointSource::new(&tr.stats.network, &tr.stats.station, component(&tr), 1.0 / tr.stats.sampling_rate, tr.stats.starttime, data)
            }
        })
        .collect();
    Ok(output.with_adjoint_sources(adjoint_sources).with_record(&record))
}

/// The stream of a group's only waveform tag.
fn only_stream(group: &StationGroup<'_>) -> Result<Stream, String> {
    match group.tags().map_err(|e| e.to_string())?.as_slice() {
        [tag] => group.stream(tag).map_err(|e| e.to_string()),
        tags => Err(format!("{}: expected one waveform tag in {}, found {tags:?}", group.name(), group.file().path().display())),
    }
}

fn component(tr: &Trace) -> char {
    tr.stats.channel.chars().last().unwrap_or(' ')
}

fn has(st: &Stream, c: char) -> bool {
    st.iter().any(|t| component(t) == c)
}

/// A zero trace on `like`'s grid, for component `c`.
fn zeros_like(like: &Trace, c: char) -> Trace {
    let mut tr = like.clone();
    *tr.data_f64_mut() = vec![0.0; like.npts()];
    tr.stats.channel.pop();
    tr.stats.channel.push(c);
    tr
}

/// `d` on `s`'s time grid (interpolated when the grids differ).
fn on_grid_of<'a>(d: &'a Trace, s: &Trace) -> Result<Cow<'a, Trace>, String> {
    if d.stats.starttime == s.stats.starttime && d.stats.sampling_rate == s.stats.sampling_rate && d.npts() == s.npts() {
        return Ok(Cow::Borrowed(d));
    }
    let mut d = d.clone();
    d.interpolate(s.stats.sampling_rate, Interpolation::WeightedAverageSlopes, Some(s.stats.starttime), Some(s.npts()))
        .map_err(|e| format!("{}: cannot bring the observed trace onto the synthetic's grid: {e}", s.id()))?;
    Ok(Cow::Owned(d))
}

/// A trace's samples as float64, borrowed when they are.
fn samples(tr: &Trace) -> Cow<'_, [f64]> {
    match tr.data().as_f64() {
        Some(x) => Cow::Borrowed(x),
        None => Cow::Owned(tr.data().to_f64()),
    }
}

/// One component's measurement: the window (sample indices, `[left, right)`), the misfit and the
/// adjoint source (the synthetic's length).
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    pub left: usize,
    pub right: usize,
    pub misfit: f64,
    pub adjoint: Vec<f64>,
}

/// The window around the synthetic's largest absolute value, its L2 misfit and adjoint source
/// (see the module docs), for observed `d` and synthetic `s` with time step `dt`.
pub fn measure(d: &[f64], s: &[f64], dt: f64) -> Measurement {
    let n = s.len().min(d.len());
    let peak = (0..n).max_by(|&a, &b| s[a].abs().total_cmp(&s[b].abs()).then(b.cmp(&a))).unwrap_or(0);
    let half = (HALF_WINDOW / dt).round() as usize;
    let (left, right) = (peak.saturating_sub(half), (peak + half + 1).min(n));
    let w = hann_window_taper(right - left);
    let mut adjoint = vec![0.0; s.len()];
    let mut r2 = Vec::with_capacity(right - left);
    for (k, i) in (left..right).enumerate() {
        let diff = s[i] - d[i];
        adjoint[i] = w[k] * w[k] * diff;
        r2.push((w[k] * diff).powi(2));
    }
    let misfit = 0.5 * trapezoid(&r2, dt);
    Measurement { left, right, misfit, adjoint }
}

/// 1 inside, a Hann ramp over `TAPER / 2` of the window at each end.
fn hann_window_taper(n: usize) -> Vec<f64> {
    let ramp = (n as f64 * TAPER / 2.0 + 0.5).floor() as usize;
    (0..n)
        .map(|i| {
            let k = i.min(n - 1 - i);
            if k < ramp {
                0.5 - 0.5 * (std::f64::consts::PI * k as f64 / ramp as f64).cos()
            } else {
                1.0
            }
        })
        .collect()
}

/// The trapezoid rule over equally spaced samples.
fn trapezoid(y: &[f64], dx: f64) -> f64 {
    match y {
        [] | [_] => 0.0,
        [first, .., last] => dx * (y.iter().sum::<f64>() - 0.5 * (first + last)),
    }
}

/// One window as the JSON records it (pyflex's names where they apply).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Window {
    pub channel_id: String,
    pub left_index: usize,
    pub right_index: usize,
    pub absolute_starttime: String,
    pub absolute_endtime: String,
    pub relative_starttime: f64,
    pub relative_endtime: f64,
    pub dt: f64,
    pub misfit: f64,
}

impl Window {
    fn new(s: &Trace, m: &Measurement) -> Self {
        let dt = 1.0 / s.stats.sampling_rate;
        let (rel_start, rel_end) = (m.left as f64 * dt, (m.right - 1) as f64 * dt);
        Window {
            channel_id: s.id(),
            left_index: m.left,
            right_index: m.right,
            absolute_starttime: (s.stats.starttime + rel_start).to_string(),
            absolute_endtime: (s.stats.starttime + rel_end).to_string(),
            relative_starttime: rel_start,
            relative_endtime: rel_end,
            dt,
            misfit: m.misfit,
        }
    }
}

/// A station's record: the total misfit and its windows.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct StationRecord {
    pub misfit: f64,
    pub windows: Vec<Window>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use asdf::testing::{write_synthetics, SampleOptions};

    #[test]
    fn the_measurement_by_hand() {
        // A window of 5 samples fits the trace; the taper ramps over round(5 * 0.075) = 0 samples.
        let s = [0.0, 1.0, 3.0, 1.0, 0.0];
        let d = [0.0, 0.0, 1.0, 0.0, 0.0];
        let m = measure(&d, &s, 0.5);
        assert_eq!((m.left, m.right), (0, 5));
        assert_eq!(m.adjoint, [0.0, 1.0, 2.0, 1.0, 0.0]);
        // 1/2 * 0.5 * (0 + 1 + 4 + 1 + 0 - (0 + 0) / 2)
        assert_eq!(m.misfit, 1.5);
        let expected: Vec<f64> = [0.0, 0.5].into_iter().chain([1.0; 16]).chain([0.5, 0.0]).collect();
        assert!(hann_window_taper(20).iter().zip(&expected).all(|(a, b)| (a - b).abs() < 1e-15));
    }

    #[test]
    fn identical_inputs_give_zero_misfit_and_all_three_components() {
        let dir = tempfile::tempdir().unwrap();
        let opts = SampleOptions { stations: 2, seconds: 120.0, ..SampleOptions::default() };
        let (a, b) = (dir.path().join("a.h5"), dir.path().join("b.h5"));
        write_synthetics(&a, &opts).unwrap();
        write_synthetics(&b, &SampleOptions { seed: 2, ..opts.clone() }).unwrap();
        let (fa, fb) = (AsdfFile::open(&a).unwrap(), AsdfFile::open(&b).unwrap());
        let (ga, gb) = (fa.station("XX.S0001").unwrap(), fb.station("XX.S0001").unwrap());
        let ctx = JobContext { station: "XX.S0001", tag: "", events: &[], event: None, coordinates: None };
        let same = adjoint(&ga, &ga, &ctx).unwrap();
        let other = adjoint(&gb, &ga, &ctx).unwrap();
        // What the job writes is checked end to end in tests/tests/examples.rs; here the record
        // and the sources.
        let misfit = |o: &JobOutput| o.record().and_then(|r| r["misfit"].as_f64()).unwrap();
        assert_eq!(misfit(&same), 0.0);
        assert!(misfit(&other) > 0.0);
        assert_eq!(other.record().unwrap()["windows"].as_array().unwrap().len(), 3);
        let components: Vec<char> = other.adjoint_sources().iter().map(|a| a.component).collect();
        assert_eq!(components, ['Z', 'N', 'E']);
        assert!(same.adjoint_sources().iter().all(|a| a.data.iter().all(|&x| x == 0.0) && a.data.len() == 900));
        assert_eq!(other.auxiliary().len(), 3, "one window array per component");
    }
}
