//! A compact binary form of job results, used both for MPI messages and for the journal.

use crate::format::codec::{NumKind, Pipeline};
use crate::format::EncodedTrace;
use crate::model::trace::AsdfStats;

/// Appends values to a byte buffer.
#[derive(Default)]
pub(crate) struct Writer(pub(crate) Vec<u8>);

impl Writer {
    pub(crate) fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn f64(&mut self, v: f64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.0.extend_from_slice(b);
    }
    pub(crate) fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    fn strs(&mut self, v: &[String]) {
        self.u64(v.len() as u64);
        v.iter().for_each(|s| self.str(s));
    }
}

/// Reads values back; every read is bounds-checked.
pub(crate) struct Reader<'a>(pub(crate) &'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.0.len() < n {
            return Err("truncated record".into());
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
    pub(crate) fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().map_err(|_| "bad u64")?))
    }
    pub(crate) fn f64(&mut self) -> Result<f64, String> {
        Ok(f64::from_le_bytes(self.take(8)?.try_into().map_err(|_| "bad f64")?))
    }
    pub(crate) fn bytes(&mut self) -> Result<&'a [u8], String> {
        let n = self.u64()? as usize;
        self.take(n)
    }
    pub(crate) fn str(&mut self) -> Result<String, String> {
        String::from_utf8(self.bytes()?.to_vec()).map_err(|e| e.to_string())
    }
    fn strs(&mut self) -> Result<Vec<String>, String> {
        let n = self.u64()? as usize;
        (0..n).map(|_| self.str()).collect()
    }
}

fn kind_code(k: NumKind) -> u64 {
    match k {
        NumKind::I16 => 2,
        NumKind::I32 => 4,
        NumKind::I64 => 8,
        NumKind::F32 => 32,
        NumKind::F64 => 64,
        _ => 0,
    }
}

fn kind_from(c: u64) -> Result<NumKind, String> {
    Ok(match c {
        2 => NumKind::I16,
        4 => NumKind::I32,
        8 => NumKind::I64,
        32 => NumKind::F32,
        64 => NumKind::F64,
        _ => return Err(format!("bad sample type code {c}")),
    })
}

/// A trace's description without its chunks: the dataset, its layout and its attributes.
fn put_header(w: &mut Writer, t: &EncodedTrace) {
    w.str(&t.station);
    w.str(&t.name);
    w.u64(kind_code(t.kind));
    w.u64(t.big_endian as u64);
    w.u64(t.npts);
    w.u64(t.chunk);
    w.u64(t.pipeline.shuffle as u64);
    w.u64(t.pipeline.deflate.map(|l| l as u64 + 1).unwrap_or(0));
    w.u64(t.pipeline.fletcher32 as u64);
    w.u64(t.starttime as u64);
    w.f64(t.sampling_rate);
    let a = &t.asdf;
    w.str(&a.tag);
    w.strs(&a.event_ids);
    w.strs(&a.origin_ids);
    w.strs(&a.magnitude_ids);
    w.strs(&a.focal_mechanism_ids);
    w.str(a.provenance_id.as_deref().unwrap_or(""));
    w.u64(a.provenance_id.is_some() as u64);
    w.strs(&a.labels);
}

/// Inverse of [`put_header`]; the trace's `chunks` are left empty.
fn get_header(r: &mut Reader<'_>) -> Result<EncodedTrace, String> {
    let station = r.str()?;
    let name = r.str()?;
    let kind = kind_from(r.u64()?)?;
    let big_endian = r.u64()? != 0;
    let npts = r.u64()?;
    let chunk = r.u64()?;
    let shuffle = r.u64()? != 0;
    let deflate = match r.u64()? {
        0 => None,
        l => Some(u32::try_from(l - 1).map_err(|_| format!("bad deflate level {}", l - 1))?),
    };
    let fletcher32 = r.u64()? != 0;
    let starttime = r.u64()? as i64;
    let sampling_rate = r.f64()?;
    let tag = r.str()?;
    let event_ids = r.strs()?;
    let origin_ids = r.strs()?;
    let magnitude_ids = r.strs()?;
    let focal_mechanism_ids = r.strs()?;
    let prov = r.str()?;
    let has_prov = r.u64()? != 0;
    let labels = r.strs()?;
    Ok(EncodedTrace {
        station,
        name,
        kind,
        big_endian,
        npts,
        chunk,
        pipeline: Pipeline { shuffle, deflate, fletcher32 },
        starttime,
        sampling_rate,
        asdf: AsdfStats {
            tag,
            event_ids,
            origin_ids,
            magnitude_ids,
            focal_mechanism_ids,
            provenance_id: has_prov.then_some(prov),
            labels,
            format_version: None,
        },
        chunks: Vec::new(),
    })
}

