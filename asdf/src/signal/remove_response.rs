//! `remove_response` and `remove_sensitivity`, as ObsPy's `Trace` methods.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};


use crate::model::inventory::Inventory;
use crate::model::response::{Complex64, StageKind};
use crate::model::trace::Trace;

use super::response::{evaluate, Quantity};
use super::taper::cosine_taper_shared;
use super::{finite_samples, Floats, SignalError};

/// What `remove_response` outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ResponseOutput {
    /// Displacement, metres.
    Disp,
    /// Velocity, metres per second (ObsPy's default).
    #[default]
    Vel,
    /// Acceleration, metres per second squared.
    Acc,
    /// Input units of the first stage, unconverted.
    Def,
}

/// Options of [`Trace::remove_response`], with ObsPy's defaults: output VEL, water level 60 dB,
/// no pre-filter, zero mean, 5 % cosine taper.
///
/// ```
/// use asdf::signal::RemoveResponse;
/// let opts = RemoveResponse::velocity().pre_filt([0.05, 0.1, 20.0, 25.0]).water_level(Some(60.0));
/// assert_eq!(opts.taper_fraction, 0.05);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RemoveResponse {
    /// Displacement, velocity or acceleration.
    pub output: ResponseOutput,
    /// Water level in dB below the maximum of the response; `None` inverts without one.
    pub water_level: Option<f64>,
    /// Corner frequencies of a cosine band-pass applied in the frequency domain.
    pub pre_filt: Option<[f64; 4]>,
    /// Remove the mean before the transform.
    pub zero_mean: bool,
    /// Apply a cosine taper before the transform.
    pub taper: bool,
    /// Fraction of the trace tapered at each end.
    pub taper_fraction: f64,
}

impl Default for RemoveResponse {
    fn default() -> Self {
        RemoveResponse { output: ResponseOutput::Vel, water_level: Some(60.0), pre_filt: None, zero_mean: true, taper: true, taper_fraction: 0.05 }
    }
}

impl RemoveResponse {
    /// To displacement.
    pub fn displacement() -> Self {
        RemoveResponse { output: ResponseOutput::Disp, ..Self::default() }
    }
    /// To velocity.
    pub fn velocity() -> Self {
        Self::default()
    }
    /// To acceleration.
    pub fn acceleration() -> Self {
        RemoveResponse { output: ResponseOutput::Acc, ..Self::default() }
    }
    /// Sets the pre-filter corners `[f1, f2, f3, f4]` in Hz.
    pub fn pre_filt(mut self, f: [f64; 4]) -> Self {
        self.pre_filt = Some(f);
        self
    }
    /// Sets the water level in dB (`None`: no water level).
    pub fn water_level(mut self, wl: Option<f64>) -> Self {
        self.water_level = wl;
        self
    }
    /// Whether to remove the mean first.
    pub fn zero_mean(mut self, on: bool) -> Self {
        self.zero_mean = on;
        self
    }
    /// Whether to taper first, and with which fraction.
    pub fn taper(mut self, on: bool, fraction: f64) -> Self {
        self.taper = on;
        self.taper_fraction = fraction;
        self
    }
}

/// ObsPy's `_npts2nfft`: 2 npts (rounded up to even), nudged to a size without prime factors
/// of 500 or more, else the next power of two.
pub(crate) fn npts2nfft(npts: usize) -> usize {
    let nfft = if npts % 2 == 1 { 2 * (npts + 1) } else { 2 * npts };
    let good = |mut x: usize| {
        let mut f = 2;
        let mut largest = 1;
        while f * f <= x {
            while x % f == 0 {
                largest = largest.max(f);
                x /= f;
            }
            f += 1;
        }
        largest = largest.max(x);
        largest < 500
    };
    if nfft > 5000 && !good(nfft) {
        for i in 1..=10 {
            if good(nfft + 2 * i) {
                return nfft + 2 * i;
            }
        }
        return nfft.next_power_of_two();
    }
    nfft
}

/// ObsPy's `cosine_sac_taper(freqs, flimit)`.
fn cosine_sac_taper(f: f64, [f1, f2, f3, f4]: [f64; 4]) -> f64 {
    use std::f64::consts::PI;
    if f1 <= f && f < f2 {
        0.5 * (1.0 - (PI * (f - f1) / (f2 - f1)).cos())
    } else if f2 <= f && f <= f3 {
        1.0
    } else if f3 < f && f <= f4 {
        0.5 * (1.0 + (PI * (f - f3) / (f4 - f3)).cos())
    } else {
        0.0
    }
}

