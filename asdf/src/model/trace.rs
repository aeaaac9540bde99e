//! `Trace`: one contiguous time series with its header, as in ObsPy.

use std::sync::{Arc, OnceLock};

use super::time::UtcTime;
use super::stored::{StoredSamples, UndecodableSamples};

/// The samples of a trace in their stored type. ASDF allows i2 (from 1.0.1), i4, i8, f4 and f8;
/// the type is kept as read until an operation needs floats ([`Samples::to_f64_mut`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Samples {
    /// int16 (`i2`, ASDF >= 1.0.1).
    I16(Vec<i16>),
    /// int32 (`i4`).
    I32(Vec<i32>),
    /// int64 (`i8`).
    I64(Vec<i64>),
    /// float32 (`f4`).
    F32(Vec<f32>),
    /// float64 (`f8`).
    F64(Vec<f64>),
}

impl Samples {
    /// Number of samples.
    pub fn len(&self) -> usize {
        match self {
            Samples::I16(v) => v.len(),
            Samples::I32(v) => v.len(),
            Samples::I64(v) => v.len(),
            Samples::F32(v) => v.len(),
            Samples::F64(v) => v.len(),
        }
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// numpy's name of the sample type: `i2`, `i4`, `i8`, `f4` or `f8`.
    pub fn dtype(&self) -> &'static str {
        match self {
            Samples::I16(_) => "i2",
            Samples::I32(_) => "i4",
            Samples::I64(_) => "i8",
            Samples::F32(_) => "f4",
            Samples::F64(_) => "f8",
        }
    }

    /// No samples, of the type numpy calls `dtype` (`f8` for a name it does not know).
    ///
    /// ```
    /// # use asdf::Samples;
    /// assert_eq!(Samples::empty("i4"), Samples::I32(vec![]));
    /// ```
    pub fn empty(dtype: &str) -> Samples {
        match dtype {
            "i2" => Samples::I16(Vec::new()),
            "i4" => Samples::I32(Vec::new()),
            "i8" => Samples::I64(Vec::new()),
            "f4" => Samples::F32(Vec::new()),
            _ => Samples::F64(Vec::new()),
        }
    }

    /// A float64 copy of the samples.
    pub fn to_f64(&self) -> Vec<f64> {
        match self {
            Samples::I16(v) => v.iter().map(|&x| x as f64).collect(),
            Samples::I32(v) => v.iter().map(|&x| x as f64).collect(),
            Samples::I64(v) => v.iter().map(|&x| x as f64).collect(),
            Samples::F32(v) => v.iter().map(|&x| x as f64).collect(),
            Samples::F64(v) => v.clone(),
        }
    }

    /// Converts the samples to float64 in place (if they are not already) and returns them.
    pub fn to_f64_mut(&mut self) -> &mut Vec<f64> {
        if !matches!(self, Samples::F64(_)) {
            *self = Samples::F64(self.to_f64());
        }
        match self {
            Samples::F64(v) => v,
            _ => unreachable!("converted to F64 just above"),
        }
    }

    /// The samples as float64 if they are float64 already.
    pub fn as_f64(&self) -> Option<&[f64]> {
        match self {
            Samples::F64(v) => Some(v),
            _ => None,
        }
    }

    /// The samples as native-endian bytes (for writing).
    pub fn as_bytes(&self) -> &[u8] {
        fn bytes<T: zerocopy::IntoBytes + zerocopy::Immutable>(v: &[T]) -> &[u8] {
            zerocopy::IntoBytes::as_bytes(v)
        }
        match self {
            Samples::I16(v) => bytes(v),
            Samples::I32(v) => bytes(v),
            Samples::I64(v) => bytes(v),
            Samples::F32(v) => bytes(v),
            Samples::F64(v) => bytes(v),
        }
    }

    /// The samples as native-endian bytes, writable (for decoding into place).
    pub(crate) fn as_bytes_mut(&mut self) -> &mut [u8] {
        fn bytes<T: zerocopy::IntoBytes + zerocopy::FromBytes>(v: &mut [T]) -> &mut [u8] {
            zerocopy::IntoBytes::as_mut_bytes(v)
        }
        match self {
            Samples::I16(v) => bytes(v),
            Samples::I32(v) => bytes(v),
            Samples::I64(v) => bytes(v),
            Samples::F32(v) => bytes(v),
            Samples::F64(v) => bytes(v),
        }
    }

