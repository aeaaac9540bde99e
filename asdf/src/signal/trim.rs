//! `trim` and `slice`: cut a trace to a time window, as ObsPy's `Trace.trim` and `Trace.slice`
//! (same sample selection, same rounding of the window edges, same padding rule).

use crate::model::stream::Stream;
use crate::model::time::UtcTime;
use crate::model::trace::Trace;

use super::SignalError;

/// How [`Trace::trim_with`] selects samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trim {
    /// Keep the sample nearest to each window edge (ObsPy's default) rather than only the samples
    /// inside the window.
    pub nearest_sample: bool,
    /// Pad with this value where the window extends beyond the data (ObsPy's `pad=True,
    /// fill_value=...`); `None` never pads. The samples keep their type; integer samples take
    /// only whole numbers in their range (ObsPy under NumPy 2 refuses any float fill there).
    pub pad: Option<f64>,
}

impl Default for Trim {
    fn default() -> Self {
        Trim { nearest_sample: true, pad: None }
    }
}

/// ObsPy's `round_away`: nearest integer, halves away from zero.
fn round_away(x: f64) -> i64 {
    x.round() as i64
}

/// `UTCDateTime - UTCDateTime` in ObsPy: seconds rounded to microseconds.
fn seconds_between(a: UtcTime, b: UtcTime) -> f64 {
    ((a - b) * 1e6).round() / 1e6
}

/// Python's `round(x, 7)` as ObsPy uses it before flooring.
fn round7(x: f64) -> f64 {
    (x * 1e7).round() / 1e7
}

impl Trace {
    /// Cuts the trace to `[starttime, endtime]` (either side optional), keeping the samples
    /// nearest to the edges, as ObsPy's `trim()` with its defaults. A window outside the data
    /// leaves an empty trace.
    ///
    /// ```
    /// use asdf::{Trace, UtcTime};
    /// let t0 = UtcTime::from_ns(0);
    /// let mut tr = Trace::new("XX.A..HHZ", t0, 10.0, (0..100).collect::<Vec<i32>>());
    /// tr.trim(Some(t0 + 1.02), Some(t0 + 2.0)).unwrap();
    /// assert_eq!(tr.stats.starttime, t0 + 1.0);
    /// assert_eq!(tr.npts(), 11);
    /// assert_eq!(tr.data().slice(0, 1), vec![10i32].into());
    /// ```
    pub fn trim(&mut self, starttime: Option<UtcTime>, endtime: Option<UtcTime>) -> Result<&mut Self, SignalError> {
        self.trim_with(starttime, endtime, Trim::default())
    }

    /// [`Trace::trim`] with ObsPy's `nearest_sample` and `pad`/`fill_value` options.
    ///
    /// ```
    /// use asdf::{Trace, UtcTime, signal::Trim};
    /// let t0 = UtcTime::from_ns(0);
    /// let mut tr = Trace::new("XX.A..HHZ", t0, 1.0, vec![1.0, 2.0, 3.0]);
    /// tr.trim_with(Some(t0 - 2.0), Some(t0 + 3.0), Trim { pad: Some(0.0), ..Trim::default() }).unwrap();
    /// assert_eq!(tr.data().as_f64().unwrap(), &[0.0, 0.0, 1.0, 2.0, 3.0, 0.0]);
    /// assert_eq!(tr.stats.starttime, t0 - 2.0);
    /// ```
    pub fn trim_with(&mut self, starttime: Option<UtcTime>, endtime: Option<UtcTime>, opts: Trim) -> Result<&mut Self, SignalError> {
        if let (Some(s), Some(e)) = (starttime, endtime) {
            if s > e {
                return Err(SignalError::invalid(self, format!("trim window starts ({s}) after it ends ({e})")));
            }
        }
        super::sampling_rate(self)?;
        if let Some(fill) = opts.pad {
            super::check_fill(self, fill)?;
        }
        if let Some(s) = starttime {
            self.trim_left(s, opts);
        }
        if let Some(e) = endtime {
            self.trim_right(e, opts);
        }
        Ok(self)
    }

    /// A copy of the part of the trace in `[starttime, endtime]` (ObsPy's `slice()`); the trace
    /// itself is unchanged.
    ///
    /// ```
    /// use asdf::{Trace, UtcTime};
    /// let t0 = UtcTime::from_ns(0);
    /// let tr = Trace::new("XX.A..HHZ", t0, 1.0, vec![1i32, 2, 3, 4]);
    /// let part = tr.slice(Some(t0 + 1.0), Some(t0 + 2.0)).unwrap();
    /// assert_eq!((part.npts(), tr.npts()), (2, 4));
    /// ```
    pub fn slice(&self, starttime: Option<UtcTime>, endtime: Option<UtcTime>) -> Result<Trace, SignalError> {
        let mut part = self.clone();
        part.trim(starttime, endtime)?;
        Ok(part)
    }

