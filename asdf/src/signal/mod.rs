//! The signal operations processing functions chain, numerically matched to ObsPy 1.5.1.
//!
//! Every operation is a method on [`Trace`] and on [`Stream`] (which applies it to each trace).
//!
//! # Sample types
//!
//! Each operation returns the sample type ObsPy 1.5.1 (with NumPy 2) returns, and rounds where
//! ObsPy rounds, so float32 input gives ObsPy's float32 numbers:
//!
//! | operation | float32 samples | integer samples |
//! |---|---|---|
//! | [`detrend`](Trace::detrend), [`taper`](Trace::taper), [`rotate_ne_rt`](Stream::rotate_ne_rt), [`rotate_rt_ne`](Stream::rotate_rt_ne), [`remove_sensitivity`](Trace::remove_sensitivity) | stay float32 | become float64 |
//! | filters, [`remove_response`](Trace::remove_response), [`resample`](Trace::resample), [`decimate`](Trace::decimate) (filtered), [`interpolate`](Trace::interpolate), [`rotate_to_zne`](Stream::rotate_to_zne) | become float64 | become float64 |
//! | [`trim`](Trace::trim), [`merge`](Stream::merge), [`decimate_no_filter`](Trace::decimate_no_filter) | keep their type | keep their type |
//!
//! Where ObsPy itself computes in float32 with a library whose rounding cannot be reproduced
//! (scipy's float32 least squares in `detrend('linear')`, its float32 FFT in `resample`), the
//! operation's documentation says so.

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

/// Refuses a fill value integer samples cannot hold. ObsPy 1.5.1 under NumPy 2 refuses every
/// float fill on integer samples, even `0.0` (its `temp *= fill_value` cannot cast back), and
/// accepts an integer one; we accept whole numbers in the type's range and refuse the rest
/// rather than truncate them.
pub(crate) fn check_fill(tr: &Trace, fill: f64) -> Result<(), SignalError> {
    let (lo, hi) = match tr.data() {
        crate::Samples::I16(_) => (i16::MIN as f64, i16::MAX as f64),
        crate::Samples::I32(_) => (i32::MIN as f64, i32::MAX as f64),
        crate::Samples::I64(_) => (i64::MIN as f64, i64::MAX as f64),
        _ => return Ok(()),
    };
    if fill.fract() == 0.0 && (lo..=hi).contains(&fill) {
        Ok(())
    } else {
        let why = format!("fill value {fill} cannot be stored in {} samples; give a whole number, or convert the samples to float first", tr.dtype());
        Err(SignalError::invalid(tr, why))
    }
}

/// Float samples in the precision an operation computes in: float32 where ObsPy keeps float32,
/// float64 otherwise (integers converted as ObsPy's `np.require(data, np.float64)`).
pub(crate) enum Floats<'a> {
    F32(&'a mut Vec<f32>),
    F64(&'a mut Vec<f64>),
}

impl Trace {
    /// The samples as float32 if they are float32, else converted to float64.
    pub(crate) fn floats_mut(&mut self) -> Floats<'_> {
        if self.dtype() != "f4" {
            return Floats::F64(self.data_f64_mut());
        }
        match self.data_mut() {
            crate::Samples::F32(v) => Floats::F32(v),
            other => Floats::F64(other.to_f64_mut()),
        }
    }
}

/// A float type samples are computed in (float32 or float64), for operations that keep float32.
pub(crate) trait Float:
    crate::model::trace::Sample
    + Default
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
    + std::ops::Neg<Output = Self>
{
}
impl Float for f32 {}
impl Float for f64 {}

/// Whether no sample is NaN or infinite: `x - x` is 0 for finite `x` and NaN otherwise, and
/// summing those in eight lanes vectorises (a search for the first bad sample does not).
pub(crate) fn all_finite<T: Float>(x: &[T]) -> bool {
    x.chunks(256).all(|block| {
        let mut acc = [T::default(); 8];
        let mut lanes = block.chunks_exact(8);
        for c in &mut lanes {
            acc.iter_mut().zip(c).for_each(|(a, &v)| *a = *a + (v - v));
        }
        lanes.remainder().iter().for_each(|&v| acc[0] = acc[0] + (v - v));
        acc.iter().fold(T::default(), |s, &a| s + a) == T::default()
    })
}

/// numpy's `sum` of float64 or float32 (pairwise: blocks of up to 128 in eight running sums of
/// the array's type, halves added recursively), so that means match ObsPy's to the last bit;
/// faster than a running sum too.
pub(crate) fn numpy_sum<T: Float>(x: &[T]) -> T {
    let n = x.len();
    if n < 8 {
        x.iter().fold(T::default(), |r, &v| r + v)
    } else if n <= 128 {
        let mut r: [T; 8] = x[..8].try_into().unwrap_or([T::default(); 8]);
        let whole = n - n % 8;
        for block in x[8..whole].chunks_exact(8) {
            r.iter_mut().zip(block).for_each(|(r, &v)| *r = *r + v);
        }
        let res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        x[whole..].iter().fold(res, |r, &v| r + v)
    } else {
        let half = n / 2;
        let half = half - half % 8;
        numpy_sum(&x[..half]) + numpy_sum(&x[half..])
    }
}

