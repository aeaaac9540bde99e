//! `taper`: ObsPy's `Trace.taper` with scipy's symmetric windows.

use std::f64::consts::PI;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::model::trace::{Sample, Trace};

use super::Floats;

/// Window shape of a taper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Taper {
    /// Hann window (ObsPy's default).
    #[default]
    Hann,
    /// Hamming window.
    Hamming,
    /// Blackman window.
    Blackman,
    /// Bartlett window.
    Bartlett,
    /// Triangular window (scipy's `triang`).
    Triang,
    /// ObsPy's `cosine_taper` with p = 1.
    Cosine,
}

/// Which end(s) to taper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Side {
    /// Both ends.
    #[default]
    Both,
    /// The start only.
    Left,
    /// The end only.
    Right,
}

/// The parameters of a window shape, as a cache key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum WindowKey {
    Window(std::mem::Discriminant<Taper>, usize),
    Cosine { npts: usize, p: u64, sactaper: bool, halfcosine: bool },
}

/// Window shapes by their parameters: the traces of a data set share lengths, and the window of
/// an hour of data costs tens of thousands of cosines.
fn memo(key: WindowKey, make: impl FnOnce() -> Vec<f64>) -> Arc<Vec<f64>> {
    static CACHE: OnceLock<Mutex<HashMap<WindowKey, Arc<Vec<f64>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(w) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return w;
    }
    let w = Arc::new(make());
    if let Ok(mut c) = cache.lock() {
        if c.len() >= 64 {
            c.clear();
        }
        c.insert(key, w.clone());
    }
    w
}

/// [`window`], computed once per kind and length.
pub(crate) fn window_shared(kind: Taper, m: usize) -> Arc<Vec<f64>> {
    memo(WindowKey::Window(std::mem::discriminant(&kind), m), || window(kind, m))
}

/// [`cosine_taper`], computed once per parameter set.
pub(crate) fn cosine_taper_shared(npts: usize, p: f64, sactaper: bool, halfcosine: bool) -> Arc<Vec<f64>> {
    memo(WindowKey::Cosine { npts, p: p.to_bits(), sactaper, halfcosine }, || cosine_taper(npts, p, sactaper, halfcosine))
}

/// A symmetric window of `m` points (scipy.signal.windows, `sym=True`).
pub(crate) fn window(kind: Taper, m: usize) -> Vec<f64> {
    if m == 0 {
        return Vec::new();
    }
    if m == 1 {
        return vec![1.0];
    }
    let n1 = (m - 1) as f64;
    match kind {
        // scipy's `general_cosine`: the sum of `a[k] cos(k x)` over x = linspace(-pi, pi, m),
        // in its order, so that the windows equal scipy's to the last bit.
        Taper::Hann => general_cosine(m, &[0.5, 0.5]),
        Taper::Hamming => general_cosine(m, &[0.54, 1.0 - 0.54]),
        Taper::Blackman => general_cosine(m, &[0.42, 0.50, 0.08]),
        // scipy's expression, to the last bit (float32 samples round each product once).
        Taper::Bartlett => (0..m).map(|n| n as f64).map(|n| if n <= n1 / 2.0 { 2.0 * n / n1 } else { 2.0 - 2.0 * n / n1 }).collect(),
        Taper::Triang => {
            let half: Vec<f64> = (1..=m.div_ceil(2))
                .map(|n| if m % 2 == 1 { 2.0 * n as f64 / (m as f64 + 1.0) } else { (2.0 * n as f64 - 1.0) / m as f64 })
                .collect();
            let mut w = half.clone();
            if m % 2 == 1 {
                w.extend(half.iter().rev().skip(1));
            } else {
                w.extend(half.iter().rev());
            }
            w
        }
        Taper::Cosine => cosine_taper(m, 1.0, false, true),
    }
}

/// ObsPy's `obspy.signal.invsim.cosine_taper(npts, p, sactaper=..., halfcosine=...)`.
/// scipy's `general_cosine(m, a)` (symmetric), for m >= 2.
fn general_cosine(m: usize, a: &[f64]) -> Vec<f64> {
    // numpy's linspace(-pi, pi, m): k * step - pi, the last point exactly pi.
    let step = (PI - -PI) / (m - 1) as f64;
    (0..m)
        .map(|k| if k == m - 1 { PI } else { k as f64 * step + -PI })
        .map(|x| a.iter().enumerate().fold(0.0, |w, (k, ak)| w + ak * (k as f64 * x).cos()))
        .collect()
}