/// ObsPy's `invert_spectrum`: raise amplitudes below the water level to it (keeping the phase),
/// then invert; zeros stay zero.
fn invert_spectrum(spec: &mut [Complex64], wl_db: f64) {
    // |c| as sqrt(re^2 + im^2): equal to numpy's abs to rounding, and much cheaper than hypot.
    let abs = |c: &Complex64| c.norm_sqr().sqrt();
    let max = spec.iter().map(abs).fold(0.0, f64::max);
    let swamp = max * 10f64.powf(-wl_db / 20.0);
    for c in spec.iter_mut() {
        let len = abs(c);
        if len < swamp && len > 0.0 {
            *c *= swamp / len;
        }
        let n2 = c.norm_sqr();
        *c = if n2 > 0.0 { c.conj() / n2 } else { Complex64::new(0.0, 0.0) };
    }
}

type CacheKey = (u64, usize, u64, ResponseOutput, Option<u64>, Option<[u64; 4]>);

/// Deconvolution filters per (response, nfft, sampling interval, output, water level, pre-filter):
/// evaluating and inverting the response is by far the most expensive step, and every trace of
/// a channel epoch with the same length shares it.
fn filter_cache() -> &'static Mutex<HashMap<CacheKey, Arc<Vec<Complex64>>>> {
    static CACHE: OnceLock<Mutex<HashMap<CacheKey, Arc<Vec<Complex64>>>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

fn hash_of(x: &impl std::fmt::Debug) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    format!("{x:?}").hash(&mut h);
    h.finish()
}

/// The spectrum multiplier ObsPy builds for one trace: the pre-filter times the inverted
/// (water-levelled) response, at the `nfft / 2 + 1` frequencies of the real FFT.
fn deconvolution_filter(resp: &crate::Response, nfft: usize, delta: f64, opts: &RemoveResponse) -> Result<Arc<Vec<Complex64>>, String> {
    let key = (
        hash_of(resp),
        nfft,
        delta.to_bits(),
        opts.output,
        opts.water_level.map(f64::to_bits),
        opts.pre_filt.map(|p| p.map(f64::to_bits)),
    );
    if let Some(v) = filter_cache().lock().ok().and_then(|c| c.get(&key).cloned()) {
        return Ok(v);
    }
    let fy = 1.0 / (2.0 * delta);
    let n = nfft / 2 + 1;
    let freqs: Vec<f64> = (0..n).map(|i| if n > 1 { fy * i as f64 / (n - 1) as f64 } else { 0.0 }).collect();
    let q = match opts.output {
        ResponseOutput::Disp => Quantity::Displacement,
        ResponseOutput::Vel => Quantity::Velocity,
        ResponseOutput::Acc => Quantity::Acceleration,
        ResponseOutput::Def => Quantity::Default,
    };
    use rayon::prelude::*;
    let parts: Vec<Vec<Complex64>> = freqs.par_chunks(4096).map(|c| evaluate(resp, c, q)).collect::<Result<_, _>>()?;
    let mut r = parts.concat();
    match opts.water_level {
        None => {
            r[0] = Complex64::new(0.0, 0.0);
            for c in r.iter_mut().skip(1) {
                *c = 1.0 / *c;
            }
        }
        Some(wl) => invert_spectrum(&mut r, wl),
    }
    if let Some(pf) = opts.pre_filt {
        r.iter_mut().zip(&freqs).for_each(|(c, &f)| *c *= cosine_sac_taper(f, pf));
    }
    let v = Arc::new(r);
    if let Ok(mut c) = filter_cache().lock() {
        if c.len() > 256 {
            c.clear();
        }
        c.insert(key, v.clone());
    }
    Ok(v)
}

