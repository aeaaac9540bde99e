//! Butterworth filters exactly as ObsPy builds them: scipy's `iirfilter(ftype='butter')` design
//! (analog prototype, frequency transform, bilinear transform, `zpk2sos` with nearest pairing)
//! and `sosfilt`; zero-phase is filter, reverse, filter, reverse, without padding (done as a
//! forward and a backward pass).

use crate::model::response::Complex64;
use crate::model::trace::Trace;

use super::SignalError;

/// Which Butterworth filter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FilterKind {
    /// Passes frequencies below `freq`.
    Lowpass {
        /// Corner frequency in Hz.
        freq: f64,
    },
    /// Passes frequencies above `freq`.
    Highpass {
        /// Corner frequency in Hz.
        freq: f64,
    },
    /// Passes frequencies between the corners.
    Bandpass {
        /// Lower corner frequency in Hz.
        freqmin: f64,
        /// Upper corner frequency in Hz.
        freqmax: f64,
    },
    /// Stops frequencies between the corners.
    Bandstop {
        /// Lower corner frequency in Hz.
        freqmin: f64,
        /// Upper corner frequency in Hz.
        freqmax: f64,
    },
}

type Zpk = (Vec<Complex64>, Vec<Complex64>, f64);

fn buttap(n: usize) -> Zpk {
    let p = (0..n)
        .map(|i| {
            let m = -(n as f64) + 1.0 + 2.0 * i as f64;
            -Complex64::new(0.0, std::f64::consts::PI * m / (2.0 * n as f64)).exp()
        })
        .collect();
    (Vec::new(), p, 1.0)
}

fn prod(v: &[Complex64]) -> Complex64 {
    v.iter().fold(Complex64::new(1.0, 0.0), |a, b| a * b)
}

fn lp2lp((z, p, k): Zpk, wo: f64) -> Zpk {
    let degree = p.len() as i32 - z.len() as i32;
    (z.iter().map(|x| x * wo).collect(), p.iter().map(|x| x * wo).collect(), k * wo.powi(degree))
}

fn lp2hp((z, p, k): Zpk, wo: f64) -> Zpk {
    let degree = p.len() - z.len();
    let neg = |v: &[Complex64]| v.iter().map(|x| -x).collect::<Vec<_>>();
    let kk = k * (prod(&neg(&z)) / prod(&neg(&p))).re;
    let mut zh: Vec<Complex64> = z.iter().map(|x| wo / x).collect();
    zh.extend(std::iter::repeat_n(Complex64::new(0.0, 0.0), degree));
    (zh, p.iter().map(|x| wo / x).collect(), kk)
}

fn lp2bp((z, p, k): Zpk, wo: f64, bw: f64) -> Zpk {
    let degree = p.len() - z.len();
    let tr = |v: &[Complex64]| {
        let lp: Vec<Complex64> = v.iter().map(|x| x * bw / 2.0).collect();
        let mut out: Vec<Complex64> = lp.iter().map(|x| x + (x * x - wo * wo).sqrt()).collect();
        out.extend(lp.iter().map(|x| x - (x * x - wo * wo).sqrt()));
        out
    };
    let mut zb = tr(&z);
    zb.extend(std::iter::repeat_n(Complex64::new(0.0, 0.0), degree));
    (zb, tr(&p), k * bw.powi(degree as i32))
}

fn lp2bs((z, p, k): Zpk, wo: f64, bw: f64) -> Zpk {
    let degree = p.len() - z.len();
    let neg = |v: &[Complex64]| v.iter().map(|x| -x).collect::<Vec<_>>();
    let kk = k * (prod(&neg(&z)) / prod(&neg(&p))).re;
    let tr = |v: &[Complex64]| {
        let hp: Vec<Complex64> = v.iter().map(|x| (bw / 2.0) / x).collect();
        let mut out: Vec<Complex64> = hp.iter().map(|x| x + (x * x - wo * wo).sqrt()).collect();
        out.extend(hp.iter().map(|x| x - (x * x - wo * wo).sqrt()));
        out
    };
    let mut zb = tr(&z);
    zb.extend(std::iter::repeat_n(Complex64::new(0.0, wo), degree));
    zb.extend(std::iter::repeat_n(Complex64::new(0.0, -wo), degree));
    (zb, tr(&p), kk)
}