pub(crate) fn cosine_taper(npts: usize, p: f64, sactaper: bool, halfcosine: bool) -> Vec<f64> {
    let frac = if p == 0.0 || p == 1.0 { (npts as f64 * p / 2.0) as i64 } else { (npts as f64 * p / 2.0 + 0.5) as i64 };
    let n = npts as i64;
    let idx1 = 0i64;
    let mut idx2 = frac - 1;
    let mut idx3 = n - frac;
    let idx4 = n - 1;
    if sactaper {
        idx2 += 1;
        idx3 -= 1;
    }
    if idx1 == idx2 {
        idx2 += 1;
    }
    if idx3 == idx4 {
        idx3 -= 1;
    }
    // numpy slice assignments in order: later segments overwrite earlier ones where they overlap.
    let mut w = vec![0.0; npts];
    let clamp = |i: i64| i.clamp(0, n) as usize;
    for i in clamp(idx1)..clamp(idx2 + 1) {
        let fi = i as f64;
        w[i] = if halfcosine {
            0.5 * (1.0 - (PI * (fi - idx1 as f64) / (idx2 - idx1) as f64).cos())
        } else {
            (-(PI / 2.0 * (idx2 as f64 - fi) / (idx2 - idx1) as f64)).cos()
        };
    }
    for v in w.iter_mut().take(clamp(idx3)).skip(clamp(idx2 + 1)) {
        *v = 1.0;
    }
    for i in clamp(idx3)..clamp(idx4 + 1) {
        let fi = i as f64;
        w[i] = if halfcosine {
            0.5 * (1.0 + (PI * (idx3 as f64 - fi) / (idx4 - idx3) as f64).cos())
        } else {
            (PI / 2.0 * (idx3 as f64 - fi) / (idx4 - idx3) as f64).cos()
        };
    }
    if idx1 == idx2 && npts > 0 {
        w[idx1 as usize] = 0.0;
    }
    if idx3 == idx4 && idx3 >= 0 && (idx3 as usize) < npts {
        w[idx3 as usize] = 0.0;
    }
    w
}

impl Trace {
    /// Tapers both ends with `max_percentage` (0..0.5) of the trace per side, as
    /// `tr.taper(max_percentage, type=...)` in ObsPy. Float32 samples stay float32 (each
    /// product is taken in float64 and rounded, as ObsPy's `data *= taper`); integers become
    /// float64.
    ///
    /// ```
    /// use asdf::{Trace, UtcTime, signal::Taper};
    /// let mut tr = Trace::new("XX.A..HHZ", UtcTime::from_ns(0), 100.0, vec![1.0; 1000]);
    /// tr.taper(0.05, Taper::Hann);
    /// let d = tr.data().as_f64().unwrap();
    /// assert_eq!(d[0], 0.0);
    /// assert_eq!(d[500], 1.0);
    /// ```
    pub fn taper(&mut self, max_percentage: f64, kind: Taper) -> &mut Self {
        self.taper_with(Some(max_percentage), None, kind, Side::Both)
    }

    /// The full form of ObsPy's `taper`: the half-length is the smallest of
    /// `max_percentage * npts`, `max_length * sampling_rate` and `npts / 2`.
    pub fn taper_with(&mut self, max_percentage: Option<f64>, max_length: Option<f64>, kind: Taper, side: Side) -> &mut Self {
        let npts = self.npts();
        let sr = self.stats.sampling_rate;
        let mut halves: Vec<usize> = Vec::new();
        if let Some(p) = max_percentage {
            halves.push((p * npts as f64) as usize);
        }
        if let Some(l) = max_length {
            halves.push((l * sr) as usize);
        }
        halves.push(npts / 2);
        let wlen = *halves.iter().min().unwrap_or(&0);
        let sides = window_shared(kind, if 2 * wlen == npts { 2 * wlen } else { 2 * wlen + 1 });
        match self.floats_mut() {
            Floats::F64(d) => apply(d, &sides, wlen, side),
            Floats::F32(d) => apply(d, &sides, wlen, side),
        }
        self
    }
}

/// `data *= taper` on the first and/or last `wlen` samples, in float64 and rounded back to the
/// samples' type (numpy's in-place multiply of float32 samples by a float64 window).
fn apply<T: Sample>(d: &mut [T], sides: &[f64], wlen: usize, side: Side) {
    let (npts, ls) = (d.len(), sides.len());
    for i in 0..wlen.min(npts) {
        if side != Side::Right {
            d[i] = T::from_f64(d[i].to_f64() * sides[i]);
        }
        if side != Side::Left {
            let j = npts - wlen + i;
            d[j] = T::from_f64(d[j].to_f64() * sides[ls - wlen + i]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_match_scipy() {
        let close = |a: &[f64], b: &[f64]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-15);
        assert!(close(&window(Taper::Hann, 5), &[0.0, 0.5, 1.0, 0.5, 0.0]));
        let t = window(Taper::Triang, 4);
        assert_eq!(t, vec![0.25, 0.75, 0.75, 0.25]);
        let t = window(Taper::Triang, 5);
        let want = [1.0 / 3.0, 2.0 / 3.0, 1.0, 2.0 / 3.0, 1.0 / 3.0];
        assert!(t.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-15));
        assert!(close(&window(Taper::Bartlett, 5), &[0.0, 0.5, 1.0, 0.5, 0.0]));
    }

    #[test]
    fn sac_cosine_taper_shape() {
        let w = cosine_taper(100, 0.1, true, false);
        assert!(w[0].abs() < 1e-15);
        assert_eq!(w[50], 1.0);
        assert!(w[99].abs() < 1e-15);
        assert!(w.iter().all(|x| (0.0..=1.0).contains(x)));
    }
}
