//! `decimate` without its anti-alias filter (ObsPy's `decimate(factor, no_filter=True)`):
//! low-pass first yourself, e.g. with [`Trace::lowpass`].

use crate::model::trace::Trace;

use super::SignalError;

impl Trace {
    /// Keeps every `factor`-th sample and divides the sampling rate by `factor`, as ObsPy's
    /// `decimate(factor, no_filter=True)`. ObsPy's default Chebyshev anti-alias filter is not
    /// applied: low-pass the trace first.
    ///
    /// ```
    /// use asdf::{Trace, UtcTime};
    /// let mut tr = Trace::new("XX.A..HHZ", UtcTime::from_ns(0), 100.0, (0..1000).map(|i| i as f64).collect::<Vec<_>>());
    /// tr.decimate_no_filter(100).unwrap();
    /// assert_eq!(tr.npts(), 10);
    /// assert_eq!(tr.stats.sampling_rate, 1.0);
    /// assert_eq!(tr.data.as_f64().unwrap()[1], 100.0);
    /// ```
    pub fn decimate_no_filter(&mut self, factor: usize) -> Result<&mut Self, SignalError> {
        if factor == 0 {
            return Err(SignalError::invalid(self, "decimation factor must be at least 1"));
        }
        let d = self.data_f64_mut();
        let kept: Vec<f64> = d.iter().step_by(factor).copied().collect();
        *d = kept;
        self.stats.sampling_rate /= factor as f64;
        Ok(self)
    }
}
