//! Records into traces, by ObsPy's rules (`obspy.io.mseed`'s reader, which pyasdf's users feed
//! `add_waveforms` with): records of one channel and quality join a trace when their sample type
//! is the same, their rates agree within libmseed's tolerance (`|1 - a/b| < 1e-4`) and the record
//! starts one sample period after the trace's last sample, within half a period. Anything else
//! (a gap, an overlap, another rate or type) starts a new trace: nothing is filled or dropped.
//!
//! Unlike ObsPy's reader, which joins records only in file order, records are taken in time
//! order across every file of the channel: day files of an archive join into one trace where the
//! data are continuous (as pyasdf's `append_waveforms`), and records stored out of order join
//! where they fit.

use crate::model::time::UtcTime;
use crate::model::trace::{Samples, Trace};

use super::mseed::{RecordHeader, RecordSamples};

/// A decoded record: its header and samples.
pub(crate) struct Piece {
    pub(crate) header: RecordHeader,
    pub(crate) samples: RecordSamples,
}

/// Continuous samples of one channel: a trace to be.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Segment {
    pub(crate) start_ns: i64,
    pub(crate) sampling_rate: f64,
    /// Time of the last sample of the last record joined (as ObsPy, from that record's header).
    last_ns: i64,
    pub(crate) samples: RecordSamples,
}

/// libmseed's sample-rate tolerance (`MS_ISRATETOLERABLE`), which ObsPy uses.
pub(crate) fn rates_agree(a: f64, b: f64) -> bool {
    (1.0 - a / b).abs() < 1e-4
}

impl Segment {
    /// Number of samples.
    pub(crate) fn len(&self) -> usize {
        self.samples.len()
    }

    /// The segment as a trace of `id` (`NET.STA.LOC.CHA`).
    pub(crate) fn into_trace(self, id: &str) -> Trace {
        let samples = match self.samples {
            RecordSamples::I32(v) => Samples::I32(v),
            RecordSamples::F32(v) => Samples::F32(v),
            RecordSamples::F64(v) => Samples::F64(v),
        };
        Trace::new(id, UtcTime::from_ns(self.start_ns), self.sampling_rate, samples)
    }

    /// Keeps the samples within `[start, end]` (ns, either open), choosing the nearest sample
    /// at each end as ObsPy's `trim` does; `None` when nothing is left.
    pub(crate) fn trimmed(mut self, start: Option<i64>, end: Option<i64>) -> Option<Segment> {
        let rate = self.sampling_rate;
        let n = self.len() as i64;
        // `f64::round` rounds halves away from zero, as ObsPy's `round_away`.
        let first = match start {
            Some(s) => (((s - self.start_ns) as f64 * rate / 1e9).round() as i64).max(0),
            None => 0,
        };
        let last_time = self.start_ns as f64 + (n - 1) as f64 * 1e9 / rate;
        let drop_end = match end {
            Some(e) => (((last_time - e as f64) * rate / 1e9).round() as i64).max(0),
            None => 0,
        };
        let keep_to = n - drop_end;
        if first >= keep_to {
            return None;
        }
        let (a, b) = (first as usize, keep_to as usize);
        self.samples = match self.samples {
            RecordSamples::I32(v) => RecordSamples::I32(v[a..b].to_vec()),
            RecordSamples::F32(v) => RecordSamples::F32(v[a..b].to_vec()),
            RecordSamples::F64(v) => RecordSamples::F64(v[a..b].to_vec()),
        };
        self.start_ns += (first as f64 * 1e9 / rate).round() as i64;
        Some(self)
    }
}

fn same_type(a: &RecordSamples, b: &RecordSamples) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// Joins one channel's records (of one quality) into segments: in time order (records starting
/// together keep their order), each record appended to the most recent segment it continues,
/// else starting a new one. Records without samples are left out. Each segment's samples are
/// allocated once, at their final size.
pub(crate) fn assemble(mut pieces: Vec<Piece>) -> Vec<Segment> {
    pieces.retain(|p| p.header.samples > 0 && p.header.sampling_rate > 0.0);
    pieces.sort_by_key(|p| p.header.start_ns);
    // First which records make each segment (by the headers alone), then the samples.
    struct Plan {
        start_ns: i64,
        sampling_rate: f64,
        last_ns: i64,
        len: usize,
        first: usize,
        members: Vec<usize>,
    }
    let mut plans: Vec<Plan> = Vec::new();
    for (i, p) in pieces.iter().enumerate() {
        let joins = |s: &Plan| {
            let first = &pieces[s.first];
            same_type(&first.samples, &p.samples) && continues(s.sampling_rate, s.last_ns, p)
        };
        match plans.iter_mut().rev().find(|s| joins(s)) {
            Some(s) => {
                s.last_ns = p.header.last_sample_ns();
                s.len += p.samples.len();
                s.members.push(i);
            }
            None => plans.push(Plan {
                start_ns: p.header.start_ns,
                sampling_rate: p.header.sampling_rate,
                last_ns: p.header.last_sample_ns(),
                len: p.samples.len(),
                first: i,
                members: vec![i],
            }),
        }
    }
    let mut samples: Vec<Option<RecordSamples>> = pieces.into_iter().map(|p| Some(p.samples)).collect();
    let mut segments: Vec<Segment> = plans
        .into_iter()
        .map(|plan| {
            let mut joined = match samples[plan.first].as_ref() {
                Some(RecordSamples::I32(_)) => RecordSamples::I32(Vec::with_capacity(plan.len)),
                Some(RecordSamples::F32(_)) => RecordSamples::F32(Vec::with_capacity(plan.len)),
                _ => RecordSamples::F64(Vec::with_capacity(plan.len)),
            };
            for i in plan.members {
                match (&mut joined, samples[i].take()) {
                    (RecordSamples::I32(a), Some(RecordSamples::I32(b))) => a.extend_from_slice(&b),
                    (RecordSamples::F32(a), Some(RecordSamples::F32(b))) => a.extend_from_slice(&b),
                    (RecordSamples::F64(a), Some(RecordSamples::F64(b))) => a.extend_from_slice(&b),
                    _ => {}
                }
            }
            Segment { start_ns: plan.start_ns, sampling_rate: plan.sampling_rate, last_ns: plan.last_ns, samples: joined }
        })
        .collect();
    segments.sort_by_key(|s| s.start_ns);
    segments
}

