//! Evaluating an instrument response at given frequencies, the way evalresp (and hence ObsPy's
//! `get_evalresp_response`) does: every stage type, decimation delay corrections, the product of
//! stage gains, and the conversion to displacement, velocity or acceleration.

use std::f64::consts::PI;

use crate::model::response::*;

/// The physical quantity a response is expressed in (or converted to).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quantity {
    /// Metres.
    Displacement,
    /// Metres per second.
    Velocity,
    /// Metres per second squared.
    Acceleration,
    /// Units of the first stage, unconverted (ObsPy's `DEF`).
    Default,
}

impl Quantity {
    /// Recognises StationXML input units (`M`, `M/S`, `M/S**2`, `NM/S`, ...).
    pub fn from_units(units: &str) -> Option<(Quantity, f64)> {
        let u = units.trim().to_ascii_uppercase().replace(' ', "");
        let (scale, rest) = if let Some(r) = u.strip_prefix("NM") {
            (1e-9, r.to_string())
        } else if let Some(r) = u.strip_prefix("MM") {
            (1e-3, r.to_string())
        } else if let Some(r) = u.strip_prefix("CM") {
            (1e-2, r.to_string())
        } else if let Some(r) = u.strip_prefix('M') {
            (1.0, r.to_string())
        } else {
            return None;
        };
        let q = match rest.as_str() {
            "" => Quantity::Displacement,
            "/S" | "/SEC" => Quantity::Velocity,
            "/S**2" | "/S/S" | "/SEC**2" | "/S^2" | "/(S**2)" => Quantity::Acceleration,
            _ => return None,
        };
        Some((q, scale))
    }

    fn order(self) -> i32 {
        match self {
            Quantity::Displacement => 0,
            Quantity::Velocity => 1,
            Quantity::Acceleration => 2,
            Quantity::Default => 0,
        }
    }
}

fn stage_sample_interval(st: &Stage, input_rate: Option<f64>) -> Result<f64, String> {
    match (st.decimation, input_rate) {
        (Some(d), _) if d.input_sample_rate > 0.0 => Ok(1.0 / d.input_sample_rate),
        (_, Some(rate)) if rate > 0.0 => Ok(1.0 / rate),
        _ => Err(format!("digital stage {} has no decimation and no earlier stage gives its sample rate", st.number)),
    }
}

/// The input sample rate of each stage: its decimation's, else the output rate of the stages
/// before it (as ObsPy fills in for evalresp).
fn input_rates(stages: &[&Stage]) -> Vec<Option<f64>> {
    let mut rate = None;
    stages
        .iter()
        .map(|st| {
            if let Some(d) = st.decimation {
                if d.input_sample_rate > 0.0 {
                    rate = Some(d.input_sample_rate / d.factor.max(1) as f64);
                    return Some(d.input_sample_rate);
                }
            }
            rate
        })
        .collect()
}

/// A stage with everything that does not depend on frequency worked out once per evaluation.
struct Prepared<'a> {
    stage: &'a Stage,
    /// The sample interval of a digital stage (from its decimation or the stages before).
    interval: Result<f64, String>,
    /// FIR taps (FIR stages, and digital coefficient stages without denominators) and whether
    /// they are symmetric.
    fir: Option<(Vec<f64>, bool)>,
    /// Response-list interpolation of amplitude and phase.
    list: Option<ListInterpolation>,
    /// A digital coefficient stage with denominators.
    iir: bool,
}

impl<'a> Prepared<'a> {
    fn new(stage: &'a Stage, input_rate: Option<f64>) -> Self {
        let fir = match &stage.kind {
            StageKind::Fir(fir) => Some(fir.taps()),
            StageKind::Coefficients(cf) if cf.transfer_function == CfTransferFunction::Digital && cf.denominators.is_empty() && !cf.numerators.is_empty() => {
                Some(cf.numerators.clone())
            }
            _ => None,
        }
        .map(|taps| {
            let sym = is_symmetric(&taps);
            (taps, sym)
        });
        let list = match &stage.kind {
            StageKind::ResponseList(l) => Some(ListInterpolation::new(l)),
            _ => None,
        };
        let iir = matches!(&stage.kind, StageKind::Coefficients(cf) if !cf.denominators.is_empty());
        Prepared { stage, interval: stage_sample_interval(stage, input_rate), fir, list, iir }
    }

