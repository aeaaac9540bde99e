//! `merge`: joins the traces of each channel into one, as ObsPy's `Stream.merge`, resolving
//! overlaps by method 0 (discard differing overlaps) or method 1 (keep the earlier trace's data
//! and interpolate into the later one) and filling gaps as asked.
//!
//! ObsPy leaves unfilled gaps and discarded overlaps as masked samples. ASDF cannot store masked
//! arrays (neither can pyasdf), so here such samples split the channel into contiguous traces,
//! the result ObsPy users get from `st.merge().split()`.

use std::collections::BTreeMap;

use crate::model::stream::Stream;
use crate::model::time::UtcTime;
use crate::model::trace::{Sample, Samples, Trace};

use super::SignalError;

/// How overlaps with differing samples are resolved (ObsPy's `method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MergeMethod {
    /// ObsPy's method 0: differing overlapping samples are dropped (gap) unless a fill is given.
    #[default]
    Discard,
    /// ObsPy's method 1: the earlier trace's samples are kept; the first `samples` samples of
    /// the later trace's overlap are replaced by a line from the earlier trace (`None`: the whole
    /// overlap, ObsPy's `interpolation_samples=-1`; ObsPy's default is 0).
    Interpolate {
        /// How many samples of the overlap are interpolated (`None`: all of them).
        samples: Option<usize>,
    },
}

/// What goes into gaps (and, for method 0, into differing overlaps): ObsPy's `fill_value`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Fill {
    /// Nothing: the channel is split there (ObsPy masks the samples).
    #[default]
    Split,
    /// A constant in the samples' type: integer samples take only whole numbers in their range
    /// (ObsPy under NumPy 2 refuses any float fill there; we refuse what would be truncated).
    Value(f64),
    /// The last sample before the gap (ObsPy's `"latest"`).
    Latest,
    /// A straight line between the samples around the gap (ObsPy's `"interpolate"`).
    Interpolate,
}

/// Options of [`Stream::merge`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Merge {
    /// What to do with overlaps.
    pub method: MergeMethod,
    /// What goes into gaps.
    pub fill: Fill,
    /// Relative difference under which two sampling rates count as equal (ObsPy requires exact
    /// equality, which real archives break in the 6th digit). The earlier trace's rate is kept.
    pub rate_tolerance: f64,
}

impl Default for Merge {
    fn default() -> Self {
        Merge { method: MergeMethod::Discard, fill: Fill::Split, rate_tolerance: 1e-5 }
    }
}

/// Samples of one channel with ObsPy's mask (true = no valid sample), all of type `T`.
#[derive(Debug, Clone)]
struct Masked<T> {
    data: Vec<T>,
    mask: Vec<bool>,
}

impl<T: Sample> Masked<T> {
    fn valid(data: &[T]) -> Self {
        Masked { data: data.to_vec(), mask: vec![false; data.len()] }
    }

    fn len(&self) -> usize {
        self.data.len()
    }

    fn part(&self, from: usize, to: usize) -> Masked<T> {
        let to = to.min(self.len());
        let from = from.min(to);
        Masked { data: self.data[from..to].to_vec(), mask: self.mask[from..to].to_vec() }
    }

    fn concat(parts: Vec<Masked<T>>) -> Masked<T> {
        let mut out = Masked { data: Vec::new(), mask: Vec::new() };
        for p in parts {
            out.data.extend(p.data);
            out.mask.extend(p.mask);
        }
        out
    }

    /// ObsPy's `create_empty_data_chunk(n, dtype, fill_value)` for this merge.
    fn chunk(n: usize, fill: Fill, before: &Masked<T>, after: &Masked<T>) -> Masked<T> {
        let constant = |v: T| Masked { data: vec![v; n], mask: vec![false; n] };
        match fill {
            Fill::Split => Masked { data: vec![T::from_f64(0.0); n], mask: vec![true; n] },
            Fill::Value(v) => constant(T::from_f64(v)),
            Fill::Latest => constant(*before.data.last().unwrap_or(&T::from_f64(0.0))),
            Fill::Interpolate => {
                let ls = before.data.last().copied().unwrap_or(T::from_f64(0.0));
                let rs = after.data.first().copied().unwrap_or(ls);
                Masked { data: T::between(ls, rs, n), mask: vec![false; n] }
            }
        }
    }
}