fn bilinear((z, p, k): Zpk, fs: f64) -> Zpk {
    let degree = p.len() - z.len();
    let fs2 = 2.0 * fs;
    let zz: Vec<Complex64> = z.iter().map(|x| (fs2 + x) / (fs2 - x)).chain(std::iter::repeat_n(Complex64::new(-1.0, 0.0), degree)).collect();
    let pz: Vec<Complex64> = p.iter().map(|x| (fs2 + x) / (fs2 - x)).collect();
    let num = prod(&z.iter().map(|x| fs2 - x).collect::<Vec<_>>());
    let den = prod(&p.iter().map(|x| fs2 - x).collect::<Vec<_>>());
    (zz, pz, k * (num / den).re)
}

/// scipy's `_cplxreal`: complex roots with positive imaginary part (one of each pair) and real
/// roots, each sorted as scipy sorts them.
fn cplxreal(z: &[Complex64]) -> (Vec<Complex64>, Vec<f64>) {
    if z.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let tol = 100.0 * f64::EPSILON;
    let mut z = z.to_vec();
    z.sort_by(|a, b| a.re.partial_cmp(&b.re).unwrap_or(std::cmp::Ordering::Equal).then(a.im.abs().partial_cmp(&b.im.abs()).unwrap_or(std::cmp::Ordering::Equal)));
    let is_real = |x: &Complex64| x.im.abs() <= tol * x.norm();
    let zr: Vec<f64> = z.iter().filter(|x| is_real(x)).map(|x| x.re).collect();
    let zc: Vec<Complex64> = z.iter().filter(|x| !is_real(x)).copied().collect();
    let mut zp: Vec<Complex64> = zc.iter().filter(|x| x.im > 0.0).copied().collect();
    let mut zn: Vec<Complex64> = zc.iter().filter(|x| x.im < 0.0).copied().collect();
    // Runs of equal real part are sorted by |imag|.
    let mut start = 0;
    while start < zp.len() {
        let mut stop = start + 1;
        while stop < zp.len() && zp[stop].re - zp[stop - 1].re <= tol * zp[stop - 1].norm() {
            stop += 1;
        }
        let key = |a: &Complex64, b: &Complex64| a.im.abs().partial_cmp(&b.im.abs()).unwrap_or(std::cmp::Ordering::Equal);
        zp[start..stop].sort_by(key);
        if stop <= zn.len() {
            zn[start..stop].sort_by(key);
        }
        start = stop;
    }
    let pairs = zp.iter().zip(&zn).map(|(a, b)| (a + b.conj()) / 2.0).collect();
    (pairs, zr)
}

fn poly(roots: &[Complex64]) -> Vec<Complex64> {
    let mut c = vec![Complex64::new(1.0, 0.0)];
    for r in roots {
        let mut next = vec![Complex64::new(0.0, 0.0); c.len() + 1];
        for (i, ci) in c.iter().enumerate() {
            next[i] += ci;
            next[i + 1] -= ci * r;
        }
        c = next;
    }
    c
}

fn single_sos(z: &[Complex64], p: &[Complex64]) -> [f64; 6] {
    let b = poly(z);
    let a = poly(p);
    let mut s = [0.0; 6];
    for (i, v) in b.iter().enumerate() {
        s[3 - b.len() + i] = v.re;
    }
    for (i, v) in a.iter().enumerate() {
        s[6 - a.len() + i] = v.re;
    }
    s
}