    /// Size of one sample in bytes.
    pub fn item_size(&self) -> usize {
        match self {
            Samples::I16(_) => 2,
            Samples::I32(_) | Samples::F32(_) => 4,
            Samples::I64(_) | Samples::F64(_) => 8,
        }
    }
}

/// A numeric type ASDF stores samples in (i2, i4, i8, f4, f8), for operations written once for
/// all of them (trim, merge) that keep the stored type.
pub(crate) trait Sample: Copy + PartialEq + std::fmt::Debug {
    /// numpy's cast from float64 (`astype`): truncation toward zero for integers.
    fn from_f64(x: f64) -> Self;
    fn to_f64(self) -> f64;

    /// `np.linspace(a, b, n + 2)[1:-1]`, the `n` points strictly between `a` and `b`: computed
    /// in float64 (then cast) for every type but float32, which numpy computes in float32.
    fn between(a: Self, b: Self, n: usize) -> Vec<Self> {
        let (a, b) = (a.to_f64(), b.to_f64());
        let step = (b - a) / (n + 1) as f64;
        (1..=n).map(|k| Self::from_f64(k as f64 * step + a)).collect()
    }
}

macro_rules! impl_sample {
    ($($t:ty),*) => {$(
        impl Sample for $t {
            fn from_f64(x: f64) -> Self { x as $t }
            fn to_f64(self) -> f64 { self as f64 }
        }
    )*};
}
impl_sample!(i16, i32, i64, f64);

impl Sample for f32 {
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn between(a: f32, b: f32, n: usize) -> Vec<f32> {
        let step = (b - a) / (n + 1) as f32;
        (1..=n).map(|k| k as f32 * step + a).collect()
    }
}

/// Runs `$body` with `$v` bound to the vector inside whichever variant `$samples` is.
macro_rules! with_samples {
    ($samples:expr, $v:ident => $body:expr) => {
        match $samples {
            $crate::model::trace::Samples::I16($v) => $body,
            $crate::model::trace::Samples::I32($v) => $body,
            $crate::model::trace::Samples::I64($v) => $body,
            $crate::model::trace::Samples::F32($v) => $body,
            $crate::model::trace::Samples::F64($v) => $body,
        }
    };
}
pub(crate) use with_samples;

impl Samples {
    /// The samples `start..end` (clamped to the data) in the same type.
    pub fn slice(&self, start: usize, end: usize) -> Samples {
        with_samples!(self, v => {
            let end = end.min(v.len());
            Samples::from(v[start.min(end)..end].to_vec())
        })
    }

    /// The samples with `before` and `after` copies of `fill` around them, in the same type
    /// (`fill` is cast as numpy casts: truncated toward zero for integer samples).
    pub fn padded(&self, before: usize, after: usize, fill: f64) -> Samples {
        fn pad<T: Sample>(v: &[T], before: usize, after: usize, fill: f64) -> Vec<T> {
            let f = T::from_f64(fill);
            let mut out = Vec::with_capacity(before + v.len() + after);
            out.extend(std::iter::repeat_n(f, before));
            out.extend_from_slice(v);
            out.extend(std::iter::repeat_n(f, after));
            out
        }
        with_samples!(self, v => Samples::from(pad(v, before, after, fill)))
    }
}

impl From<Vec<f64>> for Samples {
    fn from(v: Vec<f64>) -> Self {
        Samples::F64(v)
    }
}
impl From<Vec<f32>> for Samples {
    fn from(v: Vec<f32>) -> Self {
        Samples::F32(v)
    }
}
impl From<Vec<i32>> for Samples {
    fn from(v: Vec<i32>) -> Self {
        Samples::I32(v)
    }
}
impl From<Vec<i64>> for Samples {
    fn from(v: Vec<i64>) -> Self {
        Samples::I64(v)
    }
}
impl From<Vec<i16>> for Samples {
    fn from(v: Vec<i16>) -> Self {
        Samples::I16(v)
    }
}

