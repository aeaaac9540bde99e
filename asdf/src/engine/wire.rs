//! What crosses MPI and the journal, in one serialisation: serde with postcard (compact, not
//! self-describing, and zero-copy for borrowed byte strings).
//!
//! - A job's result on its way from a worker rank to rank 0: a [`ResultHead`] (which job, which
//!   outcome) followed by the body (the job's [`Products`]: encoded traces and auxiliary arrays
//!   with their chunks and a JSON record; compare's JSON; or a failure's message). The head comes first so that the scheduler learns which job finished
//!   without decoding the body, and the writer later decodes the body borrowing the chunks from
//!   the message (they are copied once, into the message, and never again).
//! - The journal's record of a written job: each trace's and array's description with where its
//!   chunks are, and the job's JSON record.
//! - Rank 0's broadcasts (the plan, the jobs left) and parallel output's round messages: any
//!   serde type, through [`to_bytes`] / [`from_bytes`].

// Result messages are encoded only where they cross between ranks: without MPI, only their
// decoding half (the fuzz targets') is used.
#![cfg_attr(not(feature = "mpi"), allow(dead_code))]

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize, Serializer};

use super::products::Products;
use super::EngineError;
use crate::format::{EncodedAuxiliary, EncodedTrace};

/// Serialises `value` (our own types only: they always serialise).
pub(crate) fn to_bytes<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, EngineError> {
    postcard::to_allocvec(value).map_err(|e| EngineError::Mpi(format!("cannot encode a message: {e}")))
}

/// Appends `value` to `out`.
fn append<T: Serialize + ?Sized>(out: Vec<u8>, value: &T) -> Result<Vec<u8>, EngineError> {
    postcard::to_extend(value, out).map_err(|e| EngineError::Mpi(format!("cannot encode a message: {e}")))
}

/// Reads a value [`to_bytes`] made; a message that does not decode is an error, never a panic.
pub(crate) fn from_bytes<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    postcard::from_bytes(bytes).map_err(|e| format!("a damaged message ({e})"))
}

/// A byte string serialised as one (serde's default for a slice is element by element).
struct Bytes<'a>(&'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

/// A trace's chunks, each a byte string.
struct Chunks<'a>(&'a [Vec<u8>]);

impl Serialize for Chunks<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|c| Bytes(c)))
    }
}

/// An encoded trace with its chunks, as a result message carries it: `(description, chunks)`.
struct WithChunks<'a>(&'a EncodedTrace);

impl Serialize for WithChunks<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (self.0, Chunks(&self.0.chunks)).serialize(s)
    }
}

/// An encoded auxiliary array with its chunks, as [`WithChunks`].
struct AuxWithChunks<'a>(&'a EncodedAuxiliary);

impl Serialize for AuxWithChunks<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (self.0, Chunks(&self.0.chunks)).serialize(s)
    }
}

/// A job's products as a result message carries them.
struct ProductsWithChunks<'a>(&'a Products);

impl Serialize for ProductsWithChunks<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.0;
        let traces: Vec<WithChunks<'_>> = p.traces.iter().map(WithChunks).collect();
        let auxiliary: Vec<AuxWithChunks<'_>> = p.auxiliary.iter().map(AuxWithChunks).collect();
        (traces, auxiliary, p.record.as_deref().map(Bytes)).serialize(s)
    }
}

/// Products decoded from a message, their chunks and record borrowed from it.
pub(crate) type ReceivedProducts<'a> = (Vec<(EncodedTrace, Vec<&'a [u8]>)>, Vec<(EncodedAuxiliary, Vec<&'a [u8]>)>, Option<&'a [u8]>);

/// How a job ended, in a result message's head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum ResultKind {
    /// The body is the result (traces or JSON).
    Done,
    /// No body: the function returned nothing.
    Nothing,
    /// The body is the failure's message.
    Failed,
}

/// The start of a result message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ResultHead {
    pub(crate) job: u64,
    pub(crate) ended: ResultKind,
}

/// What follows a result message's head.
pub(crate) enum Body<'a> {
    /// A job's products with their chunks.
    Products(&'a Products),
    /// A serialised value (compare's JSON).
    Json(&'a [u8]),
    /// A failure's message.
    Failed(&'a str),
    /// Nothing.
    #[cfg_attr(not(feature = "mpi"), allow(dead_code))]
    Empty,
}

/// A result message: the head, then the body.
pub(crate) fn encode_result(head: ResultHead, body: Body<'_>) -> Result<Vec<u8>, EngineError> {
    let size = match &body {
        Body::Products(p) => p.message_size(),
        Body::Json(b) => b.len() + 16,
        Body::Failed(m) => m.len() + 16,
        Body::Empty => 0,
    };
    let out = append(Vec::with_capacity(size + 32), &head)?;
    match body {
        Body::Products(p) => append(out, &ProductsWithChunks(p)),
        Body::Json(b) => append(out, &Bytes(b)),
        Body::Failed(m) => append(out, m),
        Body::Empty => Ok(out),
    }
}

/// A result message's head, and where its body starts.
pub(crate) fn decode_head(message: &[u8]) -> Result<(ResultHead, usize), String> {
    let (head, rest) = postcard::take_from_bytes::<ResultHead>(message).map_err(|e| format!("a damaged result message ({e})"))?;
    Ok((head, message.len() - rest.len()))
}

/// A body of products: each description with its chunks borrowed from the message.
pub(crate) fn decode_products(body: &[u8]) -> Result<ReceivedProducts<'_>, String> {
    postcard::from_bytes(body).map_err(|e| format!("a damaged result ({e})"))
}

/// A body holding one byte string (compare's JSON).
pub(crate) fn decode_json(body: &[u8]) -> Result<&[u8], String> {
    postcard::from_bytes(body).map_err(|e| format!("a damaged result ({e})"))
}

/// A body holding a failure's message.
pub(crate) fn decode_failure(body: &[u8]) -> Result<String, String> {
    postcard::from_bytes(body).map_err(|e| format!("a damaged result ({e})"))
}

/// Where one stored chunk's bytes are in the output file, and their CRC-32.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ChunkAt {
    pub(crate) offset: u64,
    pub(crate) len: u64,
    pub(crate) crc: u32,
}