fn nearest_idx(fro: &[Complex64], to: Complex64, which: &str) -> usize {
    let mut order: Vec<usize> = (0..fro.len()).collect();
    order.sort_by(|&a, &b| (fro[a] - to).norm().partial_cmp(&(fro[b] - to).norm()).unwrap_or(std::cmp::Ordering::Equal));
    match which {
        "any" => order[0],
        "real" => *order.iter().find(|&&i| fro[i].im == 0.0).unwrap_or(&order[0]),
        _ => *order.iter().find(|&&i| fro[i].im != 0.0).unwrap_or(&order[0]),
    }
}

/// scipy's `zpk2sos` for digital filters (pairing `nearest`).
pub(crate) fn zpk2sos((z, p, k): Zpk) -> Vec<[f64; 6]> {
    if z.is_empty() && p.is_empty() {
        return vec![[k, 0.0, 0.0, 1.0, 0.0, 0.0]];
    }
    let zero = Complex64::new(0.0, 0.0);
    let mut p = p;
    let mut z = z;
    while p.len() < z.len() {
        p.push(zero);
    }
    while z.len() < p.len() {
        z.push(zero);
    }
    let n_sections = p.len().div_ceil(2);
    if p.len() % 2 == 1 {
        p.push(zero);
        z.push(zero);
    }
    let (zc, zr) = cplxreal(&z);
    let (pc, pr) = cplxreal(&p);
    let mut z: Vec<Complex64> = zc.into_iter().chain(zr.into_iter().map(|r| Complex64::new(r, 0.0))).collect();
    let mut p: Vec<Complex64> = pc.into_iter().chain(pr.into_iter().map(|r| Complex64::new(r, 0.0))).collect();
    let worst = |v: &[Complex64]| -> usize {
        let mut best = 0;
        for i in 1..v.len() {
            if (1.0 - v[i].norm()).abs() < (1.0 - v[best].norm()).abs() {
                best = i;
            }
        }
        best
    };
    let mut sos = vec![[0.0; 6]; n_sections];
    for si in (0..n_sections).rev() {
        let p1 = p.remove(worst(&p));
        let n_real_p = p.iter().filter(|x| x.im == 0.0).count();
        if p1.im == 0.0 && n_real_p == 0 {
            let zi = nearest_idx(&z, p1, "real");
            let z1 = z.remove(zi);
            sos[si] = single_sos(&[z1, zero], &[p1, zero]);
        } else if p.len() + 1 == z.len() && p1.im != 0.0 && n_real_p == 1 && z.iter().filter(|x| x.im == 0.0).count() == 1 {
            let zi = nearest_idx(&z, p1, "complex");
            let z1 = z.remove(zi);
            sos[si] = single_sos(&[z1, z1.conj()], &[p1, p1.conj()]);
        } else {
            let p2 = if p1.im == 0.0 {
                let real_idx: Vec<usize> = (0..p.len()).filter(|&i| p[i].im == 0.0).collect();
                let reals: Vec<Complex64> = real_idx.iter().map(|&i| p[i]).collect();
                p.remove(real_idx[worst(&reals)])
            } else {
                p1.conj()
            };
            if !z.is_empty() {
                let z1 = z.remove(nearest_idx(&z, p1, "any"));
                if z1.im != 0.0 {
                    sos[si] = single_sos(&[z1, z1.conj()], &[p1, p2]);
                } else if !z.is_empty() {
                    let z2 = z.remove(nearest_idx(&z, p1, "real"));
                    sos[si] = single_sos(&[z1, z2], &[p1, p2]);
                } else {
                    sos[si] = single_sos(&[z1], &[p1, p2]);
                }
            } else {
                sos[si] = single_sos(&[], &[p1, p2]);
            }
        }
    }
    for v in sos[0][..3].iter_mut() {
        *v *= k;
    }
    sos
}