    fn interval(&self) -> Result<f64, String> {
        self.interval.clone()
    }

    fn symmetric(&self) -> bool {
        self.fir.as_ref().is_some_and(|(_, sym)| *sym)
    }
}

/// One stage's response at frequency `f` (Hz), without its gain.
fn stage_shape(p: &Prepared<'_>, f: f64) -> Result<Complex64, String> {
    let st = p.stage;
    let w = 2.0 * PI * f;
    let one = Complex64::new(1.0, 0.0);
    let h = match &st.kind {
        StageKind::PolesZeros(pz) => match pz.transfer_function {
            PzTransferFunction::LaplaceRadians | PzTransferFunction::LaplaceHertz => {
                let s = if pz.transfer_function == PzTransferFunction::LaplaceRadians {
                    Complex64::new(0.0, w)
                } else {
                    Complex64::new(0.0, f)
                };
                let num: Complex64 = pz.zeros.iter().map(|z| s - z).product();
                let den: Complex64 = pz.poles.iter().map(|p| s - p).product();
                num / den * pz.normalization_factor
            }
            PzTransferFunction::DigitalZ => {
                let z = Complex64::new(0.0, w * p.interval()?).exp();
                let num: Complex64 = pz.zeros.iter().map(|q| z - q).product();
                let den: Complex64 = pz.poles.iter().map(|p| z - p).product();
                num / den * pz.normalization_factor
            }
        },
        // A coefficient stage without coefficients only carries a gain (a digitiser, say).
        StageKind::Coefficients(cf) if cf.numerators.is_empty() && cf.denominators.is_empty() => one,
        StageKind::Coefficients(cf) => match cf.transfer_function {
            CfTransferFunction::Digital => match &p.fir {
                Some((taps, sym)) => fir_response(taps, *sym, p.interval()?, w),
                None => {
                    let zinv = Complex64::new(0.0, -w * p.interval()?).exp();
                    let series = |c: &[f64]| {
                        let mut acc = Complex64::new(0.0, 0.0);
                        let mut zk = one;
                        for &ck in c {
                            acc += zk * ck;
                            zk *= zinv;
                        }
                        acc
                    };
                    let num = series(&cf.numerators);
                    if cf.denominators.is_empty() {
                        num
                    } else {
                        num / series(&cf.denominators)
                    }
                }
            },
            CfTransferFunction::AnalogRadians | CfTransferFunction::AnalogHertz => {
                let s = if cf.transfer_function == CfTransferFunction::AnalogRadians { Complex64::new(0.0, w) } else { Complex64::new(0.0, f) };
                let poly = |c: &[f64]| c.iter().rev().fold(Complex64::new(0.0, 0.0), |a, &ck| a * s + ck);
                let num = poly(&cf.numerators);
                if cf.denominators.is_empty() {
                    num
                } else {
                    num / poly(&cf.denominators)
                }
            }
        },
        StageKind::Fir(_) => match &p.fir {
            Some((taps, sym)) => fir_response(taps, *sym, p.interval()?, w),
            None => one,
        },
        StageKind::ResponseList(_) => p.list.as_ref().ok_or("empty response list")?.at(f)?,
        StageKind::Polynomial(_) => return Err(format!("stage {} is a polynomial stage, which only applies on its own", st.number)),
        StageKind::Gain => one,
    };
    Ok(h * decimation_shift(p, w))
}

/// Decimation: evalresp applies the delay correction the digitiser already applied, except to
/// symmetric FIRs, which it evaluates centred (zero phase), and to IIR stages.
fn decimation_shift(p: &Prepared<'_>, w: f64) -> Complex64 {
    match p.stage.decimation {
        Some(d) if !p.symmetric() && !p.iir && d.correction != 0.0 => Complex64::new(0.0, w * d.correction).exp(),
        _ => Complex64::new(1.0, 0.0),
    }
}

