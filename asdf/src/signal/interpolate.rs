//! `interpolate`: ObsPy's `Trace.interpolate` (time-domain resampling onto a new grid) with its
//! default weighted-average-slopes scheme (Wiggins 1976) and linear interpolation.
//!
//! Times are handled as ObsPy handles them: float POSIX timestamps, numpy's `linspace` grids.

use crate::model::stream::Stream;
use crate::model::time::UtcTime;
use crate::model::trace::Trace;

use super::{finite_samples, SignalError};

/// Interpolation scheme of [`Trace::interpolate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Interpolation {
    /// Cubic Hermite with slopes from weighted neighbouring slopes: no overshoot, extrema at the
    /// samples (ObsPy's default, `weighted_average_slopes`).
    #[default]
    WeightedAverageSlopes,
    /// Straight lines between samples (scipy's `interp1d(kind='linear')`).
    Linear,
}

/// numpy's `linspace(start, stop, n)`: `k * step + start`, with the last point exactly `stop`.
fn linspace(start: f64, stop: f64, n: usize) -> Vec<f64> {
    if n == 1 {
        return vec![start];
    }
    let step = (stop - start) / (n - 1) as f64;
    let mut v: Vec<f64> = (0..n).map(|k| k as f64 * step + start).collect();
    if let Some(last) = v.last_mut() {
        *last = stop;
    }
    v
}

/// scipy's `interp1d(kind='linear')` at `x_new`.
fn linear(x: &[f64], y: &[f64], x_new: &[f64]) -> Vec<f64> {
    let n = x.len();
    x_new
        .iter()
        .map(|&xn| {
            if n == 1 {
                return y[0];
            }
            let hi = x.partition_point(|&v| v < xn).clamp(1, n - 1);
            let lo = hi - 1;
            let slope = (y[hi] - y[lo]) / (x[hi] - x[lo]);
            slope * (xn - x[lo]) + y[lo]
        })
        .collect()
}

/// ObsPy's `weighted_average_slopes` followed by its C `hermite_interpolation`.
fn weighted_average_slopes(data: &[f64], old_start: f64, old_dt: f64, x_new: &[f64]) -> Vec<f64> {
    let n = data.len();
    if n == 1 {
        return vec![data[0]; x_new.len()];
    }
    let m: Vec<f64> = data.windows(2).map(|w| (w[1] - w[0]) / old_dt).collect();
    let w_max = m.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    let mut slope = vec![0.0; n];
    slope[0] = m[0];
    slope[n - 1] = m[n - 2];
    if w_max > 0.0 {
        // np.clip(|m|, eps, max) then 1/w.
        let w: Vec<f64> = m.iter().map(|v| 1.0 / v.abs().max(f64::EPSILON).min(w_max)).collect();
        for i in 1..n - 1 {
            slope[i] = (w[i - 1] * m[i - 1] + w[i] * m[i]) / (w[i - 1] + w[i]);
        }
    }
    // Opposite signs (or one zero) of the neighbouring slopes: an extremum at the sample.
    let sign = |v: f64| if v > 0.0 { 1 } else if v < 0.0 { -1 } else { 0 };
    for i in 1..n - 1 {
        if sign(m[i - 1]) != sign(m[i]) {
            slope[i] = 0.0;
        }
    }
    x_new
        .iter()
        .map(|&x| {
            let i = (x - old_start) / old_dt;
            let i0 = (i as usize).min(n - 1);
            if i == i0 as f64 || i0 == n - 1 {
                return data[i0];
            }
            let i1 = i0 + 1;
            let t = i - i0 as f64;
            let (a0, a1) = (data[i0], data[i1]);
            let (b_minus_1, b_plus_1) = (old_dt * slope[i0], old_dt * slope[i1]);
            let b0 = a1 - a0;
            let c0 = b0 - b_minus_1;
            let c1 = b_plus_1 - b0;
            let d0 = c1 - c0;
            a0 + (b0 + (c0 + d0 * t) * (t - 1.0)) * t
        })
        .collect()
}