/// Second-order sections of a digital Butterworth filter; frequencies normalised to Nyquist.
pub(crate) fn butter_sos(order: usize, kind: &FilterKind, nyquist: f64) -> Vec<[f64; 6]> {
    let fs = 2.0;
    let warp = |f: f64| 2.0 * fs * (std::f64::consts::PI * (f / nyquist) / fs).tan();
    let proto = buttap(order);
    let analog = match *kind {
        FilterKind::Lowpass { freq } => lp2lp(proto, warp(freq)),
        FilterKind::Highpass { freq } => lp2hp(proto, warp(freq)),
        FilterKind::Bandpass { freqmin, freqmax } => {
            let (a, b) = (warp(freqmin), warp(freqmax));
            lp2bp(proto, (a * b).sqrt(), b - a)
        }
        FilterKind::Bandstop { freqmin, freqmax } => {
            let (a, b) = (warp(freqmin), warp(freqmax));
            lp2bs(proto, (a * b).sqrt(), b - a)
        }
    };
    zpk2sos(bilinear(analog, fs))
}

/// scipy's `cheb2ap`: the analog Chebyshev type II low-pass prototype of order `n` with `rs` dB
/// stop-band attenuation (stop band from 1 rad/s).
fn cheb2ap(n: usize, rs: f64) -> Zpk {
    let nf = n as f64;
    let de = 1.0 / (10f64.powf(0.1 * rs) - 1.0).sqrt();
    let mu = (1.0 / de).asinh() / nf;
    // Zeros at m = -n+1, -n+3, ..., n-1, without m = 0 for odd orders.
    let m: Vec<f64> = (0..n).map(|i| -nf + 1.0 + 2.0 * i as f64).filter(|&m| n % 2 == 0 || m != 0.0).collect();
    let z: Vec<Complex64> = m.iter().map(|&m| Complex64::new(0.0, 1.0) / (m * std::f64::consts::PI / (2.0 * nf)).sin()).collect();
    let p: Vec<Complex64> = (0..n)
        .map(|i| {
            let theta = std::f64::consts::PI * (-nf + 1.0 + 2.0 * i as f64) / (2.0 * nf);
            -1.0 / Complex64::new(mu, theta).sinh()
        })
        .collect();
    let neg = |v: &[Complex64]| v.iter().map(|x| -x).collect::<Vec<_>>();
    let k = (prod(&neg(&p)) / prod(&neg(&z))).re;
    (z, p, k)
}

/// scipy's `cheb2ord` for a digital low-pass: the order and natural frequency (normalised to
/// Nyquist) meeting `gpass` dB ripple up to `wp` and `gstop` dB attenuation from `ws`.
fn cheb2ord_lowpass(wp: f64, ws: f64, gpass: f64, gstop: f64) -> (usize, f64) {
    let passb = (std::f64::consts::PI * wp / 2.0).tan();
    let stopb = (std::f64::consts::PI * ws / 2.0).tan();
    let nat = (stopb / passb).abs();
    let g_stop = 10f64.powf(0.1 * gstop.abs());
    let g_pass = 10f64.powf(0.1 * gpass.abs());
    let v_pass_stop = ((g_stop - 1.0) / (g_pass - 1.0)).sqrt().acosh();
    let order = (v_pass_stop / nat.acosh()).ceil() as usize;
    let new_freq = 1.0 / (v_pass_stop / order as f64).cosh();
    let nat = passb / new_freq;
    (order, nat.atan() * 2.0 / std::f64::consts::PI)
}

/// ObsPy's `lowpass_cheby_2` design: a Chebyshev type II low-pass with 96 dB attenuation from
/// `freq` (Hz) and 1 dB ripple in a pass band shrunk until the order is at most `maxorder`.
/// Returns the second-order sections and the pass-band edge in Hz.
pub(crate) fn cheby2_lowpass_sos(freq: f64, sampling_rate: f64, maxorder: usize) -> (Vec<[f64; 6]>, f64) {
    let nyquist = 0.5 * sampling_rate;
    let (rp, rs) = (1.0, 96.0);
    let ws = (freq / nyquist).min(1.0);
    let mut wp = freq / nyquist;
    let (mut order, mut wn) = (usize::MAX, 0.0);
    while order > maxorder {
        wp *= 0.99;
        (order, wn) = cheb2ord_lowpass(wp, ws, rp, rs);
    }
    let fs = 2.0;
    let warped = 2.0 * fs * (std::f64::consts::PI * wn / fs).tan();
    let sos = zpk2sos(bilinear(lp2lp(cheb2ap(order, rs), warped), fs));
    (sos, wp * nyquist)
}