/// ObsPy's `Trace.__add__` for `lt` (earlier start) and `rt`, both at `sr` samples per second.
fn add<T: Sample>(lt: (UtcTime, Masked<T>), rt: (UtcTime, Masked<T>), sr: f64, opts: &Merge) -> (UtcTime, Masked<T>) {
    let (lt_start, l) = lt;
    let (rt_start, r) = rt;
    let end = |start: UtcTime, n: usize| start + (n.max(1) - 1) as f64 / sr;
    let (lt_end, rt_end) = (end(lt_start, l.len()), end(rt_start, r.len()));
    let seconds = |a: UtcTime, b: UtcTime| ((a - b) * 1e6).round() / 1e6;
    let delta = (seconds(rt_start, lt_end) * sr).round() as i64 - 1;
    let delta_endtime = seconds(lt_end, rt_end);
    let merged = if delta < 0 && delta_endtime < 0.0 {
        // The later trace starts inside the earlier one and ends after it.
        let d = delta.unsigned_abs() as usize;
        let keep = l.len().saturating_sub(d);
        let same = l.data[keep..].iter().zip(&r.data).all(|(a, b)| a == b);
        if same {
            Masked::concat(vec![l.part(0, keep), r])
        } else {
            match opts.method {
                MergeMethod::Discard => {
                    let overlap = Masked::chunk(d, opts.fill, &l, &r);
                    Masked::concat(vec![l.part(0, keep), overlap, r.part(d, r.len())])
                }
                MergeMethod::Interpolate { samples } => {
                    let ls = if d < l.len() { l.data[l.len() - d - 1] } else { l.data[0] };
                    let n = samples.map_or(d, |s| s.min(d));
                    match r.data.get(n) {
                        None => l,
                        Some(&rs) => {
                            let line = Masked { data: T::between(ls, rs, n), mask: vec![false; n] };
                            Masked::concat(vec![l.part(0, keep), line, r.part(n, r.len())])
                        }
                    }
                }
            }
        }
    } else if delta < 0 {
        // The later trace lies inside the earlier one.
        let d = delta.unsigned_abs() as usize;
        let t1 = l.len().saturating_sub(d);
        let t2 = (t1 + r.len()).min(l.len());
        let both_valid = |i: usize| !l.mask[t1 + i] && !r.mask[i];
        let same = (0..t2 - t1).all(|i| !both_valid(i) || l.data[t1 + i] == r.data[i]);
        if same {
            let mut out = l;
            for i in 0..t2 - t1 {
                if out.mask[t1 + i] && !r.mask[i] {
                    out.data[t1 + i] = r.data[i];
                    out.mask[t1 + i] = false;
                }
            }
            out
        } else {
            match opts.method {
                MergeMethod::Discard => {
                    let gap = Masked::chunk(r.len(), opts.fill, &l, &r);
                    Masked::concat(vec![l.part(0, t1), gap, l.part(t2, l.len())])
                }
                MergeMethod::Interpolate { .. } => l,
            }
        }
    } else if delta == 0 {
        Masked::concat(vec![l, r])
    } else {
        let gap = Masked::chunk(delta as usize, opts.fill, &l, &r);
        Masked::concat(vec![l, gap, r])
    };
    (lt_start, merged)
}

/// Merges the traces of one channel (sorted by start and end time), then splits at masked
/// samples.
fn merge_channel<T: Sample>(pieces: Vec<(UtcTime, &[T])>, sr: f64, opts: &Merge) -> Vec<(UtcTime, Vec<T>)> {
    let mut it = pieces.into_iter();
    let Some((start, first)) = it.next() else { return Vec::new() };
    let mut cur = (start, Masked::valid(first));
    for (start, data) in it {
        cur = add(cur, (start, Masked::valid(data)), sr, opts);
    }
    let (start, m) = cur;
    let mut out = Vec::new();
    let mut i = 0;
    while i < m.len() {
        if m.mask[i] {
            i += 1;
            continue;
        }
        let j = (i..m.len()).find(|&j| m.mask[j]).unwrap_or(m.len());
        out.push((start + i as f64 / sr, m.data[i..j].to_vec()));
        i = j;
    }
    out
}

