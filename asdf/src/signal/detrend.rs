//! `detrend`: ObsPy's `simple` (default), `linear`, `demean`/`constant` and `polynomial`.

use crate::model::trace::Trace;

use super::Floats;

/// Which trend to remove.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detrend {
    /// The line through the first and last samples (ObsPy's default).
    #[default]
    Simple,
    /// Least-squares line (`scipy.signal.detrend(type='linear')`).
    Linear,
    /// The mean (ObsPy's `demean` and `constant`).
    Demean,
    /// Least-squares polynomial of this order (ObsPy's `polynomial`).
    Polynomial(usize),
}

impl Trace {
    /// Removes a trend, as ObsPy's `Trace.detrend`.
    ///
    /// Sample types as ObsPy: float32 samples stay float32, integers become float64. On float32
    /// samples `Simple` and `Polynomial` compute the trend in float64 and round the result once
    /// (as ObsPy's `data -= trend`), and `Demean` subtracts numpy's float32 mean in float32
    /// (scipy's `detrend(type='constant')`): all three give ObsPy's float32 numbers. `Linear` on
    /// float32 is scipy's float32 least-squares fit (`lstsq` in LAPACK's `sgelsd`) subtracted in
    /// float32; we fit in float64, round the two coefficients to float32 and subtract in float32,
    /// so the result differs from ObsPy's by LAPACK's float32 rounding of the coefficients (a few
    /// 1e-8 of the peak), which is not reproducible outside that LAPACK build.
    ///
    /// ```
    /// use asdf::{Trace, UtcTime, signal::Detrend};
    /// let mut tr = Trace::new("XX.A..HHZ", UtcTime::from_ns(0), 1.0, vec![1.0, 2.0, 3.0, 4.0]);
    /// tr.detrend(Detrend::Linear);
    /// assert!(tr.data().as_f64().unwrap().iter().all(|x| x.abs() < 1e-12));
    ///
    /// let mut tr = Trace::new("XX.A..HHZ", UtcTime::from_ns(0), 1.0, vec![1.5f32, 2.5, 4.5]);
    /// tr.detrend(Detrend::Demean);
    /// assert_eq!(tr.dtype(), "f4");
    /// ```
    pub fn detrend(&mut self, kind: Detrend) -> &mut Self {
        match self.floats_mut() {
            Floats::F64(d) => detrend_f64(d, kind),
            Floats::F32(d) => detrend_f32(d, kind),
        }
        self
    }
}

fn detrend_f64(d: &mut [f64], kind: Detrend) {
    let n = d.len();
    if n == 0 {
        return;
    }
    match kind {
        Detrend::Simple => {
            if n > 1 {
                let (x1, x2) = (d[0], d[n - 1]);
                let slope = (x2 - x1) / (n - 1) as f64;
                for (i, v) in d.iter_mut().enumerate() {
                    *v -= x1 + i as f64 * slope;
                }
            } else {
                d[0] = 0.0;
            }
        }
        Detrend::Demean => {
            let mean = super::numpy_mean(d);
            d.iter_mut().for_each(|v| *v -= mean);
        }
        Detrend::Linear => linear_detrend(d),
        Detrend::Polynomial(order) => {
            let fit = polynomial_fit(d, order);
            d.iter_mut().zip(fit).for_each(|(v, f)| *v -= f);
        }
    }
}

/// ObsPy's arithmetic on float32 samples, step by step (see [`Trace::detrend`]).
fn detrend_f32(d: &mut [f32], kind: Detrend) {
    let n = d.len();
    if n == 0 {
        return;
    }
    match kind {
        Detrend::Simple => {
            if n > 1 {
                // `data -= x1 + np.arange(n) * (x2 - x1) / float(n - 1)`: the difference in
                // float32, the line in float64, the subtraction rounded to float32.
                let (x1, dx) = (d[0] as f64, (d[n - 1] - d[0]) as f64);
                let div = (n - 1) as f64;
                for (i, v) in d.iter_mut().enumerate() {
                    *v = (*v as f64 - (x1 + i as f64 * dx / div)) as f32;
                }
            } else {
                d[0] = 0.0;
            }
        }
        Detrend::Demean => {
            let mean = super::numpy_mean(d);
            d.iter_mut().for_each(|v| *v -= mean);
        }
        Detrend::Linear => linear_detrend_f32(d),
        Detrend::Polynomial(order) => {
            let y: Vec<f64> = d.iter().map(|&v| v as f64).collect();
            let fit = polynomial_fit(&y, order);
            d.iter_mut().zip(fit).for_each(|(v, f)| *v = (*v as f64 - f) as f32);
        }
    }
}

