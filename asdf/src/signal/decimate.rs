//! `decimate`: ObsPy's `Trace.decimate`, an anti-alias Chebyshev type II low-pass at the new
//! Nyquist frequency followed by keeping every `factor`-th sample.

use crate::model::stream::Stream;
use crate::model::trace::{with_samples, Samples, Trace};

use super::SignalError;

/// Options of [`Trace::decimate_with`]; the default is ObsPy's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Decimate {
    /// Skip the anti-alias low-pass (low-pass first yourself).
    pub no_filter: bool,
    /// Refuse a factor that does not divide the number of samples (the end time would move).
    pub strict_length: bool,
}

impl Trace {
    /// Decimates by an integer factor as ObsPy's `decimate(factor)`: a causal Chebyshev type II
    /// low-pass at the new Nyquist frequency (order at most 12, 96 dB), then every `factor`-th
    /// sample. Factors above 16 are refused as in ObsPy (decimate in steps). The filter makes
    /// the samples float64 whatever their type, as ObsPy's (`decimate_no_filter` keeps the type).
    ///
    /// ```
    /// use asdf::{Trace, UtcTime};
    /// let mut tr = Trace::new("XX.A..HHZ", UtcTime::from_ns(0), 100.0, vec![1.0; 1000]);
    /// tr.decimate(4).unwrap();
    /// assert_eq!((tr.npts(), tr.stats.sampling_rate), (250, 25.0));
    /// ```
    pub fn decimate(&mut self, factor: usize) -> Result<&mut Self, SignalError> {
        self.decimate_with(factor, Decimate::default())
    }

    /// [`Trace::decimate`] with ObsPy's `no_filter` and `strict_length` options.
    pub fn decimate_with(&mut self, factor: usize, opts: Decimate) -> Result<&mut Self, SignalError> {
        super::sampling_rate(self)?;
        if factor == 0 {
            return Err(SignalError::invalid(self, "decimation factor must be at least 1"));
        }
        if opts.strict_length && self.npts() % factor != 0 {
            return Err(SignalError::invalid(self, format!("{} samples are not a multiple of the factor {factor} and strict_length is set", self.npts())));
        }
        if !opts.no_filter {
            if factor > 16 {
                return Err(SignalError::invalid(self, format!("automatic anti-alias filter is unstable for factors above 16 (got {factor}); decimate in steps")));
            }
            let freq = self.stats.sampling_rate * 0.5 / factor as f64;
            self.lowpass_cheby2(freq)?;
        }
        // Keeps the sample type, as ObsPy's `integer_decimation`.
        let kept = with_samples!(self.data(), v => Samples::from(v.iter().step_by(factor).copied().collect::<Vec<_>>()));
        self.set_data(kept);
        self.stats.sampling_rate /= factor as f64;
        Ok(self)
    }

    /// Keeps every `factor`-th sample without the anti-alias filter, as ObsPy's
    /// `decimate(factor, no_filter=True)`: low-pass the trace first.
    ///
    /// ```
    /// use asdf::{Trace, UtcTime};
    /// let mut tr = Trace::new("XX.A..HHZ", UtcTime::from_ns(0), 100.0, (0..1000).map(|i| i as f64).collect::<Vec<_>>());
    /// tr.decimate_no_filter(100).unwrap();
    /// assert_eq!(tr.npts(), 10);
    /// assert_eq!(tr.stats.sampling_rate, 1.0);
    /// assert_eq!(tr.data().as_f64().unwrap()[1], 100.0);
    /// ```
    pub fn decimate_no_filter(&mut self, factor: usize) -> Result<&mut Self, SignalError> {
        self.decimate_with(factor, Decimate { no_filter: true, strict_length: false })
    }
}

impl Stream {
    /// Decimates every trace ([`Trace::decimate`]).
    pub fn decimate(&mut self, factor: usize) -> Result<&mut Self, SignalError> {
        for t in &mut self.traces {
            t.decimate(factor)?;
        }
        Ok(self)
    }
}