/// The ASDF part of a trace header (ObsPy's `stats.asdf`): where the trace came from and what it
/// refers to. Carried through processing so that the output keeps the input's ids.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AsdfStats {
    /// The waveform tag (e.g. `raw_recording`).
    pub tag: String,
    /// QuakeML resource ids of the events this trace belongs to.
    pub event_ids: Vec<String>,
    /// QuakeML resource ids of the origins this trace refers to.
    pub origin_ids: Vec<String>,
    /// QuakeML resource ids of the magnitudes this trace refers to.
    pub magnitude_ids: Vec<String>,
    /// QuakeML resource ids of the focal mechanisms this trace refers to.
    pub focal_mechanism_ids: Vec<String>,
    /// Qualified name `{namespace}local` of a provenance record.
    pub provenance_id: Option<String>,
    /// Free labels (pyasdf's `labels`).
    pub labels: Vec<String>,
    /// The ASDF version of the file the trace was read from, if any.
    pub format_version: Option<String>,
}

/// A trace header: SEED identifiers, timing and the ASDF extras.
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    /// SEED network code.
    pub network: String,
    /// SEED station code.
    pub station: String,
    /// SEED location code (may be empty).
    pub location: String,
    /// SEED channel code.
    pub channel: String,
    /// Time of the first sample.
    pub starttime: UtcTime,
    /// Samples per second.
    pub sampling_rate: f64,
    /// The ASDF attributes.
    pub asdf: AsdfStats,
}

impl Stats {
    /// A header for `NET.STA.LOC.CHA` (the id split on dots) starting at `starttime`.
    pub fn new(id: &str, starttime: UtcTime, sampling_rate: f64) -> Self {
        let mut p = id.splitn(4, '.');
        let mut next = || p.next().unwrap_or("").to_string();
        Stats {
            network: next(),
            station: next(),
            location: next(),
            channel: next(),
            starttime,
            sampling_rate,
            asdf: AsdfStats::default(),
        }
    }

    /// Seconds between samples.
    pub fn delta(&self) -> f64 {
        1.0 / self.sampling_rate
    }
}

/// What a trace whose samples cannot be decoded holds.
static EMPTY: Samples = Samples::F64(Vec::new());

/// One contiguous time series: samples plus header.
///
/// The samples are reached through [`Trace::data`] and [`Trace::data_mut`] (ObsPy's `tr.data`).
/// A trace the engine reads for a processing function keeps its samples as stored (compressed)
/// until something asks for them: a trace the function passes through untouched is written
/// back without ever being decoded.
///
/// ```
/// use asdf::{Trace, UtcTime};
/// let t0: UtcTime = "2020-01-01T00:00:00".parse().unwrap();
/// let tr = Trace::new("XX.S0001..HHZ", t0, 100.0, vec![0.0f64; 1000]);
/// assert_eq!(tr.id(), "XX.S0001..HHZ");
/// assert_eq!(tr.npts(), 1000);
/// assert_eq!(tr.endtime().to_string(), "2020-01-01T00:00:09.990000000Z");
/// ```

#[derive(Clone)]
pub struct Trace {
    /// The header (ObsPy's `tr.stats`).
    pub stats: Stats,
    /// The samples, once decoded (always, for a trace not read lazily).
    samples: OnceLock<Samples>,
    /// The samples as stored in the input file, while they are unchanged.
    stored: Option<Arc<dyn StoredSamples>>,
    /// Byte order the samples are stored with in a file (kept through a read/write round trip;
    /// reset to native when an operation converts the samples to floats).
    pub byte_order: ByteOrder,
}

impl std::fmt::Debug for Trace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Trace");
        d.field("stats", &self.stats);
        match self.samples.get() {
            Some(s) => d.field("data", s),
            None => d.field("data", &format_args!("<{} {} samples, not decoded>", self.npts(), self.dtype())),
        };
        d.field("byte_order", &self.byte_order).finish()
    }
}

impl PartialEq for Trace {
    fn eq(&self, other: &Self) -> bool {
        self.stats == other.stats && self.byte_order == other.byte_order && self.data() == other.data()
    }
}

