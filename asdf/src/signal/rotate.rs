//! Rotation of three-component data: NE -> RT by a back azimuth (ObsPy's `rotate('NE->RT')`) and
//! any three components -> ZNE from the azimuth and dip in an inventory (ObsPy's
//! `rotate('->ZNE', inventory=...)`).

use std::collections::BTreeMap;

use crate::model::inventory::Inventory;
use crate::model::stream::Stream;
use crate::model::trace::{Samples, Trace};

use super::{all_finite, finite_samples, Float, SignalError};

/// ObsPy's `_dip_azimuth2zne_base_vector`: the unit vector (Z up, N, E) a component with this dip
/// and azimuth (degrees, SEED convention: dip positive down) records.
fn base_vector(dip: f64, azimuth: f64) -> [f64; 3] {
    let (dip, az) = (dip.to_radians(), azimuth.to_radians());
    [-dip.sin(), az.cos() * dip.cos(), az.sin() * dip.cos()]
}

fn det3(m: &[[f64; 3]; 3]) -> f64 {
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
}

fn inverse3(m: &[[f64; 3]; 3], det: f64) -> [[f64; 3]; 3] {
    let mut inv = [[0.0; 3]; 3];
    for (i, row) in inv.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            // Cofactor of m[j][i], divided by the determinant.
            let (r0, r1) = ((j + 1) % 3, (j + 2) % 3);
            let (c0, c1) = ((i + 1) % 3, (i + 2) % 3);
            *v = (m[r0][c0] * m[r1][c1] - m[r0][c1] * m[r1][c0]) / det;
        }
    }
    inv
}

/// ObsPy's `rotate2zne`: three components with their (azimuth, dip) to Z, N, E.
///
/// ```
/// use asdf::signal::rotate2zne;
/// // A vertical component (dip -90) and two horizontals at 90 and 0 degrees azimuth.
/// let (z, n, e) = rotate2zne([&[1.0][..], &[2.0], &[3.0]], [(0.0, -90.0), (90.0, 0.0), (0.0, 0.0)]).unwrap();
/// let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
/// assert!(close(z[0], 1.0) && close(n[0], 3.0) && close(e[0], 2.0));
/// ```
pub fn rotate2zne(data: [&[f64]; 3], orientation: [(f64, f64); 3]) -> Result<(Vec<f64>, Vec<f64>, Vec<f64>), String> {
    let n = data[0].len();
    if data.iter().any(|d| d.len() != n) {
        return Err("all three components must have the same number of samples".into());
    }
    let m = orientation.map(|(az, dip)| base_vector(dip, az));
    let det = det3(&m);
    if !(1e-6 < det.abs() && det.abs() < 1e6) {
        return Err(format!("the three directions are not linearly independent (determinant {det:e}); check azimuth and dip"));
    }
    let inv = inverse3(&m, det);
    let comp = |row: usize| -> Vec<f64> {
        (0..n)
            .map(|k| {
                let v = inv[row][0] * data[0][k] + inv[row][1] * data[1][k] + inv[row][2] * data[2][k];
                if v == 0.0 {
                    0.0
                } else {
                    v
                }
            })
            .collect()
    };
    Ok((comp(0), comp(1), comp(2)))
}

/// Traces grouped by `NET.STA.LOC.` plus the band and instrument codes, keyed by component.
fn groups(st: &Stream) -> BTreeMap<String, BTreeMap<char, Vec<usize>>> {
    let mut g: BTreeMap<String, BTreeMap<char, Vec<usize>>> = BTreeMap::new();
    for (i, t) in st.traces.iter().enumerate() {
        let cha = &t.stats.channel;
        let Some(component) = cha.chars().last() else { continue };
        let prefix = &cha[..cha.len() - component.len_utf8()];
        let key = format!("{}.{}.{}.{}", t.stats.network, t.stats.station, t.stats.location, prefix);
        g.entry(key).or_default().entry(component).or_default().push(i);
    }
    g
}

/// Trims the traces at `idx` to their common time span; they must then align sample by sample.
fn trim_common(st: &mut Stream, idx: &[usize]) -> Result<(), SignalError> {
    let start = idx.iter().map(|&i| st.traces[i].stats.starttime).max().unwrap_or_default();
    let end = idx.iter().map(|&i| st.traces[i].endtime()).min().unwrap_or_default();
    let first = &st.traces[idx[0]];
    if start > end {
        return Err(SignalError::invalid(first, "the components to rotate do not overlap in time"));
    }
    for &i in idx {
        st.traces[i].trim(Some(start), Some(end))?;
    }
    let t0 = &st.traces[idx[0]];
    for &i in &idx[1..] {
        let t = &st.traces[i];
        let offset = (t.stats.starttime - t0.stats.starttime).abs() * t0.stats.sampling_rate;
        if t.npts() != t0.npts() || t.stats.sampling_rate != t0.stats.sampling_rate || offset > 0.5 {
            return Err(SignalError::invalid(t, format!("does not align with {} sample by sample; resample or interpolate first", t0.id())));
        }
    }
    Ok(())
}