/// Serialises encoded traces with their chunks (a job's result on its way to the writer).
pub(crate) fn encode_traces(traces: &[EncodedTrace]) -> Vec<u8> {
    // Sized once: the chunks dominate, plus room for headers and an MPI message trailer.
    let chunk_bytes: usize = traces.iter().flat_map(|t| &t.chunks).map(|c| c.len() + 8).sum();
    let mut w = Writer(Vec::with_capacity(chunk_bytes + 1024 * traces.len() + 64));
    w.u64(traces.len() as u64);
    for t in traces {
        put_header(&mut w, t);
        w.u64(t.chunks.len() as u64);
        t.chunks.iter().for_each(|c| w.bytes(c));
    }
    w.0
}

/// Reads `count, then count x (header, item count, items)`, each item by `item`.
fn decode_list<'a, T>(b: &'a [u8], mut item: impl FnMut(&mut Reader<'a>) -> Result<T, String>) -> Result<Vec<(EncodedTrace, Vec<T>)>, String> {
    let mut r = Reader(b);
    let n = r.u64()? as usize;
    let mut out = Vec::with_capacity(n.min(1 << 16));
    for _ in 0..n {
        let t = get_header(&mut r)?;
        let items = r.u64()? as usize;
        let items = (0..items).map(|_| item(&mut r)).collect::<Result<Vec<_>, _>>()?;
        out.push((t, items));
    }
    Ok(out)
}

/// Inverse of [`encode_traces`]; each trace comes with its chunks borrowed from `b` (the trace's
/// own `chunks` stay empty), so the writer stores them without another copy.
pub(crate) fn decode_traces(b: &[u8]) -> Result<Vec<(EncodedTrace, Vec<&[u8]>)>, String> {
    decode_list(b, |r| r.bytes())
}

/// Where one stored chunk's bytes are in the output file, and their CRC-32.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChunkAt {
    pub(crate) offset: u64,
    pub(crate) len: u64,
    pub(crate) crc: u32,
}

/// Serialises written traces as the journal keeps them: headers and chunk places, no chunks.
pub(crate) fn encode_placed(traces: &[(&EncodedTrace, Vec<ChunkAt>)]) -> Vec<u8> {
    let mut w = Writer::default();
    w.u64(traces.len() as u64);
    for (t, places) in traces {
        put_header(&mut w, t);
        w.u64(places.len() as u64);
        for c in places {
            w.u64(c.offset);
            w.u64(c.len);
            w.u64(c.crc as u64);
        }
    }
    w.0
}

/// Inverse of [`encode_placed`].
pub(crate) fn decode_placed(b: &[u8]) -> Result<Vec<(EncodedTrace, Vec<ChunkAt>)>, String> {
    decode_list(b, |r| Ok(ChunkAt { offset: r.u64()?, len: r.u64()?, crc: r.u64()? as u32 }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{encode_trace, Compression, FormatVersion};
    use crate::{Trace, UtcTime};

    #[test]
    fn traces_round_trip() {
        let mut tr = Trace::new("XX.A.00.HHZ", UtcTime::from_ns(1_000_000_123), 40.0, (0..5000).map(|i| i as f64).collect::<Vec<_>>());
        tr.stats.asdf.labels = vec!["a".into(), "b".into()];
        tr.stats.asdf.provenance_id = Some("{http://x.org/}p".into());
        let e = encode_trace(&tr, "processed", FormatVersion::V1_0_3, Compression::default()).unwrap();
        let wire = encode_traces(std::slice::from_ref(&e));
        let mut back: Vec<EncodedTrace> = decode_traces(&wire).unwrap().into_iter().map(|(mut t, c)| {
            t.chunks = c.into_iter().map(<[u8]>::to_vec).collect();
            t
        }).collect();
        assert_eq!(back.pop(), Some(e.clone()));
        assert!(decode_traces(&[1, 0, 0]).is_err());

        let places = vec![ChunkAt { offset: 4096, len: 17, crc: 0xdead_beef }];
        let journal = encode_placed(&[(&e, places.clone())]);
        let (header, back_places) = decode_placed(&journal).unwrap().pop().unwrap();
        assert_eq!(back_places, places);
        assert_eq!(EncodedTrace { chunks: e.chunks.clone(), ..header }, e);
        assert!(decode_placed(&journal[..journal.len() - 1]).is_err());
    }
}