/// Byte order of stored samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteOrder {
    /// Least significant byte first.
    Little,
    /// Most significant byte first.
    Big,
}

impl ByteOrder {
    /// This machine's order.
    pub const fn native() -> Self {
        if cfg!(target_endian = "big") {
            ByteOrder::Big
        } else {
            ByteOrder::Little
        }
    }
}

impl Default for ByteOrder {
    fn default() -> Self {
        ByteOrder::native()
    }
}

impl Trace {
    /// A trace for `NET.STA.LOC.CHA`.
    pub fn new(id: &str, starttime: UtcTime, sampling_rate: f64, data: impl Into<Samples>) -> Self {
        Trace::from_parts(Stats::new(id, starttime, sampling_rate), data.into(), ByteOrder::native())
    }

    /// A trace from a header and samples.
    pub(crate) fn from_parts(stats: Stats, data: Samples, byte_order: ByteOrder) -> Self {
        Trace { stats, samples: OnceLock::from(data), stored: None, byte_order }
    }

    /// A trace whose samples stay as stored until first asked for (see [`StoredSamples`]).
    /// `samples` are the decoded samples if the reader decoded them already.
    pub fn from_stored(stats: Stats, stored: Arc<dyn StoredSamples>, samples: Option<Samples>, byte_order: ByteOrder) -> Self {
        let cell = OnceLock::new();
        if let Some(s) = samples {
            let _ = cell.set(s);
        }
        Trace { stats, samples: cell, stored: Some(stored), byte_order }
    }

    /// `NET.STA.LOC.CHA`.
    pub fn id(&self) -> String {
        let s = &self.stats;
        format!("{}.{}.{}.{}", s.network, s.station, s.location, s.channel)
    }

    /// Number of samples (known without decoding them).
    pub fn npts(&self) -> usize {
        match (self.samples.get(), &self.stored) {
            (None, Some(s)) => s.npts(),
            _ => self.data().len(),
        }
    }