/// scipy's `detrend(type='linear')` of float32 samples: the design matrix `[k / n, 1]` for
/// k = 1..n in float32, the least-squares coefficients as float32, `A @ coef` and the
/// subtraction in float32. The coefficients are fitted in float64 and rounded, where scipy gets
/// them from LAPACK's float32 `sgelsd`.
fn linear_detrend_f32(d: &mut [f32]) {
    let n = d.len();
    let nf = n as f32;
    let a = |k: usize| (k + 1) as f32 / nf;
    // Centred sums in float64 over the float32 abscissae.
    let (mut sa, mut sy) = (0.0f64, 0.0f64);
    for (k, &v) in d.iter().enumerate() {
        sa += a(k) as f64;
        sy += v as f64;
    }
    let (ma, my) = (sa / n as f64, sy / n as f64);
    let (mut saa, mut say) = (0.0f64, 0.0f64);
    for (k, &v) in d.iter().enumerate() {
        let x = a(k) as f64 - ma;
        saa += x * x;
        say += x * (v as f64 - my);
    }
    let slope = if saa > 0.0 { say / saa } else { 0.0 };
    let (c0, c1) = (slope as f32, (my - slope * ma) as f32);
    for (k, v) in d.iter_mut().enumerate() {
        *v -= a(k) * c0 + c1;
    }
}

/// Subtracts the least-squares line in two passes: with the abscissa centred, the slope is
/// `sum(x y) / sum(x^2)` and the intercept the mean (the same fit as scipy's, to rounding).
fn linear_detrend(d: &mut [f64]) {
    let n = d.len();
    if n == 1 {
        d[0] = 0.0;
        return;
    }
    let c = (n - 1) as f64 / 2.0;
    // Sums in blocks keep the rounding error of a million-sample trace near 1e-16 relative; four
    // partial sums per block let the additions overlap instead of waiting on one another.
    let (mut sy, mut sxy) = (0.0, 0.0);
    for (b, block) in d.chunks(4096).enumerate() {
        let x0 = (b * 4096) as f64 - c;
        let (mut y, mut xy) = ([0.0; 4], [0.0; 4]);
        let mut quads = block.chunks_exact(4);
        for (q, v) in (&mut quads).enumerate() {
            for l in 0..4 {
                y[l] += v[l];
                xy[l] += (x0 + (4 * q + l) as f64) * v[l];
            }
        }
        let tail = block.len() - quads.remainder().len();
        for (k, v) in quads.remainder().iter().enumerate() {
            y[0] += v;
            xy[0] += (x0 + (tail + k) as f64) * v;
        }
        sy += (y[0] + y[1]) + (y[2] + y[3]);
        sxy += (xy[0] + xy[1]) + (xy[2] + xy[3]);
    }
    let nf = n as f64;
    // sum over i of (i - c)^2 = n (n^2 - 1) / 12
    let sxx = nf * (nf * nf - 1.0) / 12.0;
    let (mean, slope) = (sy / nf, sxy / sxx);
    for (i, v) in d.iter_mut().enumerate() {
        *v -= mean + slope * (i as f64 - c);
    }
}