/// ObsPy's `rotate_ne_rt(n, e, ba)` in the samples' type: `r = -e sin(ba) - n cos(ba)`,
/// `t = -e cos(ba) + n sin(ba)`, in place of `n` and `e`.
fn ne_rt<T: Float>(n: &mut [T], e: &mut [T], sin: T, cos: T) {
    for (n, e) in n.iter_mut().zip(e.iter_mut()) {
        (*n, *e) = (-*e * sin - *n * cos, -*e * cos + *n * sin);
    }
}

fn rename_component(tr: &mut Trace, component: char) {
    tr.stats.channel.pop();
    tr.stats.channel.push(component);
}

impl Stream {
    /// Rotates every N/E pair (same station, location, band and instrument) to radial and
    /// transverse with the back azimuth in degrees, as ObsPy's `rotate('NE->RT', back_azimuth)`;
    /// channels are renamed `..R`/`..T`. The pair is first trimmed to its common span.
    ///
    /// ```
    /// use asdf::{Stream, Trace, UtcTime};
    /// let t0 = UtcTime::from_ns(0);
    /// let mut st: Stream = [Trace::new("XX.A..HHN", t0, 1.0, vec![1.0]), Trace::new("XX.A..HHE", t0, 1.0, vec![0.0])].into_iter().collect();
    /// st.rotate_ne_rt(0.0).unwrap(); // source due north: radial points away from it
    /// assert_eq!(st.traces[0].stats.channel, "HHR");
    /// assert_eq!(st.traces[0].data().as_f64().unwrap()[0], -1.0);
    /// ```
    ///
    /// Float32 pairs stay float32 and are rotated in float32 arithmetic with the sine and cosine
    /// rounded to float32, as ObsPy (whose `math.sin` scalars are cast to the samples' type);
    /// integer pairs become float64.
    pub fn rotate_ne_rt(&mut self, back_azimuth: f64) -> Result<&mut Self, SignalError> {
        self.rotate_horizontals(['N', 'E'], ['R', 'T'], back_azimuth, back_azimuth)
    }

    /// The inverse of [`rotate_ne_rt`](Self::rotate_ne_rt): every R/T pair back to north and
    /// east, as ObsPy's `rotate('RT->NE', back_azimuth)`; channels are renamed `..N`/`..E`.
    ///
    /// ```
    /// use asdf::{Stream, Trace, UtcTime};
    /// let t0 = UtcTime::from_ns(0);
    /// let mut st: Stream = [Trace::new("XX.A..HHN", t0, 1.0, vec![0.3]), Trace::new("XX.A..HHE", t0, 1.0, vec![-0.7])].into_iter().collect();
    /// st.rotate_ne_rt(33.0).unwrap().rotate_rt_ne(33.0).unwrap();
    /// assert_eq!(st.traces[1].stats.channel, "HHE");
    /// assert!((st.traces[1].data().as_f64().unwrap()[0] + 0.7).abs() < 1e-15);
    /// ```
    ///
    /// Computed as ObsPy does, as the NE->RT rotation of (R, T) by `360 - back_azimuth`; sample
    /// types as [`rotate_ne_rt`](Self::rotate_ne_rt).
    pub fn rotate_rt_ne(&mut self, back_azimuth: f64) -> Result<&mut Self, SignalError> {
        self.rotate_horizontals(['R', 'T'], ['N', 'E'], back_azimuth, 360.0 - back_azimuth)
    }

    /// Rotates every `from` pair (same station, location, band and instrument) sample by sample
    /// as ObsPy's `rotate_ne_rt(first, second, angle)`, renaming the components to `to`;
    /// `back_azimuth` is the angle the caller was given (checked to lie within 0-360 degrees).
    fn rotate_horizontals(&mut self, from: [char; 2], to: [char; 2], back_azimuth: f64, angle: f64) -> Result<&mut Self, SignalError> {
        for comps in groups(self).into_values() {
            let (Some(a), Some(b)) = (comps.get(&from[0]), comps.get(&from[1])) else { continue };
            let (a, b) = (a[0], b[0]);
            if !(0.0..=360.0).contains(&back_azimuth) {
                return Err(SignalError::invalid(&self.traces[a], format!("back azimuth must be within 0-360 degrees, got {back_azimuth}")));
            }
            trim_common(self, &[a, b])?;
            let ba = angle.to_radians();
            let (sin, cos) = (ba.sin(), ba.cos());
            for i in [a, b] {
                let finite = match self.traces[i].data() {
                    Samples::F32(v) => all_finite(v),
                    _ => all_finite(self.traces[i].data_f64_mut()),
                };
                if !finite {
                    return Err(SignalError::NotFinite { id: self.traces[i].id() });
                }
            }
            // `a` and `b` are different traces (different components).
            let (left, right) = self.traces.split_at_mut(a.max(b));
            let (low, high) = (&mut left[a.min(b)], &mut right[0]);
            let (first, second) = if a < b { (low, high) } else { (high, low) };
            match (first.data_mut(), second.data_mut()) {
                (Samples::F32(x), Samples::F32(y)) => ne_rt(x, y, sin as f32, cos as f32),
                (x, y) => ne_rt(x.to_f64_mut(), y.to_f64_mut(), sin, cos),
            }
            rename_component(&mut self.traces[a], to[0]);
            rename_component(&mut self.traces[b], to[1]);
        }
        Ok(self)
    }