    /// numpy's name of the sample type: `i2`, `i4`, `i8`, `f4` or `f8` (known without decoding).
    ///
    /// ```
    /// # use asdf::{Trace, UtcTime};
    /// let tr = Trace::new("XX.A..HHZ", UtcTime::from_ns(0), 100.0, vec![1i32, 2, 3]);
    /// assert_eq!(tr.dtype(), "i4");
    /// ```
    pub fn dtype(&self) -> &'static str {
        match (self.samples.get(), &self.stored) {
            (None, Some(s)) => s.dtype(),
            _ => self.data().dtype(),
        }
    }

    /// The samples (ObsPy's `tr.data`), decoding them on first use if the trace was read lazily.
    ///
    /// ```
    /// # use asdf::{Samples, Trace, UtcTime};
    /// let tr = Trace::new("XX.A..HHZ", UtcTime::from_ns(0), 100.0, vec![1i32, 2, 3]);
    /// assert_eq!(tr.data(), &Samples::I32(vec![1, 2, 3]));
    /// ```
    ///
    /// Never panics. Lazily read samples have had their checksums verified, but if they still
    /// cannot be decoded (a file written wrongly), this returns no samples and
    /// [`Trace::try_data`] says why; the engine then reports the job as failed (station, tag
    /// and dataset) whatever the function returned, so nothing computed from the missing
    /// samples is written.
    pub fn data(&self) -> &Samples {
        match self.try_data() {
            Ok(s) => s,
            Err(_) => self.samples.get().unwrap_or(&EMPTY),
        }
    }

    /// [`Trace::data`], with a failure to decode lazily read samples as an error naming the
    /// file and dataset.
    ///
    /// ```
    /// # use asdf::{Samples, Trace, UtcTime};
    /// let tr = Trace::new("XX.A..HHZ", UtcTime::from_ns(0), 100.0, vec![1i32, 2, 3]);
    /// assert_eq!(tr.try_data().unwrap(), &Samples::I32(vec![1, 2, 3]));
    /// ```
    pub fn try_data(&self) -> Result<&Samples, UndecodableSamples> {
        if let Some(stored) = &self.stored {
            if let Some(e) = stored.damage() {
                return Err(e);
            }
        }
        if let Some(s) = self.samples.get() {
            return Ok(s);
        }
        let Some(stored) = &self.stored else { return Ok(self.samples.get_or_init(|| EMPTY.clone())) };
        match stored.decode() {
            Ok(decoded) => Ok(self.samples.get_or_init(|| decoded)),
            Err(e) => {
                // No samples from here on: operations see an empty trace, the engine the damage.
                let _ = self.samples.set(Samples::empty(stored.dtype()));
                Err(e)
            }
        }
    }

    /// The samples, writable. The trace no longer counts as unchanged, so it is compressed
    /// afresh when written. Empty for samples that cannot be decoded, as [`Trace::data`].
    ///
    /// ```
    /// # use asdf::{Samples, Trace, UtcTime};
    /// let mut tr = Trace::new("XX.A..HHZ", UtcTime::from_ns(0), 100.0, vec![1i32, 2, 3]);
    /// if let Samples::I32(v) = tr.data_mut() {
    ///     v[0] = 10;
    /// }
    /// assert_eq!(tr.data(), &Samples::I32(vec![10, 2, 3]));
    /// ```
    pub fn data_mut(&mut self) -> &mut Samples {
        let _ = self.try_data();
        self.stored = None;
        self.samples.get_or_init(|| EMPTY.clone());
        match self.samples.get_mut() {
            Some(s) => s,
            None => unreachable!("set just above"),
        }
    }

    /// Replaces the samples.
    ///
    /// ```
    /// # use asdf::{Trace, UtcTime};
    /// let mut tr = Trace::new("XX.A..HHZ", UtcTime::from_ns(0), 100.0, vec![1i32, 2, 3]);
    /// tr.set_data(vec![0.5f64; 10]);
    /// assert_eq!((tr.npts(), tr.dtype()), (10, "f8"));
    /// ```
    pub fn set_data(&mut self, data: impl Into<Samples>) {
        self.samples = OnceLock::from(data.into());
        self.stored = None;
    }

    /// The samples, moved out of the trace.
    pub fn into_data(mut self) -> Samples {
        let _ = self.try_data();
        self.samples.take().unwrap_or_else(|| EMPTY.clone())
    }

    /// Whether the samples are decoded (always, for a trace not read lazily).
    #[cfg(test)]
    pub(crate) fn is_decoded(&self) -> bool {
        self.samples.get().is_some()
    }

    /// The samples exactly as stored in the input file, while nothing has changed them.
    pub(crate) fn stored(&self) -> Option<&Arc<dyn StoredSamples>> {
        self.stored.as_ref()
    }

    /// Takes the stored chunks out of the trace, for writing them as they are. The trace is
    /// left without samples unless they were decoded: only for a trace about to be dropped.
    pub(crate) fn take_stored(&mut self) -> Option<Arc<dyn StoredSamples>> {
        self.stored.take()
    }

    /// Time of the last sample (ObsPy's `endtime`); the starttime for an empty trace.
    pub fn endtime(&self) -> UtcTime {
        let n = self.npts();
        if n == 0 {
            self.stats.starttime
        } else {
            self.stats.starttime + (n - 1) as f64 / self.stats.sampling_rate
        }
    }

    /// The samples as float64, converting them first if needed.
    pub fn data_f64_mut(&mut self) -> &mut Vec<f64> {
        if self.dtype() != "f8" {
            self.byte_order = ByteOrder::native();
        }
        self.data_mut().to_f64_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changing_the_samples_forgets_what_was_stored() {
        let mut tr = Trace::new("XX.A..HHZ", UtcTime::from_ns(0), 100.0, vec![1i32, 2, 3]);
        assert!(tr.stored().is_none());
        tr.data_mut();
        assert_eq!(tr.data(), &Samples::I32(vec![1, 2, 3]));
        assert_eq!(tr.clone().into_data(), Samples::I32(vec![1, 2, 3]));
        assert_eq!(tr.data_f64_mut(), &vec![1.0, 2.0, 3.0]);
        assert_eq!(tr.dtype(), "f8");
    }
}