/// A written job as the journal keeps it: descriptions and chunk places (no chunks), and the
/// job's JSON record.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub(crate) struct Placed {
    pub(crate) traces: Vec<(EncodedTrace, Vec<ChunkAt>)>,
    pub(crate) auxiliary: Vec<(EncodedAuxiliary, Vec<ChunkAt>)>,
    pub(crate) record: Option<Vec<u8>>,
}

/// A [`Placed`] record from borrowed parts.
pub(crate) fn encode_placed(traces: &[(&EncodedTrace, Vec<ChunkAt>)], auxiliary: &[(&EncodedAuxiliary, Vec<ChunkAt>)], record: Option<&[u8]>) -> Result<Vec<u8>, EngineError> {
    to_bytes(&(traces, auxiliary, record))
}

/// Inverse of [`encode_placed`].
pub(crate) fn decode_placed(bytes: &[u8]) -> Result<Placed, String> {
    from_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{encode_auxiliary, encode_trace, AuxiliaryArray, Compression, FormatVersion};
    use crate::{Trace, UtcTime};

    fn encoded() -> EncodedTrace {
        let mut tr = Trace::new("XX.A.00.HHZ", UtcTime::from_ns(1_000_000_123), 40.0, (0..5000).map(|i| i as f64).collect::<Vec<_>>());
        tr.stats.asdf.labels = vec!["a".into(), "b".into()];
        tr.stats.asdf.provenance_id = Some("{http://x.org/}p".into());
        encode_trace(&tr, "processed", FormatVersion::V1_0_3, Compression::default()).unwrap()
    }

    #[test]
    fn results_round_trip_with_their_chunks_borrowed() {
        let e = encoded();
        let aux = encode_auxiliary(&AuxiliaryArray::new("Misfits", "XX_A", vec![0.25f32; 9000]), FormatVersion::V1_0_3, Compression::default()).unwrap();
        let products = Products { traces: vec![e.clone()], auxiliary: vec![aux.clone()], record: Some(b"{\"misfit\":0.5}".to_vec()) };
        let msg = encode_result(ResultHead { job: 7, ended: ResultKind::Done }, Body::Products(&products)).unwrap();
        let (head, at) = decode_head(&msg).unwrap();
        assert_eq!(head, ResultHead { job: 7, ended: ResultKind::Done });
        let (mut back, mut back_aux, record) = decode_products(&msg[at..]).unwrap();
        let (t, chunks) = back.pop().unwrap();
        assert!(chunks.iter().all(|c| msg.as_ptr_range().contains(&c.as_ptr())), "chunks are borrowed, not copied");
        assert_eq!(EncodedTrace { chunks: chunks.into_iter().map(<[u8]>::to_vec).collect(), ..t }, e);
        let (a, chunks) = back_aux.pop().unwrap();
        assert_eq!(EncodedAuxiliary { chunks: chunks.into_iter().map(<[u8]>::to_vec).collect(), ..a }, aux);
        assert_eq!(record, Some(&b"{\"misfit\":0.5}"[..]));
        assert!(decode_products(&msg[at..msg.len() - 1]).is_err());

        let msg = encode_result(ResultHead { job: 1, ended: ResultKind::Failed }, Body::Failed("boom")).unwrap();
        let (_, at) = decode_head(&msg).unwrap();
        assert_eq!(decode_failure(&msg[at..]).unwrap(), "boom");
        let msg = encode_result(ResultHead { job: 2, ended: ResultKind::Done }, Body::Json(b"[1,2]")).unwrap();
        let (_, at) = decode_head(&msg).unwrap();
        assert_eq!(decode_json(&msg[at..]).unwrap(), b"[1,2]");
        assert!(decode_head(&[]).is_err());
    }

    #[test]
    fn journal_records_round_trip() {
        let e = encoded();
        let places = vec![ChunkAt { offset: 4096, len: 17, crc: 0xdead_beef }];
        let aux = encode_auxiliary(&AuxiliaryArray::new("Misfits", "XX_A", vec![1i64, 2]), FormatVersion::V1_0_3, Compression::None).unwrap();
        let journal = encode_placed(&[(&e, places.clone())], &[(&aux, places.clone())], Some(b"[1]")).unwrap();
        let mut back = decode_placed(&journal).unwrap();
        let (header, back_places) = back.traces.pop().unwrap();
        assert_eq!(back_places, places);
        assert_eq!(EncodedTrace { chunks: e.chunks.clone(), ..header }, e);
        assert_eq!(back.auxiliary.pop().unwrap().0, EncodedAuxiliary { chunks: Vec::new(), ..aux });
        assert_eq!(back.record.as_deref(), Some(&b"[1]"[..]));
        assert!(decode_placed(&journal[..journal.len() - 1]).is_err());
    }
}