/// [`stage_shape`] at `L` frequencies at once. FIR stages (which [`Prepared`] gives taps) run
/// their Horner recursions side by side: one recursion waits on its own multiplications, `L`
/// independent ones keep the floating-point units busy. Each lane's arithmetic is exactly the
/// single-frequency one.
fn stage_shapes<const L: usize>(p: &Prepared<'_>, fs: [f64; L]) -> Result<[Complex64; L], String> {
    match &p.fir {
        Some((taps, sym)) => {
            let ws = fs.map(|f| 2.0 * PI * f);
            let h = fir_responses(taps, *sym, p.interval()?, ws);
            Ok(std::array::from_fn(|l| h[l] * decimation_shift(p, ws[l])))
        }
        None => {
            let mut out = [Complex64::new(0.0, 0.0); L];
            for (o, &f) in out.iter_mut().zip(&fs) {
                *o = stage_shape(p, f)?;
            }
            Ok(out)
        }
    }
}

/// The factor evalresp scales a stage's shape by so that its gain holds at the gain frequency:
/// asymmetric FIR stages are normalised to unit amplitude there, symmetric ones and coefficient
/// FIRs (digital coefficient stages without denominators) at 0 Hz, poles and zeros at the gain
/// frequency when it or their normalisation frequency differs from the sensitivity's
/// (evalresp's `norm_resp`). Derived from evalresp's results
/// through ObsPy on the responses of IU, G, DK, SL and AU stations (tests/obspy_reference.rs).
fn stage_normalisation(p: &Prepared<'_>, sens_freq: f64) -> Result<f64, String> {
    let st = p.stage;
    let Some((_, f_gain)) = st.gain else { return Ok(1.0) };
    let at = match &st.kind {
        StageKind::Fir(_) if p.symmetric() => 0.0,
        StageKind::Fir(_) => f_gain,
        // Coefficient FIRs (evalresp's check_sym and norm_resp): taps summing to more than 2 %
        // off 1 are scaled to unit gain at 0 Hz; then, when the gain frequency is not the
        // sensitivity's, the stage is normalised there.
        StageKind::Coefficients(cf) if cf.transfer_function == CfTransferFunction::Digital && cf.denominators.is_empty() && !cf.numerators.is_empty() => {
            let sum: f64 = cf.numerators.iter().sum();
            let dc = if (sum - 1.0).abs() > 0.02 && sum != 0.0 { 1.0 / sum.abs() } else { 1.0 };
            if f_gain == sens_freq {
                return Ok(dc);
            }
            f_gain
        }
        // Poles and zeros whose gain or normalisation frequency is not the sensitivity's: evalresp
        // then replaces the stored normalisation factor by the exact one at the gain frequency.
        StageKind::PolesZeros(pz) if f_gain != sens_freq || pz.normalization_frequency != sens_freq => f_gain,
        _ => return Ok(1.0),
    };
    let at_gain = stage_shape(p, at)?.norm();
    Ok(if at_gain > 0.0 && at_gain.is_finite() { 1.0 / at_gain } else { 1.0 })
}

/// True when the taps read the same backwards (evalresp then treats the FIR as symmetric).
fn is_symmetric(taps: &[f64]) -> bool {
    !taps.is_empty() && taps.iter().zip(taps.iter().rev()).all(|(a, b)| a == b)
}

/// A FIR filter's response at angular frequency `w` with sample interval `t`: symmetric filters
/// centred (real, zero phase), others causally, as evalresp. The sum of `c_k exp(-i w k t)` is
/// evaluated by Horner's rule on the unit circle (one complex exponential per frequency instead
/// of one per tap; stable, within a few ulps per tap of the direct sum).
fn fir_response(taps: &[f64], symmetric: bool, t: f64, w: f64) -> Complex64 {
    fir_responses(taps, symmetric, t, [w])[0]
}

/// [`fir_response`] at `L` angular frequencies, the recursions interleaved.
fn fir_responses<const L: usize>(taps: &[f64], symmetric: bool, t: f64, ws: [f64; L]) -> [Complex64; L] {
    let z = ws.map(|w| Complex64::new(0.0, -w * t).exp());
    let mut sum = [Complex64::new(0.0, 0.0); L];
    for &c in taps.iter().rev() {
        for (acc, z) in sum.iter_mut().zip(&z) {
            *acc = *acc * z + c;
        }
    }
    if symmetric {
        let centre = (taps.len() as f64 - 1.0) / 2.0;
        std::array::from_fn(|l| Complex64::new((sum[l] * Complex64::new(0.0, ws[l] * centre * t).exp()).re, 0.0))
    } else {
        sum
    }
}

