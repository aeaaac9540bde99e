//! The signal operations processing functions chain, numerically matched to ObsPy 1.5.1.
//!
//! Every operation is a method on [`Trace`] and on [`Stream`] (which applies it to each trace).
//! Operations that need floats convert the samples to float64 first (ObsPy keeps float32 as
//! float32 in some of them; we always compute in float64).

mod decimate;
mod detrend;
mod fft;
mod filter;
mod remove_response;
pub mod response;
mod interpolate;
mod merge;
mod resample;
mod rotate;
mod taper;
mod trim;

pub use detrend::Detrend;
pub use filter::FilterKind;
pub use remove_response::{RemoveResponse, ResponseOutput};
pub use decimate::Decimate;
pub use interpolate::Interpolation;
pub use merge::{Fill, Merge, MergeMethod};
pub use resample::Resample;
pub use rotate::rotate2zne;
pub use taper::{Side, Taper};
pub use trim::Trim;

use crate::model::stream::Stream;
use crate::model::trace::Trace;

/// Errors of signal operations; each names the trace it concerns.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SignalError {
    /// The trace has no samples.
    #[error("{id}: the trace has no samples")]
    Empty {
        /// The trace id (`NET.STA.LOC.CHA`).
        id: String,
    },
    /// The trace has NaN or infinite samples.
    #[error("{id}: the trace contains NaN or infinite samples; clean them first (e.g. replace with 0)")]
    NotFinite {
        /// The trace id (`NET.STA.LOC.CHA`).
        id: String,
    },
    /// A frequency at or above the Nyquist frequency.
    #[error("{id}: {what} {freq} Hz is at or above the Nyquist frequency {nyquist} Hz")]
    AboveNyquist {
        /// The trace id (`NET.STA.LOC.CHA`).
        id: String,
        /// Which parameter (e.g. `freqmax`).
        what: &'static str,
        /// The frequency given, in Hz.
        freq: f64,
        /// Half the sampling rate, in Hz.
        nyquist: f64,
    },
    /// A parameter out of its range.
    #[error("{id}: invalid parameter: {message}")]
    InvalidParameter {
        /// The trace id (`NET.STA.LOC.CHA`).
        id: String,
        /// What is wrong.
        message: String,
    },
    /// The inventory has no response for the trace's channel at its time.
    #[error("{id}: no response in the inventory for this channel at {time}; is the StationXML complete?")]
    NoResponse {
        /// The trace id (`NET.STA.LOC.CHA`).
        id: String,
        /// The trace's start time.
        time: String,
    },
    /// The response cannot be evaluated.
    #[error("{id}: cannot evaluate the response: {message}")]
    BadResponse {
        /// The trace id (`NET.STA.LOC.CHA`).
        id: String,
        /// What is wrong.
        message: String,
    },
    /// The trace's sampling rate is not positive and finite.
    #[error("{id}: sampling rate {rate} Hz is not a positive finite number; fix the trace's header (`stats.sampling_rate`)")]
    BadSamplingRate {
        /// The trace id (`NET.STA.LOC.CHA`).
        id: String,
        /// The sampling rate found.
        rate: f64,
    },
}

/// The trace's sampling rate, refused unless positive and finite: every operation that uses it
/// checks it first, so a broken header is an error, never a panic or NaN samples.
pub(crate) fn sampling_rate(tr: &Trace) -> Result<f64, SignalError> {
    let rate = tr.stats.sampling_rate;
    if rate > 0.0 && rate.is_finite() {
        Ok(rate)
    } else {
        Err(SignalError::BadSamplingRate { id: tr.id(), rate })
    }
}

impl SignalError {
    pub(crate) fn invalid(tr: &Trace, message: impl Into<String>) -> Self {
        SignalError::InvalidParameter { id: tr.id(), message: message.into() }
    }
}

/// Whether no sample is NaN or infinite: `x - x` is 0 for finite `x` and NaN otherwise, and
/// summing those in eight lanes vectorises (a search for the first bad sample does not).
pub(crate) fn all_finite(x: &[f64]) -> bool {
    x.chunks(256).all(|block| {
        let mut acc = [0.0f64; 8];
        let mut lanes = block.chunks_exact(8);
        for c in &mut lanes {
            acc.iter_mut().zip(c).for_each(|(a, &v)| *a += v - v);
        }
        lanes.remainder().iter().for_each(|&v| acc[0] += v - v);
        acc.iter().sum::<f64>() == 0.0
    })
}