    /// Rotates each three-component set whose component codes are one of `component_sets`
    /// (ObsPy's default: `["Z12", "123"]`) to Z, N, E using each channel's azimuth and dip from
    /// the inventory, as ObsPy's `rotate('->ZNE', inventory=inv)`. The components are trimmed to
    /// their common span first; sets that are incomplete are left alone. The rotated samples are
    /// float64 for every sample type, as ObsPy's (its rotation matrix is float64).
    ///
    /// ```no_run
    /// # fn run(mut st: asdf::Stream, inv: asdf::Inventory) -> Result<(), asdf::signal::SignalError> {
    /// st.rotate_to_zne(&inv, &["Z12", "123"])?;
    /// # Ok(()) }
    /// ```
    pub fn rotate_to_zne(&mut self, inv: &Inventory, component_sets: &[&str]) -> Result<&mut Self, SignalError> {
        for comps in groups(self).into_values() {
            for set in component_sets {
                let codes: Vec<char> = set.chars().collect();
                if codes.len() != 3 {
                    return Err(SignalError::InvalidParameter { id: set.to_string(), message: "component sets have three codes, like \"Z12\"".into() });
                }
                let Some(idx) = codes.iter().map(|c| comps.get(c).map(|v| v[0])).collect::<Option<Vec<usize>>>() else { continue };
                trim_common(self, &idx)?;
                let mut orientation = [(0.0, 0.0); 3];
                for (o, &i) in orientation.iter_mut().zip(&idx) {
                    let t = &self.traces[i];
                    let ch = inv.channel(&t.id(), t.stats.starttime).ok_or_else(|| SignalError::NoResponse { id: t.id(), time: t.stats.starttime.to_string() })?;
                    match (ch.azimuth, ch.dip) {
                        (Some(az), Some(dip)) => *o = (az, dip),
                        _ => return Err(SignalError::invalid(t, "the inventory gives no azimuth or dip for this channel")),
                    }
                }
                let data: Vec<Vec<f64>> = idx.iter().map(|&i| finite_samples(&mut self.traces[i]).map(|d| d.clone())).collect::<Result<_, _>>()?;
                let (z, n, e) = rotate2zne([&data[0], &data[1], &data[2]], orientation).map_err(|m| SignalError::invalid(&self.traces[idx[0]], m))?;
                for ((&i, out), c) in idx.iter().zip([z, n, e]).zip(['Z', 'N', 'E']) {
                    *self.traces[i].data_f64_mut() = out;
                    rename_component(&mut self.traces[i], c);
                }
            }
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::UtcTime;

    #[test]
    fn ne_rt_round_trip_energy() {
        let t0 = UtcTime::from_ns(0);
        let n: Vec<f64> = (0..50).map(|i| (i as f64 * 0.3).sin()).collect();
        let e: Vec<f64> = (0..50).map(|i| (i as f64 * 0.7).cos()).collect();
        let mut st: Stream = [Trace::new("XX.A..BHN", t0, 1.0, n.clone()), Trace::new("XX.A..BHE", t0, 1.0, e.clone())].into_iter().collect();
        st.rotate_ne_rt(37.0).unwrap();
        let r = st.traces[0].data().as_f64().unwrap();
        let t = st.traces[1].data().as_f64().unwrap();
        for k in 0..50 {
            assert!(((r[k] * r[k] + t[k] * t[k]) - (n[k] * n[k] + e[k] * e[k])).abs() < 1e-12);
        }
    }

    #[test]
    fn zne_from_tilted_components_and_degenerate_refused() {
        // Components 1 and 2 at azimuth 30 and 120 recover N and E.
        let (z, n, e) = rotate2zne([&[5.0][..], &[1.0], &[0.0]], [(0.0, -90.0), (30.0, 0.0), (120.0, 0.0)]).unwrap();
        assert!((z[0] - 5.0).abs() < 1e-12);
        assert!((n[0] - 30f64.to_radians().cos()).abs() < 1e-12);
        assert!((e[0] - 30f64.to_radians().sin()).abs() < 1e-12);
        assert!(rotate2zne([&[0.0][..], &[0.0], &[0.0]], [(0.0, 0.0), (0.0, 0.0), (90.0, 0.0)]).is_err());
    }
}