/// A response list's amplitude and phase (degrees) as functions of frequency, the way ObsPy
/// hands them to evalresp: interpolating cubic splines with not-a-knot ends (scipy's
/// `InterpolatedUnivariateSpline(f, y, k=3)`), extrapolated with the end polynomials. Lists of
/// fewer than four distinct frequencies, which that spline cannot take, are interpolated
/// linearly and held constant outside.
#[derive(Debug, Clone)]
struct ListInterpolation {
    freqs: Vec<f64>,
    amp: Vec<f64>,
    phase: Vec<f64>,
    /// Second derivatives at the knots (amplitude, phase); empty for linear interpolation.
    amp_m: Vec<f64>,
    phase_m: Vec<f64>,
}

impl ListInterpolation {
    fn new(list: &[ResponseListElement]) -> Self {
        let mut pts = list.to_vec();
        pts.sort_by(|a, b| a.frequency.total_cmp(&b.frequency));
        pts.dedup_by(|b, a| a.frequency == b.frequency);
        let freqs: Vec<f64> = pts.iter().map(|e| e.frequency).collect();
        let amp: Vec<f64> = pts.iter().map(|e| e.amplitude).collect();
        let phase: Vec<f64> = pts.iter().map(|e| e.phase).collect();
        let (amp_m, phase_m) = if freqs.len() >= 4 { (not_a_knot(&freqs, &amp), not_a_knot(&freqs, &phase)) } else { (Vec::new(), Vec::new()) };
        ListInterpolation { freqs, amp, phase, amp_m, phase_m }
    }

    fn at(&self, f: f64) -> Result<Complex64, String> {
        let x = &self.freqs;
        if x.is_empty() {
            return Err("empty response list".into());
        }
        let (amp, ph) = if self.amp_m.is_empty() {
            (linear(x, &self.amp, f), linear(x, &self.phase, f))
        } else {
            let i = x.partition_point(|&v| v <= f).clamp(1, x.len() - 1) - 1;
            (spline_piece(x, &self.amp, &self.amp_m, i, f), spline_piece(x, &self.phase, &self.phase_m, i, f))
        };
        Ok(Complex64::from_polar(amp, ph.to_radians()))
    }
}

/// Second derivatives at the knots of the not-a-knot cubic spline through `(x, y)` (x strictly
/// increasing, at least 4 points): the third derivative is continuous at the second and the
/// second-to-last knot. The end values are eliminated, the rest is one tridiagonal solve.
fn not_a_knot(x: &[f64], y: &[f64]) -> Vec<f64> {
    let n = x.len();
    let h: Vec<f64> = x.windows(2).map(|w| w[1] - w[0]).collect();
    let slope: Vec<f64> = (0..n - 1).map(|i| (y[i + 1] - y[i]) / h[i]).collect();
    // Unknowns M[1..n-1]; row i (1 <= i <= n-2): h[i-1] M[i-1] + 2(h[i-1]+h[i]) M[i] + h[i] M[i+1] = r[i],
    // with M[0] = (1 + h0/h1) M1 - (h0/h1) M2 and the mirror image at the far end.
    let m = n - 2;
    let mut lower = vec![0.0; m];
    let mut diag = vec![0.0; m];
    let mut upper = vec![0.0; m];
    let mut rhs = vec![0.0; m];
    for k in 0..m {
        let i = k + 1;
        lower[k] = h[i - 1];
        diag[k] = 2.0 * (h[i - 1] + h[i]);
        upper[k] = h[i];
        rhs[k] = 6.0 * (slope[i] - slope[i - 1]);
    }
    let (r0, r1) = (h[0] / h[1], h[n - 2] / h[n - 3]);
    // First row: lower * M0 folded in.
    diag[0] += lower[0] * (1.0 + r0);
    if m > 1 {
        upper[0] -= lower[0] * r0;
    }
    // Last row: upper * M[n-1] folded in, M[n-1] = (1 + r1) M[n-2] - r1 M[n-3].
    diag[m - 1] += upper[m - 1] * (1.0 + r1);
    if m > 1 {
        lower[m - 1] -= upper[m - 1] * r1;
    }
    // Thomas algorithm.
    for k in 1..m {
        let w = lower[k] / diag[k - 1];
        diag[k] -= w * upper[k - 1];
        rhs[k] -= w * rhs[k - 1];
    }
    let mut mm = vec![0.0; n];
    mm[m] = rhs[m - 1] / diag[m - 1];
    for k in (0..m - 1).rev() {
        mm[k + 1] = (rhs[k] - upper[k] * mm[k + 2]) / diag[k];
    }
    mm[0] = (1.0 + r0) * mm[1] - r0 * mm[2];
    mm[n - 1] = (1.0 + r1) * mm[n - 2] - r1 * mm[n - 3];
    mm
}