/// numpy's `sum` of float64 (pairwise: blocks of up to 128 in eight running sums, halves added
/// recursively), so that means match ObsPy's to the last bit; faster than a running sum too.
pub(crate) fn numpy_sum(x: &[f64]) -> f64 {
    let n = x.len();
    if n < 8 {
        x.iter().fold(0.0, |r, &v| r + v)
    } else if n <= 128 {
        let mut r: [f64; 8] = x[..8].try_into().unwrap_or([0.0; 8]);
        let whole = n - n % 8;
        for block in x[8..whole].chunks_exact(8) {
            r.iter_mut().zip(block).for_each(|(r, v)| *r += v);
        }
        let res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        x[whole..].iter().fold(res, |r, &v| r + v)
    } else {
        let half = n / 2;
        let half = half - half % 8;
        numpy_sum(&x[..half]) + numpy_sum(&x[half..])
    }
}

/// numpy's `mean` of float64.
pub(crate) fn numpy_mean(x: &[f64]) -> f64 {
    numpy_sum(x) / x.len() as f64
}

/// The samples as float64 (converted in place), refused when empty or not all finite.
pub(crate) fn finite_samples(tr: &mut Trace) -> Result<&mut Vec<f64>, SignalError> {
    if tr.npts() == 0 {
        return Err(SignalError::Empty { id: tr.id() });
    }
    let id = tr.id();
    let data = tr.data_f64_mut();
    if !all_finite(data) {
        return Err(SignalError::NotFinite { id });
    }
    Ok(data)
}

impl Stream {
    /// Removes a trend from every trace ([`Trace::detrend`]).
    pub fn detrend(&mut self, kind: Detrend) -> &mut Self {
        self.traces.iter_mut().for_each(|t| {
            t.detrend(kind);
        });
        self
    }

    /// Tapers every trace ([`Trace::taper`]).
    pub fn taper(&mut self, max_percentage: f64, kind: Taper) -> &mut Self {
        self.traces.iter_mut().for_each(|t| {
            t.taper(max_percentage, kind);
        });
        self
    }

    /// Butterworth band-pass of every trace ([`Trace::bandpass`]).
    pub fn bandpass(&mut self, freqmin: f64, freqmax: f64, corners: usize, zerophase: bool) -> Result<&mut Self, SignalError> {
        self.filter(FilterKind::Bandpass { freqmin, freqmax }, corners, zerophase)
    }

    /// Butterworth low-pass of every trace.
    pub fn lowpass(&mut self, freq: f64, corners: usize, zerophase: bool) -> Result<&mut Self, SignalError> {
        self.filter(FilterKind::Lowpass { freq }, corners, zerophase)
    }

    /// Butterworth high-pass of every trace.
    pub fn highpass(&mut self, freq: f64, corners: usize, zerophase: bool) -> Result<&mut Self, SignalError> {
        self.filter(FilterKind::Highpass { freq }, corners, zerophase)
    }

    /// Butterworth band-stop of every trace.
    pub fn bandstop(&mut self, freqmin: f64, freqmax: f64, corners: usize, zerophase: bool) -> Result<&mut Self, SignalError> {
        self.filter(FilterKind::Bandstop { freqmin, freqmax }, corners, zerophase)
    }

    /// Removes the instrument response of every trace ([`Trace::remove_response`]).
    pub fn remove_response(&mut self, inv: &crate::Inventory, opts: &RemoveResponse) -> Result<&mut Self, SignalError> {
        for t in &mut self.traces {
            t.remove_response(inv, opts)?;
        }
        Ok(self)
    }

    /// Divides every trace by its overall sensitivity ([`Trace::remove_sensitivity`]).
    pub fn remove_sensitivity(&mut self, inv: &crate::Inventory) -> Result<&mut Self, SignalError> {
        for t in &mut self.traces {
            t.remove_sensitivity(inv)?;
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numpy_sum_is_numpys_pairwise_sum() {
        // numpy 2 (the interop venv): np.sum(1e6 + (np.arange(1001) * 7919 % 1000) * 0.001)
        // is 0x1.dd50719c00000p+29; a running sum gives 0x1.dd50719bffffep+29.
        let x: Vec<f64> = (0..1001u64).map(|i| 1e6 + ((i * 7919) % 1000) as f64 * 0.001).collect();
        assert_eq!(numpy_sum(&x), f64::from_bits(0x41CD_D507_19C0_0000));
        assert_ne!(x.iter().sum::<f64>(), numpy_sum(&x));
        assert_eq!(numpy_sum(&[1.0, 2.0, 3.0]), 6.0);
        assert_eq!(numpy_sum(&[]), 0.0);
    }

    #[test]
    fn all_finite_finds_any_nan_or_infinity() {
        let mut x = vec![1e300; 1000];
        assert!(all_finite(&x));
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            x[700] = bad;
            assert!(!all_finite(&x));
            x[700] = -1e300;
        }
        assert!(all_finite(&[]));
    }
}