/// ObsPy's test: `p`'s rate agrees and it starts one period after `last_ns`, within half a
/// period (the period truncated to whole nanoseconds as libmseed truncates it to its unit).
fn continues(rate: f64, last_ns: i64, p: &Piece) -> bool {
    if !rates_agree(rate, p.header.sampling_rate) {
        return false;
    }
    let delta = (1e9 / rate) as i64;
    let tolerance = (0.5 * delta as f64) as i64;
    let gap = p.header.start_ns - last_ns - delta;
    (-tolerance..=tolerance).contains(&gap)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn piece(start_ns: i64, rate: f64, samples: Vec<i32>) -> Piece {
        let header = RecordHeader {
            offset: 0,
            length: 512,
            network: "XX".into(),
            station: "A".into(),
            location: "".into(),
            channel: "HHZ".into(),
            publication: 2,
            start_ns,
            sampling_rate: rate,
            samples: samples.len() as i64,
            encoding: 11,
            format_version: 2,
        };
        Piece { header, samples: RecordSamples::I32(samples) }
    }

    const S: i64 = 1_000_000_000;

    #[test]
    fn continuous_records_join_in_time_order_and_gaps_and_overlaps_split() {
        // 10 Hz: records of 5 samples (0.5 s); given out of order.
        let segs = assemble(vec![piece(S / 2, 10.0, vec![5, 6, 7, 8, 9]), piece(0, 10.0, vec![0, 1, 2, 3, 4])]);
        assert_eq!(segs.len(), 1);
        assert_eq!(segs[0].samples, RecordSamples::I32((0..10).collect()));
        // Within half a period: joined; at more than half: a gap, a new trace.
        assert_eq!(assemble(vec![piece(0, 10.0, vec![1; 5]), piece(S / 2 + 49_000_000, 10.0, vec![2; 5])]).len(), 1);
        assert_eq!(assemble(vec![piece(0, 10.0, vec![1; 5]), piece(S / 2 + 51_000_000, 10.0, vec![2; 5])]).len(), 2);
        // An overlap (the same record twice) is kept as a second trace.
        assert_eq!(assemble(vec![piece(0, 10.0, vec![1; 5]), piece(0, 10.0, vec![1; 5])]).len(), 2);
        // A rate that differs beyond 1e-4 splits; within, joins.
        assert_eq!(assemble(vec![piece(0, 10.0, vec![1; 5]), piece(S / 2, 10.01, vec![2; 5])]).len(), 2);
        assert_eq!(assemble(vec![piece(0, 10.0, vec![1; 5]), piece(S / 2, 10.0005, vec![2; 5])]).len(), 1);
    }

    #[test]
    fn duplicated_streams_interleaved_in_time_make_two_traces() {
        let a: Vec<Piece> = (0..4).map(|i| piece(i * S / 2, 10.0, vec![i as i32; 5])).collect();
        let b: Vec<Piece> = (0..4).map(|i| piece(i * S / 2, 10.0, vec![i as i32; 5])).collect();
        let segs = assemble(a.into_iter().chain(b).collect());
        assert_eq!(segs.len(), 2);
        assert!(segs.iter().all(|s| s.len() == 20));
    }

    #[test]
    fn trimming_keeps_the_nearest_samples() {
        let seg = assemble(vec![piece(0, 10.0, (0..10).collect())]).remove(0);
        let t = seg.clone().trimmed(Some(240_000_000), Some(660_000_000)).unwrap();
        assert_eq!(t.start_ns, 200_000_000);
        assert_eq!(t.samples, RecordSamples::I32(vec![2, 3, 4, 5, 6, 7]));
        assert_eq!(seg.clone().trimmed(Some(2 * S), None), None);
        assert_eq!(seg.trimmed(None, None).map(|s| s.len()), Some(10));
    }
}