/// Runs `$f` with `$block` (one to four sections) as an array of its length.
macro_rules! dispatch {
    ($block:expr, |$sos:ident| $f:expr) => {
        match *$block {
            [a] => { let $sos = &[a]; $f }
            [a, b] => { let $sos = &[a, b]; $f }
            [a, b, c] => { let $sos = &[a, b, c]; $f }
            [a, b, c, d] => { let $sos = &[a, b, c, d]; $f }
            _ => {}
        }
    };
}

/// Runs `f` on the sections of `sos` four at a time, so that each block's state stays in
/// registers (a cascade gives the same numbers whether its sections run sample by sample or
/// block by block).
fn in_blocks(sos: &[[f64; 6]], mut f: impl FnMut(&[[f64; 6]])) {
    sos.chunks(4).for_each(&mut f);
}

/// scipy's `sosfilt` with zero initial conditions, in place.
pub(crate) fn sosfilt(sos: &[[f64; 6]], x: &mut [f64]) {
    in_blocks(sos, |block| dispatch!(block, |sos| sections(sos, x, false)));
}

/// Signals filtered side by side by [`apply_sections`].
const LANES: usize = 4;

/// Runs a designed filter over signals: once, or forward and backward for zero phase (the
/// backward pass runs from the last sample to the first: reverse, filter, reverse without the
/// copies). Signals of one length (a station's channels) share AVX registers, [`LANES`] at a
/// time, which the recursion of one signal cannot use; every signal still gets exactly scipy's
/// scalar arithmetic in scipy's order.
fn apply_sections(sos: &[[f64; 6]], xs: &mut [&mut [f64]], zerophase: bool) {
    let n = xs.first().map_or(0, |x| x.len());
    let passes: &[bool] = if zerophase { &[false, true] } else { &[false] };
    #[cfg(target_arch = "x86_64")]
    if xs.len() > 1 && xs.iter().all(|x| x.len() == n) && std::arch::is_x86_feature_detected!("avx") {
        for group in xs.chunks_mut(LANES) {
            for &backward in passes {
                // SAFETY: AVX is available (checked above); the group has 1 to 4 signals of length n.
                in_blocks(sos, |block| dispatch!(block, |sos| unsafe { sections_avx(sos, group, backward) }));
            }
        }
        return;
    }
    for x in xs.iter_mut() {
        for &backward in passes {
            in_blocks(sos, |block| dispatch!(block, |sos| sections(sos, x, backward)));
        }
    }
}

/// `S` sections in cascade over `x`, forward or backward: scipy's `_sosfilt` inner loop.
fn sections<const S: usize>(sos: &[[f64; 6]; S], x: &mut [f64], backward: bool) {
    let mut z = [[0.0f64; 2]; S];
    let n = x.len();
    for k in 0..n {
        let v = &mut x[if backward { n - 1 - k } else { k }];
        let mut cur = *v;
        for (s, [z0, z1]) in sos.iter().zip(z.iter_mut()) {
            let new = s[0] * cur + *z0;
            *z0 = s[1] * cur - s[4] * new + *z1;
            *z1 = s[2] * cur - s[5] * new;
            cur = new;
        }
        *v = cur;
    }
}