impl Stream {
    /// Merges the traces of each channel (same `NET.STA.LOC.CHA`) as ObsPy's `merge()`, with
    /// ObsPy's defaults (method 0, no fill). Gaps left unfilled split the channel into
    /// contiguous traces. The result is sorted by id and start time. Samples keep their type.
    ///
    /// ```
    /// use asdf::{Stream, Trace, UtcTime, signal::{Fill, Merge}};
    /// let t0 = UtcTime::from_ns(0);
    /// let mut st: Stream = [Trace::new("XX.A..HHZ", t0, 1.0, vec![1i32, 2, 3]),
    ///                        Trace::new("XX.A..HHZ", t0 + 5.0, 1.0, vec![6i32, 7])].into_iter().collect();
    /// st.merge(Merge { fill: Fill::Value(0.0), ..Merge::default() }).unwrap();
    /// assert_eq!(st.len(), 1);
    /// assert_eq!(*st.traces[0].data(), vec![1i32, 2, 3, 0, 0, 6, 7].into());
    /// ```
    pub fn merge(&mut self, opts: Merge) -> Result<&mut Self, SignalError> {
        if let Fill::Value(fill) = opts.fill {
            self.traces.iter().try_for_each(|t| super::check_fill(t, fill))?;
        }
        let mut channels: BTreeMap<String, Vec<Trace>> = BTreeMap::new();
        for t in self.traces.drain(..).filter(|t| t.npts() > 0) {
            channels.entry(t.id()).or_default().push(t);
        }
        for (id, mut traces) in channels {
            traces.sort_by(|a, b| a.stats.starttime.cmp(&b.stats.starttime).then(a.endtime().cmp(&b.endtime())));
            let first = &traces[0];
            let sr = super::sampling_rate(first)?;
            for t in &traces[1..] {
                let rate = super::sampling_rate(t)?;
                if (rate - sr).abs() > opts.rate_tolerance * sr.abs() {
                    return Err(SignalError::InvalidParameter {
                        id,
                        message: format!("cannot merge traces with sampling rates {sr} and {rate}; resample one of them first"),
                    });
                }
                if t.dtype() != first.dtype() {
                    return Err(SignalError::InvalidParameter {
                        id,
                        message: format!("cannot merge {} samples with {} samples; convert them to one type first", first.dtype(), t.dtype()),
                    });
                }
            }
            let template = traces[0].clone();
            macro_rules! run {
                ($variant:ident) => {{
                    let pieces = traces
                        .iter()
                        .map(|t| match t.data() {
                            Samples::$variant(v) => (t.stats.starttime, v.as_slice()),
                            _ => unreachable!("sample types were checked equal above"),
                        })
                        .collect();
                    merge_channel(pieces, sr, &opts).into_iter().map(|(s, d)| (s, Samples::$variant(d))).collect::<Vec<_>>()
                }};
            }
            let merged = match template.data() {
                Samples::I16(_) => run!(I16),
                Samples::I32(_) => run!(I32),
                Samples::I64(_) => run!(I64),
                Samples::F32(_) => run!(F32),
                Samples::F64(_) => run!(F64),
            };
            for (start, data) in merged {
                let mut t = Trace::from_parts(template.stats.clone(), data, template.byte_order);
                t.stats.starttime = start;
                self.traces.push(t);
            }
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(parts: &[(f64, Vec<i32>)]) -> Stream {
        parts.iter().map(|(s, d)| Trace::new("XX.A..BHZ", UtcTime::from_ns(0) + *s, 1.0, d.clone())).collect()
    }

    #[test]
    fn unfilled_gap_splits_and_exact_fit_joins() {
        let mut s = st(&[(0.0, vec![1, 2]), (2.0, vec![3, 4]), (7.0, vec![8])]);
        s.merge(Merge::default()).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(*s.traces[0].data(), vec![1, 2, 3, 4].into());
        assert_eq!(s.traces[1].stats.starttime, UtcTime::from_ns(0) + 7.0);
    }

    #[test]
    fn differing_overlap_method_0_and_1() {
        let parts = [(0.0, vec![1, 2, 3, 4]), (2.0, vec![30, 40, 50, 60])];
        let mut s = st(&parts);
        s.merge(Merge { fill: Fill::Value(-1.0), ..Merge::default() }).unwrap();
        assert_eq!(*s.traces[0].data(), vec![1, 2, -1, -1, 50, 60].into());
        let mut s = st(&parts);
        s.merge(Merge { method: MergeMethod::Interpolate { samples: None }, ..Merge::default() }).unwrap();
        // Line from 2 (last kept sample) to 50 over the two overlapping samples.
        assert_eq!(*s.traces[0].data(), vec![1, 2, 18, 34, 50, 60].into());
        let mut s = st(&parts);
        s.merge(Merge { method: MergeMethod::Interpolate { samples: Some(0) }, ..Merge::default() }).unwrap();
        assert_eq!(*s.traces[0].data(), vec![1, 2, 30, 40, 50, 60].into());
    }

    #[test]
    fn identical_overlap_and_contained_trace() {
        let mut s = st(&[(0.0, vec![1, 2, 3, 4, 5]), (1.0, vec![2, 3]), (3.0, vec![4, 5, 6])]);
        s.merge(Merge::default()).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(*s.traces[0].data(), vec![1, 2, 3, 4, 5, 6].into());
    }

    #[test]
    fn fills_latest_and_interpolate() {
        let mut s = st(&[(0.0, vec![1, 2]), (5.0, vec![10])]);
        s.merge(Merge { fill: Fill::Latest, ..Merge::default() }).unwrap();
        assert_eq!(*s.traces[0].data(), vec![1, 2, 2, 2, 2, 10].into());
        let mut s = st(&[(0.0, vec![0]), (4.0, vec![8])]);
        s.merge(Merge { fill: Fill::Interpolate, ..Merge::default() }).unwrap();
        assert_eq!(*s.traces[0].data(), vec![0, 2, 4, 6, 8].into());
    }

    #[test]
    fn rates_within_tolerance_merge_others_are_refused() {
        let t0 = UtcTime::from_ns(0);
        let mut s: Stream = [Trace::new("XX.A..BHZ", t0, 100.0, vec![1.0; 100]), Trace::new("XX.A..BHZ", t0 + 1.0, 100.00001, vec![1.0; 100])].into_iter().collect();
        s.merge(Merge::default()).unwrap();
        assert_eq!(s.traces[0].npts(), 200);
        let mut s: Stream = [Trace::new("XX.A..BHZ", t0, 100.0, vec![1.0; 100]), Trace::new("XX.A..BHZ", t0 + 1.0, 50.0, vec![1.0; 100])].into_iter().collect();
        let err = s.merge(Merge::default()).unwrap_err().to_string();
        assert!(err.contains("XX.A..BHZ") && err.contains("50"), "{err}");
    }
}