/// The least-squares polynomial of `order` at each sample (abscissa scaled to [-1, 1] and solved
/// by Householder QR for stability; the fitted values equal numpy's to rounding).
fn polynomial_fit(d: &[f64], order: usize) -> Vec<f64> {
    let n = d.len();
    let m = (order + 1).min(n);
    if n == 1 {
        return d.to_vec();
    }
    let scale = (n - 1) as f64 / 2.0;
    let x: Vec<f64> = (0..n).map(|i| (i as f64 - scale) / scale).collect();
    // Columns of the Vandermonde matrix, column-major.
    let mut a: Vec<Vec<f64>> = (0..m).map(|j| x.iter().map(|xi| xi.powi(j as i32)).collect()).collect();
    let mut b = d.to_vec();
    for k in 0..m {
        let norm = a[k][k..].iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm == 0.0 {
            continue;
        }
        let alpha = if a[k][k] > 0.0 { -norm } else { norm };
        let mut v: Vec<f64> = a[k][k..].to_vec();
        v[0] -= alpha;
        let vnorm2 = v.iter().map(|x| x * x).sum::<f64>();
        if vnorm2 == 0.0 {
            continue;
        }
        for col in a.iter_mut().skip(k) {
            let dot: f64 = v.iter().zip(&col[k..]).map(|(p, q)| p * q).sum();
            let f = 2.0 * dot / vnorm2;
            col[k..].iter_mut().zip(&v).for_each(|(c, vi)| *c -= f * vi);
        }
        let dot: f64 = v.iter().zip(&b[k..]).map(|(p, q)| p * q).sum();
        let f = 2.0 * dot / vnorm2;
        b[k..].iter_mut().zip(&v).for_each(|(c, vi)| *c -= f * vi);
    }
    let mut coef = vec![0.0; m];
    for k in (0..m).rev() {
        let s: f64 = (k + 1..m).map(|j| a[j][k] * coef[j]).sum();
        coef[k] = if a[k][k] != 0.0 { (b[k] - s) / a[k][k] } else { 0.0 };
    }
    x.iter()
        .map(|&xi| (0..m).rev().fold(0.0, |fit, j| fit * xi + coef[j]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UtcTime;

    fn tr(v: Vec<f64>) -> Trace {
        Trace::new("XX.A..HHZ", UtcTime::from_ns(0), 1.0, v)
    }

    #[test]
    fn removes_exact_trends() {
        let mut t = tr((0..100).map(|i| 3.0 + 0.5 * i as f64 + 0.01 * (i * i) as f64).collect());
        t.detrend(Detrend::Polynomial(2));
        assert!(t.data().as_f64().unwrap().iter().all(|x| x.abs() < 1e-9));
        let mut t = tr(vec![1.0, 5.0, 3.0]);
        t.detrend(Detrend::Simple);
        assert_eq!(t.data().as_f64().unwrap(), &[0.0, 3.0, 0.0]);
        let mut t = tr(vec![1.0, 2.0, 6.0]);
        t.detrend(Detrend::Demean);
        assert_eq!(t.data().as_f64().unwrap(), &[-2.0, -1.0, 3.0]);
    }

    #[test]
    fn linear_matches_least_squares() {
        // y = [0, 2, 1, 3]: fit slope 0.8, intercept 0.3.
        let mut t = tr(vec![0.0, 2.0, 1.0, 3.0]);
        t.detrend(Detrend::Linear);
        let want = [-0.3, 0.9, -0.9, 0.3];
        for (a, b) in t.data().as_f64().unwrap().iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{a} {b}");
        }
    }

    #[test]
    fn linear_residual_is_orthogonal_to_the_line_over_blocks_and_tails() {
        // 10_003 samples: two full sum blocks, a partial one and a remainder of three.
        let n = 10_003;
        let y: Vec<f64> = (0..n).map(|i| 7.0 - 0.003 * i as f64 + ((i * 7919) % 113) as f64).collect();
        let mut t = tr(y);
        t.detrend(Detrend::Linear);
        let r = t.data().as_f64().unwrap();
        let sum: f64 = r.iter().sum();
        let moment: f64 = r.iter().enumerate().map(|(i, v)| i as f64 * v).sum();
        assert!(sum.abs() < 1e-8, "{sum}");
        assert!(moment.abs() < 1e-5, "{moment}");
    }
}