impl Trace {
    /// Interpolates onto a new grid of `sampling_rate` starting at `starttime` (default: the
    /// trace's) with `npts` samples (default: as many as fit before the end), as ObsPy's
    /// `interpolate()`. No extrapolation: the new grid must lie inside the data. The result is
    /// float64 for every sample type, as ObsPy's.
    ///
    /// ```
    /// use asdf::{Trace, UtcTime, signal::Interpolation};
    /// let t0 = UtcTime::from_ns(0);
    /// let mut tr = Trace::new("XX.A..HHZ", t0, 1.0, vec![0.0, 1.0, 2.0, 3.0]);
    /// tr.interpolate(2.0, Interpolation::Linear, None, None).unwrap();
    /// assert_eq!(tr.data().as_f64().unwrap(), &[0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0]);
    /// ```
    pub fn interpolate(&mut self, sampling_rate: f64, method: Interpolation, starttime: Option<UtcTime>, npts: Option<usize>) -> Result<&mut Self, SignalError> {
        if !(sampling_rate > 0.0 && sampling_rate.is_finite()) {
            return Err(SignalError::invalid(self, format!("the new sampling rate must be positive, got {sampling_rate}")));
        }
        super::sampling_rate(self)?;
        let dt = 1.0 / sampling_rate;
        let old_start = self.stats.starttime.timestamp();
        let old_dt = self.stats.delta();
        let new_start = starttime.map_or(old_start, UtcTime::timestamp);
        let end = self.endtime().timestamp();
        let npts = match npts {
            Some(n) => n,
            None if end >= new_start => ((end - new_start) / dt).floor() as usize + 1,
            None => 0,
        };
        let n_old = self.npts();
        let old_end = old_start + old_dt * (n_old as f64 - 1.0);
        let new_end = new_start + dt * (npts as f64 - 1.0);
        if npts == 0 || old_start > new_start || old_end < new_end {
            return Err(SignalError::invalid(self, "the new time grid must lie inside the data: no extrapolation"));
        }
        let data = finite_samples(self)?;
        let x_new = linspace(new_start, new_end, npts);
        let out = match method {
            Interpolation::Linear => linear(&linspace(old_start, old_end, n_old), data, &x_new),
            Interpolation::WeightedAverageSlopes => weighted_average_slopes(data, old_start, old_dt, &x_new),
        };
        *data = out;
        self.stats.starttime = UtcTime::from_timestamp(new_start);
        // ObsPy stores the new delta; the rate is its reciprocal.
        self.stats.sampling_rate = 1.0 / dt;
        Ok(self)
    }
}

impl Stream {
    /// Interpolates every trace onto `sampling_rate` ([`Trace::interpolate`] with its defaults).
    pub fn interpolate(&mut self, sampling_rate: f64, method: Interpolation) -> Result<&mut Self, SignalError> {
        for t in &mut self.traces {
            t.interpolate(sampling_rate, method, None, None)?;
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_average_slopes_reproduces_samples_and_a_line() {
        let t0 = UtcTime::from_ns(0);
        let mut tr = Trace::new("XX.A..HHZ", t0, 1.0, (0..10).map(|i| 2.0 * i as f64).collect::<Vec<_>>());
        tr.interpolate(4.0, Interpolation::WeightedAverageSlopes, None, None).unwrap();
        let d = tr.data().as_f64().unwrap();
        assert_eq!(d.len(), 37);
        for (k, v) in d.iter().enumerate() {
            assert!((v - 0.5 * k as f64).abs() < 1e-12, "{k}: {v}");
        }
    }

    #[test]
    fn extrema_stay_at_samples() {
        let mut tr = Trace::new("XX.A..HHZ", UtcTime::from_ns(0), 1.0, vec![0.0, 1.0, 0.0, 1.0, 0.0]);
        tr.interpolate(10.0, Interpolation::WeightedAverageSlopes, None, None).unwrap();
        assert!(tr.data().as_f64().unwrap().iter().all(|v| (0.0..=1.0).contains(v)));
    }

    #[test]
    fn refuses_extrapolation() {
        let t0 = UtcTime::from_ns(0);
        let mut tr = Trace::new("XX.A..HHZ", t0, 1.0, vec![0.0; 5]);
        assert!(tr.interpolate(1.0, Interpolation::Linear, Some(t0 - 1.0), None).is_err());
        assert!(tr.interpolate(1.0, Interpolation::Linear, None, Some(10)).is_err());
    }
}