/// The cubic of interval `i` (knots `i`, `i + 1`) at `t`, also outside the interval.
fn spline_piece(x: &[f64], y: &[f64], m: &[f64], i: usize, t: f64) -> f64 {
    let h = x[i + 1] - x[i];
    let (a, b) = (x[i + 1] - t, t - x[i]);
    m[i] * a * a * a / (6.0 * h) + m[i + 1] * b * b * b / (6.0 * h) + (y[i] / h - m[i] * h / 6.0) * a + (y[i + 1] / h - m[i + 1] * h / 6.0) * b
}

/// Linear interpolation, constant outside.
fn linear(x: &[f64], y: &[f64], t: f64) -> f64 {
    let i = x.partition_point(|&v| v < t);
    if i == 0 {
        y[0]
    } else if i >= x.len() {
        y[x.len() - 1]
    } else {
        let w = (t - x[i - 1]) / (x[i] - x[i - 1]);
        y[i - 1] + w * (y[i] - y[i - 1])
    }
}

/// The overall gain evalresp multiplies in: the product of the stage gains, or the instrument
/// sensitivity when no stage has a gain.
pub fn total_gain(resp: &Response) -> Result<f64, String> {
    let gains: Vec<f64> = resp.stages.iter().filter(|s| s.number != 0).filter_map(|s| s.gain.map(|g| g.0)).collect();
    if !gains.is_empty() {
        return Ok(gains.iter().product());
    }
    resp.instrument_sensitivity
        .as_ref()
        .map(|s| s.value)
        .ok_or_else(|| "neither stage gains nor an instrument sensitivity".to_string())
}

/// Input quantity of the response (first stage's input units, or the sensitivity's).
pub fn input_quantity(resp: &Response) -> Option<(Quantity, f64)> {
    let first = resp.stages.iter().filter(|s| s.number != 0).map(|s| s.input_units.as_str()).find(|u| !u.is_empty());
    let units = first.or(resp.instrument_sensitivity.as_ref().map(|s| s.input_units.as_str()))?;
    Quantity::from_units(units)
}