    fn trim_left(&mut self, starttime: UtcTime, opts: Trim) {
        let sr = self.stats.sampling_rate;
        let pad = opts.pad.is_some();
        let delta = if opts.nearest_sample {
            let mut delta = round_away(seconds_between(starttime, self.stats.starttime) * sr);
            if delta < 0 && pad {
                let npts = delta.abs() + 10;
                let new_start = self.stats.starttime - npts as f64 / sr;
                delta = round_away(seconds_between(starttime, new_start) * sr) - npts;
            }
            delta
        } else {
            -(round7(seconds_between(self.stats.starttime, starttime) * sr).floor() as i64)
        };
        if delta > 0 || pad {
            self.stats.starttime = self.stats.starttime + delta as f64 * self.stats.delta();
        }
        if delta == 0 || (delta < 0 && !pad) {
            return;
        }
        if delta < 0 {
            self.set_data(self.data().padded(delta.unsigned_abs() as usize, 0, opts.pad.unwrap_or(0.0)));
        } else if starttime > self.endtime() {
            self.set_data(self.data().slice(0, 0));
        } else {
            self.set_data(self.data().slice(delta as usize, self.npts()));
        }
    }

    fn trim_right(&mut self, endtime: UtcTime, opts: Trim) {
        let sr = self.stats.sampling_rate;
        let pad = opts.pad.is_some();
        let npts = self.npts() as i64;
        let delta = if opts.nearest_sample {
            round_away(seconds_between(endtime, self.stats.starttime) * sr) - npts + 1
        } else {
            round7(seconds_between(endtime, self.endtime()) * sr).floor() as i64
        };
        if delta == 0 || (delta > 0 && !pad) {
            return;
        }
        if delta > 0 {
            self.set_data(self.data().padded(0, delta as usize, opts.pad.unwrap_or(0.0)));
        } else if endtime < self.stats.starttime {
            self.stats.starttime = self.endtime() + delta as f64 * self.stats.delta();
            self.set_data(self.data().slice(0, 0));
        } else {
            let total = if endtime == self.stats.starttime { 1 } else { (npts + delta).max(0) };
            self.set_data(self.data().slice(0, total as usize));
        }
    }
}

impl Stream {
    /// Trims every trace ([`Trace::trim`]) and drops the traces left empty, as ObsPy's
    /// `Stream.trim()`.
    ///
    /// ```
    /// use asdf::{Stream, Trace, UtcTime};
    /// let t0 = UtcTime::from_ns(0);
    /// let mut st: Stream = [Trace::new("XX.A..HHZ", t0, 1.0, vec![1i32; 10]),
    ///                        Trace::new("XX.A..HHN", t0 + 20.0, 1.0, vec![1i32; 10])].into_iter().collect();
    /// st.trim(Some(t0 + 2.0), Some(t0 + 5.0)).unwrap();
    /// assert_eq!(st.len(), 1);
    /// assert_eq!(st.traces[0].npts(), 4);
    /// ```
    pub fn trim(&mut self, starttime: Option<UtcTime>, endtime: Option<UtcTime>) -> Result<&mut Self, SignalError> {
        self.trim_with(starttime, endtime, Trim::default())
    }

    /// [`Stream::trim`] with options; padded traces are kept even when they had no data inside.
    pub fn trim_with(&mut self, starttime: Option<UtcTime>, endtime: Option<UtcTime>, opts: Trim) -> Result<&mut Self, SignalError> {
        for t in &mut self.traces {
            t.trim_with(starttime, endtime, opts)?;
        }
        if opts.pad.is_none() {
            self.traces.retain(|t| t.npts() > 0);
        }
        Ok(self)
    }

    /// Copies of the traces' parts in `[starttime, endtime]`; traces with nothing there are left
    /// out (ObsPy's `Stream.slice()`).
    pub fn slice(&self, starttime: Option<UtcTime>, endtime: Option<UtcTime>) -> Result<Stream, SignalError> {
        let mut out = Stream::new();
        for t in &self.traces {
            let part = t.slice(starttime, endtime)?;
            if part.npts() > 0 {
                out.push(part);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tr(n: i32) -> Trace {
        Trace::new("XX.A..BHZ", UtcTime::from_ns(0), 1.0, (0..n).collect::<Vec<i32>>())
    }

    #[test]
    fn nearest_sample_rounds_half_away_and_keeps_dtype() {
        let t0 = UtcTime::from_ns(0);
        let mut t = tr(10);
        t.trim(Some(t0 + 2.5), Some(t0 + 6.5)).unwrap();
        assert_eq!(*t.data(), vec![3, 4, 5, 6, 7].into());
        assert_eq!(t.stats.starttime, t0 + 3.0);
    }

    #[test]
    fn without_nearest_sample_only_inside() {
        let t0 = UtcTime::from_ns(0);
        let mut t = tr(10);
        t.trim_with(Some(t0 + 2.5), Some(t0 + 6.5), Trim { nearest_sample: false, pad: None }).unwrap();
        assert_eq!(*t.data(), vec![3, 4, 5, 6].into());
    }

    #[test]
    fn outside_windows_empty_the_trace() {
        let t0 = UtcTime::from_ns(0);
        let mut t = tr(10);
        t.trim(Some(t0 + 20.0), None).unwrap();
        assert_eq!(t.npts(), 0);
        let mut t = tr(10);
        t.trim(None, Some(t0 - 5.0)).unwrap();
        assert_eq!(t.npts(), 0);
        assert!(tr(3).trim(Some(t0 + 2.0), Some(t0 + 1.0)).is_err());
    }

    #[test]
    fn slice_matches_trim() {
        let t0 = UtcTime::from_ns(0);
        let t = tr(50);
        let mut trimmed = t.clone();
        trimmed.trim(Some(t0 + 3.4), Some(t0 + 17.6)).unwrap();
        assert_eq!(t.slice(Some(t0 + 3.4), Some(t0 + 17.6)).unwrap(), trimmed);
    }
}