/// [`sections`] over up to four signals of one length at once, one per AVX lane: the same
/// multiplications, additions and subtractions in the same order (no fused multiply-add), so the
/// same numbers. A missing lane repeats lane 0 (computing, and storing, lane 0's own values).
///
/// # Safety
/// The CPU must support AVX; `xs` must hold 1 to 4 slices of one length.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn sections_avx<const S: usize>(sos: &[[f64; 6]; S], xs: &mut [&mut [f64]], backward: bool) {
    use std::arch::x86_64::*;
    let m = xs.len();
    let n = xs[0].len();
    // Each slice's pointer is derived once; a missing lane copies lane 0's pointer (the same
    // provenance, not a second `as_mut_ptr()` on the same slice, which would invalidate the first
    // under Stacked/Tree Borrows). Lanes that repeat lane 0 store lane 0's own values, so the
    // duplicate writes are identical.
    let mut p: [*mut f64; 4] = [std::ptr::null_mut(); 4];
    for (l, x) in xs.iter_mut().enumerate().take(4) {
        p[l] = x.as_mut_ptr();
    }
    for l in m..4 {
        p[l] = p[0];
    }
    let c: [[__m256d; 5]; S] = std::array::from_fn(|s| [0, 1, 2, 4, 5].map(|k| _mm256_set1_pd(sos[s][k])));
    let mut z = [[_mm256_setzero_pd(); 2]; S];
    let mut out = [0.0f64; 4];
    for k in 0..n {
        let i = if backward { n - 1 - k } else { k };
        // SAFETY: i < n, the length of every slice behind `p`.
        let mut cur = unsafe { _mm256_set_pd(*p[3].add(i), *p[2].add(i), *p[1].add(i), *p[0].add(i)) };
        for (c, [z0, z1]) in c.iter().zip(z.iter_mut()) {
            let new = _mm256_add_pd(_mm256_mul_pd(c[0], cur), *z0);
            *z0 = _mm256_add_pd(_mm256_sub_pd(_mm256_mul_pd(c[1], cur), _mm256_mul_pd(c[3], new)), *z1);
            *z1 = _mm256_sub_pd(_mm256_mul_pd(c[2], cur), _mm256_mul_pd(c[4], new));
            cur = new;
        }
        // SAFETY: `out` holds four f64; i < n as above.
        unsafe {
            _mm256_storeu_pd(out.as_mut_ptr(), cur);
            for (q, v) in p.iter().zip(out) {
                *q.add(i) = v;
            }
        }
    }
}

impl crate::Stream {
    /// Applies a Butterworth filter to every trace ([`Trace::filter`]). Every trace is checked
    /// before any is changed; traces of one length and sampling rate are filtered side by side.
    ///
    /// ```
    /// use asdf::prelude::*;
    /// let t0 = UtcTime::from_ns(0);
    /// let mut st: Stream = ["XX.A..HHZ", "XX.A..HHN"].iter().map(|id| Trace::new(id, t0, 100.0, vec![1.0; 1000])).collect();
    /// st.filter(FilterKind::Lowpass { freq: 5.0 }, 4, false).unwrap();
    /// assert_eq!(st[0].data().as_f64(), st[1].data().as_f64());
    /// ```
    pub fn filter(&mut self, kind: FilterKind, corners: usize, zerophase: bool) -> Result<&mut Self, SignalError> {
        let designs: Vec<Vec<[f64; 6]>> = self.traces.iter_mut().map(|t| t.design_filter(kind, corners)).collect::<Result<_, _>>()?;
        let mut done = vec![false; self.traces.len()];
        for i in 0..self.traces.len() {
            if done[i] {
                continue;
            }
            let npts = self.traces[i].npts();
            for j in i..self.traces.len() {
                done[j] |= self.traces[j].npts() == npts && designs[j] == designs[i];
            }
            let mut group: Vec<&mut [f64]> = self
                .traces
                .iter_mut()
                .enumerate()
                .filter(|(j, t)| *j >= i && t.npts() == npts && designs[*j] == designs[i])
                .map(|(_, t)| t.data_f64_mut().as_mut_slice())
                .collect();
            apply_sections(&designs[i], &mut group, zerophase);
        }
        Ok(self)
    }
}