/// The response at each frequency (Hz), converted to `output`, as evalresp computes it.
///
/// ```
/// use asdf::signal::response::{evaluate, Quantity};
/// let resp = asdf::testing::broadband_response(100.0);
/// let h = evaluate(&resp, &[1.0], Quantity::Velocity).unwrap();
/// // Sensitivity 1500 V/(m/s) x 419430 counts/V at 1 Hz (the FIR passes 1 Hz almost unchanged).
/// assert!((h[0].norm() / (1500.0 * 419430.0) - 1.0).abs() < 1e-3);
/// ```
pub fn evaluate(resp: &Response, freqs: &[f64], output: Quantity) -> Result<Vec<Complex64>, String> {
    if resp.stages.is_empty() {
        if resp.instrument_sensitivity.is_none() {
            return Err("the response has no stages and no sensitivity".into());
        }
    }
    let gain = total_gain(resp)?;
    let conversion = if output == Quantity::Default {
        0
    } else {
        let (input, _) = input_quantity(resp).ok_or_else(|| {
            "the input units are not displacement, velocity or acceleration (M, M/S, M/S**2); use output DEF".to_string()
        })?;
        input.order() - output.order()
    };
    // Input units like NM/S are converted to metres, for DEF too (as evalresp).
    let scale = input_quantity(resp).map(|q| q.1).unwrap_or(1.0);
    let mut stages: Vec<&Stage> = resp.stages.iter().filter(|s| s.number != 0).collect();
    stages.sort_by_key(|s| s.number);
    let rates = input_rates(&stages);
    let prepared: Vec<Prepared<'_>> = stages.iter().zip(&rates).map(|(st, rate)| Prepared::new(st, *rate)).collect();
    // evalresp's reference frequency: the sensitivity's, else the last non-zero stage gain's.
    let sens_freq = match &resp.instrument_sensitivity {
        Some(s) if s.value != 0.0 => s.frequency,
        _ => stages.iter().filter_map(|st| st.gain.map(|g| g.1)).filter(|&f| f != 0.0).last().unwrap_or(0.0),
    };
    let norms: Vec<f64> = prepared.iter().map(|p| stage_normalisation(p, sens_freq)).collect::<Result<_, _>>()?;
    let cascade = Cascade { prepared, norms, gain, conversion, scale };
    let mut out = Vec::with_capacity(freqs.len());
    let mut groups = freqs.chunks_exact(4);
    for g in &mut groups {
        out.extend(cascade.at([g[0], g[1], g[2], g[3]])?);
    }
    for &f in groups.remainder() {
        out.extend(cascade.at([f])?);
    }
    Ok(out)
}

/// A response's stages, ready to evaluate.
struct Cascade<'a> {
    prepared: Vec<Prepared<'a>>,
    norms: Vec<f64>,
    gain: f64,
    /// Powers of `i w` to multiply by (negative: divide by).
    conversion: i32,
    scale: f64,
}

impl Cascade<'_> {
    /// The response at `L` frequencies (evaluated side by side, each as on its own).
    fn at<const L: usize>(&self, fs: [f64; L]) -> Result<[Complex64; L], String> {
        let mut h = [Complex64::new(self.gain, 0.0); L];
        for (p, norm) in self.prepared.iter().zip(&self.norms) {
            for (h, s) in h.iter_mut().zip(stage_shapes(p, fs)?) {
                *h *= s * *norm;
            }
        }
        Ok(std::array::from_fn(|l| {
            let iw = Complex64::new(0.0, 2.0 * PI * fs[l]);
            let h = if self.conversion > 0 {
                h[l] * iw.powi(self.conversion)
            } else if self.conversion < 0 {
                if fs[l] == 0.0 { Complex64::new(0.0, 0.0) } else { h[l] / iw.powi(-self.conversion) }
            } else {
                h[l]
            };
            h / self.scale
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_a_knot_spline_reproduces_a_cubic_inside_and_outside() {
        let cubic = |t: f64| 0.5 * t * t * t - 2.0 * t * t + t - 3.0;
        let x = [0.1, 0.4, 1.0, 1.7, 2.5, 4.0];
        let y: Vec<f64> = x.iter().map(|&t| cubic(t)).collect();
        let m = not_a_knot(&x, &y);
        for t in [0.0, 0.1, 0.25, 1.3, 2.0, 3.9, 4.0, 5.0] {
            let i = x.partition_point(|&v| v <= t).clamp(1, x.len() - 1) - 1;
            assert!((spline_piece(&x, &y, &m, i, t) - cubic(t)).abs() < 1e-12, "at {t}");
        }
        // Four points: the one cubic through them.
        let (x4, y4) = (&x[..4], &y[..4]);
        let m4 = not_a_knot(x4, y4);
        assert!((spline_piece(x4, y4, &m4, 1, 0.7) - cubic(0.7)).abs() < 1e-12);
    }

    #[test]
    fn short_lists_interpolate_linearly() {
        let e = |f: f64, a: f64| ResponseListElement { frequency: f, amplitude: a, phase: 0.0 };
        let l = ListInterpolation::new(&[e(2.0, 4.0), e(1.0, 2.0)]);
        assert_eq!(l.at(1.5).unwrap().re, 3.0);
        assert_eq!(l.at(9.0).unwrap().re, 4.0);
    }
}