/// numpy's `mean` of float64 or float32 (the sum divided in the array's type).
pub(crate) fn numpy_mean<T: Float>(x: &[T]) -> T {
    numpy_sum(x) / T::from_f64(x.len() as f64)
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
        assert_eq!(numpy_sum::<f64>(&[]), 0.0);
    }

    #[test]
    fn numpy_sum_of_float32_sums_in_float32() {
        // numpy 2 (the interop venv): np.sum of [1e8, 1 x 8] as float32 is 1e8 (in float64,
        // 100000008); of the float32 series below 0x1.dd5072p+29 and its mean 0x1.e84810p+19.
        let mut x = vec![1.0f32; 9];
        x[0] = 1e8;
        assert_eq!(numpy_sum(&x), 1e8f32);
        let y: Vec<f32> = (0..1001u64).map(|i| (1e6 + ((i * 7919) % 1000) as f64 * 0.001) as f32).collect();
        assert_eq!(numpy_sum(&y) as f64, f64::from_bits(0x41CD_D507_2000_0000));
        assert_eq!(numpy_mean(&y) as f64, f64::from_bits(0x412E_8481_0000_0000));
    }

    #[test]
    fn float32_operations_keep_float32_and_integers_become_float64() {
        use crate::{Samples, Stream, UtcTime};
        let t0 = UtcTime::from_ns(0);
        let f32s = || Trace::new("XX.A..HHN", t0, 10.0, (0..100).map(|i| (i as f32 * 0.37).sin() * 1e3).collect::<Vec<f32>>());
        let ints = || Trace::new("XX.A..HHN", t0, 10.0, (0..100).map(|i| i * 7 % 13).collect::<Vec<i16>>());
        for kind in [Detrend::Simple, Detrend::Linear, Detrend::Demean, Detrend::Polynomial(2)] {
            assert_eq!(f32s().detrend(kind).dtype(), "f4", "{kind:?}");
            assert_eq!(ints().detrend(kind).dtype(), "f8", "{kind:?}");
        }
        assert_eq!(f32s().taper(0.1, Taper::Hann).dtype(), "f4");
        assert_eq!(ints().taper(0.1, Taper::Hann).dtype(), "f8");
        assert_eq!(f32s().lowpass(1.0, 4, false).map(|t| t.dtype()), Ok("f8"));
        // The taper's product is taken in float64 and rounded once.
        let mut tr = f32s();
        let before = tr.data().clone();
        tr.taper(0.1, Taper::Hann);
        let w = taper::window(Taper::Hann, 21);
        if let (Samples::F32(a), Samples::F32(b)) = (&before, tr.data()) {
            assert_eq!(b[3], (a[3] as f64 * w[3]) as f32);
        }
        let pair = |mk: &dyn Fn() -> Trace| -> Stream {
            let mut e = mk();
            e.stats.channel = "HHE".into();
            [mk(), e].into_iter().collect()
        };
        let mut st = pair(&f32s);
        st.rotate_ne_rt(30.0).unwrap();
        assert!(st.iter().all(|t| t.dtype() == "f4"));
        let mut st = pair(&ints);
        st.rotate_ne_rt(30.0).unwrap();
        assert!(st.iter().all(|t| t.dtype() == "f8"));
    }

    #[test]
    fn a_fill_integer_samples_cannot_hold_is_refused() {
        let t0 = crate::UtcTime::from_ns(0);
        let mut tr = Trace::new("XX.A..HHZ", t0, 1.0, vec![1i32, 2, 3]);
        let pad = |v: f64| Trim { pad: Some(v), ..Trim::default() };
        let e = tr.clone().trim_with(Some(t0 - 2.0), None, pad(0.5)).unwrap_err();
        assert!(e.to_string().contains("fill value 0.5 cannot be stored in i4 samples"), "{e}");
        assert!(tr.clone().trim_with(Some(t0 - 2.0), None, pad(f64::NAN)).is_err());
        assert!(tr.clone().trim_with(Some(t0 - 2.0), None, pad(1e10)).is_err());
        tr.trim_with(Some(t0 - 2.0), None, pad(-7.0)).unwrap();
        assert_eq!(*tr.data(), vec![-7i32, -7, 1, 2, 3].into());
        let mut st: crate::Stream = [Trace::new("XX.A..HHZ", t0, 1.0, vec![1i16]), Trace::new("XX.A..HHZ", t0 + 3.0, 1.0, vec![2i16])].into_iter().collect();
        assert!(st.merge(Merge { fill: Fill::Value(0.25), ..Merge::default() }).is_err());
        assert_eq!(st.len(), 2, "a refused merge leaves the stream as it was");
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
        assert!(all_finite::<f64>(&[]));
    }
}