impl Trace {
    /// Applies a Butterworth filter as ObsPy's `Trace.filter`, including its handling of corner
    /// frequencies at or above Nyquist: a band-pass becomes a high-pass with a warning on stderr;
    /// any other corner at or above Nyquist is an error (ObsPy 1.5.1 with scipy 1.17 raises too).
    /// The filtered samples are float64 for every sample type, as scipy's `sosfilt` returns.
    pub fn filter(&mut self, kind: FilterKind, corners: usize, zerophase: bool) -> Result<&mut Self, SignalError> {
        let sos = self.design_filter(kind, corners)?;
        apply_sections(&sos, &mut [self.data_f64_mut().as_mut_slice()], zerophase);
        Ok(self)
    }

    /// Checks a filter against this trace (corners, Nyquist, finite samples, which become f64)
    /// and designs its second-order sections.
    fn design_filter(&mut self, kind: FilterKind, corners: usize) -> Result<Vec<[f64; 6]>, SignalError> {
        let nyq = 0.5 * super::sampling_rate(self)?;
        let id = self.id();
        if corners == 0 {
            return Err(SignalError::invalid(self, "corners must be at least 1"));
        }
        let kind = match kind {
            FilterKind::Bandpass { freqmin, freqmax } => {
                if freqmin <= 0.0 || freqmax <= freqmin {
                    return Err(SignalError::invalid(self, format!("band-pass needs 0 < freqmin < freqmax, got {freqmin}, {freqmax}")));
                }
                if freqmax / nyq - 1.0 > -1e-6 {
                    eprintln!("warning: {id}: band-pass high corner {freqmax} Hz is at or above Nyquist ({nyq} Hz); applying a high-pass instead (as ObsPy does)");
                    FilterKind::Highpass { freq: freqmin }
                } else {
                    kind
                }
            }
            FilterKind::Bandstop { freqmin, freqmax } => {
                if freqmin <= 0.0 || freqmax <= freqmin {
                    return Err(SignalError::invalid(self, format!("band-stop needs 0 < freqmin < freqmax, got {freqmin}, {freqmax}")));
                }
                kind
            }
            other => other,
        };
        let (lo, hi) = match kind {
            FilterKind::Lowpass { freq } | FilterKind::Highpass { freq } => (freq, freq),
            FilterKind::Bandpass { freqmin, freqmax } | FilterKind::Bandstop { freqmin, freqmax } => (freqmin, freqmax),
        };
        if lo >= nyq || hi >= nyq || lo <= 0.0 {
            let f = if lo >= nyq || lo <= 0.0 { lo } else { hi };
            if f <= 0.0 {
                return Err(SignalError::invalid(self, format!("corner frequency {f} Hz must be positive")));
            }
            return Err(SignalError::AboveNyquist { id, what: "corner frequency", freq: f, nyquist: nyq });
        }
        if !super::all_finite(self.data_f64_mut()) {
            return Err(SignalError::NotFinite { id });
        }
        Ok(butter_sos(corners, &kind, nyq))
    }

    /// Butterworth band-pass (ObsPy `tr.filter("bandpass", freqmin=, freqmax=, corners=, zerophase=)`).
    ///
    /// ```
    /// use asdf::{Trace, UtcTime};
    /// let mut tr = Trace::new("XX.A..HHZ", UtcTime::from_ns(0), 100.0, vec![1.0; 1000]);
    /// tr.bandpass(1.0, 10.0, 4, true).unwrap();
    /// assert!(tr.data().as_f64().unwrap()[500].abs() < 0.05); // DC removed
    /// ```
    pub fn bandpass(&mut self, freqmin: f64, freqmax: f64, corners: usize, zerophase: bool) -> Result<&mut Self, SignalError> {
        self.filter(FilterKind::Bandpass { freqmin, freqmax }, corners, zerophase)
    }

    /// Butterworth low-pass.
    pub fn lowpass(&mut self, freq: f64, corners: usize, zerophase: bool) -> Result<&mut Self, SignalError> {
        self.filter(FilterKind::Lowpass { freq }, corners, zerophase)
    }

    /// Butterworth high-pass.
    pub fn highpass(&mut self, freq: f64, corners: usize, zerophase: bool) -> Result<&mut Self, SignalError> {
        self.filter(FilterKind::Highpass { freq }, corners, zerophase)
    }