impl Trace {
    /// Deconvolves the instrument response found in `inv` for this trace's channel and time,
    /// as ObsPy's `Trace.remove_response` (evalresp path, or the polynomial path for a
    /// single polynomial stage). Samples of every type become float64 first, as ObsPy's
    /// `data.astype(np.float64)`.
    ///
    /// ```
    /// use asdf::prelude::*;
    /// use asdf::testing as sample;
    /// let t0 = UtcTime::from_ymd_hms(2020, 1, 1, 0, 0, 0, 0);
    /// let inv = sample::station_inventory("XX", "A", 0.0, 0.0, 100.0, t0);
    /// let mut tr = Trace::new("XX.A..HHZ", t0, 100.0, vec![1000i32; 4000]);
    /// tr.remove_response(&inv, &RemoveResponse::velocity().pre_filt([0.05, 0.1, 20.0, 25.0])).unwrap();
    /// assert!(tr.data().as_f64().unwrap().iter().all(|v| v.abs() < 1e-3));
    /// ```
    pub fn remove_response(&mut self, inv: &Inventory, opts: &RemoveResponse) -> Result<&mut Self, SignalError> {
        super::sampling_rate(self)?;
        let id = self.id();
        let chan = inv
            .channel(&id, self.stats.starttime)
            .ok_or_else(|| SignalError::NoResponse { id: id.clone(), time: self.stats.starttime.to_string() })?;
        let resp = chan.response.as_ref().ok_or_else(|| SignalError::NoResponse { id: id.clone(), time: self.stats.starttime.to_string() })?;
        let bad = |message: String| SignalError::BadResponse { id: id.clone(), message };

        // Polynomial responses are applied directly to the samples.
        if resp.stages.is_empty() {
            if let Some(p) = &resp.instrument_polynomial {
                let c = p.coefficients.clone();
                self.data_f64_mut().iter_mut().for_each(|x| *x = c.iter().rev().fold(0.0, |a, ck| a * *x + ck));
                return Ok(self);
            }
        }
        if resp.stages.len() == 1 {
            if let StageKind::Polynomial(p) = &resp.stages[0].kind {
                let gain = resp.stages[0].gain.map(|g| g.0).unwrap_or(1.0);
                let c: Vec<f64> = p.coefficients.iter().enumerate().map(|(i, ck)| ck / gain.powi(i as i32)).collect();
                self.data_f64_mut().iter_mut().for_each(|x| *x = c.iter().rev().fold(0.0, |a, ck| a * *x + ck));
                return Ok(self);
            }
        }
        if let Some(pf) = opts.pre_filt {
            if !(pf[0] < pf[1] && pf[1] <= pf[2] && pf[2] < pf[3]) {
                return Err(SignalError::invalid(self, format!("pre_filt must be increasing f1 < f2 <= f3 < f4, got {pf:?}")));
            }
        }
        let delta = self.stats.delta();
        let data = finite_samples(self)?;
        let npts = data.len();
        let nfft = npts2nfft(npts);
        let filter = deconvolution_filter(resp, nfft, delta, opts).map_err(bad)?;
        let fwd = super::fft::forward(nfft);
        let inv_fft = super::fft::inverse(nfft);
        let taper = opts.taper.then(|| cosine_taper_shared(npts, opts.taper_fraction, true, false));
        super::fft::with_workspace(|ws| -> Result<(), String> {
            // Demeaned and tapered in one pass (x - 0 is x, so no mean changes nothing).
            let mean = if opts.zero_mean { super::numpy_mean(data) } else { 0.0 };
            ws.real.clear();
            match &taper {
                Some(w) => ws.real.extend(data.iter().zip(w.iter()).map(|(x, w)| (x - mean) * w)),
                None => ws.real.extend(data.iter().map(|x| x - mean)),
            }
            ws.real.resize(nfft, 0.0);
            ws.spectrum.resize(nfft / 2 + 1, Complex64::new(0.0, 0.0));
            ws.scratch.resize(fwd.get_scratch_len().max(inv_fft.get_scratch_len()), Complex64::new(0.0, 0.0));
            fwd.process_with_scratch(&mut ws.real, &mut ws.spectrum, &mut ws.scratch).map_err(|e| format!("FFT: {e}"))?;
            let spec = &mut ws.spectrum;
            spec.iter_mut().zip(filter.iter()).for_each(|(s, r)| *s *= r);
            let last = spec.len() - 1;
            spec[last] = Complex64::new(spec[last].norm(), 0.0);
            // numpy's irfft ignores the imaginary part of the DC bin (and of Nyquist, set above).
            spec[0].im = 0.0;
            inv_fft.process_with_scratch(spec, &mut ws.real, &mut ws.scratch).map_err(|e| format!("inverse FFT: {e}"))?;
            let norm = 1.0 / nfft as f64;
            data.iter_mut().zip(&ws.real).for_each(|(d, x)| *d = x * norm);
            Ok(())
        })
        .map_err(bad)?;
        Ok(self)
    }

    /// Divides by the channel's overall sensitivity (ObsPy's `remove_sensitivity`). Float32
    /// samples stay float32 (divided in float32 by the sensitivity rounded to float32, as NumPy
    /// divides by a Python float); integers become float64.
    pub fn remove_sensitivity(&mut self, inv: &Inventory) -> Result<&mut Self, SignalError> {
        let id = self.id();
        let t = self.stats.starttime;
        let s = inv
            .channel(&id, t)
            .and_then(|c| c.response.as_ref())
            .and_then(|r| r.instrument_sensitivity.as_ref())
            .map(|s| s.value)
            .ok_or_else(|| SignalError::NoResponse { id: id.clone(), time: t.to_string() })?;
        if s == 0.0 {
            return Err(SignalError::BadResponse { id, message: "instrument sensitivity is 0".into() });
        }
        match self.floats_mut() {
            // ObsPy's `data / value` with a Python float: float32 division by the rounded value.
            Floats::F32(d) => d.iter_mut().for_each(|x| *x /= s as f32),
            Floats::F64(d) => d.iter_mut().for_each(|x| *x /= s),
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfft_rule_matches_obspy_doctests() {
        assert_eq!(npts2nfft(1_800_028), 3_600_056);
        assert_eq!(npts2nfft(1_800_029), 4_194_304);
        assert_eq!(npts2nfft(1_800_031), 3_600_082);
    }
}