    /// Butterworth band-stop.
    pub fn bandstop(&mut self, freqmin: f64, freqmax: f64, corners: usize, zerophase: bool) -> Result<&mut Self, SignalError> {
        self.filter(FilterKind::Bandstop { freqmin, freqmax }, corners, zerophase)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Stream, UtcTime};

    #[test]
    fn stream_filters_channels_side_by_side_exactly_as_one_by_one() {
        let t0 = UtcTime::from_ns(0);
        let noise = |seed: u64, n: usize| -> Vec<f64> {
            let mut x = seed;
            (0..n).map(|_| { x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1); (x >> 11) as f64 / (1u64 << 53) as f64 - 0.5 }).collect()
        };
        // Five equal channels (a group of four and one alone), one of another length, one at another rate.
        let mut traces: Vec<Trace> = (0..5).map(|i| Trace::new(&format!("XX.A.0{i}.HHZ"), t0, 100.0, noise(i, 5000))).collect();
        traces.push(Trace::new("XX.A..HHN", t0, 100.0, noise(9, 4000)));
        traces.push(Trace::new("XX.A..LHZ", t0, 40.0, noise(10, 5000)));
        let mut st: Stream = traces.iter().cloned().collect();
        st.filter(FilterKind::Bandpass { freqmin: 1.0, freqmax: 10.0 }, 4, true).unwrap();
        for (alone, together) in traces.iter_mut().zip(&st.traces) {
            alone.bandpass(1.0, 10.0, 4, true).unwrap();
            assert_eq!(alone.data().as_f64(), together.data().as_f64(), "{}", alone.id());
        }
    }

    /// Three signals in the four AVX lanes (the missing lane repeats lane 0): the same numbers
    /// as one by one. Small enough for Miri, which checks the lane pointers' aliasing:
    /// `cargo +nightly miri test -p asdf --no-default-features --lib three_lanes`
    /// with `RUSTFLAGS="-C target-feature=+avx"`.
    #[test]
    fn three_lanes_filter_as_one_by_one() {
        let sos = butter_sos(4, &FilterKind::Bandpass { freqmin: 0.05, freqmax: 0.2 }, 1.0);
        let signal = |k: usize| -> Vec<f64> { (0..48).map(|i| ((i * (k + 3)) % 7) as f64 - 3.0).collect() };
        let (mut a, mut b, mut c) = (signal(0), signal(1), signal(2));
        apply_sections(&sos, &mut [&mut a[..], &mut b[..], &mut c[..]], true);
        for (k, together) in [a, b, c].iter().enumerate() {
            let mut alone = signal(k);
            apply_sections(&sos, &mut [&mut alone[..]], true);
            assert_eq!(&alone, together, "signal {k}");
        }
    }

    #[test]
    fn butter_lowpass_matches_scipy() {
        // scipy.signal.butter(2, 0.2, output='sos')
        let sos = butter_sos(2, &FilterKind::Lowpass { freq: 0.2 }, 1.0);
        let want = [0.06745527, 0.13491055, 0.06745527, 1.0, -1.1429805, 0.4128016];
        for (a, b) in sos[0].iter().zip(want) {
            assert!((a - b).abs() < 1e-7, "{:?}", sos);
        }
    }

    #[test]
    fn bandpass_has_unit_gain_in_band() {
        let sr = 100.0;
        let n = 20000;
        let sig: Vec<f64> = (0..n).map(|i| (2.0 * std::f64::consts::PI * 3.0 * i as f64 / sr).sin()).collect();
        let mut tr = Trace::new("XX.A..HHZ", crate::UtcTime::from_ns(0), sr, sig.clone());
        tr.bandpass(1.0, 10.0, 4, true).unwrap();
        let out = tr.data().as_f64().unwrap();
        let mid = &out[5000..15000];
        let peak = mid.iter().fold(0.0f64, |a, b| a.max(b.abs()));
        assert!((peak - 1.0).abs() < 0.02, "{peak}");
    }
}
